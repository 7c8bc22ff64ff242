"""The results of :func:`~mne_hamnet.evaluation.evaluate` as a paper-style table and figure."""

import os
from pathlib import Path

import numpy as np

from ._check import _check_path, _validate_type
from ._paper import (
    PAPER_ACCURACY,
    PAPER_CAVEAT,
    PAPER_ONLY_ACCURACY,
    PUBLISHED_CHRONOLOGICAL,
    PUBLISHED_VALIDATED,
)
from ._scoring import EPOCHS_KEPT, MAJORITY_RATE, METRICS, lead_score, n_classes_of
from .pipelines import PIPELINE_FEATURES
from .protocols import PROTOCOLS, natural_key
from .stats import paired_statistics, plot_paired_differences, stats_markdown

__all__ = [
    "OUTPUTS",
    "check_output_folder",
    "fit_times",
    "plot_per_subject",
    "seed_spread",
    "subject_scores",
    "summary_table",
    "write_outputs",
]

#: The files :func:`write_outputs` writes.
OUTPUTS = ("results.csv", "table.md", "per_subject.png", "stats.md", "paired_differences.png")
# What each pipeline reads, for the table's Feature column: one home, in pipelines.
FEATURES = PIPELINE_FEATURES
PAPER_ONLY_FEATURES = {"DBN (DE)": "DE", "BiHDM": "raw EEG", "4D-ANN": "raw EEG"}


def subject_scores(results, score="score"):
    """Mean score per protocol, pipeline, subject and session.

    Folds of a session are averaged first (and the seeds of a fold with
    them), so that every subject and session weighs the same whatever its
    number of folds.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.
    score : str, default="score"
        The column averaged, e.g. ``"balanced_accuracy"``.

    Returns
    -------
    scores : pandas.DataFrame
        Columns ``protocol``, ``pipeline``, ``subject``, ``session``, ``score``.
    """
    keys = ["protocol", "pipeline", "subject", "session"]
    scores = results.groupby(keys, sort=False)[score].mean().reset_index()
    return scores.rename(columns={score: "score"})


def seed_spread(results, score="score"):
    """Standard deviation over seeds of each pipeline's mean score, per protocol.

    Each seed's mean is taken over subjects × sessions (folds of a session
    averaged first), as in the table.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate` run with ``seeds``.
    score : str, default="score"
        The column.

    Returns
    -------
    spread : dict
        ``{(protocol, pipeline): (n_seeds, std)}`` for the pipelines that
        ran with two seeds or more.
    """
    if "seed" not in results or results["seed"].notna().sum() == 0:
        return {}
    seeded = results[results["seed"].notna()]
    keys = ["protocol", "pipeline", "seed", "subject", "session"]
    units = seeded.groupby(keys, sort=False)[score].mean()
    means = units.groupby(level=["protocol", "pipeline", "seed"], sort=False).mean()
    spread = {}
    for (protocol, pipeline), values in means.groupby(level=["protocol", "pipeline"],
                                                      sort=False):
        if len(values) >= 2:
            spread[(protocol, pipeline)] = (len(values), float(values.std(ddof=1)))
    return spread


def fit_times(results):
    """Mean seconds to fit one fold, per pipeline and protocol.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`, with MOABB's
        ``time`` column (seconds to fit the fold's training windows).

    Returns
    -------
    times : pandas.DataFrame
        Rows are pipelines, columns protocols, in the order of the results.
    """
    # cross-subject repeats a fold's fit time on the row of each test session
    keys = ["protocol", "pipeline", "subject", "fold", "time"]
    if "seed" in results:
        keys.append("seed")
    folds = results.drop_duplicates(keys)
    table = folds.pivot_table(index="pipeline", columns="protocol", values="time",
                              aggfunc="mean", sort=False)
    protocols = [p for p in PROTOCOLS if p in table.columns]
    pipelines = list(dict.fromkeys(results["pipeline"]))
    return table.reindex(index=pipelines, columns=protocols)


