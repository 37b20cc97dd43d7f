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

from twosample._validation import check_choice, check_int, check_rng

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
    return (check_int(hidden, "hidden"), check_int(depth, "depth", minimum=0),
            check_choice(activation, "activation", _ACTIVATIONS))


def mlp_generator(z_dim: int, out_dim: int, *, hidden: int = 128, depth: int = 3, activation: str = "relu",
                  output: str = "none", rng=None, device="cpu"):
    """MLP ``z -> hidden x depth -> out_dim`` with an optional tanh output (for data in [-1, 1])."""
    z_dim, out_dim = check_int(z_dim, "z_dim"), check_int(out_dim, "out_dim")
    hidden, depth, activation = _check_common(hidden, depth, activation)
    output = check_choice(output, "output", _OUTPUTS)
    config = dict(kind="mlp_generator", z_dim=z_dim, out_dim=out_dim, hidden=hidden, depth=depth,
                  activation=activation, output=output)
    return build(config, rng=rng, device=device)


def mlp_critic(in_dim: int, *, out_dim: int = 1, hidden: int = 128, depth: int = 3, activation: str = "leaky_relu",
               spectral_norm: bool = False, rng=None, device="cpu"):
    """MLP ``x -> hidden x depth -> out_dim``: the raw critic output v (no output activation).

    ``out_dim > 1`` makes a feature map (the MMD critic).
    """
    in_dim, out_dim = check_int(in_dim, "in_dim"), check_int(out_dim, "out_dim")
    hidden, depth, activation = _check_common(hidden, depth, activation)
    config = dict(kind="mlp_critic", in_dim=in_dim, out_dim=out_dim, hidden=hidden, depth=depth,
                  activation=activation, spectral_norm=bool(spectral_norm))
    return build(config, rng=rng, device=device)


def conv_generator(z_dim: int, *, channels: int = 64, rng=None, device="cpu"):
    """DCGAN-style generator for 8x8 images: z -> 2x2 x 2C -> 4x4 x C -> 8x8, tanh; rows of 64 pixels."""
    config = dict(kind="conv_generator", z_dim=check_int(z_dim, "z_dim"), channels=check_int(channels, "channels"))
    return build(config, rng=rng, device=device)


def conv_critic(*, out_dim: int = 1, channels: int = 64, in_channels: int = 1, spectral_norm: bool = False,
                rng=None, device="cpu"):
    """Convolutional critic for 8x8 images (rows of 64 pixels): 8x8 -> 4x4 x C -> 2x2 x 2C -> out_dim.

    ``in_channels > 1`` reads rows of ``64 * in_channels`` pixels as that many stacked images
    (a packed critic, see :func:`gan.train`'s ``pack``).
    """
    config = dict(kind="conv_critic", out_dim=check_int(out_dim, "out_dim"), channels=check_int(channels, "channels"),
                  in_channels=check_int(in_channels, "in_channels"), spectral_norm=bool(spectral_norm))
    return build(config, rng=rng, device=device)


def build(config: dict, *, rng=None, device="cpu"):
    """The network described by `config` (as stored in ``module.config`` and in checkpoints)."""
    from torch import nn

    Network = _net_class()
    kind = config.get("kind")
    with seeded(rng if rng is not None else np.random.default_rng(0)):
        if kind == "mlp_generator":
            widths = [config["z_dim"]] + [config["hidden"]] * config["depth"] + [config["out_dim"]]
            net = Network(config, _mlp_layers(widths, config["activation"], False, config["output"]))
        elif kind == "mlp_critic":
            widths = [config["in_dim"]] + [config["hidden"]] * config["depth"] + [config.get("out_dim", 1)]
            net = Network(config, _mlp_layers(widths, config["activation"], config["spectral_norm"], "none"))
        elif kind == "conv_generator":
            c = config["channels"]
            body = nn.Sequential(
                nn.Linear(config["z_dim"], 2 * c * 4), nn.ReLU(), nn.Unflatten(1, (2 * c, 2, 2)),
                nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
                nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1), nn.Tanh(),
            )
            net = Network(config, body)
        elif kind == "conv_critic":
            c, sn, k = config["channels"], config["spectral_norm"], config.get("in_channels", 1)
            body = nn.Sequential(
                _maybe_sn(nn.Conv2d(k, c, 3, stride=2, padding=1), sn), nn.LeakyReLU(0.2),
                _maybe_sn(nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), sn), nn.LeakyReLU(0.2),
                nn.Flatten(), _maybe_sn(nn.Linear(2 * c * 4, config.get("out_dim", 1)), sn),
            )
            net = Network(config, body, in_shape=(k, 8, 8))
        else:
            raise ValueError(f"unknown network kind {kind!r} in the config.")
    return net.to(device)
