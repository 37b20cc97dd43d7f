"""The ``gan`` command.

``gan train --data ring --objective js --steps N --out runs/NAME [--overwrite]``
``gan sample CHECKPOINT -n N --out samples.npy``
``gan objectives``
``gan audit CHECKPOINT_OR_ROWS --real-train A --real-test B --out report/ [--target COLUMN] [--fail-on-reject]``

A ``--data`` file with text, categories or missing values trains a table GAN (``gan sample`` then writes
rows with the table's columns); ``gan audit`` of such files is the audit of a synthetic table.

Bad input ends with one line on stderr and exit status 2; ``gan audit --fail-on-reject`` exits
with status 1 when the verdict rejects.
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from twosample import __version__
from twosample.app.cli import Output, Parser, run_command
from twosample.app.io import load_sample, save_sample
from twosample.core.progress import show_progress

from ..auditing import audit
from ..data import datasets
from ..model import objectives
from ..model.config import default_text
from ..model.gan import load
from ..training.callbacks import SPLIT_STEMS, SPLIT_SUFFIXES, split_file
from ..training.fit import train
from ..training.trainer import TrainingDiverged

__all__ = ["main"]


def _setting(parser, flag: str, text: str, **kwargs) -> None:
    """A gan.train setting as an option: left unset (None) it is the library's to decide, and its help
    says the library's default (:func:`gan.model.config.default_text`), so the two cannot disagree."""
    key = flag.lstrip("-").replace("-", "_")
    parser.add_argument(flag, default=None, help=f"{text} (default: {default_text(key)})", **kwargs)


# What a run writes to its directory (gan.training.callbacks, and the figures of _train): --overwrite
# deletes these, so that an old run's sample grids and TensorBoard events do not mix with the new run's.
_RUN_FILES = (
    "checkpoint.pt",
    "config.json",
    "history.csv",
    "losses.png",
    "samples.png",
    "critic_test.png",
    "samples",
    "tensorboard",
    *(f"{stem}{suffix}" for stem in SPLIT_STEMS for suffix in SPLIT_SUFFIXES),
)


def _add_train_parser(sub) -> None:
    tr = sub.add_parser("train", help="train a GAN; writes checkpoint.pt, history.csv and figures to --out")
    tr.add_argument(
        "--data",
        default="ring",
        help=f"one of {', '.join(datasets.names())}, or a .npy/.csv/.parquet file (a table GAN when it has "
        "text, categories or missing values)",
    )
    _setting(tr, "--objective", f"one of {', '.join(objectives.names())}")
    _setting(tr, "--steps", "training steps", type=int)
    _setting(tr, "--batch-size", "rows per minibatch", type=int)
    _setting(tr, "--lr", "learning rate", type=float)
    _setting(tr, "--critic-steps", "critic updates per generator update", type=int)
    _setting(tr, "--z-dim", "latent dimension", type=int)
    _setting(tr, "--lr-decay", "none or linear (to 0 at the last step)")
    _setting(tr, "--pack", "PacGAN packing", type=int)
    _setting(tr, "--standardize", "MLP networks on standardised rows", action=argparse.BooleanOptionalAction)
    tr.add_argument("--generator-loss", default=None, help="non-saturating or saddle (f-GANs)")
    _setting(tr, "--critic-lr", "the critic's learning rate", type=float)
    _setting(tr, "--ema", "generator's moving average", type=float)
    _setting(tr, "--iterates", "last iterates the trained GAN samples a mixture of", type=int)
    _setting(tr, "--r1-gamma", "R1 penalty on real rows (Mescheder et al.)", type=float)
    _setting(tr, "--r2-gamma", "R2 penalty on generated rows", type=float)
    _setting(tr, "--label-smoothing", "one-sided label smoothing (logistic critics)", type=float)
    _setting(tr, "--feature-matching", "weight of the feature-matching loss", type=float)
    _setting(tr, "--conditional", "conditional GAN on the data's class labels", action="store_true")
    tr.add_argument("--labels", default=None, help="class labels of --data's rows (.npy/.csv, one per row)")
    tr.add_argument("--seed", type=int, default=None, help="random seed (default: fresh entropy)")
    tr.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1 or mps")
    tr.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads while training (default: 1 for the small MLP networks, torch's own otherwise)",
    )
    tr.add_argument("--resume", default=None, help="checkpoint to continue from")
    tr.add_argument("--out", required=True, help="run directory (a new one, unless --overwrite or --resume)")
    tr.add_argument(
        "--overwrite",
        action="store_true",
        help=f"replace the run in --out: its files ({', '.join(_RUN_FILES)}) are deleted first, other files kept",
    )