def summary_table(results, dataset="simulated", settings=None, stats=None):
    """Format the results as a Markdown table like the paper's Table 1.

    Rows are pipelines, columns protocols; each cell is the score the
    table leads with, in %: balanced accuracy where the test classes are
    unbalanced, accuracy where they are balanced (the text says which and
    why). A cell is the mean ± standard deviation over subjects × sessions
    (folds of a session averaged first) and, for a pipeline run with several
    seeds, the standard deviation over seeds in brackets. A mark says where
    HAMNet's paired difference from the pipeline is significant
    (:func:`~mne_hamnet.stats.paired_statistics`). Rows under the
    pipelines give each protocol's chance level: 1 / the number of classes,
    and the mean share of the test folds' most frequent class. Further
    tables give every score per protocol (accuracy, balanced accuracy,
    macro-F1, ROC AUC for two classes, the epochs the networks kept) and the
    mean fit time per fold. For SEED, a column gives the paper's number
    beside ours with its caveat, rows list the paper's other methods, and
    with the ``chronological`` protocol a table puts the published numbers
    beside ours, each with the flaw of its protocol.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.
    dataset : str, default="simulated"
        The data set the results come from: ``"seed"`` for the real SEED
        (adds the published numbers), ``"simulated"`` for simulated data
        (says so), or any other name.
    settings : str | None, default=None
        A line describing the run, printed above the table.
    stats : pandas.DataFrame | None, default=None
        The output of :func:`~mne_hamnet.stats.paired_statistics` on these
        results; None computes it.

    Returns
    -------
    table : str
        The Markdown text.
    """
    _validate_type(dataset, str, "dataset")
    column, title, reason = lead_score(results)
    if stats is None:
        stats = paired_statistics(results, score=column)
    marks = _significance_marks(stats)
    scores = subject_scores(results, column)
    spread = seed_spread(results, column)
    protocols = [p for p in PROTOCOLS if p in set(results["protocol"])]
    pipelines = list(dict.fromkeys(results["pipeline"]))
    with_paper = dataset.lower() == "seed"
    header = ["Method", "Feature"] + [PROTOCOLS[p].title for p in protocols]
    if with_paper:
        header.append("Paper (SEED)†")
    lines = _header(header)
    for name in pipelines:
        cells = [name, FEATURES.get(name, "")]
        for protocol in protocols:
            cell = _mean_std(_scores(scores, protocol, name))
            if (protocol, name) in spread:
                n_seeds, std = spread[(protocol, name)]
                cell += f" [seeds ± {100 * std:.2f}]"
            cells.append(cell + marks.get((protocol, name), ""))
        if with_paper:
            paper = PAPER_ACCURACY.get(name)
            cells.append("—" if paper is None else f"{paper:.2f}")
        lines.append(_row(cells))
    if with_paper:
        for name, paper in PAPER_ONLY_ACCURACY.items():
            cells = [name, PAPER_ONLY_FEATURES[name]] + ["—"] * len(protocols)
            lines.append(_row(cells + [f"{paper:.2f}"]))
    lines += _chance_rows(results, protocols, with_paper)
    text = ["# mne-hamnet benchmark", ""]
    if settings:
        text += [settings, ""]
    seeds_note = (
        "; [seeds ± ...]: the standard deviation over the "
        f"{max(n for n, _ in spread.values())} seeds of the pipeline's mean (the "
        "deterministic pipelines ran once)" if spread else ""
    )
    text += [
        f"{title} (%): shown because {reason}. Mean ± standard deviation over subjects "
        f"× sessions (the folds of a session are averaged first){seeds_note}.",
        "",
        *lines,
        "",
    ]
    if marks:
        reference = stats["reference"].iloc[0]
        text += [
            f"▲ / ▼: {reference} scores significantly higher / lower than this pipeline "
            "under this protocol (paired over subjects, or over folds with one subject; "
            "Holm-adjusted p < 0.05). Effect sizes and p-values: stats.md.",
            "",
        ]
    all_scores = _all_scores_lines(results, protocols)
    if all_scores:
        text += all_scores, ""
    if "time" in results:
        text += _fit_time_lines(results), ""
    if with_paper and "chronological" in protocols:
        text += _published_lines(scores, pipelines, title), ""
    notes = []
    for protocol in protocols:
        if PROTOCOLS[protocol].leaks:
            notes.append(
                "\\* The paper's protocol (per session, stratified "
                "k-fold cross-validation over shuffled windows, k = 5 in the paper) "
                "**leaks**: windows of one trial fall on both sides of each split, and "
                "neighbouring seconds of a trial are nearly alike. It is shown for "
                "comparison with the paper; the trial-wise and chronological protocols "
                "are leakage-safe."
            )
    if with_paper:
        notes.append(
            "† The HAMNet paper's Table 1 and §4.3, on SEED with its protocol: "
            f"{PAPER_CAVEAT}. HAMNet-pretrain is its 93.53 % ablation after stage 1. "
            "The SVM of Table 1 (84.22 %) is the SVM on DE features; the paper gives "
            "no DASM number."
        )
    elif dataset.lower() == "simulated":
        notes.append(
            "The data are simulated: the paper's SEED numbers (HAMNet "
            f"{PAPER_ACCURACY['HAMNet']:.2f} %, pretraining only "
            f"{PAPER_ACCURACY['HAMNet-pretrain']:.2f} %, SVM on DE "
            f"{PAPER_ACCURACY['DE+SVM']:.2f} %; {PAPER_CAVEAT}) do not apply to them."
        )
    text.append("\n\n".join(notes))
    return "\n".join(text) + "\n"


