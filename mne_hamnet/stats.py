"""Paired statistics of a benchmark: HAMNet against each other pipeline, with MOABB's tests.

For each protocol, the scores of the reference pipeline (HAMNet) and of each
other pipeline are paired on the same subjects (or, with one subject, on the
same folds) and compared with the tests of :mod:`moabb.analysis.meta_analysis`.
"""

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from ._check import _validate_type
from ._scoring import lead_score
from .protocols import PROTOCOLS

__all__ = ["STATS_COLUMNS", "paired_statistics", "plot_paired_differences", "stats_markdown"]

#: The columns of :func:`paired_statistics`.
STATS_COLUMNS = (
    "protocol", "reference", "pipeline", "unit", "n", "reference_mean", "pipeline_mean",
    "difference", "ci_low", "ci_high", "smd", "p", "p_holm", "significant", "test",
)
# MOABB switches from its permutation test to Wilcoxon's at 20 subjects.
_PERM_CUTOFF = 20
# Seed of MOABB's random permutations (14-19 subjects): the same p-values
# at each run.
_PERM_SEED = 0


def paired_statistics(results, reference=None, score=None, alpha=0.05):
    """Compare a reference pipeline with each other one, paired, per protocol.

    Scores are first averaged over seeds, then over the folds of a session,
    then over the sessions of a subject. With two subjects or more, the
    pairs are subjects, tested with MOABB's paired permutation test (exact
    up to 13 subjects, 10,000 random sign flips up to 19, seeded) or, from
    20 subjects, Wilcoxon's signed-rank test, as
    :func:`moabb.analysis.meta_analysis.compute_dataset_statistics` does.
    With one subject the pairs are its folds (every session's), tested with
    MOABB's corrected resampled t-test
    (:func:`~moabb.analysis.meta_analysis.compute_pvals_corrected_ttest`,
    Nadeau & Bengio): folds share training windows, so a plain test over
    folds would be overconfident.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.
    reference : str | None, default=None
        The pipeline compared with every other; None takes ``"HAMNet"`` if
        it ran, else the first pipeline.
    score : str | None, default=None
        The column compared; None takes the score the table leads with:
        balanced accuracy where the test classes are unbalanced, else
        accuracy.
    alpha : float, default=0.05
        The level below which a Holm-adjusted p-value is significant.

    Returns
    -------
    stats : pandas.DataFrame
        One row per protocol and other pipeline, with the columns of
        :data:`STATS_COLUMNS`: the pairing ``unit`` (``"subject"`` or
        ``"fold"``) and their number ``n``; the two pipelines' mean scores;
        ``difference``, the mean paired difference (reference minus
        pipeline) with its 95 % confidence interval ``ci_low``,
        ``ci_high``; ``smd``, MOABB's standardised mean difference (mean
        over standard deviation of the paired differences); ``p``, two-sided
        (twice MOABB's one-tailed p-value in the direction of the
        difference, at most 1); ``p_holm``, Holm-adjusted over the pipelines
        of a protocol; ``significant`` (``p_holm < alpha``); and ``test``.
        ``p`` is NaN where fewer than two pairs exist.
    """
    _validate_type(results, pd.DataFrame, "results", "a DataFrame of evaluate")
    pipelines = list(dict.fromkeys(results["pipeline"]))
    if reference is None:
        reference = "HAMNet" if "HAMNet" in pipelines else pipelines[0]
    if reference not in pipelines:
        raise ValueError(
            f"The reference pipeline {reference!r} is not in the results, whose pipelines "
            f"are {pipelines}."
        )
    if score is None:
        score = lead_score(results)[0]
    if score not in results:
        raise ValueError(f"The results have no column {score!r} to compare.")
    rows = []
    for protocol in [p for p in PROTOCOLS if p in set(results["protocol"])]:
        part = results[results["protocol"] == protocol]
        units, unit = _paired_units(part, score)
        protocol_rows = []
        for name in pipelines:
            if name == reference or name not in units or reference not in units:
                continue
            pair = units[[reference, name]].dropna()
            protocol_rows.append(_compare(pair, reference, name, unit, part))
        _holm(protocol_rows, alpha)
        for row in protocol_rows:
            rows.append(dict(protocol=protocol, **row))
    return pd.DataFrame(rows, columns=list(STATS_COLUMNS))


def _paired_units(part, score):
    """The scores to pair: a table of units x pipelines, and the unit's name."""
    keys = ["pipeline", "subject", "session", "fold"]
    part = part.assign(_score=part[score].astype(float))
    if "seed" in part:
        # a pipeline run once has no seed (NaN): keep it
        part = part.groupby(keys + ["seed"], sort=False, dropna=False)["_score"].mean()
        part = part.groupby(level=keys, sort=False).mean().reset_index()
    if part["subject"].nunique() >= 2:
        sessions = part.groupby(["pipeline", "subject", "session"], sort=False)["_score"].mean()
        per_subject = sessions.groupby(level=["pipeline", "subject"], sort=False).mean()
        return per_subject.unstack("pipeline"), "subject"
    folds = part.groupby(["pipeline", "session", "fold"], sort=False)["_score"].mean()
    return folds.unstack("pipeline"), "fold"


