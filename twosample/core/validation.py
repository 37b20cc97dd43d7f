"""Argument checks shared by every public function.

Each check names the offending argument in backticks and says what is expected,
so bad input never surfaces as a traceback from deep inside NumPy.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from twosample.core.optional import require

__all__ = [
    "DegenerateDataWarning",
    "check_alpha",
    "check_alternative",
    "check_batch",
    "check_choice",
    "check_nan_policy",
    "check_int",
    "check_n_jobs",
    "check_points",
    "check_n_resamples",
    "check_real",
    "check_sizes",
    "check_rng",
    "check_sample",
    "canonical_order",
    "check_device",
    "uses_torch",
    "check_dtype",
    "check_samples",
    "contains_nan",
    "match_columns",
    "seeded_rng",
    "scale_exponent",
    "warn_if_constant",
    "writable",
]

ALTERNATIVES = ("greater", "less", "two-sided")
# SciPy's `nan_policy`: what a test does with rows that hold a NaN.
NAN_POLICIES = ("raise", "propagate", "omit")


class DegenerateDataWarning(RuntimeWarning):
    """Legal but degenerate data, such as a constant pooled sample."""


def writable(arr: np.ndarray) -> np.ndarray:
    """`arr`, or a copy of it when it is read-only (a pandas >= 3 ``to_numpy`` view, a memory map opened
    with ``mode="r"``, ``np.broadcast_to``): torch takes a NumPy array by reference and warns on a
    read-only one ("The given NumPy array is not writable"), so rows are made safe to hand it here."""
    return arr if arr.flags.writeable else arr.copy()


def check_sample(x, name: str = "x", *, min_rows: int = 2, nan_policy: str = "raise") -> np.ndarray:
    """Return `x` as a writable float64 array of shape (n, d), finite but for the NaN that `nan_policy` keeps.

    Lists, NumPy arrays and pandas objects are accepted; 1-D input is one
    column. `nan_policy` is SciPy's: ``"raise"``, a NaN is an error;
    ``"propagate"``, rows with NaN are kept (the caller returns a NaN result,
    see :func:`contains_nan`); ``"omit"``, they are dropped and at least
    `min_rows` rows must remain. Infinite values are an error under every policy.
    """
    check_nan_policy(nan_policy)
    if x is None:
        raise TypeError(f"`{name}` is required, got None.")
    if type(x).__module__.startswith("torch"):  # a tensor, perhaps on a GPU or requiring grad
        x = x.detach().cpu().numpy()
    elif hasattr(x, "to_numpy"):  # pandas Series / DataFrame: the values, never the index
        x = x.to_numpy()
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"`{name}` could not be read as an array: {exc}") from None
    if arr.dtype.kind == "c":
        raise ValueError(f"`{name}` must be real, got complex values.")
    if arr.dtype == object or arr.dtype.kind in "USVMm":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"`{name}` must be numeric (real numbers); got an array of dtype {arr.dtype}.") from None
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim == 0:
        raise ValueError(f"`{name}` must be a 1-D or 2-D array of observations, got a scalar.")
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim > 2:
        raise ValueError(
            f"`{name}` must be 1-D (n,) or 2-D (n, d), got a {arr.ndim}-D array of shape "
            f"{arr.shape}; flatten the trailing dimensions first."
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"`{name}` is empty (shape {arr.shape}).")
    if arr.shape[0] < min_rows:
        raise ValueError(f"`{name}` needs at least {min_rows} observations (rows), got {arr.shape[0]}.")
    return _apply_nan_policy(writable(arr), name, nan_policy, min_rows)


def check_points(points, width: int, name: str = "points") -> np.ndarray:
    """`points` where a fitted function is evaluated: finite, numeric, shape (k, `width`) (1-D is k rows of one column
    when `width` is 1, else one row); errors name `name`."""
    arr = np.asarray(points.to_numpy() if hasattr(points, "to_numpy") else points, dtype=object)
    if arr.ndim == 1 and width > 1 and len(arr) == width:
        points = arr[None, :]
    arr = check_sample(points, name, min_rows=1)
    if arr.shape[1] != width:
        raise ValueError(f"`{name}` must have {width} column(s), like the samples; got {arr.shape[1]}.")
    return arr


def _apply_nan_policy(arr: np.ndarray, name: str, nan_policy: str, min_rows: int) -> np.ndarray:
    """`arr` once `nan_policy` has dealt with its NaN (the rows dropped for "omit"); infinities are an error."""
    finite = np.isfinite(arr)
    if finite.all():
        return arr
    nan = np.isnan(arr)
    refused = ~finite if nan_policy == "raise" else ~(finite | nan)
    if refused.any():
        row = int(np.argwhere(refused)[0, 0])
        what = "NaN or infinite values" if nan_policy == "raise" else "infinite values (`nan_policy` concerns NaN only)"
        raise ValueError(f"`{name}` contains {what} (first at row {row}).")
    if nan_policy == "propagate":
        return arr
    kept = arr[~nan.any(axis=1)]
    if len(kept) < min_rows:
        raise ValueError(
            f"`{name}` has {len(kept)} of its {len(arr)} rows left after `nan_policy`='omit' dropped those "
            f"that contain NaN; it needs at least {min_rows}."
        )
    return kept


def contains_nan(*samples: np.ndarray) -> bool:
    """Whether a validated sample holds a NaN (only ``nan_policy="propagate"`` lets one through).

    A test then returns ``options.nan_result(...)`` (:meth:`~twosample.core.resampling.Resampling.nan_result`)
    right after its argument checks, before any computation, as SciPy does.
    """
    return any(np.isnan(s).any() for s in samples)


def match_columns(x, y, name: str = "y"):
    """`y` with its DataFrame columns in `x`'s order (columns are matched by name, not position; errors name `name`).

    Two DataFrames with different column sets are an error naming both lists;
    anything else is returned unchanged (arrays are matched by position).
    """
    if not (_is_dataframe(x) and _is_dataframe(y)):
        return y
    cols_x, cols_y = list(x.columns), list(y.columns)
    if cols_x == cols_y:
        return y
    if len(set(cols_x)) != len(cols_x) or len(set(cols_y)) != len(cols_y):
        raise ValueError(
            f"`x` and `{name}` are DataFrames with duplicated column names; columns are matched by "
            "name, so rename them first."
        )
    if set(cols_x) != set(cols_y):
        raise ValueError(
            f"`x` and `{name}` are DataFrames with different columns: `x` has {cols_x}, `{name}` has "
            f"{cols_y}; columns are matched by name."
        )
    return y[cols_x]


def _is_dataframe(obj) -> bool:
    return hasattr(obj, "columns") and hasattr(obj, "to_numpy") and getattr(obj, "ndim", 0) == 2


def check_samples(x, y, *, univariate: bool = False, min_rows: int = 2, nan_policy: str = "raise"):
    """Validate a pair of samples; return float arrays of shape (n, d) and (m, d).

    DataFrames are matched by column name (``y`` is reordered to ``x``'s columns);
    `nan_policy` applies to each sample on its own (:func:`check_sample`).
    """
    y = match_columns(x, y)
    x = check_sample(x, "x", min_rows=min_rows, nan_policy=nan_policy)
    y = check_sample(y, "y", min_rows=min_rows, nan_policy=nan_policy)
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"`x` and `y` must have the same number of columns (features), got {x.shape[1]} and {y.shape[1]}."
        )
    if univariate and x.shape[1] != 1:
        raise ValueError(
            f"this test is for 1-D samples, but `x` and `y` have {x.shape[1]} columns; "
            "use a multivariate test (energy_test, hotelling_test, mean_difference_test)."
        )
    return x, y


def canonical_order(a: np.ndarray) -> np.ndarray:
    """Rows sorted lexicographically: subsamples, splits and pairings taken from this order do not
    depend on the order in which the user's rows came."""
    if a.shape[1] == 1:
        return np.sort(a, axis=0)
    return a[np.lexsort(a.T[::-1])]


def scale_exponent(*arrays) -> int:
    """The power of two ``e`` with ``max |z| / 2**e`` in [0.5, 1) over the arrays (0 for all-zero data).

    Multiplying by a power of two is exact in floating point, so ``np.ldexp(z, -e)``
    changes no statistic of normal-range data by a single bit, while data near
    1e300 or 1e-300 is brought where squares and sums neither overflow nor
    underflow. Statistics that are scale-free (or scale as a known power) give
    the same p-value at any representable magnitude this way.
    """
    top = max((float(np.max(np.abs(a))) for a in arrays if np.size(a)), default=0.0)
    if top == 0.0 or not math.isfinite(top):
        return 0
    return math.frexp(top)[1]


_CONSTANT = (
    "the pooled sample is constant: every relabelling gives the same statistic, so the test cannot reject (p-value 1)."
)


def warn_if_constant(z: np.ndarray, message: str = _CONSTANT) -> bool:
    """Warn (`message`, a DegenerateDataWarning at the caller's caller) and return True when every row of the
    pooled sample `z` is the same."""
    if np.all(z == z[0]):
        warnings.warn(message, DegenerateDataWarning, stacklevel=3)
        return True
    return False


def check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"`alpha` must be a real number in (0, 1), got {alpha!r}.")
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"`alpha` must be in (0, 1), got {alpha!r}.")
    return alpha


