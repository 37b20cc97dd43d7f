"""The audit's checks: each takes the validated inputs of one audit and returns (rows, details or None)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

import twosample as ts
from twosample.core.validation import check_choice, check_int
from twosample.study.multiplicity import adjust_pvalues

from . import metrics
from .inputs import MIN_ROWS, AuditInputs
from .scores import (
    copying_exchange_test,
    copying_test,
    frechet_distance,
    inception_score,
    kid,
    precision_recall_density_coverage,
)
from .sources import draw_rows

__all__ = ["CHECKS", "CHECKS_BY_NAME", "OPTIONAL", "REGISTRY", "Check", "missing_input", "wanted_checks"]


@dataclasses.dataclass(frozen=True)
class Check:
    """One check of the audit.

    Attributes
    ----------
    name : str
        What ``checks=`` calls it.
    run : callable
        ``run(inputs, rng) -> (rows, details or None)``: the rows go into the
        report's table, the details into ``report.details[name]``.
    in_verdict : bool
        Its p-value enters the Holm-corrected verdict (False: a score, no verdict).
    default : bool
        Run when ``checks=None``.
    needs : tuple of str
        What the inputs must provide: ``"predict_proba"`` (a feature map with
        class probabilities), ``"modes"`` (a dataset with known modes).
    """

    name: str
    run: Callable
    in_verdict: bool = False
    default: bool = True
    needs: tuple = ()


def wanted_checks(checks) -> list:
    """The names of the checks `checks` asks for (None: the default ones), validated."""
    if isinstance(checks, str):
        checks = [checks]
    wanted = list(CHECKS) if checks is None else list(checks)
    if not wanted:
        raise ValueError(f"`checks` is empty; choose some of {', '.join(CHECKS + OPTIONAL)} (None: all).")
    for c in wanted:
        check_choice(c, "checks", CHECKS + OPTIONAL)
    return wanted


def missing_input(check: Check, inp: AuditInputs) -> str | None:
    """Why `check` cannot run on these inputs (None: it can)."""
    if "predict_proba" in check.needs and getattr(inp.features, "predict_proba", None) is None:
        return f"'{check.name}' needs a feature map with predict_proba (features='digits', or your classifier's)"
    if "modes" in check.needs and (inp.dataset is None or inp.dataset.modes is None):
        return f"'{check.name}' needs a dataset with known modes (dataset='ring' or 'grid')"
    return None


def _row(check, statistic, pvalue=math.nan, ci_low=math.nan, ci_high=math.nan, note=""):
    return {
        "check": check,
        "statistic": float(statistic),
        "pvalue": float(pvalue),
        "ci_low": float(ci_low),
        "ci_high": float(ci_high),
        "note": note,
    }


# --- the checks' runners (_run_<name>): each takes the audit's inputs and returns (rows, details or None) ---


def _run_c2st(inp: AuditInputs, rng: np.random.Generator):
    res = ts.c2st_test(inp.real_test, inp.gen, rng=rng)
    chance = max(len(inp.real_test), len(inp.gen)) / (len(inp.real_test) + len(inp.gen))
    return [_row("c2st", res.statistic, res.pvalue, note=f"fresh MLP's held-out accuracy (chance {chance:.2f})")], res


def _run_mmd(inp: AuditInputs, rng: np.random.Generator):
    real, gen, note = _subsample(inp.real_test, inp.gen, inp.options["mmd_n"], rng)
    res = ts.mmd_agg_test(real, gen, rng=rng)
    return [_row("mmd", res.statistic, res.pvalue, note="aggregated MMD (Gaussian and Laplace bandwidths)" + note)], res


def _run_me(inp: AuditInputs, rng: np.random.Generator):
    real, gen, note = _subsample(inp.real_test, inp.gen, inp.options["mmd_n"], rng)
    res = ts.me_test(real, gen, rng=rng)
    where = "ME test at 5 learned locations: where the laws differ most (report: where)"
    return [_row("me", res.statistic, res.pvalue, note=where + note)], res


def _subsample(real, gen, cap, rng):
    """At most `cap` rows of each sample, drawn without replacement (None: all), and a note saying so."""
    if cap is None or max(len(real), len(gen)) <= cap:
        return real, gen, ""
    real = real[np.sort(rng.choice(len(real), min(cap, len(real)), replace=False))]
    gen = gen[np.sort(rng.choice(len(gen), min(cap, len(gen)), replace=False))]
    return real, gen, f" on {len(real)} and {len(gen)} rows drawn without replacement"


def _feature_pvalue(a, b, test):
    """(statistic, p-value) of one feature's test from :mod:`twosample` (the same constant on both sides: 0, 1).

    KS takes SciPy's exact null up to 10,000 rows a side (conservative with ties) and the
    asymptotic one beyond, as :func:`scipy.stats.ks_2samp` does by default; Anderson-Darling
    the limiting law of A^2 (not SciPy's interpolated table: its floor of 0.001 times a Holm
    family of 50 features or more is above 0.05, so no feature could ever be rejected). Both are
    free of resampling, so a family of hundreds of features stays cheap.
    """
    if np.all(a == a[0]) and np.all(b == a[0]):
        return 0.0, 1.0
    import warnings

    with warnings.catch_warnings():
        # SciPy's notice of KS's exact null falling back to the asymptotic one at ties
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        if test == "ks":
            r = ts.ks_test(a, b, method="exact" if max(len(a), len(b)) <= 10_000 else "asymptotic")
        else:
            r = ts.anderson_test(a, b, method="asymptotic")
    return r.statistic, r.pvalue


def _run_features(inp: AuditInputs, rng: np.random.Generator):
    test, correction = inp.options["feature_test"], inp.options["feature_correction"]
    stat, pvals = zip(*(_feature_pvalue(inp.real_test[:, j], inp.gen[:, j], test) for j in range(inp.d)))
    adjusted = adjust_pvalues(pvals, correction)
    reject_j = adjusted <= inp.alpha
    detail = pd.DataFrame(
        {"feature": range(inp.d), "statistic": stat, "pvalue": pvals, "adjusted": adjusted, "reject": reject_j}
    )
    worst = int(np.argmin(adjusted))
    note = f"{test.upper()} per feature, {correction}: {int(reject_j.sum())} of {inp.d} reject; worst feature {worst}"
    return [_row("features", max(stat), float(np.min(adjusted)), note=note)], detail


def _run_copying(inp: AuditInputs, rng: np.random.Generator):
    exchange = copying_exchange_test(inp.real_train, inp.real_test, inp.gen, rng=rng)
    meehan = copying_test(inp.real_train, inp.real_test, inp.gen, rng=rng)
    note = (
        f"mean d_held / (d_train + d_held) over generated rows, null: training and held-out rows exchanged "
        f"({exchange.n_train} and {exchange.n_test}; 1 for copies)"
    )
    caveat = (
        f"Meehan et al. C_T over {meehan.cells_used} cells (negative: closer to the training set than fresh "
        "data; a generator narrower than the data also lowers it: a score, not a verdict)"
    )
    rows = [
        _row("copying", exchange.statistic, exchange.pvalue, note=note),
        dict(_row("copying C_T", meehan.statistic, note=caveat), in_verdict=False),
    ]
    return rows, {"exchange": exchange, "meehan": meehan}


def _run_divergence(inp: AuditInputs, rng: np.random.Generator):
    rows = []
    for name in ("js", "kl"):
        args = (inp.real_train, inp.gen_fit, inp.real_test, inp.gen_eval, name, inp.options["critic_steps"])
        est, lo, hi = _critic_bound(*args, rng, inp.options["device"])
        rows.append(_row(f"{name} lower bound", est, ci_low=lo, ci_high=hi, note=_bound_note(name, est)))
    return rows, None


def _bound_note(name: str, estimate: float) -> str:
    """The note of a divergence's lower bound; a negative one is flagged: it bounds nothing (a divergence is
    at least 0), the trained critic does worse than a constant on fresh data (KL's exp(T - 1) term is
    unbounded, so one fresh row can send it to -1e74)."""
    note = f"fresh {name.upper()} critic on fresh data; 95% interval (the critic fixed)"
    if estimate < 0:
        note += "; NEGATIVE: the critic does not generalise to fresh rows, so it says nothing (the divergence is >= 0)"
    return note


def _run_frechet(inp: AuditInputs, rng: np.random.Generator):
    f_real, f_gen = inp.mapped()
    fd = frechet_distance(f_real, f_gen)
    boot = [
        frechet_distance(
            f_real[rng.integers(0, len(f_real), len(f_real))], f_gen[rng.integers(0, len(f_gen), len(f_gen))]
        )
        for _ in range(50)
    ]
    low, high = np.quantile(boot, 0.025), np.quantile(boot, 0.975)
    note = "float64; 95% bootstrap interval (50 resamples); biased upward at small n"
    if not low <= fd <= high:  # resampling rows with replacement adds bias: say so rather than print it silently
        note += (
            f"; the interval excludes the estimate: the bootstrap's own upward bias "
            f"({np.mean(boot) - fd:.3g}) exceeds its spread, so the distance is mostly finite-sample bias "
            "at this n (compare with real_train against real_test)"
        )
    return [_row("frechet", fd, ci_low=low, ci_high=high, note=note)], None


def _run_kid(inp: AuditInputs, rng: np.random.Generator):
    f_real, f_gen = inp.mapped()
    size = min(1000, min(len(f_real), len(f_gen)) // 2)
    mean, sd = kid(f_real, f_gen, subset_size=size, rng=rng)
    note = f"unbiased polynomial-kernel MMD², mean over 100 subsets of {size} rows a side (sd {sd:.3g})"
    return [_row("kid", mean, note=note)], None


def _run_prdc(inp: AuditInputs, rng: np.random.Generator):
    prdc = precision_recall_density_coverage(*inp.mapped())
    note = "k-NN balls, k = 5, a row on a boundary outside (prdc's rule)"
    return [_row(key, value, note=note) for key, value in prdc.items()], prdc


def _run_modes(inp: AuditInputs, rng: np.random.Generator):
    score = metrics.mode_coverage(inp.gen, inp.dataset.modes, inp.dataset.mode_std)
    return [
        _row("modes captured", score.modes_captured, note=f"of {score.n_modes}"),
        _row("high quality", score.high_quality, note="share within 3 sd of a mode"),
        _row("reverse KL (modes)", score.reverse_kl, note="mode histogram vs uniform"),
        _row("mode width", score.width_ratio, note="spread around the modes / the data's (1 for the data)"),
    ], None


def _run_sample_size(inp: AuditInputs, rng: np.random.Generator):
    args = (inp.real_test, inp.gen, inp.draw, inp.options["power_reps"], inp.alpha, inp.options["power_n"], rng)
    curve = _c2st_power_curve(*args)
    return [_row("n for power 0.8", curve["n80"], note=curve["note"])], curve


def _run_inception(inp: AuditInputs, rng: np.random.Generator):
    splits = inp.options["inception_splits"]
    mean, sd = inception_score(inp.features.predict_proba(inp.raw_gen), splits=splits, rng=rng)
    note = (
        f"mean over {splits} splits (sd {sd:.3g}); not in the verdict: ignores the data and rewards confident classes"
    )
    return [_row("inception score", mean, note=note)], None


def _run_parzen(inp: AuditInputs, rng: np.random.Generator):
    note = (
        "not in the verdict: Gaussian KDE on the generated rows, bandwidth chosen on real_train; "
        "unreliable in more than a few dimensions"
    )
    return [_row("parzen log-likelihood", _parzen(inp.real_train, inp.real_test, inp.gen, rng), note=note)], None


# The checks in the order they run. Each draws from a stream keyed by its name (AuditInputs.stream), so its
# numbers do not depend on which other checks exist or run. A new check is one runner and one line.
REGISTRY = (
    Check("c2st", _run_c2st, in_verdict=True),
    Check("mmd", _run_mmd, in_verdict=True),
    Check("features", _run_features, in_verdict=True),
    Check("copying", _run_copying, in_verdict=True),
    Check("divergence", _run_divergence),
    Check("frechet", _run_frechet),
    Check("kid", _run_kid),
    Check("prdc", _run_prdc),
    Check("modes", _run_modes, needs=("modes",)),
    Check("sample_size", _run_sample_size),
    Check("inception", _run_inception, default=False, needs=("predict_proba",)),
    Check("parzen", _run_parzen, default=False),
    Check("me", _run_me, in_verdict=True, default=False),
)
CHECKS_BY_NAME = {check.name: check for check in REGISTRY}  # name -> Check, for look-ups
CHECKS = tuple(check.name for check in REGISTRY if check.default)
OPTIONAL = tuple(check.name for check in REGISTRY if not check.default)


def _critic_bound(real_train, gen_fit, real_test, gen_eval, name, steps, generator, device):
    """Held-out bound E_P T - E_Q f*(T) of a fresh critic and its 95% normal interval.

    The critic is fitted on (real_train, gen_fit) and evaluated on the independent pair
    (real_test, gen_eval), where the bound is a difference of two independent means
    (:meth:`twosample.divergences.FittedCritic.bound_with_error`).
    """
    from twosample import divergences

    critic = divergences.fit_critic(real_train, gen_fit, name, steps=steps, rng=generator, device=device)
    est, se = critic.bound_with_error(real_test, gen_eval)
    z = stats.norm.ppf(0.975)
    return est, est - z * se, est + z * se


def _c2st_power_curve(real, gen, draw, reps, alpha, top, generator):
    """Power of a fresh C2ST (:func:`twosample.power`, each repetition on its own spawned stream)
    at five sizes up to `top` rows a side; where it crosses 0.8.

    The classifier is chosen once, by the C2ST's own "auto" rule (:func:`select_preset`: logistic
    regression or the MLP, cross-validated) on `top` rows a side, and every repetition fits that
    one: the curve is the power of one test at several sizes, and the choice, which cost six fits
    per repetition (three quarters of a default audit's time), is paid once.
    """
    from twosample import scenarios

    top = min(top, len(real) // 2 if draw is not None else min(len(real), len(gen)) // 2)
    sizes = sorted({int(s) for s in np.geomspace(max(MIN_ROWS, top // 16), max(top, MIN_ROWS), 5)})
    reps = check_int(reps, "power_reps")
    d = real.shape[1]
    sample_q = (lambda n, r: draw_rows(draw, n, r, d)) if draw is not None else _subsampler(gen)
    scenario = scenarios.from_callables(_subsampler(real), sample_q, name="generator vs data")
    classifier = _curve_classifier(scenario, max(sizes), generator)
    out = []
    for s in sizes:  # subsamples without replacement, so that repetitions differ
        res = ts.power(ts.c2st_test, scenario, n=s, reps=reps, alpha=alpha, rng=generator, classifier=classifier)
        out.append({"n": s, "power": res.power, "ci_low": res.ci_low, "ci_high": res.ci_high})
    result = _crossing(pd.DataFrame(out), reps)
    result["note"] += f"; classifier {classifier}, chosen once at n = {max(sizes)}"
    return {**result, "classifier": classifier}


def _curve_classifier(scenario, n, generator) -> str:
    """The preset the C2ST's "auto" rule picks on `n` rows a side of the scenario's two samples."""
    from twosample.learned.classifier_tests import select_preset

    x, y = scenario.sample(n, None, generator)
    z = np.vstack([np.asarray(x, dtype=float).reshape(n, -1), np.asarray(y, dtype=float).reshape(n, -1)])
    labels = np.r_[np.ones(n), np.zeros(n)]
    return select_preset(z, labels, int(generator.integers(0, 2**31 - 1)))


def _subsampler(rows):
    return lambda n, r: rows[r.choice(len(rows), n, replace=False)]


def _crossing(curve, reps) -> dict:
    """Where the power curve first reaches 0.8 (interpolated on a log scale), with a note."""
    sizes = list(curve["n"])
    above = curve[curve["power"] >= 0.8]
    if above.empty:
        n80, note = math.inf, f"power below 0.8 up to n = {sizes[-1]} ({reps} repetitions per size)"
    elif above.index[0] == 0:
        n80, note = float(sizes[0]), f"power >= 0.8 already at the smallest size tried ({sizes[0]})"
    else:
        i = above.index[0]
        (n0, p0), (n1, p1) = curve.loc[i - 1, ["n", "power"]], curve.loc[i, ["n", "power"]]
        frac = (0.8 - p0) / (p1 - p0)
        n80 = float(np.exp(np.log(n0) + frac * (np.log(n1) - np.log(n0))))
        note = f"interpolated on a log scale between n = {int(n0)} and {int(n1)} ({reps} repetitions per size)"
    return {"curve": curve, "n80": n80, "note": note}


def _parzen(real_train, real_test, gen, generator):
    from sklearn.neighbors import KernelDensity

    val = real_train[generator.choice(len(real_train), min(500, len(real_train)), replace=False)]
    best = max(np.geomspace(0.01, 2.0, 12) * np.std(gen), key=lambda h: KernelDensity(bandwidth=h).fit(gen).score(val))
    return float(KernelDensity(bandwidth=best).fit(gen).score_samples(real_test).mean())
