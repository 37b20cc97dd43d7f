r"""The checks of a table audit: each takes the validated :class:`~gan.auditing.table_inputs.TableInputs` and
returns (rows, details or None), as the numeric audit's checks do; the statistics are the core's.

* ``columns``: :func:`twosample.compare` of ``real_test`` and the generated rows (KS for numbers,
  chi-square with its exact conditional null for categories, Fisher for booleans, ordinal KS, the
  missing share of each column by Fisher's test), Holm over that family; the family's p-value is its
  smallest adjusted one, and the note names the columns that differ.
* ``c2st``: :func:`twosample.c2st_mixed_test`, a fresh gradient-boosted classifier with native
  categorical features (held-out accuracy, binomial null); the note and the summary give its held-out
  ROC AUC as a score.
* ``mmd``: :func:`twosample.mmd_mixed_test` (Gaussian kernel on standardized numbers times a delta
  kernel on categories), on at most ``mmd_n`` rows a side.
* ``pairs``: pair-wise dependence (:mod:`twosample.study._pairs`: correlation, Cramer's V, correlation
  ratio; the same relabelling for every pair; Westfall-Young maxT over pairs), on at most ``mmd_n``
  rows a side; the note names the worst pair.
* ``copying``: :func:`~gan.auditing.scores.copying_exchange_test` on the rows encoded as
  :func:`twosample.categorical.mixed.encode_table` encodes them for the mixed MMD (numbers
  standardized over the pooled real and generated rows, a missing number at the mean with a 0/1
  indicator beside, one-hot categories scaled by :math:`1/\sqrt{2}`, missing a level of its own):
  the encoding treats training and held-out rows alike, so the exchange null stays exact. Beside
  it, the distance to the closest record (DCR) as a score.
* ``utility`` (with ``target=``, a score): train-on-synthetic / test-on-real beside
  train-on-real / test-on-real, with scikit-learn's ``HistGradientBoostingClassifier`` (native
  categorical features, the encoding of :func:`twosample.c2st_mixed_test`), accuracy with a Wilson
  interval; a numeric target takes ``HistGradientBoostingRegressor`` and R^2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import twosample as ts
from twosample.categorical.mixed import encode_table
from twosample.study._pairs import pair_dependence

from .checks import Check, _row
from .scores import copying_exchange_test

__all__ = ["TABLE_CHECKS", "TABLE_REGISTRY", "held_out_auc"]


def _cap(frame: pd.DataFrame, cap, rng) -> pd.DataFrame:
    """At most `cap` rows of `frame`, drawn without replacement (None: all)."""
    if cap is None or len(frame) <= cap:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), cap, replace=False))].reset_index(drop=True)


def _run_columns(inp, rng):
    res = ts.compare(
        inp.real_test,
        inp.gen,
        correction="holm",
        alpha=inp.alpha,
        n_resamples=inp.options["n_resamples"],
        multivariate="none",
        rng=rng,
    )
    frame = res.columns
    pvalue = float(np.nanmin(np.r_[frame["p_adjusted"], frame["missing_p_adjusted"]]))
    differ = list(frame.loc[frame["reject"], "column"])
    note = (
        f"per column (KS, chi-square, Fisher; missing shares), Holm over the family; "
        f"{'differ: ' + ', '.join(differ) if differ else 'no column differs'} (effect: largest KS distance or TVD)"
    )
    return [_row("columns", frame["effect"].max(), pvalue, note=note)], res


def _run_c2st(inp, rng):
    real, gen = _cap(inp.real_test, 5000, rng), _cap(inp.gen, 5000, rng)
    res = ts.c2st_mixed_test(real, gen, alpha=inp.alpha, rng=rng)
    chance = max(len(real), len(gen)) / (len(real) + len(gen))
    note = (
        f"fresh gradient-boosted trees with native categories, held-out accuracy (chance {chance:.2f}); "
        f"held-out AUC {held_out_auc(res):.3f} (0.5: rows indistinguishable)"
    )
    return [_row("c2st", res.statistic, res.pvalue, note=note)], res


def held_out_auc(res) -> float:
    """The C2ST classifier's held-out ROC AUC (real rows as positives): the chance that a real held-out row
    scores above a generated one, ties counting half (scikit-learn's ``roc_auc_score``); 0.5 when the
    classifier cannot tell them apart, whatever the two sides' sizes (unlike accuracy)."""
    from sklearn.metrics import roc_auc_score

    truth = np.r_[np.ones(len(res.scores_x)), np.zeros(len(res.scores_y))]
    return float(roc_auc_score(truth, np.r_[res.scores_x, res.scores_y]))


def _run_mmd(inp, rng):
    cap = inp.options["mmd_n"]
    real, gen = _cap(inp.real_test, cap, rng), _cap(inp.gen, cap, rng)
    res = ts.mmd_mixed_test(real, gen, alpha=inp.alpha, n_resamples=inp.options["n_resamples"], rng=rng)
    note = f"mixed kernel (Gaussian on numbers x delta on categories) on {len(real)} and {len(gen)} rows"
    return [_row("mmd", res.statistic, res.pvalue, note=note)], res


def _run_pairs(inp, rng):
    cap = inp.options["mmd_n"]
    real, gen = _cap(inp.real_test, cap, rng), _cap(inp.gen, cap, rng)
    frame = pair_dependence(real, gen, n_resamples=inp.options["n_resamples"], alpha=inp.alpha, rng=rng)
    if frame.empty:
        return [], frame
    worst = frame.iloc[0]
    note = (
        f"{len(frame)} pairs, maxT over one shared relabelling; worst pair ({worst['a']}, {worst['b']}): "
        f"{worst['measure']} {worst['value_x']:.3g} real, {worst['value_y']:.3g} generated; "
        f"{int(frame['reject'].sum())} pairs differ"
    )
    return [_row("pairs", worst["difference"], worst["p_adjusted"], note=note)], frame


def encoded(inp):
    """(training, held-out, generated) rows in the copying test's encoding (module docstring)."""
    real = pd.concat([inp.real_train, inp.real_test], ignore_index=True)
    categorical = [c for c, kind in inp.kinds.items() if kind != "numeric"]
    pooled_real, gen, _ = encode_table(real, inp.gen, categorical=categorical, one_hot=True)
    return pooled_real[: len(inp.real_train)], pooled_real[len(inp.real_train) :], gen


def _run_copying(inp, rng):
    from sklearn.neighbors import NearestNeighbors

    train, test, gen = encoded(inp)
    res = copying_exchange_test(train, test, gen, n_resamples=inp.options["n_resamples"], rng=rng)
    equal = train[np.sort(rng.choice(len(train), min(len(train), len(test)), replace=False))]
    d_train = NearestNeighbors(n_neighbors=1).fit(equal).kneighbors(gen)[0][:, 0]
    d_test = NearestNeighbors(n_neighbors=1).fit(test).kneighbors(gen)[0][:, 0]
    dcr = float(np.median(d_train) / np.median(d_test)) if np.median(d_test) > 0 else np.inf
    note = (
        f"generated rows closer to training rows than to held-out ones? exchange test on the encoded rows "
        f"({res.n_train} training, {res.n_test} held-out; {res.share_closer_to_train:.0%} nearer a training row)"
    )
    dcr_note = (
        f"distance to closest record: median over generated rows, to {len(equal)} training rows / to as many "
        f"held-out rows (1: no closer; {np.mean(d_train == 0):.1%} exact copies of training rows)"
    )
    rows = [
        _row("copying", res.statistic, res.pvalue, note=note),
        dict(_row("dcr", dcr, note=dcr_note), in_verdict=False),
    ]
    return rows, res


def _utility_score(fit, test, target, kind, rng):
    """(score, low, high, baseline) of a model trained on `fit` and scored on `test` (module docstring)."""
    from scipy import stats
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    fit, test = fit[fit[target].notna()], test[test[target].notna()]
    features = [c for c in test.columns if c != target]
    x_fit, x_test, is_cat = encode_table(fit[features], test[features], one_hot=False)
    seed = int(rng.integers(2**31 - 1))
    cats = is_cat if is_cat.any() else None
    if kind == "numeric":
        model = HistGradientBoostingRegressor(categorical_features=cats, random_state=seed)
        y_test = test[target].to_numpy(float)
        score = model.fit(x_fit, fit[target].to_numpy(float)).score(x_test, y_test)
        return float(score), np.nan, np.nan, 0.0
    y_fit, y_test = fit[target].astype(str).to_numpy(), test[target].astype(str).to_numpy()
    classes = np.unique(y_fit)
    if len(classes) == 1:
        predicted = np.full(len(y_test), classes[0])
    else:
        model = HistGradientBoostingClassifier(categorical_features=cats, random_state=seed)
        predicted = model.fit(x_fit, y_fit).predict(x_test)
    hits = int(np.sum(predicted == y_test))
    low, high = stats.binomtest(hits, len(y_test)).proportion_ci(0.95, method="wilson")
    baseline = pd.Series(y_test).value_counts(normalize=True).iloc[0]
    return hits / len(y_test), float(low), float(high), float(baseline)


def _run_utility(inp, rng):
    target = inp.options["target"]
    kind = inp.kinds[target]
    measure = "R^2 (gradient-boosted regressor)" if kind == "numeric" else "accuracy (gradient-boosted classifier)"
    rows, detail = [], {}
    for name, fit, words in (
        ("utility TSTR", inp.gen, "trained on the generated rows"),
        ("utility TRTR", inp.real_train, "trained on real_train"),
    ):
        score, low, high, baseline = _utility_score(fit, inp.real_test, target, kind, rng)
        note = f"{measure} of {target!r} on real_test, {words}; native categories; majority class {baseline:.3g}"
        rows.append(dict(_row(name, score, ci_low=low, ci_high=high, note=note), in_verdict=False))
        detail[name] = score
    return rows, detail


# The table audit's checks in the order they run; each on its own stream (TableInputs.stream).
TABLE_REGISTRY = (
    Check("columns", _run_columns, in_verdict=True),
    Check("c2st", _run_c2st, in_verdict=True),
    Check("mmd", _run_mmd, in_verdict=True),
    Check("pairs", _run_pairs, in_verdict=True),
    Check("copying", _run_copying, in_verdict=True),
    Check("utility", _run_utility, needs=("target",)),
)
TABLE_CHECKS = tuple(check.name for check in TABLE_REGISTRY)
