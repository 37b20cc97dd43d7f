r"""Data for GAN training: the PacGAN toys, 1-D laws, the swiss roll, digits, and user data.

A :class:`Dataset` is a sampler ``sample(n, rng)`` with what is known about
the law: its mode centres and width for the mixtures (to score mode
collapse), its density for 1-D laws (to plot against and to compute exact
divergences), the image shape for digits. Synthetic data sets have unlimited
fresh samples; a finite data set (digits, user data) samples rows with
replacement from its array.

The ring and the grid follow the PacGAN protocol (Lin et al. 2018): 8 modes
evenly spaced on the unit circle with standard deviation 0.01, and 25 modes on
:math:`\{-4, -2, 0, 2, 4\}^2` with standard deviation 0.05, equal weights.
"""

from __future__ import annotations

import dataclasses
import math
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import stats

from twosample.app.io import load_sample
from twosample.core.validation import check_int, check_real, check_rng, check_sample

__all__ = [
    "Dataset",
    "digits",
    "gaussian_1d",
    "get_dataset",
    "grid",
    "laplace_1d",
    "mixture_1d",
    "names",
    "ring",
    "swiss_roll",
    "from_array",
    "image_folder",
]


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A named law to train on and score against.

    Attributes
    ----------
    name : str
    sampler : callable
        ``sampler(n, rng) -> (n, d) float array``.
    dim : int
        Number of columns.
    modes : numpy.ndarray, optional
        ``(K, d)`` centres of an equal-weight Gaussian mixture.
    mode_std : float, optional
        Standard deviation of each mode.
    density : callable, optional
        For 1-D laws, a frozen SciPy distribution-like object with ``pdf`` and
        ``logpdf``.
    image_shape : tuple, optional
        ``(h, w)`` or ``(c, h, w)`` for image data (rows are flattened images in [-1, 1]).
    rows : numpy.ndarray, optional
        For a finite data set, its rows; samples are drawn from them with replacement.
    labels : numpy.ndarray, optional
        Integer class labels 0..K-1 of the rows (for conditional GANs).
    classes : tuple, optional
        The class names the labels code (``classes[k]`` is label k).
    table : gan.data.tables.TableTransformer, optional
        For a table (a DataFrame), its fitted transformer: the rows are its transformed rows.
    frame : pandas.DataFrame, optional
        For a table, the DataFrame itself (row i of `rows` encodes row i of `frame`).
    """

    name: str
    sampler: Callable
    dim: int
    modes: np.ndarray | None = None
    mode_std: float | None = None
    density: object | None = None
    image_shape: tuple | None = None
    rows: np.ndarray | None = dataclasses.field(default=None, repr=False)
    labels: np.ndarray | None = dataclasses.field(default=None, repr=False)
    classes: tuple | None = None
    table: object | None = dataclasses.field(default=None, repr=False)
    frame: object | None = dataclasses.field(default=None, repr=False)

    @property
    def finite(self) -> bool:
        return self.rows is not None

    def sample(self, n: int, rng=None) -> np.ndarray:
        """``n`` rows, shape (n, dim), float64, from the stream `rng`."""
        n = check_int(n, "n")
        return np.asarray(self.sampler(n, check_rng(rng)), dtype=np.float64).reshape(n, self.dim)


def _mixture_sampler(centres: np.ndarray, std: float):
    def sample(n, rng):
        which = rng.integers(0, len(centres), size=n)
        return centres[which] + std * rng.standard_normal((n, centres.shape[1]))

    return sample


def ring(n_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> Dataset:
    """PacGAN's ring: `n_modes` Gaussians evenly spaced on a circle (angles 2 pi k / K, k < K)."""
    n_modes = check_int(n_modes, "n_modes")
    radius, std = check_real(radius, "radius", low=0, low_open=True), check_real(std, "std", low=0, low_open=True)
    # endpoint excluded: linspace(0, 2 pi, K) would put the first and last modes at the same angle
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    centres = radius * np.column_stack([np.cos(angles), np.sin(angles)])
    return Dataset("ring", _mixture_sampler(centres, std), 2, modes=centres, mode_std=std)


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> Dataset:
    """PacGAN's grid: side x side Gaussians at {-4, -2, 0, 2, 4}^2 (for the defaults)."""
    side = check_int(side, "side")
    spacing = check_real(spacing, "spacing", low=0, low_open=True)
    std = check_real(std, "std", low=0, low_open=True)
    axis = spacing * (np.arange(side) - (side - 1) / 2)
    centres = np.array([(a, b) for a in axis for b in axis], dtype=float)
    return Dataset("grid", _mixture_sampler(centres, std), 2, modes=centres, mode_std=std)


