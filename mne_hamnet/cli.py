"""The ``mne-hamnet`` command line: ``mne-hamnet benchmark`` and ``mne-hamnet check-dataset``."""

import argparse
import logging
import os
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from ._cli_errors import UsageError, _cli_message
from ._cli_online import add_online_commands
from ._logging import PROGRESS_LOGGER, logger
from ._paper import PAPER_TRAINING
from .pipelines import (  # noqa: F401 (the paper's accuracies, importable from here)
    BUDGETS,
    CORE_PIPELINES,
    MAJORITY_PIPELINE,
    PAPER_ACCURACY,
    PAPER_ONLY_ACCURACY,
    PIPELINE_NAMES,
)
from .protocols import PROTOCOLS

# The results table and figure moved to mne_hamnet.report; their old names
# stay importable from here.
from .report import (  # noqa: F401
    FEATURES,
    OUTPUTS,
    PAPER_ONLY_FEATURES,
    plot_per_subject,
    subject_scores,
    summary_table,
    write_outputs,
)

progress = logging.getLogger(PROGRESS_LOGGER)

# The HAMNet training that fits the whole default benchmark on simulated data
# (5 protocols x 4 pipelines) in a few minutes on 2 idle CPU cores. Few
# epochs need faster learning rates than the paper's.
SIMULATED_TRAINING = dict(
    pretrain_epochs=60, finetune_epochs=30, pretrain_lr=3e-3, finetune_lr=1e-3
)
# --quick: a smoke test of every step, in well under a minute.
QUICK_TRAINING = dict(pretrain_epochs=2, finetune_epochs=1, pretrain_lr=3e-3, finetune_lr=1e-3)
QUICK_SUBJECTS = QUICK_SEED_SUBJECTS = 2
QUICK_SPLITS = 2
#: The paradigm of MOABB data sets when --paradigm is not given.
DEFAULT_MOABB_PARADIGM = "LeftRightImagery"
# HAMNet's band preset for MOABB's motor-imagery data.
MOABB_BAND_PRESET = "mu-beta"
# The old table titles, by protocol (now records of mne_hamnet.protocols).
# Seeds go to numpy's legacy RandomState (MOABB's splitters), which takes 32 bits.
MAX_SEED = 2**32 - 1


def main(argv=None):
    """Run the ``mne-hamnet`` command line.

    Parameters
    ----------
    argv : list of str | None, default=None
        The arguments, without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 2 for bad input or a missing command (after a message
        on stderr), 130 when interrupted by Ctrl-C.
    """
    parser = _make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        # a command is required: a script that forgot it must not pass
        parser.print_help(sys.stderr)
        print("mne-hamnet: error: a command is required (benchmark or check-dataset).",
              file=sys.stderr)
        return 2
    run = _benchmark if args.command == "benchmark" else _check_dataset
    run = getattr(args, "run_command", run)  # the online and play commands
    with _console_logging(args.verbose):
        try:
            _check_paths(args)
            return run(args)
        except UsageError as err:
            print(f"mne-hamnet {args.command}: error: {err}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"mne-hamnet {args.command}: interrupted{_resume_hint(args)}",
                  file=sys.stderr)
            return 130  # 128 + SIGINT, as a shell reports a program stopped by Ctrl-C


def _resume_hint(args):
    if args.command != "benchmark" or args.no_cache:
        return "."
    cache = Path(args.out).resolve() / "fold_cache"
    return (f"; the folds that finished are cached in {cache}: run the same command "
            "again to run only the others.")


def _check_paths(args):
    """Expand ``~`` in the path arguments (quoted, no shell did) and refuse empty ones."""
    from ._check import _check_path

    for name in ("out", "path"):
        value = getattr(args, name, None)
        if value is not None:
            try:
                setattr(args, name, _check_path(value, f"--{name}"))
            except ValueError as err:
                raise UsageError(_cli_message(err)) from None


