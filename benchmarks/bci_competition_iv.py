"""HAMNet against its peers on BCI Competition II data set IV (left/right finger).

The data set (self-paced typing, 28 channels, 100 Hz, 0.5 s windows ending
130 ms before the key press) is lateralised, so the left/right mirror of
HAMNet has something to compare. Only the training set is used, with
10-fold cross-validation, because the test labels shipped with the common
copy of the file are suspect (see its SOURCE.txt).

Every pipeline comes from :func:`mne_hamnet.pipelines.make_pipelines` with the
data's sampling rate, channel names and the ``"mu-beta"`` bands, so each peer
gets its own recipe (the band-pass before CSP, the networks' band-pass and
scaling, their optimisers) and HAMNet gets nothing the peers do not. All run
on the same 10 folds; the networks run with several seeds, and the table
gives the spread over folds and over seeds.

By default (``--budget early``) every network, HAMNet included, trains
under one rule chosen without the test fold: up to ``--epochs`` epochs
(HAMNet: split 4:3 between its stages), each stage holding out the last
10 % of each class's training trials, stopping once their validation loss
has not decreased for 100 epochs and keeping its best epoch
(``make_pipelines(budget="early")``). ``--budget fixed`` trains exactly
``--epochs`` epochs. The table gives accuracy and balanced accuracy, and the
epochs each network kept; every fold is also written to a CSV file, so that
runs of different pipelines in separate processes can be combined.

Usage::

    python benchmarks/bci_competition_iv.py [--data PATH/sp1s_aa.mat] [--budget early]
    # two processes in parallel, then one table
    python benchmarks/bci_competition_iv.py --pipelines HAMNet EEGNet --csv a.csv
    python benchmarks/bci_competition_iv.py --pipelines TSception CSP+LDA --csv b.csv
    python benchmarks/bci_competition_iv.py --combine a.csv b.csv

The file is not distributed with mne-hamnet; by default it is looked for in
``../shared/data/bci_comp2_dataset_iv/`` beside the repository. Without it
the script says so and exits cleanly.
"""

import argparse
import csv
import datetime
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.base import clone
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/bci_comp2_dataset_iv/sp1s_aa.mat"
RESULTS = Path(__file__).resolve().parent / "results"
SFREQ = 100.0
# the largest budgets: the paper's 800 + 600 epochs under early stopping,
# and the earlier fixed budget of this script
DEFAULT_EPOCHS = {"early": 1400, "fixed": 50}
CSV_FIELDS = ("pipeline", "seed", "fold", "accuracy", "balanced_accuracy", "epochs_kept",
              "epochs_run", "validation_split", "fit_seconds", "budget", "max_epochs",
              "n_iter_no_change")
# EEGSym is left out: its pooling needs windows of about 1 s or more, and
# these are 0.5 s (braindecode raises "input image smaller than kernel size")
NETWORKS = ("ShallowFBCSPNet", "EEGNet", "TSception", "EEGConformer", "DGCNN")
# the majority class is the score of doing nothing
BASELINES = ("Majority class", "CSP+LDA", "TS+SVM")
# the networks' learning rates are their authors'; HAMNet runs with its
# authors' (the paper's) and, as a disclosed variant, with the ten times
# larger rates the earlier version of this script used for a short budget
HAMNET_VARIANTS = {
    "HAMNet": dict(),
    "HAMNet (lr x10)": dict(pretrain_lr=1e-3, finetune_lr=5e-4),
}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load(path):
    from scipy.io import loadmat

    mat = loadmat(path)
    ch_names = [str(c[0]) for c in mat["clab"].ravel()]
    X = np.ascontiguousarray(mat["x_train"].transpose(2, 1, 0), dtype=np.float32)
    y = mat["y_train"].ravel().astype(int)
    return X, y, ch_names


def build(name, ch_names, epochs, batch_size, seed, budget="early", patience=None):
    """One pipeline by name from make_pipelines, with this run's budget."""
    from mne_hamnet.pipelines import make_pipelines

    pretrain = max(1, round(epochs * 4 / 7))  # the paper's 800:600 split
    key, extra = (("HAMNet", HAMNET_VARIANTS[name]) if name in HAMNET_VARIANTS
                  else (name, {}))
    return make_pipelines(
        [key], sfreq=SFREQ, ch_names=ch_names, bands="mu-beta", task="motor",
        pretrain_epochs=pretrain, finetune_epochs=epochs - pretrain, batch_size=batch_size,
        random_state=seed, device="cpu", verbose=0, budget=budget,
        n_iter_no_change=patience, **extra,
    )[key]


def _final_step(pipe):
    while hasattr(pipe, "steps"):
        pipe = pipe.steps[-1][1]
    return pipe