# Monte Carlo null statistics kept in memory at most (800 MB of float64).
MAX_RESAMPLES = 10**8


def check_n_resamples(n_resamples) -> int:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral):
        if isinstance(n_resamples, float) and n_resamples.is_integer():
            n_resamples = int(n_resamples)
        else:
            raise TypeError(f"`n_resamples` must be a positive integer, got {n_resamples!r}.")
    if n_resamples < 1:
        raise ValueError(f"`n_resamples` must be a positive integer, got {n_resamples!r}.")
    if n_resamples > MAX_RESAMPLES:
        gigabytes = 8 * n_resamples // 10**9  # integer arithmetic: n_resamples may exceed any float
        raise ValueError(
            f"`n_resamples` = {n_resamples} would keep {gigabytes:,} GB of null statistics in "
            f"memory; at most {MAX_RESAMPLES:,} are allowed."
        )
    return int(n_resamples)


def check_bool(value, name: str) -> bool:
    """`value` as a bool (Python or NumPy), or a ValueError naming `name`."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be True or False, got {value!r}.")
    return bool(value)


def check_int(value, name: str, *, minimum: int = 1) -> int:
    """`value` as an int of at least `minimum` (bools refused), or a ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"`{name}` must be {expected}, got {value!r}.")
    return int(value)


