r"""The audit of a synthetic table (:func:`audit_table`, what :func:`gan.audit` runs on DataFrames).

The battery (:data:`~gan.auditing.table_checks.TABLE_REGISTRY`): the per-column comparison with
Holm's correction (:func:`twosample.compare`), the fresh mixed-type C2ST and the mixed-kernel MMD,
pair-wise dependence (correlations, Cramer's V, correlation ratios, maxT over pairs), the
data-copying exchange test against the held-out rows, and with ``target=`` the utility scores.
The five tests enter one verdict with Holm's correction, as in the numeric audit; a rejected verdict
also names the columns that differ and the worst pair. Which data goes where: ``real_test``
against the generated rows for every two-sample test; ``real_train`` for copying (and the
train-on-real utility).
"""

from __future__ import annotations

import pandas as pd

from twosample.core.validation import check_alpha, check_choice, check_int, check_rng

from .inputs import MIN_ROWS
from .report import AuditReport, verdict_table
from .table_checks import TABLE_CHECKS, TABLE_REGISTRY, encoded, held_out_auc
from .table_inputs import table_inputs

__all__ = ["audit_table"]


def _wanted(checks, target) -> list:
    if isinstance(checks, str):
        checks = [checks]
    if checks is None:
        return [c for c in TABLE_CHECKS if c != "utility" or target is not None]
    wanted = list(checks)
    if not wanted:
        raise ValueError(f"`checks` is empty; choose some of {', '.join(TABLE_CHECKS)} (None: all).")
    for c in wanted:
        check_choice(c, "checks", TABLE_CHECKS)
    if "utility" in wanted and target is None:
        raise ValueError("`checks`: 'utility' needs `target=` (the column to predict).")
    return wanted


def audit_table(
    generated,
    real_train,
    real_test,
    *,
    alpha=0.05,
    n=None,
    checks=None,
    target=None,
    n_resamples=999,
    mmd_n=1000,
    rng=None,
) -> AuditReport:
    """Audit a synthetic table: decide H0: generated rows = real rows at level `alpha` (module docstring).

    The arguments are those of :func:`gan.audit` for tables; the report's ``details["table"]`` holds
    the per-column rows, the pairs, the columns that differ, the worst pair and the utility scores.
    """
    alpha = check_alpha(alpha)
    options = dict(
        target=target,
        n_resamples=check_int(n_resamples, "n_resamples", minimum=99),
        mmd_n=None if mmd_n is None else check_int(mmd_n, "mmd_n", minimum=MIN_ROWS),
    )
    n = None if n is None else check_int(n, "n", minimum=MIN_ROWS)
    wanted = _wanted(checks, target)
    inputs = table_inputs(
        generated, real_train, real_test, n=n, alpha=alpha, wanted=wanted, options=options, generator=check_rng(rng)
    )
    rows, details = [], {}
    for check in TABLE_REGISTRY:
        if check.name not in wanted:
            continue
        found, detail = check.run(inputs, inputs.stream(check.name))
        rows += [{"in_verdict": check.in_verdict, **row} for row in found]
        details[check.name] = detail
    table, reject, verdict = verdict_table(rows, alpha)
    details["table"] = _summary(details)
    if reject:
        verdict += _names(details["table"], table)
    return AuditReport(table, reject, verdict, alpha, details, _samples(inputs))


def _summary(details) -> dict:
    """What the report says of the table beyond the checks' rows: columns that differ, pairs, utility."""
    columns, pairs = details.get("columns"), details.get("pairs")
    out = {"columns_differ": [], "worst_pair": None, "columns": None, "pairs": None, "utility": details.get("utility")}
    out["c2st_auc"] = held_out_auc(details["c2st"]) if details.get("c2st") is not None else None
    if columns is not None:
        frame = columns.columns
        out["columns_differ"] = list(frame.loc[frame["reject"], "column"])
        out["columns"] = frame
    if pairs is not None and not pairs.empty:
        out["worst_pair"] = [pairs.iloc[0]["a"], pairs.iloc[0]["b"]]
        out["pairs"] = pairs
    return out


def _names(summary, table: pd.DataFrame) -> str:
    """The columns and the pair named by the rejected checks, for the verdict."""
    hits = set(table.loc[table["reject"].fillna(False).astype(bool), "check"])
    words = []
    if "columns" in hits and summary["columns_differ"]:
        words.append(f"columns that differ: {', '.join(summary['columns_differ'])}")
    if "pairs" in hits and summary["worst_pair"] is not None:
        words.append(f"worst pair: ({', '.join(summary['worst_pair'])})")
    return "; " + "; ".join(words) if words else ""


def _samples(inputs) -> dict:
    """What the report's figure shows: up to 2,000 held-out and generated rows in the copying encoding."""
    _, test, gen = encoded(inputs)
    return {"real": test[:2000], "generated": gen[:2000], "image_shape": None}
