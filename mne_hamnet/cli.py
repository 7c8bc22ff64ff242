"""The ``mne-hamnet`` command line: ``mne-hamnet benchmark``."""

import argparse
import logging
import os
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

from . import __version__
from ._logging import logger
from .evaluation import PROTOCOLS
from .pipelines import CORE_PIPELINES, PAPER_ACCURACY, PAPER_ONLY_ACCURACY, PIPELINE_NAMES

# The simulated data set of a default run, and the HAMNet training that fits
# the whole benchmark (4 protocols x 4 pipelines, 408 folds) in about 2 to 3
# minutes on 2 idle CPU cores, leaving room under 10 minutes for busy ones.
# Few epochs need faster learning rates than the paper's.
SIMULATED = dict(n_subjects=3, n_sessions=3, trial_seconds=8.0)
SIMULATED_TRAINING = dict(
    pretrain_epochs=60, finetune_epochs=30, pretrain_lr=3e-3, finetune_lr=1e-3
)
# --quick: a smoke test of every step, in well under a minute.
QUICK = dict(n_subjects=2, n_sessions=2, trial_seconds=1.0)
QUICK_TRAINING = dict(pretrain_epochs=2, finetune_epochs=1, pretrain_lr=3e-3, finetune_lr=1e-3)
QUICK_SEED_SUBJECTS = 2
QUICK_SPLITS = 2
# The paper's training, the default on SEED.
PAPER_TRAINING = dict(
    pretrain_epochs=800, finetune_epochs=600, pretrain_lr=1e-4, finetune_lr=5e-5
)

PROTOCOL_TITLES = {
    "paper": "Paper protocol*",
    "trialwise": "Trial-wise",
    "cross-session": "Cross-session",
    "cross-subject": "Cross-subject",
}
FEATURES = {
    "HAMNet": "raw EEG",
    "HAMNet-pretrain": "raw EEG",
    "DE+SVM": "DE",
    "DASM+SVM": "DASM",
    "ShallowFBCSPNet": "raw EEG",
    "EEGNet": "raw EEG",
}
PAPER_ONLY_FEATURES = {"DBN (DE)": "DE", "BiHDM": "raw EEG", "4D-ANN": "raw EEG"}
OUTPUTS = ("results.csv", "table.md", "per_subject.png")


class UsageError(Exception):
    """A bad command-line value; reported in one line with exit status 2."""


def main(argv=None):
    """Run the ``mne-hamnet`` command line.

    Parameters
    ----------
    argv : list of str | None, default=None
        The arguments, without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 2 for bad input (after a one-line message on stderr).
    """
    parser = _make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    with _console_logging(args.verbose):
        try:
            return _benchmark(args)
        except UsageError as err:
            print(f"mne-hamnet benchmark: error: {err}", file=sys.stderr)
            return 2