def _build_parser():
    parser = Parser(prog="gan", description="Train GANs and sample from them.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    _add_train_parser(sub)
    sa = sub.add_parser("sample", help="draw samples from a checkpoint")
    sa.add_argument("checkpoint")
    sa.add_argument("-n", type=int, default=1000, help="rows to draw")
    sa.add_argument("--seed", type=int, default=None, help="random seed (default: fresh entropy)")
    sa.add_argument(
        "--out", default=None, help="output rows: .npy, .parquet, or .csv/.tsv/.txt (optionally .gz/.bz2/.xz/.zip)"
    )
    sa.add_argument("--labels", default=None, help="conditional models: one class for every row, or a .npy of labels")
    sa.add_argument("--grid", default=None, help="image models: also write a PNG grid of the first 64 rows")
    sub.add_parser("objectives", help="list the objectives and their defaults")
    au = sub.add_parser("audit", help="audit a frozen generator: a verdict with p-values; writes report.html")
    au.add_argument(
        "generated",
        help="a run directory (gan train --out: its checkpoint and the real rows it trained on and held out), "
        "a checkpoint (.pt) or generated rows (.npy/.csv/.parquet)",
    )
    au.add_argument(
        "--real-train", default=None, help="rows the generator was trained on (default: a run directory's own)"
    )
    au.add_argument("--real-test", default=None, help="held-out real rows (default: a run directory's own)")
    au.add_argument(
        "--labels",
        default=None,
        metavar="TRAIN,TEST",
        help="conditional models: the class labels of --real-train and --real-test (two .npy/.csv files), for "
        "a per-class audit (default: a conditional run directory's own)",
    )
    au.add_argument("--out", default=None, help="folder for report.html, audit.json and checks.csv")
    au.add_argument("-n", type=int, default=None, help="rows drawn from a checkpoint (default: as many as --real-test)")
    au.add_argument(
        "--alpha", type=float, default=_audit_default("alpha"), help="level of the battery (default: %(default)s)"
    )
    au.add_argument("--checks", default=None, help="comma-separated subset of the checks (default: all)")
    au.add_argument("--features", default=None, help="'digits' for the digits feature map (default: raw rows)")
    au.add_argument("--dataset", default=None, help="ring or grid: add the mode scores")
    au.add_argument(
        "--target", default=None, help="tables: the column to predict for the utility scores (train on synthetic)"
    )
    au.add_argument(
        "--power-reps",
        type=int,
        default=_audit_default("power_reps"),
        help="repetitions per size of the C2ST power curve (default: %(default)s)",
    )
    au.add_argument(
        "--power-n",
        type=int,
        default=_audit_default("power_n"),
        help="largest size a side of the power curve (default: %(default)s)",
    )
    au.add_argument(
        "--mmd-n",
        type=int,
        default=_audit_default("mmd_n"),
        help="rows a side the aggregated MMD sees (0: all; default: %(default)s)",
    )
    au.add_argument(
        "--test-space",
        choices=("data", "features"),
        default=_audit_default("test_space"),
        help="run the tests on the rows or on --features (default: %(default)s)",
    )
    au.add_argument("--json", action="store_true", help="print the report as strict JSON instead of a table")
    au.add_argument(
        "--fail-on-reject",
        action="store_true",
        help="exit status 1 when the verdict rejects, to gate a CI job on it (errors stay exit status 2)",
    )
    au.add_argument("--seed", type=int, default=None, help="random seed (default: fresh entropy)")
    return parser


def _audit_default(name: str):
    """gan.audit's default for `name`: the command line's audit options take theirs from the signature."""
    return inspect.signature(audit).parameters[name].default


def _train_options(args) -> dict:
    """gan.train's keyword arguments from the command line (options left unset keep train's defaults)."""
    options = dict(
        objective=args.objective,
        steps=args.steps,
        batch_size=args.batch_size,
        lr=args.lr,
        critic_lr=args.critic_lr,
        critic_steps=args.critic_steps,
        z_dim=args.z_dim,
        generator_loss=args.generator_loss,
        lr_decay=args.lr_decay,
        pack=args.pack,
        standardize=args.standardize,
        ema=args.ema,
        iterates=args.iterates,
        r1_gamma=args.r1_gamma,
        r2_gamma=args.r2_gamma,
        label_smoothing=args.label_smoothing,
        feature_matching=args.feature_matching,
        conditional=args.conditional,
        labels=None if args.labels is None else np.ravel(load_sample(args.labels)),
        rng=args.seed,
        device=args.device,
        out=args.out,
        resume=args.resume,
        threads=args.threads,
    )
    return {k: v for k, v in options.items() if v is not None or k in ("rng", "resume", "labels")}


def _check_run_directory(args) -> None:
    """A new run needs a folder without an earlier run's files: refuse one, or clear it under --overwrite."""
    out = Path(args.out)
    found = [name for name in _RUN_FILES if (out / name).exists()] if out.is_dir() else []
    continuing = args.resume is not None and Path(args.resume).resolve().parent == out.resolve()
    if not found or continuing:
        return
    if not args.overwrite:
        raise ValueError(
            f"--out {args.out} already holds a run ({', '.join(found)}); give a new folder, --overwrite to "
            f"replace it, or --resume {out / 'checkpoint.pt'} to continue it."
        )
    for name in found:
        (shutil.rmtree if (out / name).is_dir() else Path.unlink)(out / name)


def _train(args):
    _check_run_directory(args)
    import matplotlib

    matplotlib.use("Agg")
    from ..training.plotting import plot_critic_test, plot_losses, plot_samples

    model = train(args.data, **_train_options(args))
    out = Path(args.out)
    for name, fig in (
        ("losses.png", plot_losses(model.history)),
        ("samples.png", plot_samples(model)),
        ("critic_test.png", plot_critic_test(model.history, alpha=model.config["alpha"])),
    ):
        fig.savefig(out / name, dpi=110)
    last = model.history.dropna(subset=["pvalue"]).iloc[-1]
    print(
        f"trained {model.objective.name} on {model.config['data']} for {model.config['steps']} steps; "
        f"final critic p-value {last.pvalue:.3g}; wrote {out / 'checkpoint.pt'}"
    )


def _sample_labels(value, n):
    if value is None:
        return None
    if Path(value).suffix in (".npy", ".csv", ".txt"):
        labels = np.ravel(load_sample(value))
        if not np.array_equal(labels, np.round(labels)):
            raise ValueError(
                f"--labels: {value} must hold whole class numbers; it holds {labels[labels != np.round(labels)][0]!r}."
            )
        return labels.astype(int)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"--labels must be a class number or a .npy/.csv file of {n} labels, got {value!r}.") from None