def check_n_jobs(n_jobs) -> int | None:
    """joblib's `n_jobs`: None, or a non-zero integer (-1: all cores)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"`n_jobs` must be None or a non-zero integer (-1 for all cores), got {n_jobs!r}.")
    return int(n_jobs)


def check_real(
    value, name: str, *, low: float = -math.inf, high: float = math.inf, low_open: bool = False, high_open: bool = False
) -> float:
    """`value` as a finite float in the interval given; a ValueError naming `name` otherwise (bools refused)."""
    lo = "(" if low_open or low == -math.inf else "["
    hi = ")" if high_open or high == math.inf else "]"
    interval = f"{lo}{low:g}, {high:g}{hi}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite real number in {interval}, got {value!r}.")
    value = float(value)
    if value < low or value > high or (low_open and value == low) or (high_open and value == high):
        raise ValueError(f"`{name}` must be in {interval}, got {value!r}.")
    return value


def check_sizes(sizes, name: str = "sizes", *, minimum: int = 2) -> list[int]:
    """A non-empty sequence of integers >= `minimum` (not a string, no 2.7), as a list of ints."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise ValueError(f"`{name}` must be a non-empty sequence of integers, got {sizes!r}.")
    sizes = list(sizes)
    if not sizes:
        raise ValueError(f"`{name}` is empty; give at least one sample size.")
    return [check_int(s, name, minimum=minimum) for s in sizes]


_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