def run(X, y, ch_names, names, seeds, folds, epochs, batch_size, budget="early",
        csv_path=None, patience=None):
    """One row per (pipeline, seed, fold): scores, kept epochs, fit seconds.

    Each trial of this data set is one window, so the trial ids handed to
    early stopping are the window indices: its validation part is the last
    trials of each class in the training fold, the same for every network.
    Rows are appended to ``csv_path`` as they come.
    """
    from mne_hamnet._validation import groups_fit_params

    splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y))
    rows = []
    for name in names:
        name_seeds = seeds if (name in NETWORKS or name in HAMNET_VARIANTS) else seeds[:1]
        for seed in name_seeds:
            start = time.perf_counter()
            for f, (train, test) in enumerate(splits):
                pipe = clone(build(name, ch_names, epochs, batch_size, seed, budget,
                                   patience))
                t0 = time.perf_counter()
                pipe.fit(X[train], y[train], **groups_fit_params(pipe, train))
                fit_seconds = time.perf_counter() - t0
                y_pred = pipe.predict(X[test])
                final = _final_step(pipe)
                kept = getattr(final, "epochs_kept_", None)
                run_epochs = None
                if kept is not None:
                    run_epochs = {
                        stage: len(final.history_pretrain_ if stage == "pretrain"
                                   and "finetune" in kept else final.history_)
                        for stage in kept}
                row = dict(
                    pipeline=name, seed=seed, fold=f,
                    accuracy=float(np.mean(y_pred == y[test])),
                    balanced_accuracy=float(balanced_accuracy_score(y[test], y_pred)),
                    epochs_kept="" if kept is None else json.dumps(kept),
                    epochs_run="" if run_epochs is None else json.dumps(run_epochs),
                    validation_split=getattr(final, "validation_split_", None) or "",
                    fit_seconds=round(fit_seconds, 2), budget=budget, max_epochs=epochs,
                    n_iter_no_change=getattr(final, "n_iter_no_change", "")
                    if getattr(final, "early_stopping", False) else "",
                )
                rows.append(row)
                if csv_path is not None:
                    _append_csv(csv_path, row)
            done = [r for r in rows if r["pipeline"] == name and r["seed"] == seed]
            log(f"{name}, seed {seed}: accuracy {np.mean([r['accuracy'] for r in done]):.3f}, "
                f"balanced {np.mean([r['balanced_accuracy'] for r in done]):.3f}, kept "
                f"{[json.loads(r['epochs_kept']) if r['epochs_kept'] else '-' for r in done]} "
                f"({time.perf_counter() - start:.0f} s)")
    return rows


def _append_csv(path, row):
    path = Path(path)
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(row)


def read_csv(paths):
    """The rows of one or more CSV files written by this script."""
    rows = []
    for path in paths:
        with Path(path).open(newline="") as f:
            for row in csv.DictReader(f):
                for key in ("seed", "fold"):
                    row[key] = int(row[key])
                for key in ("accuracy", "balanced_accuracy", "fit_seconds"):
                    row[key] = float(row[key])
                rows.append(row)
    return rows


def _grid(rows, name, score):
    """(seeds, folds) array of ``score`` for pipeline ``name``."""
    mine = [r for r in rows if r["pipeline"] == name]
    seeds = sorted({r["seed"] for r in mine})
    folds = sorted({r["fold"] for r in mine})
    grid = np.full((len(seeds), len(folds)), np.nan)
    for r in mine:
        grid[seeds.index(r["seed"]), folds.index(r["fold"])] = r[score]
    return grid


def _kept_summary(rows, name):
    """Median (min-max) of each stage's kept epoch over the folds and seeds."""
    kept = [json.loads(r["epochs_kept"]) for r in rows
            if r["pipeline"] == name and r["epochs_kept"]]
    if not kept:
        return "-"
    parts = []
    for stage in kept[0]:
        values = [k[stage] for k in kept if stage in k]
        parts.append(f"{stage} {np.median(values):g} ({min(values)}-{max(values)})")
    return "; ".join(parts)