def _dataset_names():
    from .datasets import DATASETS

    return sorted(DATASETS)


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
            "Cross-validate HAMNet, its baselines and the majority class with MOABB and "
            "write results.csv (one row per fold: accuracy, balanced accuracy, macro-F1, "
            "ROC AUC for two classes, the epochs kept), table.md (mean ± std per pipeline "
            "and protocol, the chance levels, every score and the mean fit time per fold), "
            "per_subject.png, stats.md and paired_differences.png (HAMNet against each "
            "pipeline, paired) to --out. With no "
            "arguments it runs on simulated SEED-format data. Finished folds are "
            "cached in OUT/fold_cache: running the same command again skips them."
        ),
    )
    bench.add_argument(
        "--dataset", default=None, metavar="NAME",
        help=f"one of {', '.join(_dataset_names())} (read from --path or the MNE "
        "config key; with --simulated, simulated in its format), or the name of a "
        "moabb.datasets class such as PhysionetMI, BNCI2014_001, Cho2017 or Lee2019_MI "
        "(downloaded by MOABB, or read offline from MNE's data folder). Default: "
        "simulated SEED-format data ('simulated' is the same)",
    )
    bench.add_argument(
        "--simulated", action="store_true",
        help="simulate the --dataset's format instead of reading it (the default "
        "without --dataset)",
    )
    bench.add_argument(
        "--paradigm", default=None, metavar="NAME",
        help="for a MOABB data set: a moabb.paradigms class (default: "
        f"{DEFAULT_MOABB_PARADIGM}, left vs right hand imagery)",
    )
    bench.add_argument(
        "--path", default=None,
        help="the data set's folder (for SEED: 'Preprocessed_EEG' or the folder holding "
        "it); default: its MNE config key, e.g. MNE_DATASETS_SEED_PATH. With simulated "
        "data: a folder to write them to (default: a temporary folder)",
    )
    bench.add_argument(
        "--protocol", nargs="+", default=None, metavar="PROTOCOL",
        help=f"one or more of {', '.join(PROTOCOLS)} (default: all that the data set "
        "allows: cross-session needs 2 sessions, cross-subject 2 subjects, chronological "
        "a recording order)",
    )
    bench.add_argument(
        "--pipelines", nargs="+", default=None, metavar="NAME",
        help=f"one or more of {', '.join(PIPELINE_NAMES)} (default: "
        f"{' '.join(CORE_PIPELINES)}; the braindecode ones need its extra). "
        f"'{MAJORITY_PIPELINE}', the trivial baseline, is always added",
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
        f"{SIMULATED_TRAINING['pretrain_epochs']} on simulated data, the paper's "
        f"{PAPER_TRAINING['pretrain_epochs']} on real data)",
    )
    bench.add_argument(
        "--finetune-epochs", type=int, default=None,
        help="HAMNet's finetuning epochs (default: "
        f"{SIMULATED_TRAINING['finetune_epochs']} on simulated data, the paper's "
        f"{PAPER_TRAINING['finetune_epochs']} on real data)",
    )
    bench.add_argument(
        "--budget", choices=BUDGETS, default=None,
        help="how long the networks train. 'early': the epochs above are maxima; every "
        "network (HAMNet, HAMNet-pretrain, the braindecode ones) holds out the last "
        "10%% of each class's training trials, stops once their validation loss has not "
        "decreased for 100 epochs and keeps its best epoch. 'fixed': exactly those "
        "epochs, as the paper trains (--budget fixed on real data is the paper's "
        "protocol as published: 800 + 600 epochs). Default: early on real data, fixed "
        "on simulated data and with --quick",
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
        help="seeds the simulated data, the fold shuffles and the classifiers: an int "
        f"from 0 to {MAX_SEED} (default: 0)",
    )
    bench.add_argument(
        "--seeds", nargs="+", type=int, default=None, metavar="SEED",
        help="run each network once per seed (its random state), on the same folds; "
        "the table gives the spread over seeds beside the spread over subjects. "
        "Deterministic pipelines (the SVMs, CSP+LDA, the majority class) run once "
        "(default: one run, seeded by --random-state)",
    )
    bench.add_argument(
        "--quick", action="store_true",
        help=f"a smoke test: {QUICK_TRAINING['pretrain_epochs']} + "
        f"{QUICK_TRAINING['finetune_epochs']} epochs, {QUICK_SUBJECTS} subjects, "
        f"{QUICK_SPLITS} folds per session (and short simulated trials)",
    )
    bench.add_argument(
        "--no-cache", action="store_true",
        help="run every fold again, ignoring and not writing OUT/fold_cache",
    )
    bench.add_argument(
        "-v", "--verbose", action="store_true", help="log everything, not only the progress"
    )
    check = commands.add_parser(
        "check-dataset",
        help="read one subject of a local copy and print what was read",
        description=(
            "Read one subject of your copy of a data set exactly as the benchmark does, "
            "and print its sessions, trials, shapes, sampling frequency, channels, labels "
            "and value range in µV, to compare with what you know of the files."
        ),
    )
    check.add_argument("dataset", metavar="DATASET", help=f"one of {', '.join(_dataset_names())}")
    check.add_argument(
        "--path", default=None,
        help="the copy (default: the data set's MNE config key, e.g. MNE_DATASETS_DEAP_PATH)",
    )
    check.add_argument(
        "--subject", type=int, default=None, help="the subject to read (default: the first)"
    )
    check.add_argument("-v", "--verbose", action="store_true", help="log everything")
    add_online_commands(commands)
    return parser


