r"""Where two samples differ: the witness function of a kernel MMD test.

For a kernel :math:`k` the MMD is the largest difference of means
:math:`E_p f(X) - E_q f(Y)` over the functions of the kernel's unit ball, and
the function that attains it is proportional to

.. math:: f(t) = \frac1n \sum_{i=1}^n k(x_i, t) - \frac1m \sum_{j=1}^m k(y_j, t),

the *witness* (Gretton et al. 2012, sec. 2.3): positive where ``x`` (from
:math:`p`) has more mass than ``y`` (from :math:`q`), negative where it has
less, near 0 where the two agree. Every kernel test returns a
:class:`KernelTestResult`, whose :meth:`~KernelTestResult.witness` evaluates
it at any points and :meth:`~KernelTestResult.witness_extremes` lists the rows
of each sample where it is most extreme.

References
----------
.. [1] Gretton, A., Borgwardt, K. M., Rasch, M. J., Schoelkopf, B. and Smola, A. (2012).
   A kernel two-sample test. JMLR 13, 723-773.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from twosample.core.result import TestResult, jsonable
from twosample.core.validation import _is_dataframe, check_int, check_sample, match_columns
from twosample.kernel.kernels import Kernel, fourier_features, kernel_frame, to_kernel_frame

__all__ = ["KernelTestResult", "column_names", "kernel_result"]

# Kernel values formed at once when evaluating the witness (32 MiB of float64), and the widest
# block of sample rows: memory stays bounded whatever n and the number of points.
_BLOCK_ELEMENTS = 2**22
_SAMPLE_BLOCK = 8192


def column_names(x) -> tuple | None:
    """The column labels of `x` when it is a DataFrame (the points of a witness are matched to them), else None."""
    return tuple(x.columns) if _is_dataframe(x) else None


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class KernelTestResult(TestResult):
    r"""A :class:`~twosample.TestResult` that keeps the kernels and the samples, for the witness.

    Returned by :func:`~twosample.mmd_test`, :func:`~twosample.mmd_agg_test`,
    :func:`~twosample.mmd_linear_test`, :func:`~twosample.mmd_rff_test` and
    :func:`~twosample.mmd_agginc_test`.

    Attributes
    ----------
    kernels : tuple of Kernel
        The kernels the test used, on the data divided by ``2**scale_exponent``
        (see :attr:`bandwidths` for their length-scales in the data's units).
        Empty when ``nan_policy="propagate"`` met a NaN and the test did not run.
    x, y : numpy.ndarray
        The samples as validated (float64, shape (n, d) and (m, d), in the
        data's units; rows dropped by ``nan_policy="omit"`` are not in them).
        All their rows enter the witness, also those a test left aside (the
        unpaired rows of :func:`~twosample.mmd_agginc_test`). Left out of
        :meth:`to_dict` unless ``include_arrays=True``.
    columns : tuple or None
        The column labels of ``x`` when it was a DataFrame: DataFrame points
        are matched to them by name.
    centre : numpy.ndarray or None
        The column centres subtracted first where the data sits far from 0
        (:func:`~twosample.kernel.kernels.kernel_frame`; None: none).
    scale_exponent : int
        The tests compute on the data (less `centre`) divided by ``2**scale_exponent``
        (:func:`~twosample.kernel.kernels.scale_free_inputs`, exact); the
        witness divides its points by the same power, so its values do not
        depend on the data's magnitude.
    default_kernel : int or None
        The kernel :meth:`witness` uses when not told: 0 for a single kernel;
        for ``mmd-agginc`` the bandwidth with the smallest weighted p-value (the
        one that decides the rejection; ties go to the larger observed statistic
        in standard deviations of its bootstrap draws). None for ``mmd-agg``:
        computed at first use (:attr:`kernel_index`).
    rff_weights, rff_offsets : numpy.ndarray or None
        The random Fourier features of ``mmd-rff``
        (:func:`~twosample.kernel.kernels.fourier_features`); its witness is the
        one of these features (:meth:`witness`).
    column_scale : numpy.ndarray or None
        With ``standardize=True``, each column's pooled standard deviation: the kernels
        work on the data divided by it (then by the power of two above), and so does the
        witness with its points, given in the data's units. :attr:`bandwidths` are then in
        these standardized units. None: the columns as they came.
    """

    kernels: tuple = ()
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    columns: tuple | None = None
    scale_exponent: int = 0
    centre: np.ndarray | None = None
    default_kernel: int | None = None
    rff_weights: np.ndarray | None = None
    rff_offsets: np.ndarray | None = None
    column_scale: np.ndarray | None = None

    @property
    def bandwidths(self) -> tuple:
        """The kernels' length-scales in the data's units, or standardized ones (:attr:`column_scale`); None for a
        kernel without one."""
        return tuple(
            math.ldexp(k.bandwidth, self.scale_exponent) if k.metric is not None else None for k in self.kernels
        )

    def to_dict(self, *, include_null: bool = False, include_arrays: bool = False) -> dict:
        """As :meth:`TestResult.to_dict`, with the kernels' ``bandwidths`` in the data's units."""
        out = super().to_dict(include_null=include_null, include_arrays=include_arrays)
        out["bandwidths"] = jsonable(self.bandwidths)
        return out

    @functools.cached_property
    def kernel_index(self) -> int:
        """The kernel :meth:`witness` uses by default (:attr:`default_kernel`).

        For ``mmd-agg`` the kernel with the largest normalised MMD²
        (:meth:`~twosample.kernel.mmd.FuseStatistic.kernel_statistics`), the
        term that dominates MMD-FUSE's soft maximum; computed once, at first
        use (one pass over the pooled Gram matrices, in blocks).
        """
        self._check_ran()
        if self.default_kernel is not None:
            return self.default_kernel
        if len(self.kernels) == 1:
            return 0
        from twosample.kernel.mmd import FuseStatistic

        x, y = (self._frame(s) for s in (self.x, self.y))
        return int(np.argmax(FuseStatistic(self.kernels).kernel_statistics(x, y)))

    def _frame(self, a: np.ndarray) -> np.ndarray:
        """Rows in the data's units as the kernels see them: divided by :attr:`column_scale`, then in the frame."""
        a = a if self.column_scale is None else a / self.column_scale
        return to_kernel_frame(a, self.centre, self.scale_exponent)

    def witness(self, points, *, kernel: int | None = None) -> np.ndarray:
        r"""The witness :math:`f(t) = \frac1n\sum_i k(x_i, t) - \frac1m\sum_j k(y_j, t)` at `points`.

        Positive where ``x`` has more mass than ``y``, negative where less.

        Parameters
        ----------
        points : array_like or DataFrame, shape (k, d), or (k,) when d = 1
            Where to evaluate it, in the data's units. A DataFrame is matched
            to the samples' columns by name (when ``x`` was a DataFrame).
        kernel : int, optional
            Which of several kernels (``mmd-agg``, ``mmd-agginc``); default
            :attr:`kernel_index`.

        Returns
        -------
        numpy.ndarray, shape (k,)

        Notes
        -----
        Cost :math:`O((n + m) k d)`, in blocks of at most 4 million kernel
        values. For ``mmd-rff`` the witness of the test's random features,
        :math:`(\bar\phi(x) - \bar\phi(y))^\top \phi(t)` (an estimate of the
        Gaussian kernel's witness), in :math:`O((n + m + k) D d)`.
        """
        points = self._points(points)
        if self.rff_weights is not None:
            self._kernel_at(kernel)
            return self._rff_witness(points)
        k = self.kernels[self._kernel_at(kernel)]
        return _mean_kernel(k, self.x, points, self._frame) - _mean_kernel(k, self.y, points, self._frame)

    def witness_extremes(self, k: int = 10, *, kernel: int | None = None):
        """The rows of ``x`` where the witness is largest and the rows of ``y`` where it is most negative.

        The top ``x`` rows lie where ``x`` has more mass than ``y``
        (over-represented in ``x``); the bottom ``y`` rows where ``y`` has more
        mass than ``x`` (missing from ``x``).

        Parameters
        ----------
        k : int, default 10
            Rows of each sample (all of them when a sample has fewer).
        kernel : int, optional
            As in :meth:`witness`.

        Returns
        -------
        pandas.DataFrame
            One row per point: ``sample`` (``"x"`` or ``"y"``), ``row`` (its
            position in :attr:`x` or :attr:`y`), ``witness``, then the point's
            coordinates (the DataFrame's columns, else ``dim0``, ``dim1``...).
            The ``x`` rows first, largest witness first; then the ``y`` rows,
            most negative first. The witness at a sample's own row includes
            its own term :math:`k(x_i, x_i)/n`. Cost :math:`O((n + m)^2 d)`.
        """
        import pandas as pd

        k = check_int(k, "k")
        labels = list(self.columns) if self.columns is not None else [f"dim{j}" for j in range(self.x.shape[1])]
        parts = []
        for name, sample, sign in (("x", self.x, -1.0), ("y", self.y, 1.0)):
            values = self.witness(sample, kernel=kernel)
            rows = np.argsort(sign * values, kind="stable")[:k]
            part = pd.DataFrame(sample[rows], columns=labels)
            part.insert(0, "witness", values[rows], allow_duplicates=True)
            part.insert(0, "row", rows, allow_duplicates=True)
            part.insert(0, "sample", name, allow_duplicates=True)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def _check_ran(self) -> None:
        if not self.kernels:
            raise ValueError(
                "this test did not run (nan_policy='propagate' met a NaN): there is no witness; "
                "use nan_policy='omit' or drop the rows with NaN."
            )

    def _kernel_at(self, kernel) -> int:
        """The index of the kernel asked for (None: :attr:`kernel_index`), checked."""
        self._check_ran()
        if kernel is None:
            return self.kernel_index
        if isinstance(kernel, bool) or not isinstance(kernel, (int, np.integer)) or not 0 <= kernel < len(self.kernels):
            raise ValueError(f"`kernel` must be an index in [0, {len(self.kernels)}) or None, got {kernel!r}.")
        return int(kernel)

    def _points(self, points) -> np.ndarray:
        """`points` as a float64 array (k, d) matching the samples, or a ValueError naming `points`."""
        self._check_ran()
        if self.columns is not None and _is_dataframe(points):
            import pandas as pd

            points = match_columns(pd.DataFrame(columns=list(self.columns)), points, "points")
        points = check_sample(points, "points", min_rows=1)
        d = self.x.shape[1]
        if points.shape[1] != d:
            shape = "(k,) or (k, 1)" if d == 1 else f"(k, {d}); one point is (1, {d})"
            raise ValueError(f"`points` must have the samples' {d} columns, shape {shape}; got {points.shape[1]}.")
        return points

    def _rff_witness(self, points) -> np.ndarray:
        rows = max(1, _BLOCK_ELEMENTS // self.rff_weights.shape[1])  # (rows, D) features at a time

        def features(sample):
            for start in range(0, len(sample), rows):
                block = self._frame(sample[start : start + rows])
                yield start, fourier_features(block, self.rff_weights, self.rff_offsets)

        def mean_features(sample):
            return sum(f.sum(0) for _, f in features(sample)) / len(sample)

        direction = mean_features(self.x) - mean_features(self.y)
        out = np.empty(len(points))
        for start, f in features(points):
            out[start : start + len(f)] = f @ direction
        return out


def _mean_kernel(kernel: Kernel, sample: np.ndarray, points: np.ndarray, frame) -> np.ndarray:
    """``mean_i k(sample_i, t)`` for every row t of `points` (both taken to the kernels' frame by `frame`), in
    bounded blocks."""
    width = min(len(sample), _SAMPLE_BLOCK)
    rows = max(1, _BLOCK_ELEMENTS // width)
    out = np.zeros(len(points))
    for p0 in range(0, len(points), rows):
        chunk = frame(points[p0 : p0 + rows])
        for s0 in range(0, len(sample), width):
            block = frame(sample[s0 : s0 + width])
            out[p0 : p0 + rows] += np.asarray(kernel.matrix(chunk, block), dtype=np.float64).sum(1)
    return out / len(sample)


def kernel_result(result: TestResult, x, y, kernels, *, columns=None, **fields) -> KernelTestResult:
    """`result` as a :class:`KernelTestResult` with the samples `x`, `y` (validated, in the data's units).

    `kernels` are the kernels the test used on the rescaled data (empty when it did not run);
    the power of two is found again from `x`, `y` and the kernels' kinds
    (:func:`~twosample.kernel.kernels.kernel_frame`), as the test found it.
    """
    kernels = tuple(kernels)
    scale = fields.get("column_scale")
    scaled = (x, y) if scale is None else (x / scale, y / scale)
    centre, shift = kernel_frame(scaled, kernels) if kernels else (None, 0)
    return KernelTestResult.extend(
        result, kernels=kernels, x=x, y=y, columns=columns, scale_exponent=shift, centre=centre, **fields
    )