def _make_parser():
    parser = argparse.ArgumentParser(
        prog="mne-hamnet",
        description="HAMNet for EEG emotion classification.",
    )
    parser.add_argument("--version", action="version", version=f"mne-hamnet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    bench = commands.add_parser(
        "benchmark",
        help="cross-validate HAMNet and the baselines under several protocols",
        description=(
            "Cross-validate HAMNet and its baselines with MOABB and write results.csv "
            "(one row per fold), table.md (mean ± std per pipeline and protocol) and "
            "per_subject.png to --out. With no arguments it runs on simulated "
            "SEED-format data. Finished folds are cached in OUT/fold_cache: running "
            "the same command again skips them."
        ),
    )
    bench.add_argument(
        "--dataset", choices=("simulated", "seed"), default="simulated",
        help="simulated SEED-format data (the default), or a local copy of SEED (see "
        "--path)",
    )
    bench.add_argument(
        "--path", default=None,
        help="the SEED folder ('Preprocessed_EEG' or the folder holding it); default: "
        "the MNE config key MNE_DATASETS_SEED_PATH. With --dataset simulated: a "
        "folder to write the simulated data to (default: a temporary folder)",
    )
    bench.add_argument(
        "--protocol", nargs="+", default=list(PROTOCOLS), metavar="PROTOCOL",
        help=f"one or more of {', '.join(PROTOCOLS)} (default: all)",
    )
    bench.add_argument(
        "--pipelines", nargs="+", default=None, metavar="NAME",
        help=f"one or more of {', '.join(PIPELINE_NAMES)} (default: "
        f"{' '.join(CORE_PIPELINES)}; the braindecode ones need its extra)",
    )
    bench.add_argument(
        "--subjects", nargs="+", type=int, default=None, metavar="N",
        help="the subjects to use (default: all)",
    )
    bench.add_argument(
        "--n-splits", type=int, default=None,
        help="folds per session of the paper and trial-wise protocols (default: 5, "
        f"{QUICK_SPLITS} with --quick)",
    )
    bench.add_argument(
        "--pretrain-epochs", type=int, default=None,
        help="HAMNet's pretraining epochs (default: "
        f"{SIMULATED_TRAINING['pretrain_epochs']} on simulated data, "
        f"{PAPER_TRAINING['pretrain_epochs']} on SEED)",
    )
    bench.add_argument(
        "--finetune-epochs", type=int, default=None,
        help="HAMNet's finetuning epochs (default: "
        f"{SIMULATED_TRAINING['finetune_epochs']} on simulated data, "
        f"{PAPER_TRAINING['finetune_epochs']} on SEED)",
    )
    bench.add_argument(
        "--device", default="auto",
        help="'auto' (the default: CUDA when available), 'cpu' or 'cuda[:N]'",
    )
    bench.add_argument(
        "--n-jobs", type=int, default=None,
        help="folds run at the same time: worker processes on this machine (default: "
        "one per CPU core, each fold on one thread, when training on the CPU; 1 on a "
        "GPU or with --quick), or tasks on the --scheduler's cluster (default: one per "
        "worker thread)",
    )
    bench.add_argument(
        "--scheduler", default=None, metavar="ADDRESS",
        help="a dask scheduler address (tcp://host:8786): run every fold on that "
        "cluster (needs the 'distributed' extra)",
    )
    bench.add_argument(
        "--out", default="mne-hamnet-benchmark", metavar="DIR",
        help="the output folder (default: ./mne-hamnet-benchmark)",
    )
    bench.add_argument(
        "--random-state", type=int, default=0,
        help="seeds the simulated data, the fold shuffles and the classifiers "
        "(default: 0)",
    )
    bench.add_argument(
        "--quick", action="store_true",
        help=f"a smoke test: {QUICK_TRAINING['pretrain_epochs']} + "
        f"{QUICK_TRAINING['finetune_epochs']} epochs, {QUICK_SEED_SUBJECTS} subjects, "
        f"{QUICK_SPLITS} folds per session (and short simulated trials)",
    )
    bench.add_argument(
        "--no-cache", action="store_true",
        help="run every fold again, ignoring and not writing OUT/fold_cache",
    )
    bench.add_argument(
        "-v", "--verbose", action="store_true", help="log everything, not only the progress"
    )
    return parser


class _ProgressFilter(logging.Filter):
    """Pass the benchmark's own messages: progress, skipped folds, settings."""

    modules = ("cli", "evaluation", "_distributed")

    def filter(self, record):
        return record.levelno >= logging.WARNING or record.module in self.modules


