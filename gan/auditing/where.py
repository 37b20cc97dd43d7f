"""Where the generator differs from the data: read off what the audit's tests already fitted.

The fresh C2ST's classifier scores its held-out rows by log p/q (p: held-out data, q: generator):
the data rows it is surest about lie where the generator puts too little mass ("missing there"),
the generated rows it is surest about where it puts too much ("over-represented here"). When the
MMD test carries a witness function (mean_data k(., t) - mean_generated k(., t)), its extremes
over the same rows are given beside. Nothing is refitted; the section states regions, and the
verdict's p-values stay those of the tests. With a data set of known modes (ring, grid), each
region is named by its nearest mode.
"""

from __future__ import annotations

import numpy as np

from twosample.core.result import jsonable

__all__ = ["WHERE_ROWS", "where_differs", "where_lines", "where_summary"]

WHERE_ROWS = 10  # rows shown per side


def _nearest_modes(rows, dataset) -> list[dict] | None:
    """For each row, its nearest mode (index, centre) and distance in mode sds; None without modes."""
    modes = getattr(dataset, "modes", None)
    if modes is None or rows.shape[1] != modes.shape[1]:
        return None
    distances = np.linalg.norm(rows[:, None, :] - modes[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    std = dataset.mode_std or 1.0
    return [{"mode": int(j), "distance_sd": float(distances[i, j] / std)} for i, j in enumerate(nearest)]


def _named_mode(rows, dataset):
    """The mode most of `rows` are nearest to, the share of rows nearest to it, and its centre."""
    near = _nearest_modes(rows, dataset)
    if not near:
        return None
    modes = np.array([r["mode"] for r in near])
    top = int(np.bincount(modes).argmax())
    return {"mode": top, "share": float(np.mean(modes == top)), "centre": dataset.modes[top].tolist()}


def _side(rows, scores, dataset) -> dict:
    return {
        "rows": rows,
        "scores": scores,
        "nearest": _nearest_modes(rows, dataset),
        "mode": _named_mode(rows, dataset),
    }


def where_differs(inp, details, k: int = WHERE_ROWS) -> dict | None:
    """{"missing": ..., "over": ..., "witness": ...} from the audit's C2ST (and MMD witness), or None.

    ``missing``: held-out data rows the classifier is surest are data (the generator lacks mass
    there); ``over``: generated rows it is surest are generated. Each side has the rows, their
    scores, and with known modes the nearest mode of each row and the mode most rows are near.
    """
    res = details.get("c2st")
    if res is None or getattr(res, "classifier", None) is None:
        return None
    top_real = np.argsort(-res.scores_x, kind="stable")[:k]
    top_gen = np.argsort(res.scores_y, kind="stable")[:k]
    out = {
        "source": "c2st",
        "missing": _side(res.x_test[top_real], res.scores_x[top_real], inp.dataset),
        "over": _side(res.y_test[top_gen], res.scores_y[top_gen], inp.dataset),
    }
    witness = _witness_extremes(details.get("mmd"), inp, k)
    if witness is not None:
        out["witness"] = witness
    me = details.get("me")
    if me is not None and getattr(me, "locations", None) is not None:
        out["me"] = {"locations": me.locations, "nearest": _nearest_modes(me.locations, inp.dataset)}
    return out


def _witness_extremes(mmd, inp, k):
    """The MMD witness's largest values over the held-out data and smallest over the generated rows."""
    if mmd is None or not hasattr(mmd, "witness"):
        return None
    real, gen = inp.real_test[:2000], inp.gen[:2000]
    w_real, w_gen = mmd.witness(real), mmd.witness(gen)
    top_real, top_gen = np.argsort(-w_real, kind="stable")[:k], np.argsort(w_gen, kind="stable")[:k]
    return {
        "missing": _side(real[top_real], w_real[top_real], inp.dataset),
        "over": _side(gen[top_gen], w_gen[top_gen], inp.dataset),
    }


def _coordinates(values) -> str:
    """'(a, b, ...)' to 3 significant digits (at most four coordinates; rounding noise such as 6e-17 shown as 0)."""
    shown = ", ".join(f"{round(float(c), 12) + 0.0:.3g}" for c in values[:4])
    return f"({shown}{', ...' if len(values) > 4 else ''})"


def where_lines(where: dict | None) -> list[str]:
    """The report's sentences about `where`: the classifier's regions, then the MMD witness's (empty without)."""
    if not where:
        return []
    lines = []
    sides = (
        ("missing", "the data has more mass than the generator"),
        ("over", "the generator has more mass than the data"),
    )
    for source, found in (("C2ST", where), ("MMD witness", where.get("witness"))):
        for side, text in sides if found else ():
            part = found[side]
            place = f"around {_coordinates(np.mean(part['rows'], axis=0))}"
            if part["mode"] is not None:
                m = part["mode"]
                place = f"near mode {m['mode']} at {_coordinates(m['centre'])} ({m['share']:.0%} of the rows)"
            lines.append(f"where ({source}): {text} {place}")
    if "me" in where:
        near = where["me"]["nearest"]
        spots = [f"mode {r['mode']}" for r in near] if near else [_coordinates(t) for t in where["me"]["locations"]]
        lines.append(f"where (ME locations, where the laws differ most): {', '.join(spots)}")
    return lines


def where_summary(where: dict | None) -> dict | None:
    """`where` as strict-JSON data: each side's rows, scores and named mode."""
    if not where:
        return None
    keep = ("rows", "scores", "mode")
    out = {side: {key: where[side][key] for key in keep} for side in ("missing", "over")}
    if "witness" in where:
        out["witness"] = {side: {key: where["witness"][side][key] for key in keep} for side in ("missing", "over")}
    if "me" in where:
        out["me"] = where["me"]
    return jsonable(dict(out, source=where["source"]))