def _significance_marks(stats):
    """``{(protocol, pipeline): " ▲"}`` where the reference differs significantly."""
    marks = {}
    if stats is None or stats.empty:
        return marks
    for row in stats.itertuples():
        if row.significant:
            marks[(row.protocol, row.pipeline)] = " ▲" if row.difference > 0 else " ▼"
    return marks


def _chance_rows(results, protocols, with_paper):
    """Rows giving each protocol's chance level, under the pipelines."""
    if "n_classes" not in results:
        return []
    n_classes = n_classes_of(results)
    extra = ["—"] if with_paper else []
    rows = [_row([f"Chance (1 / {n_classes} classes)", ""]
                 + [f"{100 / n_classes:.2f}"] * len(protocols) + extra)]
    if MAJORITY_RATE in results:
        cells = []
        for protocol in protocols:
            rates = results.loc[results["protocol"] == protocol, MAJORITY_RATE]
            rates = rates.to_numpy(dtype=float)
            cells.append("—" if len(rates) == 0 else
                         f"{100 * np.mean(rates):.2f} (max {100 * np.max(rates):.2f})")
        rows.append(_row(["Majority rate of the test folds", "mean (max)"] + cells + extra))
    return rows


def _all_scores_lines(results, protocols):
    """Every score of every pipeline, one table per protocol."""
    metrics = [m for m in METRICS if m in results]
    if not metrics:
        return ""
    kept = EPOCHS_KEPT in results and results[EPOCHS_KEPT].fillna("").astype(str).ne("").any()
    lines = [
        "Every score (%), mean ± standard deviation over subjects × sessions (folds "
        "averaged first)" + ("; epochs kept: the median over folds of the epoch each "
        "network stage kept" if kept else "") + ".",
    ]
    header = ["Method"] + [METRICS[m] for m in metrics] + (["Epochs kept"] if kept else [])
    for protocol in protocols:
        part = results[results["protocol"] == protocol]
        lines += ["", f"{PROTOCOLS[protocol].title.rstrip('*')}:", "", *_header(header)]
        for name in dict.fromkeys(part["pipeline"]):
            rows = part[part["pipeline"] == name]
            cells = [name]
            for metric in metrics:
                cells.append(_mean_std(_scores(subject_scores(rows, metric), protocol, name)))
            if kept:
                cells.append(_median_epochs(rows[EPOCHS_KEPT]))
            lines.append(_row(cells))
    return "\n".join(lines)


def _median_epochs(values):
    """``"pretrain 37, finetune 12"``: the median epoch of each stage."""
    stages = {}
    for value in values.fillna("").astype(str):
        for part in filter(None, value.split(";")):
            stage, _, epoch = part.partition("=")
            stages.setdefault(stage, []).append(float(epoch))
    if not stages:
        return "—"
    return ", ".join(f"{stage} {np.median(epochs):g}" for stage, epochs in stages.items())


def _header(cells):
    return [_row(cells), "|" + "|".join(["---"] * len(cells)) + "|"]


def _row(cells):
    return "| " + " | ".join(cells) + " |"


def _scores(scores, protocol, name):
    values = scores.loc[
        (scores["protocol"] == protocol) & (scores["pipeline"] == name), "score"
    ].to_numpy(dtype=float)
    return values[np.isfinite(values)]


