"""The validated inputs of one audit (:class:`AuditInputs`), shared by its checks, and the feature map's embeddings."""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np

__all__ = ["MIN_ROWS", "AuditInputs", "check_stream", "embed", "on_features"]

MIN_ROWS = 20  # the fewest rows a side any check accepts


@dataclasses.dataclass
class AuditInputs:
    """The validated inputs of one audit, shared by its checks (each check draws from its own stream)."""

    real_train: np.ndarray
    real_test: np.ndarray
    gen: np.ndarray
    gen_fit: np.ndarray | None
    gen_eval: np.ndarray
    draw: object
    features: object
    dataset: object
    alpha: float
    wanted: list
    options: dict
    entropy: int  # the audit's seed: check `name` draws from SeedSequence(entropy, spawn_key=(crc32(name),))
    samples: dict | None = None  # what the report shows (raw rows, image shape)
    raw_gen: np.ndarray | None = None  # the generated rows as drawn (gen may hold their embeddings)
    _mapped: tuple | None = None

    @property
    def d(self) -> int:
        return self.real_test.shape[1]

    def stream(self, name: str) -> np.random.Generator:
        """A fresh generator on check `name`'s own stream, derived from the audit's seed and a stable hash
        of the name (crc32), not from the check's place: its numbers do not depend on which other checks
        exist, run, or come first."""
        return check_stream(self.entropy, name)

    def mapped(self):
        """(real_test, generated) through the feature map (computed once per audit)."""
        if self._mapped is None:
            self._mapped = (embed(self.features, self.real_test), embed(self.features, self.gen))
        return self._mapped


def check_stream(entropy: int, name: str) -> np.random.Generator:
    """The generator of check `name` in an audit of seed `entropy`: SeedSequence(entropy, spawn_key=(crc32(name),))."""
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(zlib.crc32(name.encode()),)))


def embed(features, rows) -> np.ndarray:
    """`rows` through the feature map (None: as they are), checked: one finite float64 row per input row."""
    if features is None:
        return rows
    out = np.asarray(features(rows), dtype=float)
    out = out.reshape(len(out), -1) if out.ndim > 2 else out
    if out.ndim != 2 or len(out) != len(rows) or not np.isfinite(out).all():
        raise ValueError(
            f"`features` must map {len(rows)} rows to {len(rows)} finite feature rows, "
            f"got shape {out.shape}" + ("" if np.isfinite(out).all() else " with NaN or infinite values") + "."
        )
    return out


def on_features(inp: AuditInputs) -> AuditInputs:
    """The same inputs with every sample replaced by its embedding (each computed once), so that the tests
    run in the feature space; the generated rows as drawn stay for the Inception score."""
    f_test, f_gen = inp.mapped()
    draw = None if inp.draw is None else (lambda n, rng: embed(inp.features, inp.draw(n, rng)))
    return dataclasses.replace(
        inp,
        real_train=embed(inp.features, inp.real_train),
        real_test=f_test,
        gen=f_gen,
        gen_fit=None if inp.gen_fit is None else embed(inp.features, inp.gen_fit),
        gen_eval=f_gen if inp.gen_eval is inp.gen else embed(inp.features, inp.gen_eval),
        draw=draw,
        _mapped=(f_test, f_gen),
    )
