r"""Generator and critic networks: MLPs for vectors, DCGAN-style convolutional pairs for images.

Every network is a :class:`Network` built from a plain config dict (kept as
``module.config``), so a checkpoint stores the dict and the weights and
:func:`build` rebuilds the module without unpickling code. The module classes
are defined once, here; a config only chooses their sizes. Weights are
initialised inside ``torch.random.fork_rng`` seeded from the caller's ``rng``:
the same ``rng`` gives the same network, and torch's global random state is
left as it was. Spectral normalisation uses torch's
``parametrizations.spectral_norm`` (one power iteration per forward pass in
training mode).

Conditional networks (``n_classes > 0``) take integer labels as a second
argument: the generator reads its latent vector concatenated with a learned
label embedding; the critic is a projection discriminator (Miyato and Koyama
2018): ``out = head(h) + <embed(y), h>`` with ``h`` the critic's last hidden
features.

Table networks (:func:`table_generator`, and :func:`mlp_critic` with ``conditions``) follow CTGAN
(Xu et al. 2019): the generator is residual (each layer's output, after batch norm and ReLU,
concatenated to its input) and ends in one activation per span of the transformed row (tanh
for a numeric scalar, Gumbel-softmax at temperature 0.2 for a one-hot span). Its Gumbel noise
comes from its own input: the last ``noise_dim`` latent entries, standard normal, become
:math:`-\log(-\log\Phi(z))`, so every draw comes from the latent rows the callers already seed.
With ``conditions`` the generator reads the condition's one-hot after its latent vector and the
critic reads each row followed by its condition's one-hot (packed rows: each of the ``pack``
rows with its own).

Image networks (:func:`dcgan_generator`, :func:`dcgan_critic`) work for any
``(channels, height, width)``: the generator starts from a small map and
doubles it with strided transposed convolutions (batch norm, ReLU) up to the
next size at or above the image's, then crops; the critic halves it with
strided convolutions (leaky ReLU) the same number of times. The number of
doublings is ``min(4, floor(log2(min(h, w) / 2)))``: two for 8x8, three for
28x28 (from 4x4, cropped from 32), four for 32x32 and 64x64.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
from torch import nn

from twosample.core.validation import check_bool, check_choice, check_int, check_real, check_rng

__all__ = [
    "Network",
    "build",
    "conv_critic",
    "conv_generator",
    "dcgan_critic",
    "dcgan_generator",
    "default_channels",
    "image_levels",
    "mlp_critic",
    "mlp_generator",
    "table_generator",
]

_ACTIVATIONS = ("relu", "leaky_relu", "elu", "tanh")
_OUTPUTS = ("none", "tanh")


@contextlib.contextmanager
def seeded(rng):
    """Run torch's default initialisers from a seed drawn from `rng`, leaving the global state untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(check_rng(rng).integers(0, 2**63 - 1)))
        yield


# --- the modules, defined once ------------------------------------------------------------------


class Affine(nn.Module):
    """Fixed per-feature map ``x * scale + shift``, or ``(x - shift) / scale`` if `inverse` (buffers)."""

    def __init__(self, shift, scale, inverse: bool):
        super().__init__()
        self.inverse = bool(inverse)
        self.register_buffer("shift", torch.tensor(shift, dtype=torch.float32))
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))

    def forward(self, x):
        return (x - self.shift) / self.scale if self.inverse else x * self.scale + self.shift

    def extra_repr(self):
        return "inverse" if self.inverse else ""


class LinearPath(nn.Module):
    """``x -> mlp(x) + linear(x)``: an MLP beside a linear map of its input (a generator's skip path).

    A piecewise-linear MLP maps a Gaussian latent onto a mode through a wedge of latent space,
    which gives peaked, lopsided modes; the linear path can carry latent coordinates straight
    to the output, so a mode can be a Gaussian of any covariance (docs/benchmarks.md, "A third screen").
    """

    def __init__(self, mlp, linear):
        super().__init__()
        self.mlp, self.linear = mlp, linear

    def forward(self, x):
        return self.mlp(x) + self.linear(x)