def table(rows, reference="HAMNet"):
    names = list(dict.fromkeys(r["pipeline"] for r in rows))
    ref = _grid(rows, reference, "accuracy").mean(axis=0) if reference in names else None
    lines = [
        "| pipeline | seeds | accuracy (mean over folds) | balanced accuracy | SD over folds "
        "| SD over seeds | seed means | folds won against HAMNet | epochs kept, median "
        "(range) | fit time per fold |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        grid = _grid(rows, name, "accuracy")
        balanced = _grid(rows, name, "balanced_accuracy").mean(axis=0)
        per_fold = grid.mean(axis=0)  # the seed mean of each fold
        per_seed = grid.mean(axis=1)
        spread = f"{per_seed.std():.3f}" if len(per_seed) > 1 else "-"
        seed_means = ", ".join(f"{v:.3f}" for v in per_seed)
        wins = "-"
        if ref is not None and name != reference and len(ref) == len(per_fold):
            wins = (f"{int(np.sum(per_fold > ref))} won, {int(np.sum(per_fold == ref))} tied, "
                    f"{int(np.sum(per_fold < ref))} lost")
        seconds = np.mean([r["fit_seconds"] for r in rows if r["pipeline"] == name])
        lines.append(
            f"| {name} | {len(per_seed)} | **{per_fold.mean():.3f}** | {balanced.mean():.3f} | "
            f"{per_fold.std():.3f} | {spread} | {seed_means} | {wins} | "
            f"{_kept_summary(rows, name)} | {seconds:.1f} s |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="random states of the networks (default: 0 1 2)")
    parser.add_argument("--budget", choices=("early", "fixed"), default="early",
                        help="early: every network stops on its validation trials, "
                             "within --epochs (default); fixed: exactly --epochs")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs of every network, the most under --budget early; "
                             "HAMNet splits them 4:3 between its two stages, as the "
                             "paper's 800:600 (default: 1400 early, 50 fixed)")
    parser.add_argument("--patience", type=int, default=None,
                        help="--budget early: epochs without improvement of the validation "
                             "loss before a network stops (default: make_pipelines' "
                             "EARLY_STOPPING, 100)")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--pipelines", nargs="+", default=None,
                        help="a subset of the pipelines (default: every applicable one)")
    parser.add_argument("--out", type=Path, default=None,
                        help="Markdown file for the table (default: results/"
                             "bci_competition_ii_iv[_fixed].md)")
    parser.add_argument("--csv", type=Path, default=None,
                        help="CSV file the rows (pipeline, seed, fold) are appended to as "
                             "they come (default: the Markdown file's name with .csv)")
    parser.add_argument("--combine", type=Path, nargs="+", default=None,
                        help="make the table from these CSV files instead of running")
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = DEFAULT_EPOCHS[args.budget]
    if args.out is None:
        suffix = "" if args.budget == "early" else "_fixed"
        args.out = RESULTS / f"bci_competition_ii_iv{suffix}.md"
    if args.csv is None:
        args.csv = args.out.with_suffix(".csv")
    if args.combine:
        rows = read_csv(args.combine)
        _write(_report(rows, args, argv, None, None, n_windows=None, ch_names=None), args.out)
        return 0
    if not args.data.exists():
        print(f"Skipped: {args.data} not found; pass --data PATH/sp1s_aa.mat.")
        return 0
    import mne

    from mne_hamnet.pipelines import braindecode_available

    mne.set_log_level("ERROR")
    torch.set_num_threads(1)
    X, y, ch_names = load(args.data)
    names = args.pipelines or [*BASELINES, *NETWORKS, *HAMNET_VARIANTS]
    if not braindecode_available():
        skipped = [name for name in names if name in NETWORKS]
        names = [name for name in names if name not in NETWORKS]
        log(f"braindecode cannot be imported: skipping {skipped}")
    log(f"{len(X)} windows, {len(ch_names)} channels, {X.shape[2]} samples at {SFREQ:g} Hz; "
        f"pipelines {names}")
    started, t0 = datetime.datetime.now(), time.perf_counter()
    if args.csv.exists():
        log(f"{args.csv} exists: its rows are kept and this run's are appended")
    with warnings.catch_warnings():
        # braindecode's own deprecation notices are not this benchmark's business
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        rows = run(X, y, ch_names, names, args.seeds, args.folds, args.epochs,
                   args.batch_size, args.budget, args.csv, args.patience)
    elapsed = time.perf_counter() - t0
    log(f"rows in {args.csv}")
    _write(_report(rows, args, argv, started, elapsed, n_windows=len(X), ch_names=ch_names,
                   n_times=X.shape[2]), args.out)
    return 0


