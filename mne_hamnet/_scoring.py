"""The scores of each fold: the paradigm's own, and accuracy, balanced accuracy, macro-F1, ROC AUC.

MOABB scores a fold with its paradigm's one scorer, or with several when the
scoring is a dict: the first gives its ``score`` column, each gives a
``score_<name>`` column. :func:`fold_scorers` builds that dict, so that every
fold is scored on the same predictions by every metric the report needs.
"""

import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    make_scorer,
    roc_auc_score,
)

#: The scores of every fold, by column of ``results.csv``, with their names in
#: tables. ROC AUC is computed only when the data set has two classes.
METRICS = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "f1_macro": "Macro-F1",
    "roc_auc": "ROC AUC",
}
#: The columns of the fold's facts that are not scores of the pipeline: the
#: share of the test fold's most frequent class, and the epochs each network
#: kept (``epochs_kept_`` of the pipeline's last step).
MAJORITY_RATE = "majority_rate"
EPOCHS_KEPT = "epochs_kept"


def _balanced_accuracy(y_true, y_pred):
    # A test fold without some class: sklearn warns and averages the recalls
    # of the classes present, which is the score wanted here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return balanced_accuracy_score(y_true, y_pred)


def _f1_macro(y_true, y_pred):
    # A class never predicted has an F1 of 0 (sklearn's zero_division=0).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return f1_score(y_true, y_pred, average="macro", zero_division=0)


def _roc_auc(y_true, y_score):
    # A test fold of one class has no ROC curve: NaN, not an error that
    # would lose the fold's other scores.
    if len(np.unique(y_true)) < 2:
        return float("nan")
    return roc_auc_score(y_true, y_score)


_SCORERS = {
    "accuracy": make_scorer(accuracy_score),
    "balanced_accuracy": make_scorer(_balanced_accuracy),
    "f1_macro": make_scorer(_f1_macro),
    "roc_auc": make_scorer(
        _roc_auc, response_method=("decision_function", "predict_proba")
    ),
}


def majority_rate(estimator, X, y_true):
    """The share of the test windows in their most frequent class."""
    _, counts = np.unique(np.asarray(y_true), return_counts=True)
    return float(counts.max() / counts.sum())


def epochs_kept(estimator, X, y_true):
    """The epochs the fitted pipeline's last step kept, as ``"stage=epoch;..."``.

    Scorer-shaped because scoring is the one hook where MOABB's fold runner
    hands out the fitted pipeline; it scores nothing. Networks always set
    ``epochs_kept_`` (the last epoch under a fixed budget); an estimator
    without it (no network) gives ``""``.
    """
    final = getattr(estimator, "best_estimator_", estimator)
    if hasattr(final, "steps"):
        final = final.steps[-1][1]
    kept = getattr(final, "epochs_kept_", None) or {}
    return ";".join(f"{stage}={int(epoch)}" for stage, epoch in kept.items())


def primary_name(scoring):
    """The column name of the paradigm's own score: a metric name, else ``"score"``."""
    if isinstance(scoring, str) and scoring in METRICS:
        return scoring
    return "score"


def metric_columns(n_classes):
    """The score columns of a data set with ``n_classes`` classes."""
    return [name for name in METRICS if name != "roc_auc" or n_classes == 2]


def fold_scorers(scoring, n_classes):
    """The scorers of every fold, as MOABB takes a multi-metric scoring.

    Parameters
    ----------
    scoring : str | callable
        The paradigm's scoring; it comes first, so that MOABB's ``score``
        column stays the paradigm's score.
    n_classes : int
        The classes of the data set: ROC AUC only for two.

    Returns
    -------
    scorers : dict of str to callable
        By name: the paradigm's, the metrics of :func:`metric_columns`, then
        :data:`MAJORITY_RATE` and :data:`EPOCHS_KEPT`.
    """
    first = primary_name(scoring)
    scorers = {"paradigm": _SCORERS[first] if first in _SCORERS else scoring}
    for name in metric_columns(n_classes):
        scorers[name] = _SCORERS[name]
    scorers[MAJORITY_RATE] = majority_rate
    scorers[EPOCHS_KEPT] = epochs_kept
    return scorers


def fold_columns(n_classes):
    """The columns :func:`rename_scores` adds to a fold's row."""
    return [*metric_columns(n_classes), MAJORITY_RATE, EPOCHS_KEPT]


def rename_scores(row):
    """Give MOABB's ``score_<name>`` columns their plain names, in place."""
    row.pop("score_paradigm", None)
    for name in [*METRICS, MAJORITY_RATE, EPOCHS_KEPT]:
        if f"score_{name}" in row:
            row[name] = row.pop(f"score_{name}")
    return row


def n_classes_of(results):
    """The classes of the data set: the most any test fold held."""
    return int(results["n_classes"].max())


def is_unbalanced(results):
    """Whether some test fold's classes are not equally frequent (within a point)."""
    if MAJORITY_RATE not in results:
        return False
    n_classes = n_classes_of(results)
    rates = results[MAJORITY_RATE].to_numpy(dtype=float)
    return bool(np.any(rates > 1 / n_classes + 0.01) or np.any(results["n_classes"] < n_classes))


def lead_score(results):
    """The score a table leads with, its title, and why.

    Balanced accuracy where the test classes are unbalanced (where
    accuracy rewards predicting the frequent class), accuracy where they are
    balanced; results without those columns (written before they existed)
    give MOABB's ``score``, the paradigm's.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~mne_hamnet.evaluation.evaluate`.

    Returns
    -------
    column : str
        The column of ``results``.
    title : str
        Its name in tables.
    reason : str
        Why it was chosen, a sentence.
    """
    if "balanced_accuracy" not in results:
        return ("score", "Score", "these results have no balanced_accuracy column (an older "
                "version wrote them), so this is MOABB's score, the paradigm's own scorer")
    if is_unbalanced(results):
        top = 100 * float(results[MAJORITY_RATE].max())
        return (
            "balanced_accuracy",
            METRICS["balanced_accuracy"],
            f"the test classes are unbalanced (the most frequent class is up to "
            f"{top:.0f} % of a test fold), so accuracy would reward predicting it",
        )
    return "accuracy", METRICS["accuracy"], "the test classes are balanced"