def _compare(pair, reference, name, unit, part):
    from moabb.analysis.meta_analysis import (
        compute_effect,
        compute_pvals_corrected_ttest,
        compute_pvals_perm,
        compute_pvals_wilcoxon,
    )

    n = len(pair)
    diffs = (pair[reference] - pair[name]).to_numpy(dtype=float)
    row = dict(
        reference=reference, pipeline=name, unit=unit, n=n,
        reference_mean=float(pair[reference].mean()) if n else np.nan,
        pipeline_mean=float(pair[name].mean()) if n else np.nan,
        difference=float(diffs.mean()) if n else np.nan,
        ci_low=np.nan, ci_high=np.nan, smd=np.nan, p=np.nan, test="not tested: fewer than 2 pairs",
    )
    if n < 2:
        return row
    order = [reference, name]
    frame = pair[order].reset_index(drop=True)
    spread = diffs.std(ddof=1)
    if unit == "subject":
        if n < _PERM_CUTOFF:
            one_tailed = compute_pvals_perm(frame, order, seed=_PERM_SEED)
            row["test"] = "MOABB's paired permutation test over subjects" + (
                " (exact)" if n <= 13 else " (10,000 sign flips)"
            )
        else:
            one_tailed = compute_pvals_wilcoxon(frame, order)
            row["test"] = "Wilcoxon signed-rank test over subjects (MOABB)"
        half = _scipy_stats.t.ppf(0.975, n - 1) * spread / np.sqrt(n)
    elif not {"samples", "samples_test"} <= set(part.columns):
        row["test"] = "not tested: the corrected t-test needs the fold sizes (samples)"
        return row
    else:
        n_train = float(part["samples"].mean())
        n_test = float(part["samples_test"].mean())
        one_tailed = compute_pvals_corrected_ttest(frame, n_train, n_test, order)
        row["test"] = "MOABB's corrected resampled t-test over folds (Nadeau & Bengio)"
        half = _scipy_stats.t.ppf(0.975, n - 1) * np.sqrt(
            (1 / n + n_test / n_train) * spread**2
        )
    effect = compute_effect(frame, order)
    forward, backward = one_tailed[0, 1], one_tailed[1, 0]
    row.update(
        ci_low=row["difference"] - half,
        ci_high=row["difference"] + half,
        smd=float(effect[0, 1]),
        p=float(min(1.0, 2 * min(forward, backward))),
    )
    return row


def _holm(rows, alpha):
    """Holm's step-down adjustment of the rows' p-values, in place."""
    tested = sorted(
        (k for k, row in enumerate(rows) if np.isfinite(row["p"])), key=lambda k: rows[k]["p"]
    )
    running = 0.0
    for rank, k in enumerate(tested):
        running = max(running, min(1.0, (len(tested) - rank) * rows[k]["p"]))
        rows[k]["p_holm"] = running
    for row in rows:
        row.setdefault("p_holm", np.nan)
        row["significant"] = bool(np.isfinite(row["p_holm"]) and row["p_holm"] < alpha)