def _check_dataset(args):
    from .datasets import describe_dataset

    try:
        report = describe_dataset(args.dataset, path=args.path, subject=args.subject)
    except (ValueError, FileNotFoundError, TypeError, OSError) as err:
        raise UsageError(_cli_message(err)) from None
    print(report)
    return 0


class _ProgressFilter(logging.Filter):
    """Pass the benchmark's own messages (the progress logger) and warnings."""

    def filter(self, record):
        return record.levelno >= logging.WARNING or (
            record.name == PROGRESS_LOGGER or record.name.startswith(PROGRESS_LOGGER + ".")
        )


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


@dataclass
class _Data:
    """The data set a run reads: the MOABB objects and how to describe them."""

    dataset: object
    paradigm: object
    title: str
    simulated: bool
    spec: object = None  # the DatasetSpec, None for a MOABB data set
    sizes: dict = None  # the simulated sizes

    @property
    def report_name(self):
        """The ``dataset`` argument of the report: "seed", "simulated" or the title."""
        if self.simulated:
            return "simulated"
        return self.spec.name if self.spec is not None else self.title


def _benchmark(args):
    from .evaluation import DataError, check_protocols, check_subjects, evaluate, sort_results
    from .pipelines import make_pipelines, protocol_recipes
    from .report import check_output_folder

    n_splits = _check_args(args)
    if args.scheduler is not None:
        from ._distributed import check_scheduler

        try:
            check_scheduler(args.scheduler)
        except (ValueError, ImportError, OSError) as err:
            raise UsageError(_cli_message(err)) from None
    else:
        # on a cluster, each worker resolves the device where it runs
        from ._device import resolve_device

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
    try:
        # before any data are read or folds run: no compute may be lost
        out = check_output_folder(args.out)
    except (ValueError, TypeError) as err:
        raise UsageError(f"--out: {_cli_message(err)}") from None
    with ExitStack() as stack:
        data = _dataset(args, stack)
        training = _training(args, data)
        subjects = args.subjects
        if subjects is None and args.quick:
            subjects = list(data.dataset.subject_list)[:QUICK_SUBJECTS]
        try:
            subjects = check_subjects(data.dataset, subjects)
            protocols = check_protocols(
                data.dataset, _default_protocols(data, subjects) if args.protocol is None
                else args.protocol, subjects,
            )
        except (ValueError, TypeError) as err:
            raise UsageError(_cli_message(err)) from None
        sfreq, ch_names = _signal_info(data, subjects)
        names = list(CORE_PIPELINES) if args.pipelines is None else list(args.pipelines)
        if MAJORITY_PIPELINE not in names:
            # every table shows what doing nothing scores
            names.append(MAJORITY_PIPELINE)
        try:
            # EEGNet's recipe differs across subjects: one set of pipelines
            # per group of protocols that share their recipes
            runs = [
                (group, make_pipelines(
                    names,
                    sfreq=sfreq,
                    ch_names=ch_names,
                    bands=_band_preset(data),
                    device=args.device,
                    random_state=args.random_state,
                    protocol=recipe,
                    task="motor" if data.spec is None else "emotion",
                    **training,
                ))
                for group, recipe in protocol_recipes(protocols, names)
            ]
        except (ValueError, TypeError, ImportError) as err:
            raise UsageError(_cli_message(err)) from None

        progress.info(
            "Benchmark: %s, subjects %s; protocols %s; pipelines %s",
            _describe_data(data), subjects, ", ".join(protocols), ", ".join(names),
        )
        progress.info(
            "Windows: %d channels at %g Hz (from the paradigm %s). HAMNet: %s%d pretraining "
            "+ %d finetuning epochs, learning rates %g and %g; %d folds per session; random "
            "state %s%s; device %s; n_jobs %s%s",
            len(ch_names), sfreq, type(data.paradigm).__name__,
            "early stopping within " if training["budget"] == "early" else "",
            training["pretrain_epochs"], training["finetune_epochs"],
            training["pretrain_lr"], training["finetune_lr"], n_splits, args.random_state,
            "" if args.seeds is None else f"; network seeds {args.seeds}", args.device,
            "auto" if args.n_jobs is None else args.n_jobs,
            f"; scheduler {args.scheduler}" if args.scheduler else "",
        )
        t_start = time.perf_counter()
        try:
            tables = [
                evaluate(
                    pipelines,
                    data.dataset,
                    protocol=group,
                    paradigm=data.paradigm,
                    subjects=subjects,
                    n_splits=n_splits,
                    random_state=args.random_state,
                    seeds=args.seeds,
                    n_jobs=args.n_jobs,
                    scheduler=args.scheduler,
                    cache_dir=None if args.no_cache else out / "fold_cache",
                )
                for group, pipelines in runs
            ]
            results = tables[0] if len(tables) == 1 else sort_results(tables, names)
        except DataError as err:
            # a bad file found while reading (e.g. a trial of the wrong shape)
            raise UsageError(_cli_message(err)) from None
        except ValueError as err:
            # the checks evaluate can only make on the loaded data (folds larger
            # than a session, a pipeline built for another rate); -v shows where
            if args.verbose:
                raise
            raise UsageError(_cli_message(err)) from None
    settings = _describe_settings(args, data, subjects, training, sfreq, len(ch_names))
    write_outputs(results, out, dataset=data.report_name, settings=settings,
                  note=_figure_note(args, data, training))
    progress.info(
        "Done in %.0f s. Wrote %s to %s",
        time.perf_counter() - t_start, ", ".join(OUTPUTS), out,
    )
    print(summary_table(results, dataset=data.report_name))
    return 0