def _scipy_1d(name: str, dist) -> Dataset:
    return Dataset(name, lambda n, rng: dist.rvs(size=n, random_state=rng), 1, density=dist)


def gaussian_1d(mean: float = 0.0, std: float = 1.0) -> Dataset:
    """N(mean, std^2)."""
    mean, std = check_real(mean, "mean"), check_real(std, "std", low=0, low_open=True)
    return _scipy_1d("gaussian", stats.norm(mean, std))


def laplace_1d(mean: float = 0.0, scale: float = 1 / math.sqrt(2)) -> Dataset:
    """Laplace(mean, scale); the default has variance 1."""
    mean, scale = check_real(mean, "mean"), check_real(scale, "scale", low=0, low_open=True)
    return _scipy_1d("laplace", stats.laplace(mean, scale))


class _Mixture1D:
    """A 1-D Gaussian mixture with the frozen-distribution methods plots and exact divergences use.

    pdf, logpdf, cdf, sf, ppf, support, rvs: enough for
    :func:`twosample.divergences.f_divergence`.
    """

    def __init__(self, weights, means, stds):
        self.weights = np.asarray(weights, dtype=float) / np.sum(weights)
        self.means, self.stds = np.asarray(means, dtype=float), np.asarray(stds, dtype=float)

    def logpdf(self, x):
        x = np.asarray(x, dtype=float)[..., None]
        return np.logaddexp.reduce(np.log(self.weights) + stats.norm.logpdf(x, self.means, self.stds), axis=-1)

    def pdf(self, x):
        return np.exp(self.logpdf(x))

    def cdf(self, x):
        x = np.asarray(x, dtype=float)[..., None]
        return (self.weights * stats.norm.cdf(x, self.means, self.stds)).sum(-1)

    def sf(self, x):
        x = np.asarray(x, dtype=float)[..., None]
        return (self.weights * stats.norm.sf(x, self.means, self.stds)).sum(-1)

    def support(self):
        return -np.inf, np.inf

    def ppf(self, q):
        """Quantiles by root finding on the cdf (bracketed by the components' extreme quantiles)."""
        from scipy.optimize import brentq

        q = np.asarray(q, dtype=float)
        out = np.full(q.shape, np.nan)
        for i, level in np.ndenumerate(q):
            if level <= 0 or level >= 1:
                out[i] = -np.inf if level == 0 else (np.inf if level == 1 else np.nan)
                continue
            lo = float(np.min(stats.norm.ppf(level, self.means, self.stds)))
            hi = float(np.max(stats.norm.ppf(level, self.means, self.stds)))
            out[i] = lo if lo == hi else brentq(lambda t, v=level: float(self.cdf(t)) - v, lo, hi, xtol=1e-12)
        return out

    def rvs(self, size, random_state):
        which = random_state.choice(len(self.weights), size=size, p=self.weights)
        return self.means[which] + self.stds[which] * random_state.standard_normal(size)


def mixture_1d(weights=(0.7, 0.3), means=(-2.0, 2.0), stds=(0.5, 0.5)) -> Dataset:
    """A 1-D Gaussian mixture; the default has a big mode at -2 and a small one at 2."""
    if not len(weights) == len(means) == len(stds) or len(weights) == 0:
        raise ValueError("`weights`, `means` and `stds` must have the same non-zero length.")
    for name, values in (("weights", weights), ("means", means), ("stds", stds)):
        if not np.isfinite(np.asarray(values, dtype=float)).all():
            raise ValueError(f"`{name}` must be finite numbers, got {tuple(values)}.")
    if np.any(np.asarray(weights) <= 0) or np.any(np.asarray(stds) <= 0):
        raise ValueError("`weights` and `stds` must be positive.")
    dist = _Mixture1D(weights, means, stds)
    return Dataset("mixture", lambda n, rng: dist.rvs(n, rng), 1, density=dist)


def swiss_roll(noise: float = 0.25) -> Dataset:
    """scikit-learn's swiss roll, its (x, z) plane, scaled by 1/5 (about [-2, 2.5]^2)."""
    from sklearn.datasets import make_swiss_roll

    noise = check_real(noise, "noise", low=0)

    def sample(n, rng):
        points, _ = make_swiss_roll(n, noise=noise, random_state=np.random.RandomState(rng.integers(2**31)))
        return points[:, [0, 2]] / 5.0

    return Dataset("swiss_roll", sample, 2)


