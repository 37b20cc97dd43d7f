"""The ``twosample`` command.

``twosample test X Y --test NAME [--alpha A] [--n-resamples B] [--seed S] [--nan-policy P] [--json] [--fail-on-reject]``
``twosample power --scenario NAME --tests a,b --sizes 25,50 --reps R --out DIR``
``twosample compare X Y [--columns a,b] [--categorical COL] [--correction holm] [--out DIR] [--large]``

Exit status 0 when the command ran (whatever the verdict), 1 when the test rejected and
``--fail-on-reject`` was given, 2 for bad input, with one line on stderr that names the flag or
file; warnings (an index column dropped, constant data) are one line each on stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import os
import re
import sys
import textwrap
import warnings
from pathlib import Path

from twosample import __version__
from twosample.app.io import load_sample, load_table
from twosample.app.report import write_power_report, write_table_report
from twosample.core.optional import require
from twosample.core.progress import show_progress
from twosample.core.validation import NAN_POLICIES
from twosample.study.registry import TESTS, get_test
from twosample.study.scenarios import SCENARIOS, get_scenario
from twosample.study.simulation import power_curve
from twosample.study.tables import CORRECTIONS, MULTIVARIATE, compare

__all__ = ["Output", "Parser", "main", "run_command"]

# Options of some tests only: --flag -> (type or tuple of choices, help); the keyword is the flag with
# '_' for '-'. Given to a test that lacks the keyword, they are a usage error naming the test.
_TEST_OPTIONS = {
    "kernel": (str, "kernel of the MMD tests: gaussian, laplace, imq, linear, polynomial"),
    "bandwidth": (str, "kernel length-scale: a number or 'median'"),
    "estimator": (str, "MMD estimator: unbiased or biased"),
    "classifier": (str, "c2st classifier: mlp, logistic, knn or torch-mlp"),
    "statistic": (str, "c2st statistic: accuracy, logit or auc"),
    "steps": (int, "training steps of the learned tests (mmd-deep, f-divergence)"),
    "device": (str, "where torch computes: cpu, cuda, cuda:1, mps"),
    "nan-policy": (NAN_POLICIES, "rows with NaN: raise (an error), propagate (a NaN result) or omit (drop them)"),
    "standardize": (bool, "distance and kernel tests: divide each column by its pooled sd first (columns in units)"),
}


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every default in --help, except where there is none to show (None, False); lines wrapped
    between words only, never inside a name at its hyphen ("mmd-linear", not "mmd- linear")."""

    def _get_help_string(self, action):
        if action.default in (None, False) or action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)

    def _split_lines(self, text, width):
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False, break_long_words=False)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line, exit status 2, and shows every default.

    Shared by the ``twosample`` and ``gan`` commands.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


class _UsageError(Exception):
    """A command-line option that does not fit the chosen test (reported in one line, exit 2)."""


@dataclasses.dataclass(frozen=True)
class Output:
    """What a command prints, and its exit status: 1 when a test rejected under ``--fail-on-reject``."""

    text: str
    status: int = 0


_FAIL_ON_REJECT = "exit status 1 when H0 is rejected, to gate a CI job on the verdict (errors stay exit status 2)"
_DECIMAL = dict(choices=(".", ","), default=".", metavar="MARK", help="decimal mark of text files: . or , (for 3,25)")


def _add_test_parser(sub) -> None:
    test = sub.add_parser("test", help="run one two-sample test on two files (a k-sample test on more)")
    test.add_argument("x", help="sample from p: .npy, .csv/.tsv/.txt (optionally .gz/.bz2/.xz/.zip) or .parquet")
    test.add_argument("y", help="sample from q, same formats; tables are matched to x by column name")
    test.add_argument("more", nargs="*", help="further samples, for the k-sample tests (energy-k, mmd-k, ks-k)")
    test.add_argument("--test", default="energy", help=f"one of: {', '.join(TESTS)}")
    test.add_argument("--alpha", type=float, default=0.05, help="level")
    test.add_argument(
        "--n-resamples",
        type=int,
        default=None,
        help="relabellings of a permutation null (default: the test's own, 9999 for the classical tests)",
    )
    test.add_argument("--seed", type=int, default=None, help="random seed (default: drawn, and printed)")
    test.add_argument(
        "--method",
        default=None,
        help="the null, among the test's (see `twosample list`; for c2st: binomial, permutation, crossfit)",
    )
    test.add_argument("--alternative", default=None, help="two-sided, greater or less, where the test has it")
    test.add_argument("--columns", default=None, help="comma-separated table columns to use (default: all)")
    for flag, (kind, text) in _TEST_OPTIONS.items():
        if kind is bool:  # a switch: given or not
            test.add_argument(f"--{flag}", action="store_const", const=True, default=None, help=text)
            continue
        typed = {"choices": kind} if isinstance(kind, tuple) else {"type": kind}
        test.add_argument(f"--{flag}", **typed, default=None, help=f"{text} (default: the test's own)")
    test.add_argument("--decimal", **_DECIMAL)
    test.add_argument("--json", action="store_true", help="print the result as JSON")
    test.add_argument("--fail-on-reject", action="store_true", help=_FAIL_ON_REJECT)