class SoftCap(nn.Module):
    """``v -> cap - softplus(cap - v)``: the identity well below `cap`, never above it."""

    def __init__(self, cap: float):
        super().__init__()
        self.cap = float(cap)

    def forward(self, v):
        return self.cap - nn.functional.softplus(self.cap - v)

    def extra_repr(self):
        return f"cap={self.cap}"


class Crop(nn.Module):
    """Keep the top-left ``(height, width)`` of a feature map."""

    def __init__(self, height: int, width: int):
        super().__init__()
        self.height, self.width = int(height), int(width)

    def forward(self, x):
        return x[..., : self.height, : self.width]


class JoinCondition(nn.Module):
    """Each row of a (packed) row followed by the one-hot of its condition: ``(b, pack * w) -> (b, pack * (w + n))``."""

    def __init__(self, n_conditions: int, pack: int = 1):
        super().__init__()
        self.n_conditions, self.pack = int(n_conditions), int(pack)

    def forward(self, x, conditions):
        if conditions is None:
            raise ValueError("this network is conditioned on a table's categories: pass `labels` (condition codes).")
        rows = x.reshape(len(conditions), -1)
        onehot = nn.functional.one_hot(conditions, self.n_conditions).to(rows.dtype)
        return torch.cat([rows, onehot], dim=1).reshape(len(x), -1)

    def extra_repr(self):
        return f"n_conditions={self.n_conditions}, pack={self.pack}"


class Residual(nn.Module):
    """CTGAN's residual layer: ``x -> [relu(bn(fc(x))), x]``."""

    def __init__(self, fan_in: int, fan_out: int):
        super().__init__()
        self.fc, self.bn = nn.Linear(fan_in, fan_out), nn.BatchNorm1d(fan_out)

    def forward(self, x):
        return torch.cat([torch.relu(self.bn(self.fc(x))), x], dim=1)


class SpanActivation(nn.Module):
    r"""tanh on the ``"tanh"`` spans, Gumbel-softmax at temperature `tau` on the ``"softmax"`` spans.

    ``forward(raw, noise)``: `noise` holds one standard normal entry per one-hot entry, turned
    into Gumbel noise :math:`-\log(-\log\Phi(z))` (by ``log_ndtr``, finite for every z).
    """

    def __init__(self, spans, tau: float = 0.2):
        super().__init__()
        self.spans, self.tau = [(int(a), int(b), str(k)) for a, b, k in spans], float(tau)

    def forward(self, raw, noise):
        out, used = [], 0
        for start, end, kind in self.spans:
            piece = raw[:, start:end]
            if kind == "tanh":
                out.append(torch.tanh(piece))
                continue
            z = noise[:, used : used + end - start]
            used += end - start
            gumbel = -torch.log((-torch.special.log_ndtr(z)).clamp_min(1e-30))
            out.append(torch.softmax((piece + gumbel) / self.tau, dim=1))
        return torch.cat(out, dim=1)

    def extra_repr(self):
        return f"spans={len(self.spans)}, tau={self.tau}"


class TableBody(nn.Module):
    """The table generator: ``[z, noise, condition] -> residual layers on [z, condition] -> spans``."""

    def __init__(self, config):
        super().__init__()
        self.z_dim, self.noise_dim = config["z_dim"], config["noise_dim"]
        width = config["z_dim"] + (config.get("n_conditions") or 0)
        layers = []
        for _ in range(config["depth"]):
            layers.append(Residual(width, config["hidden"]))
            width += config["hidden"]
        self.residual = nn.Sequential(*layers)
        self.out = nn.Linear(width, config["out_dim"])
        self.activation = SpanActivation(config["spans"], config.get("tau", 0.2))

    def forward(self, x):
        z, noise, cond = (
            x[:, : self.z_dim],
            x[:, self.z_dim : self.z_dim + self.noise_dim],
            x[:, self.z_dim + self.noise_dim :],
        )
        return self.activation(self.out(self.residual(torch.cat([z, cond], dim=1))), noise)


