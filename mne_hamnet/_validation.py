"""The validation part that early stopping holds out: whole trials, or blocks of windows.

Windows cut from one trial are near-copies of each other, so a validation
part drawn window by window would share trials with the part the network
trains on, and the epoch it picks would be picked on leaked data. Here the
validation part is made of whole units: the trials when their ids are
known (``groups``), else the runs of consecutive windows with one label
(for windows stored in recording order, a trial or a few trials of one
class in a row).
"""

import logging

import numpy as np
from sklearn import config_context
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state

from ._check import _validate_type

_logger = logging.getLogger(__name__)

#: The early-stopping parameters' defaults (scikit-learn's), shared by
#: HAMNetClassifier and the braindecode wrapper, and given to pickles made
#: before the parameters existed.
EARLY_STOPPING_DEFAULTS = {
    "early_stopping": False, "validation_fraction": 0.1, "n_iter_no_change": 10, "tol": 1e-4,
}


def validation_split(y, groups=None, validation_fraction=0.1, random_state=None):
    """Split windows into a training part and a validation part of whole units.

    The units are the trials given by ``groups`` (kind ``"groups"``), or,
    without them, the runs of consecutive windows that share a label (kind
    ``"blocks"``). Each unit belongs to the class most of its windows have.
    Per class, ``round(validation_fraction * n_units)`` units (at least one,
    and never all of them) go to the validation part, so that it follows the
    class proportions as closely as whole units allow. A class with a single
    unit keeps it for training; without groups, the last
    ``round(validation_fraction * n)`` windows of that single block are held
    out instead, a contiguous block too.

    Parameters
    ----------
    y : array-like of shape (n_windows,)
        Class labels, in the order of the windows.
    groups : array-like of shape (n_windows,) | None, default=None
        Trial id of each window. None splits in blocks of consecutive
        windows.
    validation_fraction : float, default=0.1
        Share of each class's units held out, in (0, 1).
    random_state : int | numpy.random.RandomState | None, default=None
        None holds out the last units of each class in the order the
        windows come (for a recording, the latest trials): the same
        validation part for every network and every seed trained on the same
        data. An int or RandomState draws the units at random instead.

    Returns
    -------
    train_index : ndarray of int, shape (n_train,)
        Sorted indices of the training windows.
    valid_index : ndarray of int, shape (n_valid,)
        Sorted indices of the validation windows; no unit (trial or block)
        has windows in both parts.
    kind : {"groups", "blocks"}
        Which units were used.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per window), but got shape {y.shape}.")
    n = len(y)
    _check_validation_fraction(validation_fraction)
    if groups is None:
        kind = "blocks"
        units = _label_runs(y)
    else:
        kind = "groups"
        groups = np.asarray(groups)
        if groups.ndim != 1 or len(groups) != n:
            raise ValueError(
                "groups must hold one trial id per window: expected shape "
                f"({n},), but got {groups.shape}."
            )
        _, units = np.unique(groups, return_inverse=True)
        units = units.reshape(-1)
    n_units = int(units.max()) + 1 if n else 0
    if n_units < 2:
        what = (
            "trial (groups)" if kind == "groups"
            else "block of consecutive windows with one label"
        )
        raise ValueError(
            f"Early stopping needs at least 2 units to hold one out, but the data "
            f"has {n_units} {what}. Pass groups with one id per trial, or set "
            "early_stopping=False."
        )
    rng = None if random_state is None else check_random_state(random_state)
    # units in the order they first appear, each with its majority class
    first = np.full(n_units, n)
    np.minimum.at(first, units, np.arange(n))
    order = np.argsort(first, kind="stable")
    classes, y_codes = np.unique(y, return_inverse=True)
    counts = np.zeros((n_units, len(classes)), dtype=np.int64)
    np.add.at(counts, (units, y_codes.reshape(-1)), 1)
    unit_class = counts.argmax(axis=1)
    valid = np.zeros(n, dtype=bool)
    for code in range(len(classes)):
        members = order[unit_class[order] == code]
        if len(members) >= 2:
            n_valid = min(max(1, _round(validation_fraction * len(members))), len(members) - 1)
            chosen = (
                members[-n_valid:] if rng is None
                else rng.choice(members, size=n_valid, replace=False)
            )
            valid |= np.isin(units, chosen)
        elif kind == "blocks" and len(members) == 1:
            # one block for the whole class: hold out its tail, still contiguous
            block = np.flatnonzero(units == members[0])
            n_valid = min(max(1, _round(validation_fraction * len(block))), len(block) - 1)
            if n_valid >= 1:
                valid[block[-n_valid:]] = True
    if not valid.any():
        raise ValueError(
            "Early stopping found no unit to hold out: every class has a single "
            f"trial among the {n_units} given by groups, and holding one out would "
            "leave its class out of training. Pass finer trial ids, or set "
            "early_stopping=False."
        )
    missing = np.setdiff1d(classes, np.unique(y[~valid]))
    if missing.size:
        raise ValueError(
            f"Holding out the validation part would leave class(es) "
            f"{missing.tolist()} out of training; every class needs windows on "
            "both sides. Lower validation_fraction, pass other groups, or set "
            "early_stopping=False."
        )
    return np.flatnonzero(~valid), np.flatnonzero(valid), kind


def _label_runs(y):
    """Number the runs of consecutive equal labels: 0, 0, 1, 1, 1, 2, ..."""
    if len(y) == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.r_[False, y[1:] != y[:-1]]
    return np.cumsum(change)


def _round(value):
    # half up, not Python's half to even: 0.5 of a unit is held out
    return int(np.floor(value + 0.5))


def _check_validation_fraction(validation_fraction, owner=None):
    _validate_type(validation_fraction, "numeric", "validation_fraction")
    if not 0 < validation_fraction < 1:
        raise ValueError(
            f"{owner + ': ' if owner else ''}validation_fraction must be a number "
            "in (0, 1), the share of the training data held out for early "
            f"stopping, but got {validation_fraction}."
        )


def check_early_stopping(owner, early_stopping, validation_fraction, n_iter_no_change, tol,
                         train_split=None):
    """Check the early-stopping parameters of ``owner`` (a class name).

    ``train_split`` is the net's own: with ``early_stopping=True`` the
    validation part is held out here, so skorch's split must stay None.
    """
    _validate_type(early_stopping, bool, "early_stopping")
    _check_validation_fraction(validation_fraction, owner)
    _validate_type(n_iter_no_change, "int", "n_iter_no_change")
    if n_iter_no_change < 1:
        raise ValueError(
            f"{owner}: n_iter_no_change must be an int >= 1 (epochs without "
            f"improvement before stopping), but got {n_iter_no_change}."
        )
    _validate_type(tol, "numeric", "tol")
    if not (tol >= 0 and np.isfinite(tol)):
        raise ValueError(
            f"{owner}: tol must be a finite number >= 0 (the least decrease of "
            f"the validation loss that counts as an improvement), but got {tol}."
        )
    if early_stopping and train_split is not None:
        raise ValueError(
            f"{owner} holds out its own validation part with early_stopping=True "
            "(see validation_fraction); train_split must then be None, but got "
            f"{train_split!r}."
        )


def groups_fit_params(estimator, groups):
    """The fit parameters that hand trial ids to ``estimator``'s final step, if it takes them.

    HAMNetClassifier and the braindecode networks of
    :func:`~mne_hamnet.pipelines.make_pipelines` take ``groups`` in fit, for
    the validation part of early stopping; in a Pipeline they reach the last
    step as ``<step>__groups``. Estimators whose fit has no ``groups`` get
    nothing.

    Parameters
    ----------
    estimator : sklearn.base.BaseEstimator
        An estimator or a Pipeline.
    groups : array-like of shape (n_windows,) | None
        Trial id of each training window.

    Returns
    -------
    fit_params : dict
        ``{}``, ``{"groups": groups}`` or ``{"<step>__groups": groups}``.
    """
    import inspect

    if groups is None:
        return {}
    final, prefix = estimator, ""
    while hasattr(final, "steps"):
        name, final = final.steps[-1]
        prefix += f"{name}__"
    fit = getattr(final, "fit", None)
    if fit is None or "groups" not in inspect.signature(fit).parameters:
        return {}
    return {f"{prefix}groups": np.asarray(groups)}


#: The metadata column the benchmark numbers each window's trial in.
TRIAL_ID = "trial_id"


def trial_ids(metadata, column=None):
    """One id per window, unique across subjects and sessions, from MOABB's metadata.

    Parameters
    ----------
    metadata : pandas.DataFrame
        MOABB's metadata of the windows (``subject``, ``session``, ...).
    column : str | None, default=None
        The column that numbers the trials within a session (``"run"`` for
        the emotion paradigms, which cut each trial into windows); None gives
        every window its own trial, as MOABB's imagery paradigms do.

    Returns
    -------
    ids : ndarray of int, shape (n_windows,)
        The trial of each window.
    """
    if column is None:
        return np.arange(len(metadata))
    keys = metadata[["subject", "session", column]].astype(str).agg("\x1f".join, axis=1)
    _, ids = np.unique(keys.to_numpy(), return_inverse=True)
    return ids.reshape(-1)


def with_groups(estimator, groups):
    """``estimator`` as a Pipeline whose fit hands ``groups`` to its last step.

    For fold runners that call ``fit(X, y)`` with nothing else (MOABB's),
    so that early stopping still holds out whole trials. Estimators whose
    last step takes no ``groups`` are returned as they are.

    Parameters
    ----------
    estimator : sklearn.base.BaseEstimator
        An estimator or a Pipeline, unfitted.
    groups : array-like of shape (n_train_windows,)
        The trial id of each window ``fit`` will get.

    Returns
    -------
    estimator : sklearn.base.BaseEstimator
        A :class:`GroupedPipeline` with the same steps, or ``estimator``.
    """
    if not groups_fit_params(estimator, np.zeros(1)):
        return estimator
    if isinstance(estimator, Pipeline):
        params = estimator.get_params(deep=False)
        params.pop("steps")
        return GroupedPipeline(estimator.steps, fit_groups=np.asarray(groups), **params)
    step = type(estimator).__name__.lower()
    return GroupedPipeline([(step, estimator)], fit_groups=np.asarray(groups))


class GroupedPipeline(Pipeline):
    """A Pipeline whose fit hands ``fit_groups`` (trial ids) to its last step.

    Parameters
    ----------
    steps : list of (str, estimator)
        As in :class:`sklearn.pipeline.Pipeline`.
    fit_groups : ndarray of shape (n_windows,) | None, default=None
        Trial id of each window that ``fit`` gets; a fit on other windows
        (an inner cross-validation) gets none.
    transform_input, memory, verbose
        As in :class:`sklearn.pipeline.Pipeline`.
    """

    def __init__(self, steps, *, fit_groups=None, transform_input=None, memory=None,
                 verbose=False):
        super().__init__(steps, transform_input=transform_input, memory=memory,
                         verbose=verbose)
        self.fit_groups = fit_groups

    def fit(self, X, y=None, **params):
        """Fit the steps, with ``fit_groups`` for the last one."""
        groups = self.fit_groups
        if groups is not None and len(groups) == len(X):
            params = {**groups_fit_params(self, groups), **params}
        elif groups is not None:
            # an inner cross-validation fits on part of the windows, whose
            # trials are unknown here: early stopping splits them in blocks
            _logger.debug(
                "%s: %d trial ids for %d windows; fitting without them",
                type(self).__name__, len(groups), len(X))
        # the groups are routed by step name, the Pipeline's own convention
        with config_context(enable_metadata_routing=False):
            return super().fit(X, y, **params)