def _add_compare_parser(sub) -> None:
    default = {name: p.default for name, p in inspect.signature(compare).parameters.items()}
    cmp = sub.add_parser("compare", help="compare two tables column by column (numbers, categories, missing values)")
    cmp.add_argument("x", help="first table: .csv/.tsv/.txt (optionally .gz/.bz2/.xz/.zip), .parquet or .npy")
    cmp.add_argument("y", help="second table, same formats; columns are matched by name")
    cmp.add_argument("--columns", default=None, help="comma-separated columns to compare (default: all)")
    cmp.add_argument(
        "--categorical",
        action="append",
        metavar="COL",
        help="a numeric column of codes, compared as a category (repeat it, or comma-separate the names)",
    )
    cmp.add_argument(
        "--correction",
        choices=CORRECTIONS,
        default=default["correction"],
        help="adjustment of the p-values: holm and maxT (family-wise error), bh and by (false discovery rate)",
    )
    cmp.add_argument("--alpha", type=float, default=default["alpha"], help="level of the family")
    cmp.add_argument(
        "--n-resamples", type=int, default=default["n_resamples"], help="Monte Carlo draws of each column's null"
    )
    cmp.add_argument(
        "--multivariate",
        choices=MULTIVARIATE,
        default=default["multivariate"],
        help="the test of the whole table: c2st-mixed, mmd-mixed or none",
    )
    cmp.add_argument("--seed", type=int, default=None, help="random seed (default: drawn, and printed)")
    cmp.add_argument("--out", default=None, metavar="DIR", help="folder for report.json and report.html")
    cmp.add_argument("--decimal", **_DECIMAL)
    cmp.add_argument("--fail-on-reject", action="store_true", help=_FAIL_ON_REJECT)
    cmp.add_argument(
        "--large",
        action="store_true",
        help="data of any size (twosample.scale.compare): X and Y are parquet files, directories or globs, read in "
        "two passes of summaries, never held in memory (--multivariate c2st runs the classifier test, mmd the RFF-MMD)",
    )
    cmp.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="with --large: a Dask scheduler to run the passes on"
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="twosample", description="Two-sample tests of H0: p = q.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    _add_test_parser(sub)
    _add_compare_parser(sub)
    sub.add_parser("list", help="list the available tests")
    pw = sub.add_parser("power", help="power and level curves of several tests on a scenario")
    pw.add_argument("--scenario", default="gaussian-laplace", help=f"one of: {', '.join(SCENARIOS)}")
    pw.add_argument("--tests", default="mean,meanvar,ks,energy,mmd,mmd-agg,c2st", help="comma-separated test names")
    pw.add_argument("--sizes", default="25,50,100,200,400", help="comma-separated sample sizes per sample")
    pw.add_argument("--reps", type=int, default=200, help="repetitions per cell")
    pw.add_argument("--alpha", type=float, default=0.05, help="level")
    pw.add_argument(
        "--n-resamples",
        type=int,
        default=None,
        help="relabellings per permutation test (default 199; only when every test has a permutation null)",
    )
    pw.add_argument("--seed", type=int, default=None, help="random seed (default: fresh entropy)")
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
    tests = {name: get_test(name) for name in names}
    sizes = _int_list(args.sizes, "--sizes")
    if args.reps < 1:
        raise _UsageError("--reps must be a positive integer")
    every_permutation = all(info.resampling for info in tests.values())
    if args.n_resamples is not None and not every_permutation:
        raise _UsageError("--n-resamples applies only when every test is a permutation test")
    extra = {"n_resamples": 199 if args.n_resamples is None else args.n_resamples} if every_permutation else {}
    df = power_curve(
        tests,
        scenario,
        sizes=sizes,
        reps=args.reps,
        alpha=args.alpha,
        rng=args.seed,
        n_jobs=args.n_jobs,
        progress=None,
        **extra,
    )
    path = write_power_report(
        df, args.out, title=scenario.description, description=f"{args.reps} repetitions per cell, alpha = {args.alpha}."
    )
    table = df.pivot_table(index=["kind", "test"], columns="n", values="power", sort=False)
    return table.to_string(float_format=lambda v: f"{v:.3f}") + f"\nwrote {path}"