def _sample(args):
    if args.out is None and args.grid is None:
        raise ValueError("give --out (rows as .npy or .csv) or --grid (a PNG of images), or both.")
    model = load(args.checkpoint)
    rows = model.sample(args.n, rng=args.seed, labels=_sample_labels(args.labels, args.n))
    if args.out is not None:  # in the formats the readers take (twosample.app.io), checked before writing
        print(f"wrote {len(rows)} samples to {save_sample(args.out, rows)}")
    if args.grid is not None:
        from ..training.plotting import save_image_grid

        shape = model.config.get("image_shape")
        if shape is None:
            raise ValueError("--grid is for image models; this checkpoint's rows are not images.")
        print(f"wrote a grid of {min(len(rows), 64)} images to {save_image_grid(rows[:64], shape, args.grid)}")


def _audit_inputs(args):
    """(generated, real_train, real_test, labels) from the command line: a run directory fills in what is not given."""
    run = Path(args.generated)
    labels = None
    if args.labels is not None:
        files = [f.strip() for f in args.labels.split(",")]
        if len(files) != 2 or not all(files):
            raise ValueError(
                f"--labels takes two files, TRAIN,TEST (labels of --real-train, --real-test); got {args.labels!r}"
            )
        labels = tuple(np.ravel(load_sample(f)) for f in files)
    if not run.is_dir():
        if args.real_train is None or args.real_test is None:
            raise ValueError(
                "--real-train and --real-test are needed unless GENERATED is a run directory (gan train --out)"
            )
        return args.generated, args.real_train, args.real_test, labels
    if not (run / "checkpoint.pt").exists():
        raise ValueError(f"{run} has no checkpoint.pt: give the --out folder of gan train, or a checkpoint file")
    real_train = args.real_train or split_file(run, "train_rows")
    real_test = args.real_test or split_file(run, "heldout_rows")
    if real_train is None or real_test is None:
        raise ValueError(
            f"{run} holds no train_rows/heldout_rows (a run from before they were written): pass "
            "--real-train and --real-test"
        )
    if labels is None and args.real_train is None and split_file(run, "train_labels") is not None:
        labels = tuple(np.load(split_file(run, stem)) for stem in ("train_labels", "heldout_labels"))
    return str(run / "checkpoint.pt"), str(real_train), str(real_test), labels