def _fit_time_lines(results):
    times = fit_times(results)
    lines = [
        "Mean time to fit one fold (s), on the training windows of the fold "
        "(MOABB's `time` column of results.csv).",
        "",
        *_header(["Method"] + [PROTOCOLS[p].title.rstrip("*") for p in times.columns]),
    ]
    for name, row in times.iterrows():
        lines.append(_row([name] + [_seconds(value) for value in row]))
    return "\n".join(lines)


def _seconds(value):
    if value is None or not np.isfinite(value):
        return "—"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def _published_lines(scores, pipelines, title="Accuracy"):
    lines = [
        "SEED under the chronological protocol (per session, the first 9 trials train "
        "and the last 6 test), ours beside the published numbers, each with the flaw "
        "of its protocol. Ours are the table's score; the published ones are "
        "accuracies. LibEER's validation-based numbers use another split (random "
        "9/3/3 trials per session) and are listed for what they are.",
        "",
        *_header(["Method", "Score (%)", "Source", "Caveat"]),
    ]
    for name in pipelines:
        lines.append(_row([name, _mean_std(_scores(scores, "chronological", name)),
                           "measured here", title]))
    for name, accuracy, source, caveat in PUBLISHED_CHRONOLOGICAL + PUBLISHED_VALIDATED:
        lines.append(_row([name, f"{accuracy:.2f}",
                           f"{source}; published, not measured here", caveat]))
    return "\n".join(lines)


def _mean_std(values):
    if len(values) == 0:
        return "—"
    mean = 100 * np.mean(values)
    if len(values) < 2:
        return f"{mean:.2f}"
    return f"{mean:.2f} ± {100 * np.std(values, ddof=1):.2f}"