class Network(nn.Module):
    """A generator or critic with its config: rows in, rows out (images are flattened).

    ``body`` is one ``nn.Sequential``. For a critic, ``body[head]`` is its output
    layer: the layers before it compute the features ``h`` (:meth:`features`), and a
    conditional critic adds the projection ``<embed(y), h>`` to the head's output.
    For a conditional generator, ``embed(y)`` is concatenated to the latent rows. A table's
    networks ``join`` the one-hot of each row's condition (``y``) to their input instead.
    """

    def __init__(self, config, body, *, in_shape=None, head=None, embed=None, join=None):
        super().__init__()
        self.config = dict(config)
        self.body = body
        self.in_shape = None if in_shape is None else tuple(in_shape)
        self.head = head
        self.embed = embed
        self.join = join

    @property
    def is_critic(self) -> bool:
        return self.config["kind"].endswith("critic")

    @property
    def n_classes(self) -> int:
        return int(self.config.get("n_classes") or 0)

    def _labels(self, labels):
        if self.n_classes and labels is None:
            raise ValueError("this network is conditional: pass `labels` (one integer per row).")
        return None if not self.n_classes else labels

    def features(self, x, labels=None):
        """The critic's last hidden features ``h`` (what the head and the projection read)."""
        if self.join is not None:
            x = self.join(x, labels)
        if self.in_shape is not None:
            x = x.reshape(len(x), *self.in_shape)
        for layer in self.body[: self.head]:
            x = layer(x)
        return x

    def forward(self, x, labels=None):
        if self.join is not None:
            x, labels = self.join(x, labels), None
            if self.is_critic:
                return self.body(x).reshape(len(x), -1)
        labels = self._labels(labels)
        if not self.is_critic:
            if labels is not None:
                x = torch.cat([x, self.embed(labels)], dim=1)
            out = self.body(x)
            return out.reshape(len(out), -1)
        if self.head is None:
            out = self.body(x.reshape(len(x), *self.in_shape) if self.in_shape is not None else x)
            return out.reshape(len(out), -1)
        h = self.features(x)
        out = self.body[self.head](h)
        if labels is not None:
            out = out + (self.embed(labels) * h).sum(dim=1, keepdim=True)
        for layer in self.body[self.head + 1 :]:
            out = layer(out)
        return out.reshape(len(out), -1)

    def extra_repr(self):
        return ", ".join(f"{k}={v!r}" for k, v in self.config.items() if k not in ("kind", "shift", "scale"))


def _activation(name):
    return {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "elu": nn.ELU, "tanh": nn.Tanh}[name]()


def _maybe_sn(layer, spectral_norm: bool):
    if not spectral_norm:
        return layer
    from torch.nn.utils import parametrizations

    return parametrizations.spectral_norm(layer)


def _mlp_layers(widths, activation, spectral_norm, output):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(_maybe_sn(nn.Linear(fan_in, fan_out), spectral_norm))
        if i < len(widths) - 2:
            layers.append(_activation(activation))
    if output == "tanh":
        layers.append(nn.Tanh())
    return nn.Sequential(*layers)


# --- validation of the factories' arguments -----------------------------------------------------


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


def _check_common(hidden, depth, activation):
    return (
        check_int(hidden, "hidden"),
        check_int(depth, "depth", minimum=0),
        check_choice(activation, "activation", _ACTIVATIONS),
    )


def _check_image_shape(shape) -> list[int]:
    """``(h, w)`` or ``(c, h, w)`` as ``[c, h, w]``, each at least 4 pixels (or 1 channel)."""
    try:
        dims = [int(s) for s in shape]
    except (TypeError, ValueError):
        raise ValueError(
            f"`image_shape` must be (height, width) or (channels, height, width), got {shape!r}."
        ) from None
    if len(dims) == 2:
        dims = [1, *dims]
    if len(dims) != 3 or dims[0] < 1 or min(dims[1:]) < 4:
        raise ValueError(
            f"`image_shape` must be (height, width) or (channels, height, width), 4+ pixels; got {shape!r}."
        )
    return dims