def _check_labels(labels, n: int):
    """(integer codes 0..K-1, class names) for `labels`, one per row."""
    values = np.asarray(labels)
    if values.ndim != 1 or len(values) != n:
        raise ValueError(f"`labels` must hold one label per row of `data` ({n}), got shape {values.shape}.")
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        raise ValueError("`labels` contain NaN or infinite values.")
    if values.dtype == object:
        missing = [i for i, v in enumerate(values) if v is None or (isinstance(v, float) and not np.isfinite(v))]
        if missing:
            raise ValueError(f"`labels` must name a class on every row; row {missing[0]} has {values[missing[0]]!r}.")
        kinds = {type(v.item() if hasattr(v, "item") else v).__name__ for v in values}
        if len(kinds) > 1:
            raise ValueError(
                f"`labels` mix kinds of values ({', '.join(sorted(kinds))}); give one kind (text or numbers)."
            )
    classes, codes = np.unique(values, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"`labels` must name at least 2 classes, got {len(classes)}.")
    return codes.astype(np.int64), tuple(c.item() if hasattr(c, "item") else c for c in classes)


def _image_rows(array, image_shape):
    """Arrays of images (n, h, w) or (n, c, h, w) as rows, with their shape; other arrays as they are."""
    if array.ndim in (3, 4) and image_shape is None:
        return array.reshape(len(array), -1), tuple(int(s) for s in array.shape[1:])
    return array, image_shape


def from_array(data, name: str = "data", image_shape=None, labels=None) -> Dataset:
    """A finite data set: rows drawn with replacement from `data`.

    `data` is an array ``(n, d)``, images ``(n, h, w)`` or ``(n, c, h, w)`` (flattened to
    rows; pixels expected in [-1, 1]), or a path to .npy/.npz/.csv/.parquet or an image folder.
    `labels` (one per row, any values) are coded 0..K-1 for conditional GANs.
    """
    if isinstance(data, (str, Path)):
        name = Path(data).stem if name == "data" else name
        data, found_labels, found_shape = _load_path(Path(data))
        labels = found_labels if labels is None else labels
        image_shape = found_shape if image_shape is None else image_shape
    array = np.asarray(data) if not hasattr(data, "to_numpy") else data
    if isinstance(array, np.ndarray):
        array, image_shape = _image_rows(array, image_shape)
    array = np.ascontiguousarray(check_sample(array, "data"), dtype=np.float64)
    codes, classes = (None, None) if labels is None else _check_labels(labels, len(array))
    return Dataset(
        name,
        lambda n, rng: array[rng.integers(0, len(array), size=n)],
        array.shape[1],
        image_shape=None if image_shape is None else tuple(int(s) for s in image_shape),
        rows=array,
        labels=codes,
        classes=classes,
    )


def _load_path(path: Path):
    """(array, labels or None, image shape or None) from a file or an image folder."""
    if path.is_dir():
        return image_folder(path)
    if path.suffix == ".npz":
        return _load_npz(path)
    return load_sample(path), None, None