def _write(report, out):
    """Write the Markdown report to ``out`` and show it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(report)
    log(f"written to {out}")


def _report(rows, args, argv, started, elapsed, n_windows, ch_names, n_times=50):
    command = " ".join(sys.argv[1:] if argv is None else argv)
    budgets = sorted({r["budget"] for r in rows}) if rows else [args.budget]
    caps = sorted({int(r["max_epochs"]) for r in rows}) if rows else [args.epochs]
    seeds = sorted({r["seed"] for r in rows}) if rows else args.seeds
    epochs = caps[-1]
    pretrain = max(1, round(epochs * 4 / 7))
    from mne_hamnet.pipelines import EARLY_STOPPING

    patience = ", ".join(sorted({str(r.get("n_iter_no_change")) for r in rows
                                 if r.get("n_iter_no_change")})
                         or [str(args.patience or EARLY_STOPPING["n_iter_no_change"])])
    if budgets == ["early"]:
        budget = (
            f"Every network, HAMNet included, trains under one early-stopping rule "
            f"chosen without the test fold (`make_pipelines(budget=\"early\")`): at most "
            f"{epochs} epochs (HAMNet: {pretrain} pretraining + {epochs - pretrain} "
            f"finetuning at most); each stage holds out the last 10 % of each class's "
            f"training trials (every trial is one window here), stops once their "
            f"validation loss has not decreased by more than 1e-4 for {patience} epochs, and "
            f"keeps the weights of its best epoch. 'Epochs kept' gives the median and "
            f"range of that epoch over folds and seeds."
        )
    else:
        budget = (
            f"Every network, HAMNet included, trains {', '.join(map(str, caps))} epochs "
            f"(HAMNet: {pretrain} pretraining + {epochs - pretrain} finetuning)."
        )
    when = (
        f" on {started:%Y-%m-%d %H:%M} in {elapsed / 60:.1f} min" if started is not None
        else " (combined from CSV files)"
    )
    data = (
        f"{n_windows} training windows of {len(ch_names)} channels x {n_times} samples at "
        f"{SFREQ:g} Hz" if n_windows is not None
        else f"The 316 training windows of 28 channels x 50 samples at {SFREQ:g} Hz"
    )
    return "\n".join([
        f"# BCI Competition II data set IV: HAMNet and its peers on the same "
        f"{_n_folds(rows, args)} folds",
        "",
        f"Generated by `python benchmarks/bci_competition_iv.py {command}`{when} "
        f"({_versions()}; torch threads 1, CPU).",
        "",
        f"{data} (left vs right finger; the suspect test labels are not used). "
        f"{_n_folds(rows, args)}-fold stratified cross-validation (`StratifiedKFold(shuffle=True, "
        f"random_state=0)`), the same folds for every pipeline. Every pipeline is "
        f"`make_pipelines(..., sfreq=100, ch_names=<the file's>, bands=\"mu-beta\")`: "
        f"CSP+LDA and TS+SVM after an 8-30 Hz band-pass; the networks after a 4-38 Hz "
        f"band-pass and a per-channel standardisation fitted on the training fold, with "
        f"their authors' optimisers and learning rates and time kernels of their authors' "
        f"durations. {budget} Batch {args.batch_size}, random states {seeds}; CSP+LDA "
        f"and TS+SVM are deterministic and run once. 'SD over folds' is the spread of the "
        f"seed-averaged fold accuracies; 'SD over seeds' is the spread of the per-seed "
        f"means. A fold is won against HAMNet (the paper's learning rates) when the "
        f"pipeline's seed-averaged accuracy on it is higher. Balanced accuracy is the "
        f"mean of the per-class recalls (the classes are nearly balanced here).",
        "",
        table(rows),
        "",
        paired(rows),
        "",
    ])


def _n_folds(rows, args):
    """The number of folds of the rows (the run's --folds when there are none)."""
    return len({r["fold"] for r in rows}) if rows else args.folds


def paired(rows, references=("HAMNet", "HAMNet (lr x10)")):
    """Paired statistics of each reference against every other pipeline, over folds.

    One subject, so the pairs are the (seed-averaged) folds, compared with
    MOABB's corrected resampled t-test through
    :func:`mne_hamnet.stats.paired_statistics`: the folds share training
    windows, which a plain paired test would ignore.
    """
    import pandas as pd

    from mne_hamnet.stats import paired_statistics, stats_markdown

    n_folds = len({r["fold"] for r in rows})
    n_total = 316
    frame = pd.DataFrame([
        dict(protocol="trialwise", pipeline=r["pipeline"], subject="1", session="0",
             fold=r["fold"], seed=r["seed"], accuracy=r["accuracy"],
             balanced_accuracy=r["balanced_accuracy"],
             samples=n_total * (n_folds - 1) / n_folds, samples_test=n_total / n_folds)
        for r in rows
    ])
    names = set(frame["pipeline"])
    parts = ["## Paired statistics (accuracy over the seed-averaged folds)", ""]
    for reference in references:
        if reference not in names or len(names) < 2:
            continue
        stats = paired_statistics(frame, reference=reference, score="accuracy")
        parts += [stats_markdown(stats, title=f"Accuracy, {reference} against each pipeline"),
                  ""]
    return "\n".join(parts)


def _versions():
    import mne
    import sklearn

    import mne_hamnet

    parts = [f"mne-hamnet {mne_hamnet.__version__}", f"torch {torch.__version__}",
             f"mne {mne.__version__}", f"scikit-learn {sklearn.__version__}"]
    for package in ("braindecode", "pyriemann"):
        try:
            module = __import__(package)
        except ImportError:
            continue
        parts.append(f"{package} {module.__version__}")
    return ", ".join(parts)

if __name__ == "__main__":
    sys.exit(main())