def _n_classes(n_classes) -> int:
    return 0 if n_classes in (None, 0) else check_int(n_classes, "n_classes")


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
    n_classes: int = 0,
    skip: bool = False,
    rng=None,
    device="cpu",
):
    """MLP ``z -> hidden x depth -> out_dim`` with an optional tanh output (for data in [-1, 1]).

    `shift` and `scale` (one value or `out_dim` values) map the network's output to
    ``out * scale + shift``: the network works on standardised rows and returns rows on the
    data's scale. ``n_classes > 0`` makes it conditional (a label embedding joins ``z``).
    ``skip=True`` adds a linear map of the input to the MLP's output (:class:`LinearPath`;
    ``output="none"`` only), created after the MLP's layers so that they start as without it.
    """
    z_dim, out_dim = check_int(z_dim, "z_dim"), check_int(out_dim, "out_dim")
    hidden, depth, activation = _check_common(hidden, depth, activation)
    output = check_choice(output, "output", _OUTPUTS)
    shift, scale = _check_affine(shift, scale, out_dim, "shift/scale")
    config = dict(kind="mlp_generator", z_dim=z_dim, out_dim=out_dim, hidden=hidden, depth=depth)
    config.update(activation=activation, output=output, shift=shift, scale=scale, n_classes=_n_classes(n_classes))
    if check_bool(skip, "skip"):
        if output != "none":
            raise ValueError(
                f"`skip` adds a linear path to an unbounded output; it needs output='none', got {output!r}."
            )
        config["skip"] = True
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
    n_classes: int = 0,
    conditions: int = 0,
    pack: int = 1,
    rng=None,
    device="cpu",
):
    """MLP ``x -> hidden x depth -> out_dim``: the raw critic output v (no output activation).

    ``out_dim > 1`` makes a feature map (the MMD critic). `shift` and `scale` (one value or
    `in_dim` values) standardise the input first: the network reads ``(x - shift) / scale``.
    `cap` bounds the output smoothly from above (``cap - softplus(cap - v)``).
    ``n_classes > 0``: a projection discriminator (labels as the second argument).
    ``conditions > 0`` (tables): each of the `pack` rows in an input row (``in_dim`` wide in all)
    is followed by the one-hot of its condition, one code per row in the second argument.
    """
    in_dim, out_dim = check_int(in_dim, "in_dim"), check_int(out_dim, "out_dim")
    hidden, depth, activation = _check_common(hidden, depth, activation)
    shift, scale = _check_affine(shift, scale, in_dim, "shift/scale")
    config = dict(kind="mlp_critic", in_dim=in_dim, out_dim=out_dim, hidden=hidden, depth=depth)
    config.update(activation=activation, spectral_norm=bool(spectral_norm), shift=shift, scale=scale)
    config.update(cap=_check_cap(cap), n_classes=_n_classes(n_classes))
    if conditions:
        if shift is not None or n_classes:
            raise ValueError("`conditions` cannot be combined with `shift`/`scale` or `n_classes`.")
        config.update(n_conditions=check_int(conditions, "conditions"), pack=check_int(pack, "pack"))
    return build(config, rng=rng, device=device)


def table_generator(
    z_dim: int,
    spans,
    *,
    noise_dim: int,
    hidden: int = 256,
    depth: int = 2,
    conditions: int = 0,
    tau: float = 0.2,
    rng=None,
    device="cpu",
):
    """CTGAN's residual generator for a table's transformed rows (see the module's notes).

    `spans` are the row's ``(start, end, "tanh" | "softmax")`` spans; the input is ``z_dim``
    latent entries then `noise_dim` (the one-hot entries' count) Gumbel inputs, all standard
    normal; ``conditions > 0`` takes condition codes as the second argument.
    """
    spans = [[int(a), int(b), check_choice(k, "spans", ("tanh", "softmax"))] for a, b, k in spans]
    config = dict(kind="table_generator", z_dim=check_int(z_dim, "z_dim"), noise_dim=check_int(noise_dim, "noise_dim"))
    config.update(hidden=check_int(hidden, "hidden"), depth=check_int(depth, "depth", minimum=0))
    config.update(out_dim=spans[-1][1], spans=spans, n_conditions=check_int(conditions, "conditions", minimum=0))
    config.update(tau=check_real(tau, "tau", low=0, low_open=True))
    return build(config, rng=rng, device=device)


