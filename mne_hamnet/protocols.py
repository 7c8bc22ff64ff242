"""The evaluation protocols, one record each: what they hold out, whether they leak, how they split.

:func:`~mne_hamnet.evaluation.evaluate`, the report and the command line read
:data:`PROTOCOLS`; a new protocol is one more :class:`Protocol` here.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import BaseCrossValidator, StratifiedGroupKFold

from ._check import _check_option, _validate_type
from ._moabb import (
    CrossSessionEvaluation,
    CrossSubjectEvaluation,
    GroupsConsumerMixin,
    WithinSessionEvaluation,
)

__all__ = ["PROTOCOLS", "ChronologicalSplit", "Protocol", "get_protocol", "trial_groups"]


@dataclass(frozen=True)
class Protocol:
    """One evaluation protocol.

    Parameters
    ----------
    name : str
        The key (``protocol=`` of :func:`~mne_hamnet.evaluation.evaluate`,
        ``--protocol`` on the command line).
    title : str
        The column title in the results table.
    leaks : bool
        Whether windows of one trial can fall on both sides of a split, so
        that scores overstate accuracy on unseen trials.
    min_subjects, min_sessions : int
        What the data set needs: subjects in the evaluation, sessions per
        subject.
    fold_unit : tuple of str
        What folds are numbered within: ``("subject", "session")``,
        ``("subject",)`` or ``()`` (the whole data set).
    make_evaluation : callable
        Called as ``make_evaluation(n_splits=..., groups=..., train_size=...,
        **common)`` to return the MOABB evaluation that makes its folds;
        ``groups`` gives each window's trial, ``train_size`` the
        chronological split, ``common`` MOABB's keyword arguments.
    min_trials : callable
        Called with ``n_splits`` to return the trials that each session
        needs.
    description : str
        What it does, as a verb phrase ("leaves one subject out"), for
        messages and notes.
    """

    name: str
    title: str
    leaks: bool
    min_subjects: int
    min_sessions: int
    fold_unit: tuple
    make_evaluation: object
    min_trials: object
    description: str


class ChronologicalSplit(GroupsConsumerMixin, BaseCrossValidator):
    """Train on a session's first trials in recording order, test on the rest.

    One split. The trials are the ``groups``; their recording order is the
    natural order of their labels (``"2"`` before ``"10"``), which is the
    trial number for :class:`~mne_hamnet.datasets.SEED` and the window's
    position for data sets whose windows are the trials.

    Parameters
    ----------
    train_size : int | float, default=0.6
        The trials that train: a count of the first trials (9 on SEED), or a
        fraction of them in (0, 1), rounded, keeping at least one trial on
        each side.
    """

    def __init__(self, train_size=0.6):
        self.train_size = train_size

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of splits, 1.

        Parameters
        ----------
        X, y, groups : object
            Not used, present for API consistency.

        Returns
        -------
        n_splits : int
            Always 1.
        """
        return 1

    def split(self, X, y=None, groups=None):
        """Yield the indices of the first trials and of the rest.

        Parameters
        ----------
        X : array-like, shape (n_windows, ...)
            The windows of one session, in recording order.
        y : array-like | None
            Not used, present for API consistency.
        groups : array-like, shape (n_windows,)
            The trial of each window.

        Yields
        ------
        train, test : ndarray of int
            The indices of the training and the test windows.
        """
        if groups is None:
            raise ValueError("ChronologicalSplit needs groups: the trial of each window.")
        groups = np.asarray(groups)
        if len(groups) != len(X):
            raise ValueError(
                f"groups must give the trial of each of the {len(X)} windows, but has "
                f"{len(groups)} values."
            )
        trials = sorted(set(groups.tolist()), key=natural_key)
        n_train = self._n_train(len(trials))
        train_trials = set(trials[:n_train])
        in_train = np.array([g in train_trials for g in groups.tolist()], dtype=bool)
        yield np.flatnonzero(in_train), np.flatnonzero(~in_train)

    def _n_train(self, n_trials):
        size = self.train_size
        _validate_type(size, "numeric", "train_size")
        if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
            n_train = int(size)
            if not 1 <= n_train < n_trials:
                raise ValueError(
                    f"The chronological split trains on the first {n_train} trials of each "
                    f"session, but a session has {n_trials} trials: it needs at least "
                    f"{n_train + 1}."
                )
            return n_train
        if not 0 < size < 1:
            raise ValueError(
                f"train_size must be a count of trials or a fraction in (0, 1), but got {size}."
            )
        if n_trials < 2:
            raise ValueError(
                f"The chronological split needs at least 2 trials per session, but a session "
                f"has {n_trials}."
            )
        return int(min(max(round(size * n_trials), 1), n_trials - 1))