def _check_args(args):
    """Check the plain numbers of the command line; return the folds per session."""
    n_splits = args.n_splits
    if n_splits is None:
        n_splits = QUICK_SPLITS if args.quick else 5
    if n_splits < 2:
        raise UsageError(f"--n-splits must be at least 2, but got {n_splits}.")
    if args.n_jobs is not None and (args.n_jobs == 0 or args.n_jobs < -1):
        raise UsageError(f"--n-jobs must be a positive number or -1, but got {args.n_jobs}.")
    if not 0 <= args.random_state <= MAX_SEED:
        raise UsageError(
            f"--random-state must be a seed from 0 to {MAX_SEED}, but got "
            f"{args.random_state}."
        )
    if args.seeds is not None:
        bad = [seed for seed in args.seeds if not 0 <= seed <= MAX_SEED]
        if bad:
            raise UsageError(
                f"--seeds must be seeds from 0 to {MAX_SEED}, but got "
                f"{', '.join(map(str, bad))}."
            )
        if len(set(args.seeds)) < len(args.seeds):
            raise UsageError(f"--seeds must be different seeds, but got {args.seeds}.")
    if args.subjects is not None:
        bad = [s for s in args.subjects if s < 1]
        if bad:
            raise UsageError(
                f"--subjects are numbered from 1, but got {', '.join(map(str, bad))}."
            )
    return n_splits