def _load_npz(path: Path):
    """(rows, labels or None, None) from a ``.npz``; a truncated, corrupt or pickled archive is an error naming it."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = list(archive.keys())
            x_key = next((k for k in ("x", "images", "data", "X") if k in keys), keys[0] if len(keys) == 1 else None)
            if x_key is None:
                raise ValueError(f"{path.name}: name the rows 'x' (or 'images'/'data'); found {', '.join(keys)}.")
            y_key = next((k for k in ("y", "labels", "targets") if k in keys), None)
            return archive[x_key], None if y_key is None else archive[y_key], None
    except ValueError as exc:
        if str(exc).startswith(path.name):
            raise
        if "allow_pickle" not in str(exc):
            raise ValueError(
                f"`data`: {path.name} is not a readable .npz archive ({' '.join(str(exc).split())[:200]})."
            ) from None
        raise ValueError(
            f"`data`: {path.name} holds objects (pickled arrays), which are not read; save numbers."
        ) from None
    except (OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        words = " ".join(str(exc).split())[:200]
        raise ValueError(
            f"`data`: {path.name} is not a readable .npz archive ({type(exc).__name__}: {words})."
        ) from None


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def image_folder(path, *, size=None, mode=None):
    """Images of a folder (PNG, JPEG...) read with Pillow: (rows in [-1, 1], labels or None, (c, h, w)).

    Images directly in `path` have no labels; one subfolder per class (as torchvision's
    ImageFolder) gives labels named by the subfolders. Every image must have the same size
    unless `size` = (height, width) resizes them; `mode` ("L" grey, "RGB") defaults to RGB
    if any image has colour, else grey.
    """
    from PIL import Image

    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise ValueError(f"`data`: the folder {str(path)!r} holds no images ({', '.join(IMAGE_SUFFIXES)}).")
    images = [_open_image(Image, f) for f in files]
    if mode is None:
        mode = "RGB" if any(im.mode not in ("L", "1", "I", "I;16", "LA") for im in images) else "L"
    images = [im.convert(mode) for im in images]
    if size is not None:
        images = [im.resize((int(size[1]), int(size[0]))) for im in images]
    sizes = sorted({im.size for im in images})
    if len(sizes) > 1:
        named = [f"{w}x{h} ({next(f.name for f, im in zip(files, images) if im.size == (w, h))})" for w, h in sizes[:2]]
        raise ValueError(
            f"`data`: the images in {str(path)!r} have {len(sizes)} sizes ({', '.join(named)}"
            f"{', ...' if len(sizes) > 2 else ''}); pass `size=(height, width)` to "
            "gan.data.datasets.image_folder to resize."
        )
    pixels = np.stack([np.asarray(im, dtype=np.float64) for im in images]) / 127.5 - 1.0
    pixels = pixels[:, None] if pixels.ndim == 3 else pixels.transpose(0, 3, 1, 2)
    return pixels.reshape(len(pixels), -1), _folder_labels(path, files), pixels.shape[1:]


def _open_image(Image, file: Path):
    """The image in `file`, fully read; a corrupt or truncated file is an error naming it."""
    try:
        image = Image.open(file)
        image.load()
        return image
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's UnidentifiedImageError is an OSError
        raise ValueError(f"`data`: {file.name} is not a readable image ({type(exc).__name__}: {exc}).") from None


def _folder_labels(path: Path, files) -> list | None:
    """Labels named by each image's subfolder (None when every image is directly in `path`)."""
    parents = [f.parent.relative_to(path) for f in files]
    if all(p == Path(".") for p in parents):
        return None
    loose = [f.name for f, p in zip(files, parents) if p == Path(".")]
    if loose:
        raise ValueError(
            f"`data`: {str(path)!r} has images both in class subfolders and directly in it ({loose[0]}"
            f"{', ...' if len(loose) > 1 else ''}); move those into a subfolder (their class) or elsewhere."
        )
    return [str(p) for p in parents]


def digits() -> Dataset:
    """scikit-learn's bundled 8x8 digits (1,797 images, labels 0-9), pixels scaled from [0, 16] to [-1, 1]."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return from_array(bunch.data / 8.0 - 1.0, name="digits", image_shape=(8, 8), labels=bunch.target)


_FACTORIES = {
    "ring": ring,
    "grid": grid,
    "gaussian": gaussian_1d,
    "laplace": laplace_1d,
    "mixture": mixture_1d,
    "swiss_roll": swiss_roll,
    "digits": digits,
}


def names() -> list[str]:
    """Names accepted by :func:`get_dataset`."""
    return list(_FACTORIES)


def get_dataset(data, *, labels=None, name: str = "data", seed: int = 0, table=None) -> Dataset:
    """A :class:`Dataset` from a name, a Dataset, an array, a file (.npy/.npz/.csv/.parquet), an image folder
    or a table (a pandas DataFrame of any column types: :func:`gan.data.tables.table_dataset`).

    `labels` (one per row) replace the data's own (a folder's subfolders, an .npz's ``y``); `name` is
    the caller's argument, named in errors. For a table, `seed` seeds its transformer and `table`
    is a checkpoint's transformer state to use instead of fitting one.
    """
    from .tables import is_table, table_dataset

    if is_table(data):
        if labels is not None:
            raise ValueError(
                "`labels`: a table conditions its generator on its own categorical columns; "
                "keep the labels as a column of `data` instead."
            )
        return table_dataset(data, seed, state=table)
    if isinstance(data, Dataset):
        if labels is None:
            return data
        if not data.finite:
            raise ValueError(f"`labels` need a finite data set (rows); {data.name!r} is a sampler.")
        codes, classes = _check_labels(labels, len(data.rows))
        return dataclasses.replace(data, labels=codes, classes=classes)
    if isinstance(data, str) and data in _FACTORIES:
        return get_dataset(_FACTORIES[data](), labels=labels)
    if isinstance(data, (str, Path)):
        if not Path(data).exists():
            raise ValueError(
                f"`{name}` must be one of {', '.join(_FACTORIES)}, an existing file or folder, got {str(data)!r}."
            )
        try:
            return from_array(data, labels=labels)
        except ValueError as exc:
            raise ValueError(f"`data`: {exc}") from None
    if isinstance(data, np.ndarray) or isinstance(data, (list, tuple)) or hasattr(data, "__array__"):
        return from_array(data, labels=labels)
    raise TypeError(f"`data` must be a dataset name, a Dataset, an array or a path, got {type(data).__name__}.")