@contextmanager
def _console_logging(verbose):
    """Show the package's log on stdout while the command runs."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    if not verbose:
        handler.addFilter(_ProgressFilter())
    level = logger.level
    logger.addHandler(handler)
    if level == logging.NOTSET or level > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _benchmark(args):
    from .evaluation import DataError, check_protocols, check_subjects, evaluate
    from .pipelines import make_pipelines

    training = _training(args)
    n_splits = args.n_splits
    if n_splits is None:
        n_splits = QUICK_SPLITS if args.quick else 5
    if n_splits < 2:
        raise UsageError(f"--n-splits must be at least 2, but got {n_splits}.")
    if args.n_jobs is not None and (args.n_jobs == 0 or args.n_jobs < -1):
        raise UsageError(f"--n-jobs must be a positive number or -1, but got {args.n_jobs}.")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder.")
    if args.scheduler is not None:
        from ._distributed import check_scheduler

        try:
            check_scheduler(args.scheduler)
        except (ValueError, ImportError, OSError) as err:
            raise UsageError(_cli_message(err)) from None
    else:
        # on a cluster, each worker resolves the device where it runs
        from .classifier import resolve_device

        try:
            device = resolve_device(args.device)
        except (ValueError, RuntimeError) as err:
            raise UsageError(_cli_message(err)) from None
        if args.n_jobs is None:
            # one single-threaded process per core beats one process with a
            # thread per core for these small networks, and stays fast when
            # other programs share the cores; --quick is too short to pay
            # for starting the processes
            args.n_jobs = _usable_cores() if device == "cpu" and not args.quick else 1
    with ExitStack() as stack:
        dataset = _dataset(args, stack)
        subjects = args.subjects
        if subjects is None and args.quick:
            subjects = list(dataset.subject_list)[:QUICK_SEED_SUBJECTS]
        try:
            subjects = check_subjects(dataset, subjects)
            protocols = check_protocols(dataset, args.protocol, subjects)
            pipelines = make_pipelines(
                list(CORE_PIPELINES) if args.pipelines is None else args.pipelines,
                device=args.device,
                random_state=args.random_state,
                **training,
            )
        except (ValueError, TypeError, ImportError) as err:
            raise UsageError(_cli_message(err)) from None

        logger.info(
            "Benchmark: %s, subjects %s; protocols %s; pipelines %s",
            dataset.code if args.dataset == "seed" else "simulated SEED-format data",
            subjects, ", ".join(protocols), ", ".join(pipelines),
        )
        logger.info(
            "HAMNet: %d pretraining + %d finetuning epochs, learning rates %g and %g; "
            "%d folds per session; random state %s; device %s; n_jobs %s%s",
            training["pretrain_epochs"], training["finetune_epochs"],
            training["pretrain_lr"], training["finetune_lr"], n_splits, args.random_state,
            args.device, "auto" if args.n_jobs is None else args.n_jobs,
            f"; scheduler {args.scheduler}" if args.scheduler else "",
        )
        out.mkdir(parents=True, exist_ok=True)
        t_start = time.perf_counter()
        try:
            results = evaluate(
                pipelines,
                dataset,
                protocol=protocols,
                subjects=subjects,
                n_splits=n_splits,
                random_state=args.random_state,
                n_jobs=args.n_jobs,
                scheduler=args.scheduler,
                cache_dir=None if args.no_cache else out / "fold_cache",
            )
        except DataError as err:
            # a bad file found while reading (e.g. a trial of the wrong shape)
            raise UsageError(_cli_message(err)) from None
    settings = _describe_settings(args, subjects, training)
    write_outputs(results, out, dataset=args.dataset, settings=settings)
    logger.info(
        "Done in %.0f s. Wrote %s to %s",
        time.perf_counter() - t_start, ", ".join(OUTPUTS), out,
    )
    print(summary_table(results, dataset=args.dataset))
    return 0


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _cli_message(err):
    """The error's message on one line."""
    return " ".join(str(err).split())


def _training(args):
    if args.dataset == "seed":
        training = dict(PAPER_TRAINING)
    else:
        training = dict(SIMULATED_TRAINING)
    if args.quick:
        training = dict(QUICK_TRAINING)
    for name, value in (
        ("pretrain_epochs", args.pretrain_epochs),
        ("finetune_epochs", args.finetune_epochs),
    ):
        if value is not None:
            minimum = 1 if name == "pretrain_epochs" else 0
            if value < minimum:
                flag = "--" + name.replace("_", "-")
                raise UsageError(f"{flag} must be at least {minimum}, but got {value}.")
            training[name] = value
    return training