def plot_per_subject(results, fname=None, note=None, score=None):
    """Plot the score per subject and pipeline, one panel per protocol.

    Like Fig. 3 of the HAMNet paper: grouped bars, one group per subject, one
    bar per pipeline. A bar is the subject's mean over sessions (folds of a
    session averaged first); its error bar is the standard deviation over
    the subject's folds and sessions. The panels wrap into rows of at most
    three, at most 7.5 inches wide in all, so that the figure fits a page.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.
    fname : path-like | None, default=None
        Where to save the figure as PNG (200 dpi); None only returns it.
    note : str | None, default=None
        A line printed under the panels, e.g. that the data were simulated
        or the run a ``--quick`` smoke test.
    score : str | None, default=None
        The column plotted; None takes the score of the table
        (:func:`summary_table`): balanced accuracy where the test classes
        are unbalanced, else accuracy. The axis names it.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    """
    if score is None:
        score, score_title, _ = lead_score(results)
    else:
        score_title = METRICS.get(score, score)
    # Figure + the Agg canvas directly: no pyplot, so no global backend state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    scores = subject_scores(results, score)
    per_subject = scores.groupby(["protocol", "pipeline", "subject"], sort=False)["score"].mean()
    spread = results.groupby(["protocol", "pipeline", "subject"], sort=False)[score].std(
        ddof=0
    )
    protocols = [p for p in PROTOCOLS if p in set(results["protocol"])]
    pipelines = list(dict.fromkeys(results["pipeline"]))
    subjects = sorted(set(results["subject"]), key=natural_key)
    width = 0.8 / len(pipelines)
    n_classes = int(results["n_classes"].max()) if "n_classes" in results else 0
    n_cols = min(3, len(protocols))
    n_rows = -(-len(protocols) // n_cols)
    # a page is about 7.5 inches wide: many subjects make taller rows, not wider ones
    panel_width = min(max(2.4, 0.8 + 0.18 * len(subjects) * len(pipelines)), 7.5 / n_cols)
    # room for a legend beside the panels, unless an empty panel can hold it
    legend_width = 0.0 if n_rows * n_cols > len(protocols) else 1.4
    fig = Figure(
        figsize=(panel_width * n_cols + legend_width, 2.6 * n_rows + (0.35 if note else 0.0)),
        layout="constrained",
    )
    FigureCanvasAgg(fig)
    axes = fig.subplots(n_rows, n_cols, sharey=True, squeeze=False).ravel()
    x = np.arange(len(subjects))
    colours = [f"C{k % 10}" for k in range(len(pipelines))]
    for ax, protocol in zip(axes, protocols):
        for k, name in enumerate(pipelines):
            keys = [(protocol, name, subject) for subject in subjects]
            heights = [100 * per_subject.get(key, np.nan) for key in keys]
            errors = [100 * np.nan_to_num(spread.get(key, 0.0)) for key in keys]
            ax.bar(x + (k - (len(pipelines) - 1) / 2) * width, heights, width, label=name,
                   color=colours[k], yerr=errors, capsize=2,
                   error_kw=dict(elinewidth=0.8, ecolor="0.2"))
        ax.set_xticks(x, [str(s) for s in subjects])
        ax.set_xlabel("Subject")
        title = PROTOCOLS[protocol].title.rstrip("*")
        ax.set_title(title + (" (leaks)" if PROTOCOLS[protocol].leaks else ""), fontsize=10)
        if n_classes:
            ax.axhline(100 / n_classes, color="0.3", linestyle="--", linewidth=1,
                       label="chance")
        ax.set_ylim(0, 105)
        ax.grid(axis="y", alpha=0.3)
        ax.tick_params(labelsize=8)
    for ax in axes[::n_cols]:
        ax.set_ylabel(f"{score_title} (%)")
    handles, labels = axes[0].get_legend_handles_labels()
    spare = axes[len(protocols):]
    for ax in spare:
        ax.axis("off")
    if len(spare):
        # an empty panel holds the legend, keeping the figure narrow
        spare[0].legend(handles, labels, loc="center", fontsize="small", frameon=False)
    else:
        fig.legend(handles, labels, loc="outside right upper", fontsize="small")
    if note:
        fig.text(0.01, 0.005, note, fontsize=8, color="firebrick", ha="left", va="bottom")
        bottom = 0.3 / fig.get_figheight()
        fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    if fname is not None:
        fig.savefig(fname, dpi=200)
    return fig


def check_output_folder(out):
    """Check that files can be written in ``out``, creating it if needed.

    Called before any fold runs, so that no compute is lost to an output
    folder that cannot be written.

    Parameters
    ----------
    out : path-like
        The folder.

    Returns
    -------
    out : pathlib.Path
        The folder, which now exists.
    """
    out = _check_path(out, "out")
    return writable_folder(out, "output folder")


def writable_folder(folder, what):
    """Create ``folder`` if needed and check that a file can be written in it."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"The {what} {folder} exists and is not a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".mne-hamnet-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise ValueError(
            f"Cannot write to the {what} {folder}: {reason}. Choose a folder you can "
            "write to."
        ) from None
    return folder


def write_outputs(results, out, dataset="simulated", settings=None, note=None):
    """Write the results, their table, figure and paired statistics to a folder.

    The files are :data:`OUTPUTS`: ``results.csv`` (one row per fold),
    ``table.md`` (:func:`summary_table`), ``per_subject.png``
    (:func:`plot_per_subject`), ``stats.md`` and
    ``paired_differences.png`` (HAMNet against each other pipeline:
    :func:`~mne_hamnet.stats.paired_statistics`).

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.
    out : path-like
        The folder, created if needed.
    dataset : str, default="simulated"
        The data set, as in :func:`summary_table`.
    settings : str | None, default=None
        A line describing the run, written above the table.
    note : str | None, default=None
        A line printed under the figure (see :func:`plot_per_subject`).

    Returns
    -------
    paths : list of pathlib.Path
        The files.
    """
    out = check_output_folder(out)
    paths = [out / name for name in OUTPUTS]
    results.to_csv(paths[0], index=False)
    column, title, reason = lead_score(results)
    stats = paired_statistics(results, score=column)
    paths[1].write_text(summary_table(results, dataset, settings, stats=stats),
                        encoding="utf-8")
    plot_per_subject(results, paths[2], note=note, score=column)
    head = ["# Paired statistics", ""]
    if settings:
        head += [settings, ""]
    head += [f"The score compared is {title.lower()}: {reason}.", ""]
    paths[3].write_text("\n".join(head) + "\n" + stats_markdown(stats, title),
                        encoding="utf-8")
    plot_paired_differences(stats, paths[4], title=title)
    return paths
