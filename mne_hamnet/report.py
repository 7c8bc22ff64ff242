"""The results of :func:`~mne_hamnet.evaluation.evaluate` as a paper-style table and figure."""

import os
from pathlib import Path

import numpy as np

from ._check import _check_path, _validate_type
from ._paper import PAPER_ACCURACY, PAPER_ONLY_ACCURACY, PUBLISHED_CHRONOLOGICAL
from .pipelines import PIPELINE_FEATURES
from .protocols import PROTOCOLS, natural_key

__all__ = [
    "OUTPUTS",
    "check_output_folder",
    "fit_times",
    "plot_per_subject",
    "subject_scores",
    "summary_table",
    "write_outputs",
]

#: The files :func:`write_outputs` writes.
OUTPUTS = ("results.csv", "table.md", "per_subject.png")
# What each pipeline reads, for the table's Feature column: one home, in pipelines.
FEATURES = PIPELINE_FEATURES
PAPER_ONLY_FEATURES = {"DBN (DE)": "DE", "BiHDM": "raw EEG", "4D-ANN": "raw EEG"}


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
    folds = results.drop_duplicates(["protocol", "pipeline", "subject", "fold", "time"])
    table = folds.pivot_table(index="pipeline", columns="protocol", values="time",
                              aggfunc="mean", sort=False)
    protocols = [p for p in PROTOCOLS if p in table.columns]
    pipelines = list(dict.fromkeys(results["pipeline"]))
    return table.reindex(index=pipelines, columns=protocols)


def summary_table(results, dataset="simulated", settings=None):
    """Format the results as a Markdown table like the paper's Table 1.

    Rows are pipelines, columns protocols; each cell is the accuracy in %,
    mean ± standard deviation over subjects x sessions (folds of a session
    averaged first). A second table gives the mean fit time per fold. For
    SEED, a column gives the paper's number beside ours, rows list the
    paper's other methods, and with the ``chronological`` protocol a third
    table puts the published numbers under that protocol beside ours.

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

    Returns
    -------
    table : str
        The Markdown text.
    """
    _validate_type(dataset, str, "dataset")
    scores = subject_scores(results)
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
            cells.append(_mean_std(_scores(scores, protocol, name)))
        if with_paper:
            paper = PAPER_ACCURACY.get(name)
            cells.append("—" if paper is None else f"{paper:.2f}")
        lines.append(_row(cells))
    if with_paper:
        for name, paper in PAPER_ONLY_ACCURACY.items():
            cells = [name, PAPER_ONLY_FEATURES[name]] + ["—"] * len(protocols)
            lines.append(_row(cells + [f"{paper:.2f}"]))
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
    if "time" in results:
        text += _fit_time_lines(results), ""
    if with_paper and "chronological" in protocols:
        text += _published_lines(scores, pipelines), ""
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
            "† The HAMNet paper's Table 1 and §4.3, on SEED with its (leaky) protocol; "
            "HAMNet-pretrain is its 93.53 % ablation after stage 1. The SVM of Table 1 "
            "is one number for DE (and DASM) features."
        )
    elif dataset.lower() == "simulated":
        notes.append(
            "The data are simulated: the paper's SEED numbers (HAMNet "
            f"{PAPER_ACCURACY['HAMNet']:.2f} %, pretraining only "
            f"{PAPER_ACCURACY['HAMNet-pretrain']:.2f} %, SVM on DE "
            f"{PAPER_ACCURACY['DE+SVM']:.2f} %) do not apply to them."
        )
    text.append("\n\n".join(notes))
    return "\n".join(text) + "\n"


def _header(cells):
    return [_row(cells), "|" + "|".join(["---"] * len(cells)) + "|"]


def _row(cells):
    return "| " + " | ".join(cells) + " |"


def _scores(scores, protocol, name):
    return scores.loc[
        (scores["protocol"] == protocol) & (scores["pipeline"] == name), "score"
    ].to_numpy(dtype=float)


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


def _published_lines(scores, pipelines):
    lines = [
        "SEED under the chronological protocol (per session, the first 9 trials train "
        "and the last 6 test), ours beside the published numbers.",
        "",
        *_header(["Method", "Accuracy (%)", "Source"]),
    ]
    for name in pipelines:
        lines.append(_row([name, _mean_std(_scores(scores, "chronological", name)),
                           "measured here"]))
    for name, accuracy, source in PUBLISHED_CHRONOLOGICAL:
        lines.append(_row([name, f"{accuracy:.2f}",
                           f"{source}; published, not measured here"]))
    return "\n".join(lines)


def _mean_std(values):
    if len(values) == 0:
        return "—"
    mean = 100 * np.mean(values)
    if len(values) < 2:
        return f"{mean:.2f}"
    return f"{mean:.2f} ± {100 * np.std(values, ddof=1):.2f}"


def plot_per_subject(results, fname=None, note=None):
    """Plot the accuracy per subject and pipeline, one panel per protocol.

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
    spread = results.groupby(["protocol", "pipeline", "subject"], sort=False)["score"].std(
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
        ax.set_ylabel("Accuracy (%)")
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
    """Write ``results.csv``, ``table.md`` and ``per_subject.png`` to a folder.

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
        The three files.
    """
    out = check_output_folder(out)
    paths = [out / name for name in OUTPUTS]
    results.to_csv(paths[0], index=False)
    paths[1].write_text(summary_table(results, dataset, settings), encoding="utf-8")
    plot_per_subject(results, paths[2], note=note)
    return paths