def _default_protocols(data, subjects):
    """Every protocol the data set allows, and a line on those it does not."""
    chosen = []
    for name, protocol in PROTOCOLS.items():
        if len(subjects) < protocol.min_subjects:
            reason = f"it needs {protocol.min_subjects} subjects"
        elif data.dataset.n_sessions < protocol.min_sessions:
            reason = f"it needs {protocol.min_sessions} sessions per subject"
        elif (name == "chronological" and data.spec is not None
              and data.spec.chronological_split is None):
            reason = f"{data.title}'s trials have no order to split in time"
        elif name == "chronological" and getattr(data.dataset, "trial_order_problem", None):
            reason = data.dataset.trial_order_problem
        else:
            chosen.append(name)
            continue
        progress.info("Leaving out the protocol %s: %s.", name, reason)
    return chosen


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _training(args, data):
    if args.quick:
        training = dict(QUICK_TRAINING)
    elif data.simulated:
        training = dict(SIMULATED_TRAINING)
    else:
        training = dict(PAPER_TRAINING)
    # real data: a budget chosen on held-out training trials, not on the test
    # folds; the simulated default run keeps its short fixed budget, which
    # the README's first command relies on to finish in minutes
    training["budget"] = args.budget or (
        "fixed" if args.quick or data.simulated else "early")
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
    """Return the :class:`_Data` named by the arguments, simulating it if asked."""
    from ._moabb import moabb_dataset
    from .datasets import DATASETS

    name = "seed" if args.dataset is None else args.dataset
    simulated = args.simulated or args.dataset is None
    if name.lower() == "simulated":  # the old spelling of the default
        name, simulated = "seed", True
    if name.lower() in DATASETS:
        if args.paradigm is not None:
            raise UsageError(
                f"--paradigm is for MOABB data sets; {name} has its own paradigm."
            )
        spec = DATASETS[name.lower()]
        if simulated:
            return _simulated(args, spec, stack)
        try:
            dataset = spec.dataset(args.path)
        except (ValueError, FileNotFoundError, TypeError) as err:
            raise UsageError(_cli_message(err)) from None
        return _Data(dataset, spec.paradigm(), spec.title, False, spec)
    cls = moabb_dataset(name)
    if cls is None:
        raise UsageError(
            f"--dataset must be one of {', '.join(_dataset_names())}, 'simulated', or the "
            f"name of a moabb.datasets class (e.g. PhysionetMI, BNCI2014_001), but got "
            f"{name!r}."
        )
    if simulated:
        raise UsageError(
            f"--simulated needs a data set this package can simulate "
            f"({', '.join(_dataset_names())}); {name} is a MOABB data set."
        )
    if args.path is not None:
        raise UsageError(
            f"--path is not used with the MOABB data set {name}: MOABB reads it from MNE's "
            "data folder (the MNE config key MNE_DATA, or the data set's own "
            "MNE_DATASETS_<NAME>_PATH) and downloads what is missing."
        )
    try:
        dataset = cls()
    except Exception as err:  # a data set class that cannot be built without arguments
        raise UsageError(f"Could not create the MOABB data set {name}: "
                         f"{_cli_message(err)}") from None
    return _Data(dataset, _moabb_paradigm(args.paradigm, dataset), name, False)