def default_channels(image_shape) -> int:
    """The DCGAN pair's width at full resolution: 32 for images up to 16 pixels a side, 64 above."""
    _, h, w = _check_image_shape(image_shape)
    return 32 if max(h, w) <= 16 else 64


def _channels(channels, shape) -> int:
    return default_channels(shape) if channels is None else check_int(channels, "channels")


def dcgan_generator(z_dim: int, image_shape, *, channels=None, n_classes: int = 0, rng=None, device="cpu"):
    """DCGAN-style generator for images of `image_shape` ((h, w) or (c, h, w)); rows of c*h*w pixels in [-1, 1].

    `channels` is the width at full resolution (default :func:`default_channels`); it doubles
    at each coarser level (at most 8x).
    """
    shape = _check_image_shape(image_shape)
    config = dict(kind="dcgan_generator", z_dim=check_int(z_dim, "z_dim"), image_shape=shape)
    config.update(channels=_channels(channels, shape), n_classes=_n_classes(n_classes))
    return build(config, rng=rng, device=device)


def dcgan_critic(
    image_shape,
    *,
    out_dim: int = 1,
    channels=None,
    spectral_norm: bool = False,
    cap=None,
    n_classes: int = 0,
    rng=None,
    device="cpu",
):
    """DCGAN-style critic for images of `image_shape` (rows of c*h*w pixels); strided convolutions, leaky ReLU.

    Packed inputs (``pack`` images side by side) are read as ``pack * c`` channels: give
    ``image_shape = (pack * c, h, w)``.
    """
    shape = _check_image_shape(image_shape)
    config = dict(kind="dcgan_critic", image_shape=shape, out_dim=check_int(out_dim, "out_dim"))
    config.update(channels=_channels(channels, shape), spectral_norm=bool(spectral_norm))
    config.update(cap=_check_cap(cap), n_classes=_n_classes(n_classes))
    return build(config, rng=rng, device=device)


def conv_generator(z_dim: int, *, channels: int = 64, rng=None, device="cpu"):
    """The first release's generator for 8x8 images (z -> 2x2 x 2C -> 4x4 x C -> 8x8, tanh); kept to load old runs."""
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
    """The first release's critic for 8x8 images (8x8 -> 4x4 x C -> 2x2 x 2C -> out_dim); kept to load old runs."""
    config = dict(kind="conv_critic", out_dim=check_int(out_dim, "out_dim"), channels=check_int(channels, "channels"))
    config.update(
        in_channels=check_int(in_channels, "in_channels"), spectral_norm=bool(spectral_norm), cap=_check_cap(cap)
    )
    return build(config, rng=rng, device=device)


# --- building from a config ---------------------------------------------------------------------


def image_levels(height: int, width: int) -> int:
    """Doublings of the DCGAN generator (= halvings of the critic): ``min(4, floor(log2(min(h, w) / 2)))``."""
    return max(0, min(4, int(math.floor(math.log2(min(height, width) / 2)))))


def _dcgan_widths(config) -> tuple[list[int], int, int, int]:
    """(channel widths from coarse to fine, levels, start height, start width)."""
    _, h, w = config["image_shape"]
    levels, c = image_levels(h, w), config["channels"]
    widths = [c * min(2 ** (levels - i), 8) for i in range(levels + 1)]
    return widths, levels, math.ceil(h / 2**levels), math.ceil(w / 2**levels)


def _label_dim(n_classes: int) -> int:
    return min(n_classes, 32)


def _build_mlp_generator(config):
    n_classes = config.get("n_classes") or 0
    widths = [config["z_dim"] + _label_dim(n_classes)] + [config["hidden"]] * config["depth"] + [config["out_dim"]]
    body = _mlp_layers(widths, config["activation"], False, config["output"])
    if config.get("skip"):
        body = nn.Sequential(LinearPath(body, nn.Linear(widths[0], widths[-1], bias=False)))
    if config.get("scale") is not None:
        body.append(Affine(config["shift"], config["scale"], inverse=False))
    embed = nn.Embedding(n_classes, _label_dim(n_classes)) if n_classes else None
    return Network(config, body, embed=embed)