def _audit(args) -> Output:
    import matplotlib

    matplotlib.use("Agg")
    checks = [c.strip() for c in args.checks.split(",") if c.strip()] if args.checks else None
    generated, real_train, real_test, labels = _audit_inputs(args)
    report = audit(
        generated,
        real_train,
        real_test,
        labels=labels,
        alpha=args.alpha,
        n=args.n,
        checks=checks,
        features=args.features,
        dataset=args.dataset,
        target=args.target,
        power_reps=args.power_reps,
        power_n=args.power_n,
        mmd_n=args.mmd_n or None,
        test_space=args.test_space,
        rng=args.seed,
    )
    print(report.to_json() if args.json else report, flush=True)  # before the files: shown even if they fail
    text = f"wrote {report.to_html(args.out)}" if args.out is not None else ""
    # a verdict either way is a successful run (exit 0, as the twosample command), unless --fail-on-reject
    return Output(text, status=int(args.fail_on_reject and report.reject))


def _critic_text(row) -> str:
    """How an objective's critic is built and kept in bounds, in words ("none" without a critic)."""
    if not row.critic:
        return "none (the MMD of the raw rows)"
    lipschitz = {
        "clip": f"weights clipped at {row.clip:g}",
        "gp": f"gradient penalty {row.gp_weight:g}",
        "sn": "spectral norm",
    }
    parts = ["network", lipschitz.get(row.lipschitz, "")]
    parts += [
        f"{row.features} features" if row.features > 1 else "",
        "" if pd.isna(row.critic_cap) else f"capped at {row.critic_cap:g}",
    ]
    return ", ".join(part for part in parts if part)


def _objectives(_args) -> str:
    """One readable row per objective: what it minimises, its critic and its optimiser defaults ("-": none)."""
    rows = [("objective", "family", "divergence", "generator loss", "critic", "optimiser", "critic steps")]
    for row in objectives.objective_table().itertuples(index=False):
        optimiser = f"{row.optimizer}, lr {row.lr:g}" + (f", betas {row.betas}" if row.betas else "")
        cells = (
            row.name,
            row.family,
            row.divergence,
            row.generator_loss,
            _critic_text(row),
            optimiser,
            row.critic_steps,
        )
        rows.append(tuple("-" if pd.isna(cell) else str(cell) for cell in cells))
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(f"{c:<{w}}" for c, w in zip(r, widths)) + "  " + r[-1] for r in rows)


def main(argv=None) -> int:
    """Entry point; returns the exit status (0; 1 for a rejection under --fail-on-reject; 2 with one line on stderr)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    commands = {"train": _train, "sample": _sample, "audit": _audit, "objectives": _objectives}
    errors = (FileNotFoundError, TrainingDiverged)
    with show_progress(None):  # bars on a terminal, for training and for the audit's long checks
        return run_command("gan", commands[args.command], args, errors=errors, parser=parser)


if __name__ == "__main__":
    sys.exit(main())