def stats_markdown(stats, title="Score", alpha=0.05):
    """Format :func:`paired_statistics` as Markdown, one table per protocol.

    Parameters
    ----------
    stats : pandas.DataFrame
        The output of :func:`paired_statistics`.
    title : str, default="Score"
        The name of the score compared, for the headers.
    alpha : float, default=0.05
        The significance level used.

    Returns
    -------
    text : str
        The Markdown text.
    """
    _validate_type(stats, pd.DataFrame, "stats")
    if stats.empty:
        return "No pipeline to compare with the reference.\n"
    reference = stats["reference"].iloc[0]
    lines = []
    for protocol in dict.fromkeys(stats["protocol"]):
        part = stats[stats["protocol"] == protocol]
        lines += [
            f"## {PROTOCOLS[protocol].title.rstrip('*')}",
            "",
            f"| {reference} vs | Pairs | {reference} (%) | Other (%) | Difference "
            "(points, 95 % CI) | Effect size (SMD) | p | p (Holm) | Test |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in part.itertuples():
            mark = " **significant**" if row.significant else ""
            lines.append(
                f"| {row.pipeline} | {row.n} {row.unit}s | {_pct(row.reference_mean)} | "
                f"{_pct(row.pipeline_mean)} | {_diff(row)} | {_smd(row.smd)} | "
                f"{_p(row.p)} | {_p(row.p_holm)}{mark} | {row.test} |"
            )
        lines.append("")
    notes = [
        f"{title}, paired: each pipeline against {reference} on the same subjects (folds "
        "averaged per session, sessions per subject, seeds first), or on the same folds "
        "when there is one subject. The difference is "
        f"{reference} minus the other pipeline, in percentage points; a positive "
        f"difference favours {reference}. The effect size is MOABB's standardised mean "
        "difference: the mean paired difference over its standard deviation (± inf "
        "when every pair differs by the same amount). p is two-sided: twice MOABB's "
        "one-tailed p-value in the direction of the difference. p (Holm) adjusts for "
        f"the comparisons of a protocol; a difference is significant when it is below "
        f"{alpha:g}.",
        "Why these tests: over subjects, MOABB's own "
        "(`moabb.analysis.meta_analysis`: a paired permutation test below 20 subjects, "
        "exact up to 13, Wilcoxon's signed-rank test from 20). With one subject there "
        "are no subjects to pair: the folds are paired instead, with MOABB's corrected "
        "resampled t-test (Nadeau & Bengio), because folds share training windows and "
        "a plain test over folds would be overconfident. Few pairs make weak tests: an "
        "exact permutation test over n pairs cannot give a two-sided p below "
        "2 / 2^n (0.125 for 4 subjects).",
        "MOABB's meta-analysis (`find_significant_differences`, `meta_analysis_plot`) "
        "combines data sets as independent evidence; the protocols here test the same "
        "subjects, so they are not combined: read each protocol on its own.",
    ]
    return "\n".join(lines) + "\n" + "\n\n".join(notes) + "\n"


def _pct(value):
    return "—" if not np.isfinite(value) else f"{100 * value:.2f}"


def _diff(row):
    if not np.isfinite(row.difference):
        return "—"
    text = _points(row.difference)
    if np.isfinite(row.ci_low):
        text += f" [{_points(row.ci_low)}, {_points(row.ci_high)}]"
    return text


def _points(value):
    value = 100 * value
    # no "-0.00" for a difference that rounds to nothing
    return f"{value if abs(value) >= 0.005 else 0.0:+.2f}"


def _smd(value):
    if np.isnan(value):
        return "—"
    if np.isinf(value):
        return "+inf" if value > 0 else "-inf"
    return f"{value:+.2f}"


def _p(value):
    if not np.isfinite(value):
        return "—"
    return f"{value:.3g}" if value >= 1e-4 else f"{value:.1e}"


def plot_paired_differences(stats, fname=None, title="Score"):
    """Plot each pipeline's paired difference from the reference, one panel per protocol.

    A forest plot: for each other pipeline, the mean paired difference
    (reference minus pipeline, in percentage points) with its 95 %
    confidence interval; a filled marker is a significant difference
    (Holm-adjusted).

    Parameters
    ----------
    stats : pandas.DataFrame
        The output of :func:`paired_statistics`.
    fname : path-like | None, default=None
        Where to save the figure as PNG (200 dpi); None only returns it.
    title : str, default="Score"
        The name of the score compared, for the axis label.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    _validate_type(stats, pd.DataFrame, "stats")
    protocols = list(dict.fromkeys(stats["protocol"])) or ["(none)"]
    names = list(dict.fromkeys(stats["pipeline"]))
    reference = stats["reference"].iloc[0] if len(stats) else "reference"
    n_cols = min(3, len(protocols))
    n_rows = -(-len(protocols) // n_cols)
    fig = Figure(figsize=(2.5 * n_cols + 1.2, 0.5 + (0.35 * len(names) + 0.9) * n_rows),
                 layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(n_rows, n_cols, sharey=True, squeeze=False).ravel()
    y = np.arange(len(names))[::-1]
    for ax, protocol in zip(axes, protocols):
        part = stats[stats["protocol"] == protocol].set_index("pipeline")
        for k, name in enumerate(names):
            if name not in part.index:
                continue
            row = part.loc[name]
            if np.isfinite(row["ci_low"]):
                ax.plot([100 * row["ci_low"], 100 * row["ci_high"]], [y[k]] * 2,
                        color="0.3", linewidth=1.2)
            ax.plot([100 * row["difference"]], [y[k]], "o", color="C0",
                    markerfacecolor="C0" if row["significant"] else "white")
        ax.axvline(0, color="0.5", linestyle="--", linewidth=1)
        # a difference of scores lies within ±100 points, whatever its interval
        low, high = ax.get_xlim()
        ax.set_xlim(max(low, -100.0), min(high, 100.0))
        ax.set_title(PROTOCOLS[protocol].title.rstrip("*") if protocol in PROTOCOLS
                     else protocol, fontsize=10)
        ax.set_xlabel(f"{reference} − pipeline\n({title}, points)", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, names)
    for ax in axes[len(protocols):]:
        ax.axis("off")
    fig.suptitle(f"{reference} against each pipeline: mean paired difference, 95 % CI "
                 "(filled: significant)", fontsize=9)
    if fname is not None:
        fig.savefig(fname, dpi=200)
    return fig