def _build_mlp_critic(config):
    conditions, pack = config.get("n_conditions") or 0, config.get("pack") or 1
    widths = [config["in_dim"] + conditions * pack] + [config["hidden"]] * config["depth"] + [config.get("out_dim", 1)]
    body = _mlp_layers(widths, config["activation"], config["spectral_norm"], "none")
    if config.get("scale") is not None:
        body.insert(0, Affine(config["shift"], config["scale"], inverse=True))
    n_classes = config.get("n_classes") or 0
    embed = _maybe_sn(nn.Embedding(n_classes, widths[-2]), config["spectral_norm"]) if n_classes else None
    join = JoinCondition(conditions, pack) if conditions else None
    return Network(config, body, head=len(body) - 1, embed=embed, join=join)


def _build_table_generator(config):
    conditions = config.get("n_conditions") or 0
    join = JoinCondition(conditions) if conditions else None
    return Network(config, nn.Sequential(TableBody(config)), join=join)


def _build_dcgan_generator(config):
    widths, levels, h0, w0 = _dcgan_widths(config)
    channels, h, w = config["image_shape"]
    n_classes = config.get("n_classes") or 0
    layers = [
        nn.Linear(config["z_dim"] + _label_dim(n_classes), widths[0] * h0 * w0),
        nn.Unflatten(1, (widths[0], h0, w0)),
    ]
    layers += [nn.BatchNorm2d(widths[0]), nn.ReLU()]
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        layers += [nn.ConvTranspose2d(fan_in, fan_out, 4, stride=2, padding=1), nn.BatchNorm2d(fan_out), nn.ReLU()]
    layers += [nn.Conv2d(widths[-1], channels, 3, padding=1), Crop(h, w), nn.Tanh()]
    embed = nn.Embedding(n_classes, _label_dim(n_classes)) if n_classes else None
    return Network(config, nn.Sequential(*layers), embed=embed)


def _build_dcgan_critic(config):
    widths, levels, _, _ = _dcgan_widths(config)
    channels, h, w = config["image_shape"]
    sn, layers, fan_in = config["spectral_norm"], [], channels
    for fan_out in reversed(widths[:-1] if levels else widths):
        stride, kernel = (2, 4) if levels else (1, 3)
        layers += [_maybe_sn(nn.Conv2d(fan_in, fan_out, kernel, stride=stride, padding=1), sn), nn.LeakyReLU(0.2)]
        h, w = (h + 2 - kernel) // stride + 1, (w + 2 - kernel) // stride + 1
        fan_in = fan_out
    layers += [nn.Flatten(), _maybe_sn(nn.Linear(fan_in * h * w, config.get("out_dim", 1)), sn)]
    n_classes = config.get("n_classes") or 0
    embed = _maybe_sn(nn.Embedding(n_classes, fan_in * h * w), sn) if n_classes else None
    return Network(config, nn.Sequential(*layers), in_shape=config["image_shape"], head=len(layers) - 1, embed=embed)


def _build_conv_generator(config):
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
    return Network(config, body)


def _build_conv_critic(config):
    c, sn, k = config["channels"], config["spectral_norm"], config.get("in_channels", 1)
    body = nn.Sequential(
        _maybe_sn(nn.Conv2d(k, c, 3, stride=2, padding=1), sn),
        nn.LeakyReLU(0.2),
        _maybe_sn(nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), sn),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        _maybe_sn(nn.Linear(2 * c * 4, config.get("out_dim", 1)), sn),
    )
    return Network(config, body, in_shape=(k, 8, 8), head=len(body) - 1)


_BUILDERS = {
    "mlp_generator": _build_mlp_generator,
    "mlp_critic": _build_mlp_critic,
    "dcgan_generator": _build_dcgan_generator,
    "dcgan_critic": _build_dcgan_critic,
    "conv_generator": _build_conv_generator,
    "conv_critic": _build_conv_critic,
    "table_generator": _build_table_generator,
}