def check_memory(memory) -> int | None:
    """A memory budget in bytes: None, a positive integer, or a string such as "512MB" or "4GiB"."""
    if memory is None:
        return None
    given = memory
    if isinstance(memory, str):
        number = memory.strip().lower().rstrip("bikmg ")
        unit = memory.strip().lower()[len(number) :].replace(" ", "")
        try:
            value = float(number) * _UNITS[unit]
        except (ValueError, KeyError):
            raise ValueError(
                f"`memory` must be a number of bytes or a string such as '512MB' or '4GiB', got {memory!r}."
            ) from None
        memory = int(value) if math.isfinite(value) else memory
    if isinstance(memory, bool) or not isinstance(memory, numbers.Integral) or memory < 1:
        raise ValueError(
            f"`memory` must be None, a positive number of bytes or a string such as '4GiB', got {given!r}."
        )
    return int(memory)


def check_batch(batch) -> int | None:
    if batch is None:
        return None
    if isinstance(batch, bool) or not isinstance(batch, numbers.Integral) or batch < 1:
        raise ValueError(f"`batch` must be None or a positive integer, got {batch!r}.")
    return int(batch)


def check_alternative(alternative) -> str:
    return check_choice(alternative, "alternative", ALTERNATIVES)


def check_nan_policy(nan_policy) -> str:
    return check_choice(nan_policy, "nan_policy", NAN_POLICIES)


def check_choice(value, name: str, choices) -> str:
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"`{name}` must be one of {options}; got {value!r}.")
    return value


def check_rng(rng) -> np.random.Generator:
    """`np.random.default_rng` with an error that names the argument."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, bool):
            raise TypeError("`rng` must be None, an int, a SeedSequence or a Generator, got a bool.")
        if isinstance(rng, numbers.Integral) and rng < 0:
            raise ValueError(f"`rng` must be a non-negative integer seed, got {rng}.")
        return np.random.default_rng(rng)
    raise TypeError(f"`rng` must be None, an int, a numpy SeedSequence or a numpy Generator, got {type(rng).__name__}.")


def seeded_rng(rng) -> tuple[np.random.Generator, int | None]:
    """``(generator, seed)``: the Generator to use and the integer seed that repeats the run.

    With ``rng=None`` a seed is drawn from fresh entropy and the generator is
    made from it, so a result can report the seed that reproduces it. An int
    is its own seed; for a Generator or SeedSequence the seed is None (the
    caller holds its state).
    """
    if rng is None:
        rng = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    generator = check_rng(rng)
    seed = int(rng) if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    return generator, seed


def uses_torch(device) -> bool:
    """The one rule for the array library: the string ``"cpu"`` computes with NumPy; any other device
    (``"cuda"``, ``"mps"``, or a ``torch.device``, even the CPU) with torch there."""
    return not (isinstance(device, str) and device == "cpu")


def check_device(device):
    """`device` ("cpu", "cuda", "cuda:1", "mps" or a torch.device) if torch can use it here; else a ValueError.

    The string ``"cpu"`` is returned as it is (NumPy paths); anything else is
    checked against what this machine has, so a missing GPU is named instead
    of surfacing as an error from inside torch.
    """
    if isinstance(device, str) and device == "cpu":
        return device
    torch = require("torch", purpose=f"device={device!r}")

    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"`device` must be 'cpu', 'cuda', 'cuda:N', 'mps' or a torch.device; got {device!r}."
        ) from None
    if parsed.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(f"`device` = {device!r}, but CUDA is not available on this machine; use 'cpu'.")
        if parsed.index is not None and parsed.index >= count:
            raise ValueError(f"`device` = {device!r}, but this machine has {count} CUDA device(s).")
    elif parsed.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"`device` = {device!r}, but MPS is not available on this machine; use 'cpu'.")
    elif parsed.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"`device` = {device!r}: only 'cpu', 'cuda' and 'mps' devices are supported.")
    return device


def check_dtype(dtype):
    """`dtype` as ``numpy.float32`` or ``numpy.float64``; anything else is a ValueError naming `dtype`."""
    try:
        kind = np.dtype(dtype).type
    except TypeError:
        kind = None
    if kind not in (np.float32, np.float64):
        raise ValueError(f"`dtype` must be numpy.float32 or numpy.float64, got {dtype!r}.")
    return kind