def _dataset(args, stack):
    """Return the SEED data set named by the arguments, simulating it if asked."""
    from .datasets import SEED, simulate_seed

    if args.dataset == "seed":
        try:
            return SEED(args.path)
        except (ValueError, FileNotFoundError, TypeError) as err:
            raise UsageError(_cli_message(err)) from None
    sizes = QUICK if args.quick else SIMULATED
    if args.path is None:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mne-hamnet-")))
    else:
        folder = Path(args.path)
    if folder.is_dir() and any(folder.glob("*.mat")):
        logger.info("Reading the simulated data already in %s", folder)
    else:
        t_start = time.perf_counter()
        simulate_seed(folder, random_state=args.random_state, **sizes)
        logger.info(
            "Simulated %d subjects x %d sessions x 15 trials of %g s in %s (%.1f s)",
            sizes["n_subjects"], sizes["n_sessions"], sizes["trial_seconds"], folder,
            time.perf_counter() - t_start,
        )
    try:
        return SEED(folder)
    except (ValueError, FileNotFoundError) as err:
        raise UsageError(_cli_message(err)) from None


def _describe_settings(args, subjects, training):
    if args.dataset == "seed":
        data = f"SEED, subjects {', '.join(map(str, subjects))}"
    else:
        sizes = QUICK if args.quick else SIMULATED
        data = (
            f"simulated SEED-format data ({sizes['n_subjects']} subjects x "
            f"{sizes['n_sessions']} sessions x 15 trials of {sizes['trial_seconds']:g} s, "
            f"random state {args.random_state})"
        )
        if args.subjects is not None:
            data += f", subjects {', '.join(map(str, subjects))}"
    return (
        f"Data: {data}; 1 s windows. HAMNet trained for {training['pretrain_epochs']} + "
        f"{training['finetune_epochs']} epochs (learning rates {training['pretrain_lr']:g} "
        f"and {training['finetune_lr']:g}); random state {args.random_state}."
    )


def subject_scores(results):
    """Mean score per protocol, pipeline, subject and session.

    Folds of a session are averaged first, so that every subject and session
    weighs the same whatever its number of folds.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.

    Returns
    -------
    scores : pandas.DataFrame
        Columns ``protocol``, ``pipeline``, ``subject``, ``session``, ``score``.
    """
    keys = ["protocol", "pipeline", "subject", "session"]
    return results.groupby(keys, sort=False)["score"].mean().reset_index()