def natural_key(value):
    """Sort numbers as numbers (``"2"`` before ``"10"``) and anything else as text.

    Parameters
    ----------
    value : object
        A label.

    Returns
    -------
    key : tuple
        A sort key.
    """
    try:
        return (0, float(value), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(value))


def trial_groups(paradigm):
    """Return how windows are grouped into trials for ``paradigm``'s data.

    Parameters
    ----------
    paradigm : moabb.paradigms.base.BaseParadigm
        The paradigm.

    Returns
    -------
    groups : str | callable
        ``"run"`` (the metadata column) when the paradigm cuts trials into
        windows, as :class:`~mne_hamnet.paradigms.Emotion` does; otherwise a
        callable giving each window its own trial, numbered in recording
        order (MOABB's imagery paradigms return one epoch per trial).
    """
    from .paradigms import Emotion

    if isinstance(paradigm, Emotion):
        return "run"
    return _one_trial_per_window


def _one_trial_per_window(metadata):
    return np.arange(len(metadata))


def _within(cv_class=None):
    def make(*, n_splits, groups, train_size, **common):
        if cv_class is None:
            return WithinSessionEvaluation(n_splits=n_splits, **common)
        return WithinSessionEvaluation(
            n_splits=n_splits, cv_class=cv_class, groups=groups, **common
        )

    return make


def _chronological(*, n_splits, groups, train_size, **common):
    return WithinSessionEvaluation(
        cv_class=ChronologicalSplit, cv_kwargs=dict(train_size=train_size), groups=groups,
        **common,
    )


def _cross_session(*, n_splits, groups, train_size, **common):
    return CrossSessionEvaluation(**common)


def _cross_subject(*, n_splits, groups, train_size, **common):
    return CrossSubjectEvaluation(**common)


#: Every protocol by name, in the order of the result tables.
PROTOCOLS = {
    protocol.name: protocol
    for protocol in (
        Protocol(
            name="paper",
            title="Paper protocol*",
            leaks=True,
            min_subjects=1,
            min_sessions=1,
            fold_unit=("subject", "session"),
            make_evaluation=_within(),
            min_trials=lambda n_splits: 1,
            description=(
                "cuts each session into stratified k folds of shuffled windows, as the "
                "HAMNet paper does"
            ),
        ),
        Protocol(
            name="trialwise",
            title="Trial-wise",
            leaks=False,
            min_subjects=1,
            min_sessions=1,
            fold_unit=("subject", "session"),
            make_evaluation=_within(StratifiedGroupKFold),
            min_trials=lambda n_splits: n_splits,
            description="cuts each session into k folds grouped by trial, stratified by class",
        ),
        Protocol(
            name="chronological",
            title="Chronological",
            leaks=False,
            min_subjects=1,
            min_sessions=1,
            fold_unit=("subject", "session"),
            make_evaluation=_chronological,
            min_trials=lambda n_splits: 2,
            description=(
                "trains on each session's first trials in recording order and tests on the "
                "rest (9/6 on SEED)"
            ),
        ),
        Protocol(
            name="cross-session",
            title="Cross-session",
            leaks=False,
            min_subjects=1,
            min_sessions=2,
            fold_unit=("subject",),
            make_evaluation=_cross_session,
            min_trials=lambda n_splits: 1,
            description="leaves one session out",
        ),
        Protocol(
            name="cross-subject",
            title="Cross-subject",
            leaks=False,
            min_subjects=2,
            min_sessions=1,
            fold_unit=(),
            make_evaluation=_cross_subject,
            min_trials=lambda n_splits: 1,
            description="leaves one subject out",
        ),
    )
}


def get_protocol(name):
    """Return the :class:`Protocol` called ``name``, or raise a clear error.

    Parameters
    ----------
    name : str
        A key of :data:`PROTOCOLS`.

    Returns
    -------
    protocol : Protocol
        Its record.
    """
    _check_option("protocol", name, tuple(PROTOCOLS))
    return PROTOCOLS[name]