def _label_samples(args, info) -> list:
    """The samples of a test of labels or of mixed tables: the files read as tables (strings and missing
    values kept); a test of one column of labels gets the one column `--columns` names (or the only one)."""
    columns = _names(args.columns)
    frames = [load_table(path, decimal=args.decimal) for path in (args.x, args.y, *args.more)]
    for path, frame in zip((args.x, args.y, *args.more), frames):
        absent = [c for c in columns if c not in frame.columns]
        if absent:
            raise _UsageError(f"--columns: {path} has no column {absent[0]!r}")
    frames = [frame[columns] if columns else frame for frame in frames]
    if info.multivariate:
        return frames
    if any(frame.shape[1] != 1 for frame in frames):
        raise _UsageError(f"{info.name} compares one column of labels; name it with --columns COLUMN")
    return [frame.iloc[:, 0] for frame in frames]


def _samples(args, info=None) -> list:
    """The samples: DataFrames (matched by column name) when every file names its columns."""
    if info is not None and info.kinds != ("numeric",):
        return _label_samples(args, info)
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    frames = [
        load_sample(path, columns=columns, frame=True, decimal=args.decimal) for path in (args.x, args.y, *args.more)
    ]
    if all(isinstance(c, str) for frame in frames for c in frame.columns):
        return [frames[0]] + [
            frame[list(frames[0].columns)] if set(frame.columns) == set(frames[0].columns) else frame
            for frame in frames[1:]
        ]
    return [frame.to_numpy() for frame in frames]


def _test_kwargs(info, args) -> dict:
    """Keyword arguments for the test from the command line, each checked against what the test takes."""
    accepted = inspect.signature(info.function).parameters
    kwargs = {"alpha": args.alpha, "rng": args.seed}
    if args.method is not None:
        if args.method not in info.methods:
            raise _UsageError(f"--method for {info.name} must be one of {', '.join(info.methods)}")
        if info.method_parameter is not None:
            kwargs[info.method_parameter] = args.method
    if args.alternative is not None:
        if args.alternative not in info.alternatives or info.alternatives == ("greater",):
            raise _UsageError(f"--alternative is not available for {info.name}")
        kwargs["alternative"] = args.alternative
    null = kwargs.get(info.method_parameter, info.methods[0])
    if args.n_resamples is not None:
        if not info.resampling or null not in ("auto", "permutation", "crossfit"):
            raise _UsageError(f"--n-resamples applies to permutation nulls; {info.name} with this method has none")
        kwargs["n_resamples"] = args.n_resamples
    for flag in _TEST_OPTIONS:
        keyword = flag.replace("-", "_")
        value = getattr(args, keyword)
        if value is None:
            continue
        if keyword not in accepted:
            raise _UsageError(f"--{flag} is not an option of {info.name}")
        kwargs[keyword] = _number_or_text(value) if flag == "bandwidth" else value
    return kwargs


def _number_or_text(value: str):
    try:
        return float(value)
    except ValueError:
        return value


def _run_test(args) -> Output:
    info = get_test(args.test)
    kwargs = _test_kwargs(info, args)
    k_sample = any(p.kind is p.VAR_POSITIONAL for p in inspect.signature(info.function).parameters.values())
    if args.more and not k_sample:
        raise _UsageError(f"{info.name} compares two samples; for more files use energy-k, mmd-k or ks-k")
    samples = _samples(args, info)
    with show_progress(None):
        result = info(*samples, **kwargs)
    text = json.dumps(result.to_dict(), indent=2, allow_nan=False) if args.json else str(result)
    return Output(text, status=int(args.fail_on_reject and result.reject))


def _names(values) -> list[str]:
    """Column names from comma-separated (and, for a repeated option, several) values."""
    values = [values] if isinstance(values, str) else values or []
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _run_compare(args) -> Output:
    """The table comparison: in memory, or on data of any size with --large (twosample.scale)."""
    if args.large:
        if args.decimal != ".":
            raise _UsageError("--decimal is for text files; --large reads parquet files")
        return _compare_output(args, _compare_large(args))
    if args.scheduler:
        raise _UsageError("--scheduler runs the passes of --large; add --large")
    x, y = (load_table(path, decimal=args.decimal) for path in (args.x, args.y))
    with show_progress(None):
        result = compare(x, y, **_compare_options(args))
    return _compare_output(args, result, x, y)