def summary_table(results, dataset="simulated", settings=None):
    """Format the results as a Markdown table like the paper's Table 1.

    Rows are pipelines, columns protocols; each cell is the accuracy in %,
    mean ± standard deviation over subjects x sessions (folds of a session
    averaged first). For SEED, a column gives the paper's number beside ours,
    and rows list the paper's other methods.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.
    dataset : {"simulated", "seed"}, default="simulated"
        The data set the results come from.
    settings : str | None, default=None
        A line describing the run, printed above the table.

    Returns
    -------
    table : str
        The Markdown text.
    """
    scores = subject_scores(results)
    protocols = [p for p in PROTOCOLS if p in set(results["protocol"])]
    pipelines = list(dict.fromkeys(results["pipeline"]))
    with_paper = dataset == "seed"
    header = ["Method", "Feature"] + [PROTOCOL_TITLES[p] for p in protocols]
    if with_paper:
        header.append("Paper (SEED)†")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    for name in pipelines:
        cells = [name, FEATURES.get(name, "")]
        for protocol in protocols:
            values = scores.loc[
                (scores["protocol"] == protocol) & (scores["pipeline"] == name), "score"
            ].to_numpy(dtype=float)
            cells.append(_mean_std(values))
        if with_paper:
            paper = PAPER_ACCURACY.get(name)
            cells.append("—" if paper is None else f"{paper:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    if with_paper:
        for name, paper in PAPER_ONLY_ACCURACY.items():
            cells = [name, PAPER_ONLY_FEATURES[name]] + ["—"] * len(protocols)
            lines.append("| " + " | ".join(cells + [f"{paper:.2f}"]) + " |")
    text = ["# mne-hamnet benchmark", ""]
    if settings:
        text += [settings, ""]
    text += [
        "Accuracy (%), mean ± standard deviation over subjects × sessions (the "
        "folds of a session are averaged first).",
        "",
        *lines,
        "",
    ]
    if "paper" in protocols:
        text.append(
            "\\* The paper's protocol (per session, stratified k-fold cross-validation over "
            "shuffled 1 s windows, k = 5 in the paper) **leaks**: windows of one trial "
            "fall on both sides of each split, and neighbouring seconds of a trial are "
            "nearly alike. It is shown for "
            "comparison with the paper; the trial-wise protocol (folds grouped by trial) "
            "is its leakage-safe counterpart."
        )
    if with_paper:
        text.append(
            "\n† The HAMNet paper's Table 1 and §4.3, on SEED with its (leaky) protocol; "
            "HAMNet-pretrain is its 93.53 % ablation after stage 1. The SVM of Table 1 "
            "is one number for DE (and DASM) features."
        )
    else:
        text.append(
            "\nThe data are simulated: the paper's SEED numbers (HAMNet 96.45 %, "
            "pretraining only 93.53 %, SVM on DE 84.22 %) do not apply to them."
        )
    return "\n".join(text) + "\n"


def _mean_std(values):
    if len(values) == 0:
        return "—"
    mean = 100 * np.mean(values)
    if len(values) < 2:
        return f"{mean:.2f}"
    return f"{mean:.2f} ± {100 * np.std(values, ddof=1):.2f}"


def plot_per_subject(results, fname=None):
    """Plot the accuracy per subject and pipeline, one panel per protocol.

    Like Fig. 3 of the HAMNet paper: grouped bars, one group per subject
    (sessions and folds averaged), one bar per pipeline.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.
    fname : path-like | None, default=None
        Where to save the figure as PNG; None only returns it.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    """
    # Figure + the Agg canvas directly: no pyplot, so no global backend state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    scores = subject_scores(results)
    per_subject = scores.groupby(["protocol", "pipeline", "subject"], sort=False)["score"].mean()
    protocols = [p for p in PROTOCOLS if p in set(results["protocol"])]
    pipelines = list(dict.fromkeys(results["pipeline"]))
    subjects = sorted(set(results["subject"]), key=_subject_key)
    width = 0.8 / len(pipelines)
    n_classes = int(results["n_classes"].max()) if "n_classes" in results else 0
    fig = Figure(figsize=(max(4.0, 1.0 + 0.5 * len(subjects) * len(pipelines) ** 0.5)
                          * len(protocols), 3.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(protocols), sharey=True, squeeze=False)[0]
    x = np.arange(len(subjects))
    for ax, protocol in zip(axes, protocols):
        for k, name in enumerate(pipelines):
            heights = [
                100 * per_subject.get((protocol, name, subject), np.nan) for subject in subjects
            ]
            ax.bar(x + (k - (len(pipelines) - 1) / 2) * width, heights, width, label=name)
        ax.set_xticks(x, [str(s) for s in subjects])
        ax.set_xlabel("Subject")
        ax.set_title(PROTOCOL_TITLES[protocol].rstrip("*") + (" (leaks)" if protocol == "paper"
                                                              else ""))
        if n_classes:
            ax.axhline(100 / n_classes, color="0.3", linestyle="--", linewidth=1, label="chance")
        ax.set_ylim(0, 100)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("Accuracy (%)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", fontsize="small")
    if fname is not None:
        fig.savefig(fname, dpi=120)
    return fig


def _subject_key(subject):
    try:
        return (0, int(subject))
    except (TypeError, ValueError):
        return (1, str(subject))


def write_outputs(results, out, dataset="simulated", settings=None):
    """Write ``results.csv``, ``table.md`` and ``per_subject.png`` to a folder.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.
    out : path-like
        The folder, created if needed.
    dataset : {"simulated", "seed"}, default="simulated"
        The data set, for the paper's column of the table.
    settings : str | None, default=None
        A line describing the run, written above the table.

    Returns
    -------
    paths : list of pathlib.Path
        The three files.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in OUTPUTS]
    results.to_csv(paths[0], index=False)
    paths[1].write_text(summary_table(results, dataset, settings), encoding="utf-8")
    plot_per_subject(results, paths[2])
    return paths