def _moabb_paradigm(name, dataset):
    from ._moabb import moabb_paradigm

    name = DEFAULT_MOABB_PARADIGM if name is None else name
    cls = moabb_paradigm(name)
    if cls is None:
        raise UsageError(
            f"--paradigm must name a moabb.paradigms class such as LeftRightImagery or "
            f"MotorImagery, but got {name!r}."
        )
    try:
        paradigm = cls()
    except Exception as err:  # e.g. a paradigm that needs arguments
        raise UsageError(f"Could not create the paradigm {name}: {_cli_message(err)}") from None
    if not paradigm.is_valid(dataset):
        raise UsageError(
            f"The paradigm {name} cannot use the data set {dataset.code} (paradigm "
            f"{dataset.paradigm!r}, events {sorted(dataset.event_id)}); pick another "
            "--paradigm."
        )
    return paradigm


def _simulated(args, spec, stack):
    sizes = dict(spec.quick_sizes if args.quick else spec.simulated_sizes)
    if args.path is None:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mne-hamnet-")))
    else:
        folder = Path(args.path)
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--path {folder} exists and is not a folder.")
    if folder.is_dir() and any(folder.iterdir()):
        progress.info("Reading the simulated data already in %s", folder)
    else:
        from .report import writable_folder

        try:
            writable_folder(folder, "--path folder for the simulated data")
        except ValueError as err:
            raise UsageError(_cli_message(err)) from None
        t_start = time.perf_counter()
        try:
            spec.simulate(folder, random_state=args.random_state, **sizes)
        except (ValueError, TypeError, OSError) as err:
            raise UsageError(_cli_message(err)) from None
        progress.info(
            "Simulated %s data (%s) in %s (%.1f s)", spec.title,
            ", ".join(f"{k}={v:g}" for k, v in sizes.items()), folder,
            time.perf_counter() - t_start,
        )
    try:
        dataset = spec.dataset(folder)
    except (ValueError, FileNotFoundError) as err:
        raise UsageError(_cli_message(err)) from None
    return _Data(dataset, spec.paradigm(), spec.title, True, spec, sizes)


def _signal_info(data, subjects):
    """The windows' rate and channels: from the paradigm's data, the one source."""
    from ._moabb import signal_info

    try:
        return signal_info(data.paradigm, data.dataset, subjects[0])
    except (ValueError, OSError) as err:
        raise UsageError(
            f"Could not read subject {subjects[0]} of {data.title}: {_cli_message(err)}"
        ) from None


def _band_preset(data):
    """HAMNet's bands for these data: the data set's preset, mu-beta for MOABB's."""
    return MOABB_BAND_PRESET if data.spec is None else data.spec.band_preset


def _describe_data(data):
    if data.simulated:
        return f"simulated {data.title}-format data"
    if data.spec is None:
        return f"the MOABB data set {data.title} ({type(data.paradigm).__name__})"
    return data.dataset.code


def _describe_settings(args, data, subjects, training, sfreq, n_chans):
    if data.simulated:
        sizes = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in data.sizes.items())
        text = f"simulated {data.title}-format data ({sizes}; random state {args.random_state})"
        if args.subjects is not None:
            text += f", subjects {', '.join(map(str, subjects))}"
    else:
        text = f"{_describe_data(data)}, subjects {', '.join(map(str, subjects))}"
    return (
        f"Data: {text}; windows of {n_chans} channels at {sfreq:g} Hz. HAMNet trained for "
        + ("at most " if training.get("budget") == "early" else "")
        + f"{training['pretrain_epochs']} + {training['finetune_epochs']} epochs (learning "
        f"rates {training['pretrain_lr']:g} and {training['finetune_lr']:g})"
        + ("; every network stopped early on held-out training trials and kept its best "
           "epoch (--budget early)" if training.get("budget") == "early" else "")
        + f"; random state {args.random_state}"
        + ("." if args.seeds is None else
           f"; the networks ran with the seeds {', '.join(map(str, args.seeds))}, the "
           "deterministic pipelines once.")
        + (" A --quick smoke test: these numbers are not results." if args.quick else "")
    )


def _figure_note(args, data, training):
    notes = []
    if data.simulated:
        notes.append(f"Simulated {data.title}-format data, not recordings.")
    if args.quick:
        notes.append(
            f"--quick smoke test ({training['pretrain_epochs']} + "
            f"{training['finetune_epochs']} epochs): not a result."
        )
    return " ".join(notes) or None

