r"""A drift detector: fit once on a reference sample, then test batch after batch.

The MMD permutation test of a batch against a fixed reference spends almost all of its time on
the reference: with :math:`n` reference rows, :math:`m` batch rows and :math:`B` relabellings,
the products over the pooled Gram matrix cost :math:`B (n + m)^2`, of which :math:`B n^2` never
change from batch to batch. :class:`Detector` fixes the kernel (median bandwidth of the
reference) and, for each batch size, one set of relabellings, and computes their reference part
:math:`s_r^\top K_{rr} s_r` once; a batch then costs :math:`B n m + B m^2`. Reusing one set of
relabellings for every batch keeps each batch's test exact: the relabellings do not depend on the
batch, so under H0 (batch and reference from one law) the observed statistic is exchangeable with
the relabelled ones, and ``P(p <= alpha) <= alpha`` for every batch.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

from twosample.core.resampling import null_result
from twosample.core.result import TestResult
from twosample.core.validation import check_alpha, check_bool, check_int, check_n_resamples, check_rng
from twosample.kernel.kernels import check_bandwidth, median_distance, squared_distances
from twosample.kernel.mmd import _mmd_from_sums
from twosample.sequential._rows import StreamRows
from twosample.sequential.betting import SequentialTest

__all__ = ["Detector"]

_FORMAT = "twosample-detector/1"
_MAX_REFERENCE = 20_000  # the reference Gram matrix is held in memory: 3.2 GB at this size


class Detector:
    r"""Fit once on reference data, then test each new batch against it.

    Parameters
    ----------
    reference : array_like, shape (n, d)
        Data from the law batches are compared with (at most 20,000 rows:
        its Gram matrix is held in memory).
    test : {"mmd"}, default "mmd"
        The MMD permutation test (unbiased MMD², Gaussian kernel).
    alpha : float, default 0.05
    n_resamples : int, default 999
        Relabellings per batch (one fixed set per batch size).
    bandwidth : float, optional
        The kernel's length-scale (default: the median distance within the reference).
    online : bool, default False
        Also run a :class:`SequentialTest` over the stream: each batch row is
        paired with a reference row not used before (in an order drawn once
        from `rng`), so ``online_reject`` is valid however often you look.
    rng : None, int, SeedSequence or Generator

    Examples
    --------
    >>> import numpy as np
    >>> from twosample import Detector
    >>> rng = np.random.default_rng(0)
    >>> detector = Detector(rng.normal(size=(500, 3)), rng=0)
    >>> detector.test(rng.normal(size=(50, 3))).reject, detector.test(rng.normal(1, 1, size=(50, 3))).reject
    (False, True)
    """

    def __init__(self, reference, *, test="mmd", alpha=0.05, n_resamples=999, bandwidth=None, online=False, rng=None):
        if test != "mmd":
            raise ValueError(f"`test` must be 'mmd' (the fit-once MMD permutation test), got {test!r}.")
        self._frame = StreamRows()  # columns by name, and the magnitude map, fixed by the reference
        self.reference = self._frame.raw(reference, "reference", min_rows=2)
        self._frame.fix(self.reference)
        self._frame.fix_map(self.reference)
        self._frame.first = "the reference"
        self._ref = self._frame(self.reference)  # the reference in the mapped units the kernel sees
        if len(self.reference) > _MAX_REFERENCE:
            raise ValueError(
                f"`reference` has {len(self.reference)} rows; at most {_MAX_REFERENCE} are held in memory."
            )
        self.alpha = check_alpha(alpha)
        self.n_resamples = check_n_resamples(n_resamples)
        if self.n_resamples > 100_000:  # one (n_resamples, n + m) array of relabellings per batch size
            raise ValueError(f"`n_resamples` must be at most 100,000 here, got {self.n_resamples}.")
        generator = check_rng(rng)
        self.seed = int(generator.integers(0, 2**63 - 1))
        if bandwidth is None:
            median = median_distance(self._ref, rng=np.random.default_rng(self.seed)) or 1.0
            bandwidth = math.ldexp(median, self._frame.shift)  # in the user's units
        self.bandwidth = check_bandwidth(bandwidth, allow_median=False)
        self._bandwidth = self._frame.length(self.bandwidth)
        self.online = check_bool(online, "online")
        self._k_rr = self._gram(self._ref, self._ref)
        self._by_size = {}  # batch size -> (masks over the reference part, their s'K_rr s, s'K_rr 1)
        self._sequential = self._new_sequential() if self.online else None
        self._stream = []  # online mode: the batch rows bet on so far, in the user's units (for save)
        self._unused = np.random.default_rng([self.seed, 1]).permutation(len(self.reference))
        self._used = 0

    def _new_sequential(self) -> SequentialTest:
        """The online sequential test, sharing the reference's boundary (so a replay reproduces it exactly)."""
        sequential = SequentialTest("mmd", alpha=self.alpha, rng=self.seed)
        sequential._frame = self._frame
        return sequential

    def _gram(self, a, b) -> np.ndarray:
        """The Gaussian Gram matrix of rows already in the mapped units."""
        return np.exp(-squared_distances(a, b, np) / (2 * self._bandwidth**2))

    def _relabellings(self, m: int):
        """The fixed relabellings for batches of `m` rows, and their reference-part sums (computed once)."""
        if m not in self._by_size:
            n = len(self.reference)
            rng = np.random.default_rng([self.seed, 2, m])
            order = np.argsort(rng.random((self.n_resamples, n + m)), axis=1)
            masks = np.zeros((self.n_resamples, n + m))
            np.put_along_axis(masks, order[:, :n], 1.0, axis=1)  # n rows labelled "reference" in each
            s_r = masks[:, :n]
            part = s_r @ self._k_rr
            self._by_size[m] = (masks, np.einsum("ij,ij->i", part, s_r), part.sum(1))
        return self._by_size[m]

    def test(self, batch) -> TestResult:
        """The MMD permutation test of `batch` (m, d) against the reference; exact level for every batch."""
        raw = self._frame.raw(batch, "batch", min_rows=2)
        batch = self._frame(raw)
        n, m = len(self.reference), len(batch)
        masks, rr_quad, rr_row = self._relabellings(m)
        k_rb, k_bb = self._gram(self._ref, batch), self._gram(batch, batch)
        s_r, s_b = masks[:, :n], masks[:, n:]
        sks = rr_quad + 2 * np.einsum("ij,ij->i", s_r @ k_rb, s_b) + np.einsum("ij,ij->i", s_b @ k_bb, s_b)
        sk1 = rr_row + s_r @ k_rb.sum(1) + s_b @ (k_rb.sum(0) + k_bb.sum(1))
        total = self._k_rr.sum() + 2 * k_rb.sum() + k_bb.sum()
        null = _mmd_from_sums(sks, sk1, masks.sum(1), total, n + m, n, m, "unbiased")
        observed = float(
            _mmd_from_sums(
                np.array([self._k_rr.sum()]),
                np.array([self._k_rr.sum() + k_rb.sum()]),
                np.array([float(n)]),
                total,
                n + m,
                n,
                m,
                "unbiased",
            )[0]
        )
        if self.online:
            self._bet(raw)
        return null_result(
            observed,
            null,
            alpha=self.alpha,
            alternative="greater",
            exact=False,
            n_x=n,
            n_y=m,
            test="detector-mmd",
            seed=self.seed,
        )

    def _bet(self, batch) -> None:
        """Pair the batch rows with fresh reference rows in the sequential test (while any are left)."""
        take = min(len(batch), len(self.reference) - self._used)
        if take == 0:
            raise ValueError("`batch`: online mode has paired every reference row; fit a new Detector.")
        rows = self.reference[self._unused[self._used : self._used + take]]
        self._used += take
        self._stream.append(batch[:take])
        self._sequential.update(batch[:take], rows)

    @property
    def online_reject(self) -> bool:
        """Online mode: the sequential test over all batches so far has rejected (anytime-valid)."""
        return bool(self._sequential is not None and self._sequential.reject)

    @property
    def sequential(self) -> SequentialTest | None:
        return self._sequential

    # --- saving --------------------------------------------------------------------------------

    def save(self, path) -> Path:
        """Write the detector to `path` (.npz: arrays and a JSON header, no pickle), atomically:
        a temporary file in the same folder replaces `path` only once complete."""
        path = Path(path)
        meta = {
            "format": _FORMAT,
            "alpha": self.alpha,
            "n_resamples": self.n_resamples,
            "bandwidth": self.bandwidth,
            "seed": self.seed,
            "online": self.online,
            "used": self._used,
        }
        arrays = {"reference": self.reference, "meta": np.array(json.dumps(meta))}
        if self.online:
            width = self.reference.shape[1]
            arrays["stream_x"] = np.vstack(self._stream) if self._stream else np.empty((0, width))
            arrays["stream_y"] = self.reference[self._unused[: self._used]].reshape(-1, width)
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path) -> Detector:
        """A detector saved by :meth:`save` (arrays only: nothing is unpickled); the online stream is
        replayed, which reproduces its wealth path exactly."""
        meta, arrays = _read(path)
        try:
            detector = cls(
                arrays["reference"],
                alpha=meta["alpha"],
                n_resamples=meta["n_resamples"],
                bandwidth=meta["bandwidth"],
                online=meta["online"],
            )
            detector.seed = meta["seed"]
            detector._unused = np.random.default_rng([detector.seed, 1]).permutation(len(detector.reference))
            detector._used = check_int(meta["used"], "used", minimum=0)
            if detector._used > len(detector.reference):
                raise ValueError(f"{detector._used} reference rows used of {len(detector.reference)}")
            if detector.online:
                detector._sequential = detector._new_sequential()
                if len(arrays["stream_x"]):
                    detector._stream = [arrays["stream_x"]]
                    detector._sequential.update(arrays["stream_x"], arrays["stream_y"])
        except (KeyError, TypeError, ValueError) as exc:  # a header or arrays this version did not write
            what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ValueError(f"`path`: {path} is not a valid saved Detector ({what}).") from None
        return detector


def _read(path):
    """(header, arrays) of a saved detector, or a ValueError naming `path`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        meta = json.loads(str(arrays["meta"]))
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(f"`path`: {path} is not a saved Detector ({type(exc).__name__}: {exc}).") from exc
    if meta.get("format") != _FORMAT:
        raise ValueError(f"`path`: {path} holds format {meta.get('format')!r}; this version reads {_FORMAT!r}.")
    return meta, arrays