# A network config may ask for at most this many parameters (4 GB of float32): a corrupt or hostile
# checkpoint cannot make build() allocate terabytes before anything is checked.
MAX_PARAMETERS = 10**9
_REQUIRED = {
    "mlp_generator": ("z_dim", "hidden", "depth", "out_dim", "activation", "output"),
    "mlp_critic": ("in_dim", "hidden", "depth", "activation", "spectral_norm"),
    "dcgan_generator": ("z_dim", "image_shape", "channels"),
    "dcgan_critic": ("image_shape", "channels", "spectral_norm"),
    "conv_generator": ("z_dim", "channels"),
    "conv_critic": ("channels", "spectral_norm"),
    "table_generator": ("z_dim", "noise_dim", "hidden", "depth", "out_dim", "spans"),
}
_SIZES = ("z_dim", "hidden", "out_dim", "in_dim", "channels", "in_channels", "n_classes", "n_conditions", "noise_dim")


def _parameter_count(config, sizes) -> int:
    """An upper estimate of the weights a config asks for (before allocating any)."""
    kind = config["kind"]
    if kind == "table_generator":
        width = sizes["z_dim"] + sizes.get("n_conditions", 0)
        widths = [width + i * sizes["hidden"] for i in range(sizes["depth"] + 1)]
        return sum(w * sizes["hidden"] for w in widths[:-1]) + widths[-1] * sizes["out_dim"]
    if kind.startswith("mlp"):
        widths = (
            [sizes.get("z_dim", sizes.get("in_dim")) + sizes.get("n_conditions", 0) * int(config.get("pack") or 1)]
            + [sizes["hidden"]] * sizes["depth"]
            + [sizes.get("out_dim", 1)]
        )
        return sum(a * b for a, b in zip(widths[:-1], widths[1:])) + sizes.get("n_classes", 0) * sizes["hidden"]
    if kind.startswith("dcgan"):
        c, h, w = config["image_shape"]
        widths, _, h0, w0 = _dcgan_widths(config)
        convs = sum(16 * a * b for a, b in zip(widths[:-1], widths[1:])) + 9 * widths[-1] * c
        return convs + (sizes.get("z_dim", 0) + 32 + sizes.get("n_classes", 0)) * widths[0] * max(h0 * w0, h * w)
    c, k = sizes["channels"], sizes.get("in_channels", 1)
    return 8 * c * (c + sizes.get("z_dim", 0) + k + 16)


def _check_config(config: dict) -> None:
    """Keys present and sizes sane (positive ints, at most MAX_PARAMETERS weights) before allocating."""
    if not isinstance(config, dict) or config.get("kind") not in _REQUIRED:
        kind = config.get("kind") if isinstance(config, dict) else None
        raise ValueError(f"unknown network kind {kind!r} in the config.")
    missing = [k for k in _REQUIRED[config["kind"]] if k not in config]
    if missing:
        raise ValueError(f"the network config ({config['kind']}) lacks {', '.join(missing)}.")
    sizes = {k: config[k] for k in _SIZES if config.get(k) is not None}
    sizes["depth"] = config.get("depth", 1)
    for key, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < (1 if key in _SIZES[:6] else 0):
            raise ValueError(f"the network config has {key}={value!r}; expected a positive integer.")
    if "image_shape" in config:
        config["image_shape"] = _check_image_shape(config["image_shape"])
    count = _parameter_count(config, sizes)
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"the network config asks for about {count:.3g} parameters (at most "
            f"{MAX_PARAMETERS:.0e}); the checkpoint is corrupt or not a model of this package."
        )


def build(config: dict, *, rng=None, device="cpu") -> Network:
    """The network described by `config` (as stored in ``module.config`` and in checkpoints)."""
    config = dict(config) if isinstance(config, dict) else config
    _check_config(config)
    with seeded(rng if rng is not None else np.random.default_rng(0)):
        net = _BUILDERS[config["kind"]](config)
        if config.get("cap") is not None:  # critics only: a smooth upper bound on the output
            net.body.append(SoftCap(config["cap"]))
    return net.to(device)
