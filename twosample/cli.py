"""The ``twosample`` command.

``twosample test X Y --test NAME [--alpha A] [--n-resamples B] [--seed S] [--json]``
``twosample power --scenario NAME --tests a,b --sizes 25,50 --reps R --out DIR``

Bad input ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from .io import load_sample
from .power import power_curve
from .registry import TESTS, get_test
from .report import write_power_report
from .scenarios import SCENARIOS, get_scenario

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line, exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


class _UsageError(Exception):
    pass


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="twosample", description="Two-sample tests of H0: p = q.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    test = sub.add_parser("test", help="run one two-sample test on two files")
    test.add_argument("x", help="sample from p: .npy, .csv or .parquet")
    test.add_argument("y", help="sample from q: .npy, .csv or .parquet")
    test.add_argument("--test", default="energy", help=f"one of: {', '.join(TESTS)} (default: energy)")
    test.add_argument("--alpha", type=float, default=0.05, help="level (default 0.05)")
    test.add_argument("--n-resamples", type=int, default=9999, help="permutations (default 9999)")
    test.add_argument("--seed", type=int, default=None, help="random seed (default: fresh entropy)")
    test.add_argument("--method", default=None, help="null: permutation (default) or the test's analytic null")
    test.add_argument("--alternative", default=None, help="two-sided, greater or less, where the test has it")
    test.add_argument("--columns", default=None, help="comma-separated table columns to use")
    test.add_argument("--json", action="store_true", help="print the result as JSON")
    sub.add_parser("list", help="list the available tests")
    pw = sub.add_parser("power", help="power and level curves of several tests on a scenario")
    pw.add_argument("--scenario", default="gaussian-laplace", help=f"one of: {', '.join(SCENARIOS)}")
    pw.add_argument("--tests", default="mean,meanvar,ks,energy,mmd,mmd-agg,c2st", help="comma-separated test names")
    pw.add_argument("--sizes", default="25,50,100,200,400", help="comma-separated sample sizes per sample")
    pw.add_argument("--reps", type=int, default=200, help="repetitions per cell (default 200)")
    pw.add_argument("--alpha", type=float, default=0.05)
    pw.add_argument("--n-resamples", type=int, default=199, help="permutations per test (default 199)")
    pw.add_argument("--seed", type=int, default=None)
    pw.add_argument("--n-jobs", type=int, default=1, help="parallel workers (-1: all cores)")
    pw.add_argument("--out", default="out", help="folder for power.csv, power.png, report.html")
    return parser


def _int_list(text: str, name: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise _UsageError(f"{name} must be comma-separated integers, got {text!r}") from None
    if not values or min(values) < 2:
        raise _UsageError(f"{name} must list sample sizes of at least 2, got {text!r}")
    return values


def _run_power(args) -> str:
    scenario = get_scenario(args.scenario)
    names = [t.strip() for t in args.tests.split(",") if t.strip()]
    for name in names:
        get_test(name)
    sizes = _int_list(args.sizes, "--sizes")
    if args.reps < 1:
        raise _UsageError("--reps must be a positive integer")
    extra = {"n_resamples": args.n_resamples} if all(get_test(n).resampling for n in names) else {}
    if not extra and args.n_resamples != 199:
        raise _UsageError("--n-resamples applies only when every test is a permutation test")
    tests = {name: get_test(name) for name in names}
    df = power_curve(tests, scenario, sizes=sizes, reps=args.reps, alpha=args.alpha, rng=args.seed,
                     n_jobs=args.n_jobs, progress=False, **extra)
    path = write_power_report(df, args.out, title=scenario.description,
                              description=f"{args.reps} repetitions per cell, alpha = {args.alpha}.")
    table = df.pivot_table(index=["kind", "test"], columns="n", values="power", sort=False)
    return table.to_string(float_format=lambda v: f"{v:.3f}") + f"\nwrote {path}"


def _run_test(args) -> str:
    info = get_test(args.test)
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    x = load_sample(args.x, columns=columns)
    y = load_sample(args.y, columns=columns)
    kwargs = {"alpha": args.alpha, "rng": args.seed}
    if args.method is not None:
        if args.method not in info.methods:
            raise _UsageError(f"--method for {info.name} must be one of {', '.join(info.methods)}")
        if len(info.methods) > 1:
            kwargs["method"] = args.method
    if args.alternative is not None:
        if args.alternative not in info.alternatives or info.alternatives == ("greater",):
            raise _UsageError(f"--alternative is not available for {info.name}")
        kwargs["alternative"] = args.alternative
    if info.resampling and kwargs.get("method", "permutation") == "permutation":
        kwargs["n_resamples"] = args.n_resamples
    result = info(x, y, **kwargs)
    if args.json:
        return json.dumps(result.to_dict(), indent=2)
    return str(result)


def _list_tests() -> str:
    width = max(map(len, TESTS))
    lines = []
    for info in TESTS.values():
        dims = "d >= 1" if info.multivariate else "1-D"
        lines.append(f"{info.name:<{width}}  {dims:<6}  {', '.join(info.methods):<32}  {info.description}")
    return "\n".join(lines)


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        commands = {"test": _run_test, "power": _run_power, "list": lambda _: _list_tests()}
        out = commands[args.command](args)
    except (ValueError, TypeError, _UsageError, OSError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"twosample: error: {message}", file=sys.stderr)
        return 2
    print(out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
