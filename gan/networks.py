"""Generator and critic networks: MLPs for vectors, a small convolutional pair for 8x8 images.

Every network is an ``nn.Module`` built from a plain config dict (kept as
``module.config``), so a checkpoint stores the dict and the weights and
:func:`build` rebuilds the module without unpickling code. Weights are
initialised inside ``torch.random.fork_rng`` seeded from the caller's
``rng``: the same ``rng`` gives the same network, and torch's global random
state is left as it was. Spectral normalisation uses torch's
``parametrizations.spectral_norm`` (one power iteration per forward pass in
training mode).
"""

from __future__ import annotations

import contextlib

import numpy as np

from twosample.validation import check_choice, check_int, check_rng

__all__ = ["build", "conv_critic", "conv_generator", "mlp_critic", "mlp_generator"]

_ACTIVATIONS = ("relu", "leaky_relu", "elu", "tanh")
_OUTPUTS = ("none", "tanh")


@contextlib.contextmanager
def seeded(rng):
    """Run torch's default initialisers from a seed drawn from `rng`, leaving the global state untouched."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(check_rng(rng).integers(0, 2**63 - 1)))
        yield


def _activation(name):
    from torch import nn

    return {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "elu": nn.ELU, "tanh": nn.Tanh}[name]()


def _maybe_sn(layer, spectral_norm: bool):
    if not spectral_norm:
        return layer
    from torch.nn.utils import parametrizations

    return parametrizations.spectral_norm(layer)


def _mlp_layers(widths, activation, spectral_norm, output):
    from torch import nn

    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(_maybe_sn(nn.Linear(fan_in, fan_out), spectral_norm))
        if i < len(widths) - 2:
            layers.append(_activation(activation))
    if output == "tanh":
        layers.append(nn.Tanh())
    return nn.Sequential(*layers)


def _affine(shift, scale, *, inverse: bool):
    """Fixed (non-trainable) per-feature map ``x * scale + shift``, or ``(x - shift) / scale`` if `inverse`.

    The constants are buffers, so they follow the module to its device and into its state dict.
    """
    import torch
    from torch import nn

    class Affine(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("shift", torch.tensor(shift, dtype=torch.float32))
            self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))

        def forward(self, x):
            return (x - self.shift) / self.scale if inverse else x * self.scale + self.shift

        def extra_repr(self):
            return "inverse" if inverse else ""

    return Affine()


def _soft_cap(cap):
    """``v -> cap - softplus(cap - v)``: the identity well below `cap`, never above it."""
    from torch import nn
    from torch.nn import functional as F

    class SoftCap(nn.Module):
        def forward(self, v):
            return cap - F.softplus(cap - v)

        def extra_repr(self):
            return f"cap={cap}"

    return SoftCap()


def _check_cap(cap):
    if cap is None:
        return None
    cap = float(cap)
    if not np.isfinite(cap):
        raise ValueError(f"`cap` must be a finite number or None, got {cap!r}.")
    return cap


def _check_affine(shift, scale, size, name):
    """Validated (shift, scale) lists of length `size`, or (None, None)."""
    if shift is None and scale is None:
        return None, None
    try:
        shift = np.broadcast_to(np.asarray(0.0 if shift is None else shift, float), (size,))
        scale = np.broadcast_to(np.asarray(1.0 if scale is None else scale, float), (size,))
    except (TypeError, ValueError):
        raise ValueError(f"`{name}`: give one number or {size} numbers each.") from None
    if not (np.isfinite(shift).all() and np.isfinite(scale).all() and (scale > 0).all()):
        raise ValueError(f"`{name}`: shift must be finite and scale positive, one value or {size} values.")
    return shift.tolist(), scale.tolist()


def _net_class():
    from torch import nn

    class Network(nn.Module):
        """A module with its config; rows in, rows out (images are flattened)."""

        def __init__(self, config, body, in_shape=None, out_shape=None):
            super().__init__()
            self.config = dict(config)
            self.body = body
            self.in_shape = in_shape
            self.out_shape = out_shape

        def forward(self, x):
            if self.in_shape is not None:
                x = x.reshape(len(x), *self.in_shape)
            out = self.body(x)
            return out.reshape(len(out), -1)

        def extra_repr(self):
            return ", ".join(f"{k}={v!r}" for k, v in self.config.items() if k != "kind")

    return Network


def _check_common(hidden, depth, activation):
    return (
        check_int(hidden, "hidden"),
        check_int(depth, "depth", minimum=0),
        check_choice(activation, "activation", _ACTIVATIONS),
    )


def mlp_generator(
    z_dim: int,
    out_dim: int,
    *,
    hidden: int = 128,
    depth: int = 3,
    activation: str = "relu",
    output: str = "none",
    shift=None,
    scale=None,
    rng=None,
    device="cpu",
):
    """MLP ``z -> hidden x depth -> out_dim`` with an optional tanh output (for data in [-1, 1]).

    `shift` and `scale` (one value or `out_dim` values) map the network's output to
    ``out * scale + shift``: the network works on standardised rows and returns rows on the
    data's scale.
    """
    z_dim, out_dim = check_int(z_dim, "z_dim"), check_int(out_dim, "out_dim")
    hidden, depth, activation = _check_common(hidden, depth, activation)
    output = check_choice(output, "output", _OUTPUTS)
    shift, scale = _check_affine(shift, scale, out_dim, "shift/scale")
    config = dict(
        kind="mlp_generator",
        z_dim=z_dim,
        out_dim=out_dim,
        hidden=hidden,
        depth=depth,
        activation=activation,
        output=output,
        shift=shift,
        scale=scale,
    )
    return build(config, rng=rng, device=device)


def mlp_critic(
    in_dim: int,
    *,
    out_dim: int = 1,
    hidden: int = 128,
    depth: int = 3,
    activation: str = "leaky_relu",
    spectral_norm: bool = False,
    shift=None,
    scale=None,
    cap=None,
    rng=None,
    device="cpu",
):
    """MLP ``x -> hidden x depth -> out_dim``: the raw critic output v (no output activation).

    ``out_dim > 1`` makes a feature map (the MMD critic). `shift` and `scale` (one value or
    `in_dim` values) standardise the input first: the network reads ``(x - shift) / scale``.
    `cap` bounds the output smoothly from above (``cap - softplus(cap - v)``).
    """
    in_dim, out_dim = check_int(in_dim, "in_dim"), check_int(out_dim, "out_dim")
    hidden, depth, activation = _check_common(hidden, depth, activation)
    shift, scale = _check_affine(shift, scale, in_dim, "shift/scale")
    config = dict(
        kind="mlp_critic",
        in_dim=in_dim,
        out_dim=out_dim,
        hidden=hidden,
        depth=depth,
        activation=activation,
        spectral_norm=bool(spectral_norm),
        shift=shift,
        scale=scale,
        cap=_check_cap(cap),
    )
    return build(config, rng=rng, device=device)


def conv_generator(z_dim: int, *, channels: int = 64, rng=None, device="cpu"):
    """DCGAN-style generator for 8x8 images: z -> 2x2 x 2C -> 4x4 x C -> 8x8, tanh; rows of 64 pixels."""
    config = dict(kind="conv_generator", z_dim=check_int(z_dim, "z_dim"), channels=check_int(channels, "channels"))
    return build(config, rng=rng, device=device)


def conv_critic(
    *,
    out_dim: int = 1,
    channels: int = 64,
    in_channels: int = 1,
    spectral_norm: bool = False,
    cap=None,
    rng=None,
    device="cpu",
):
    """Convolutional critic for 8x8 images (rows of 64 pixels): 8x8 -> 4x4 x C -> 2x2 x 2C -> out_dim.

    ``in_channels > 1`` reads rows of ``64 * in_channels`` pixels as that many stacked images
    (a packed critic, see :func:`gan.train`'s ``pack``). `cap` as in :func:`mlp_critic`.
    """
    config = dict(
        kind="conv_critic",
        out_dim=check_int(out_dim, "out_dim"),
        channels=check_int(channels, "channels"),
        in_channels=check_int(in_channels, "in_channels"),
        spectral_norm=bool(spectral_norm),
        cap=_check_cap(cap),
    )
    return build(config, rng=rng, device=device)


# A network config may ask for at most this many parameters (4 GB of float32): a corrupt or hostile
# checkpoint cannot make build() allocate terabytes before anything is checked.
MAX_PARAMETERS = 10**9
_REQUIRED = {
    "mlp_generator": ("z_dim", "hidden", "depth", "out_dim", "activation", "output"),
    "mlp_critic": ("in_dim", "hidden", "depth", "activation", "spectral_norm"),
    "conv_generator": ("z_dim", "channels"),
    "conv_critic": ("channels", "spectral_norm"),
}


def _check_config(config: dict) -> None:
    """Keys present and sizes sane (positive ints, at most MAX_PARAMETERS weights) before allocating."""
    if not isinstance(config, dict) or config.get("kind") not in _REQUIRED:
        kind = config.get("kind") if isinstance(config, dict) else None
        raise ValueError(f"unknown network kind {kind!r} in the config.")
    missing = [k for k in _REQUIRED[config["kind"]] if k not in config]
    if missing:
        raise ValueError(f"the network config ({config['kind']}) lacks {', '.join(missing)}.")
    sizes = {
        k: config[k]
        for k in ("z_dim", "hidden", "out_dim", "in_dim", "channels", "in_channels")
        if config.get(k) is not None
    }
    sizes["depth"] = config.get("depth", 1)
    for key, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if key == "depth" else 1):
            raise ValueError(f"the network config has {key}={value!r}; expected a positive integer.")
    if config["kind"].startswith("mlp"):
        widths = (
            [sizes.get("z_dim", sizes.get("in_dim"))] + [sizes["hidden"]] * sizes["depth"] + [sizes.get("out_dim", 1)]
        )
        count = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    else:
        c, k = sizes["channels"], sizes.get("in_channels", 1)
        count = 8 * c * (c + sizes.get("z_dim", 0) + k + 16)
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"the network config asks for about {count:.3g} parameters (at most "
            f"{MAX_PARAMETERS:.0e}); the checkpoint is corrupt or not a model of this package."
        )


def build(config: dict, *, rng=None, device="cpu"):
    """The network described by `config` (as stored in ``module.config`` and in checkpoints)."""
    from torch import nn

    Network = _net_class()
    kind = config.get("kind")
    _check_config(config)
    with seeded(rng if rng is not None else np.random.default_rng(0)):
        if kind == "mlp_generator":
            widths = [config["z_dim"]] + [config["hidden"]] * config["depth"] + [config["out_dim"]]
            body = _mlp_layers(widths, config["activation"], False, config["output"])
            if config.get("scale") is not None:
                body.append(_affine(config["shift"], config["scale"], inverse=False))
            net = Network(config, body)
        elif kind == "mlp_critic":
            widths = [config["in_dim"]] + [config["hidden"]] * config["depth"] + [config.get("out_dim", 1)]
            body = _mlp_layers(widths, config["activation"], config["spectral_norm"], "none")
            if config.get("scale") is not None:
                body.insert(0, _affine(config["shift"], config["scale"], inverse=True))
            net = Network(config, body)
        elif kind == "conv_generator":
            c = config["channels"]
            body = nn.Sequential(
                nn.Linear(config["z_dim"], 2 * c * 4),
                nn.ReLU(),
                nn.Unflatten(1, (2 * c, 2, 2)),
                nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1),
                nn.BatchNorm2d(c),
                nn.ReLU(),
                nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1),
                nn.Tanh(),
            )
            net = Network(config, body)
        elif kind == "conv_critic":
            c, sn, k = config["channels"], config["spectral_norm"], config.get("in_channels", 1)
            body = nn.Sequential(
                _maybe_sn(nn.Conv2d(k, c, 3, stride=2, padding=1), sn),
                nn.LeakyReLU(0.2),
                _maybe_sn(nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), sn),
                nn.LeakyReLU(0.2),
                nn.Flatten(),
                _maybe_sn(nn.Linear(2 * c * 4, config.get("out_dim", 1)), sn),
            )
            net = Network(config, body, in_shape=(k, 8, 8))
        else:
            raise ValueError(f"unknown network kind {kind!r} in the config.")
        if config.get("cap") is not None:  # critics only: a smooth upper bound on the output
            net.body.append(_soft_cap(config["cap"]))
    return net.to(device)