def _compare_options(args) -> dict:
    """The options both comparisons take, from the flags."""
    return dict(
        columns=_names(args.columns) or None,
        categorical=_names(args.categorical),
        correction=args.correction,
        alpha=args.alpha,
        n_resamples=args.n_resamples,
        multivariate=args.multivariate,
        rng=args.seed,
    )


def _compare_large(args):
    from twosample import scale

    if args.correction == "maxT":
        raise _UsageError("--correction maxT relabels every row at once and needs the rows in memory; drop --large")
    client = None
    if args.scheduler:
        Client = require("distributed").Client

        client = Client(args.scheduler)
    try:
        return scale.compare(args.x, args.y, client=client if client is not None else False, **_compare_options(args))
    finally:
        if client is not None:
            client.close()


def _compare_output(args, result, x=None, y=None) -> Output:
    """The table and the seed; with --out, report.json and report.html (figures when the rows are here)."""
    lines = [repr(result), f"seed {result.seed}   (--seed {result.seed} repeats this run)"]
    if args.out:
        labels = tuple(Path(path).name for path in (args.x, args.y))
        labels = (args.x, args.y) if labels[0] == labels[1] else labels
        path = write_table_report(result, x, y, args.out, title=f"{args.x} vs {args.y}", labels=labels)
        lines.append(f"wrote {path.parent / 'report.json'} and {path}")
    return Output("\n".join(lines), status=int(args.fail_on_reject and result.reject))


def _list_tests() -> str:
    """One row per registered test under a header, each column as wide as its longest entry."""
    rows = [("test", "samples", "nulls (--method)", "what it compares")]
    rows += [
        (info.name, "d >= 1" if info.multivariate else "1-D", ", ".join(info.methods), info.description)
        for info in TESTS.values()
    ]
    widths = [max(len(row[j]) for row in rows) for j in range(3)]
    return "\n".join("  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths)) + "  " + row[3] for row in rows)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _typed_names(parser: argparse.ArgumentParser | None, args) -> dict[str, str]:
    """What the user typed for each Python argument of the command: `alpha` -> --alpha, `x` -> its file."""
    if parser is None:
        return {}
    names = {"rng": "--seed"}
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for action in sub.choices[args.command]._actions:
        value = getattr(args, action.dest, None)
        if action.option_strings:
            names[action.dest] = max(action.option_strings, key=len)
        elif isinstance(value, str):
            names[action.dest] = f"`{value}`"
    return names


def _as_typed(message: str, names: dict[str, str]) -> str:
    """A library message in the command line's words: the flags and files typed instead of Python names."""
    if not names:
        return message
    message = re.sub(r" \(--[^()]* on the command line\)", "", message)
    return re.sub(r"`(\w+)=?`", lambda m: names.get(m.group(1), m.group(0)), message)


def run_command(prog: str, command, args, *, errors=(), parser=None) -> int:
    """Run ``command(args) -> str | Output`` as a command line does: print its output and return the exit status.

    Warnings become one line each on stderr (``prog: warning: ...``); any
    failure one line (``prog: error: ...``) and status 2, a closed output pipe
    (``... | head``) included. `errors` adds exception types whose message is
    shown as is (the others get their type's name in front). With the command's
    `parser`, the messages name the flags and files typed (``--alpha``, ``x.npy``)
    where the library names its arguments (`` `alpha` ``, `` `x` ``).
    """
    expected = (ValueError, TypeError, ImportError, _UsageError, OSError, FloatingPointError, MemoryError, *errors)
    names = _typed_names(parser, args)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = command(args)
            finally:
                for w in caught:
                    if issubclass(w.category, (UserWarning, RuntimeWarning)):
                        print(f"{prog}: warning: {_as_typed(_one_line(w.message), names)}", file=sys.stderr)
        out = out if isinstance(out, Output) else Output(out or "")
        if out.text:
            print(out.text, flush=True)
    except BrokenPipeError:  # the reader left: say so once, without a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"{prog}: error: the output pipe was closed", file=sys.stderr)
        return 2
    except expected as exc:
        print(f"{prog}: error: {_as_typed(_one_line(exc), names)}", file=sys.stderr)
        return 2
    except Exception as exc:  # anything else: still one line, with the exception's type for a report
        print(f"{prog}: error: unexpected {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return 2
    return out.status


def main(argv=None) -> int:
    """Entry point; returns the exit status (0; 1 for a rejection under --fail-on-reject; 2 with one line on stderr)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    commands = {"test": _run_test, "compare": _run_compare, "power": _run_power, "list": lambda _: _list_tests()}
    return run_command("twosample", commands[args.command], args, parser=parser)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
