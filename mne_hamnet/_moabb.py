"""The one adapter around MOABB: its evaluation classes and the private calls the package makes.

MOABB's per-fold machinery (task lists, data loading, fold fitting, the results
store) is private API that can change in any release. Every such call goes
through a function here, so a MOABB upgrade is checked and fixed in one file.
"""

import mne
import numpy as np
from moabb.analysis.results import get_pipeline_digest
from moabb.datasets.base import BaseDataset
from moabb.evaluations import (
    CrossSessionEvaluation,
    CrossSubjectEvaluation,
    WithinSessionEvaluation,
)
from moabb.paradigms.base import BaseParadigm

from ._validation import TRIAL_ID, with_groups

try:  # MOABB's per-fold task function, with its flattened evaluations (1.7)
    from moabb.evaluations.base import _evaluate_fold
    from moabb.evaluations.splitters import GroupsConsumerMixin
except ImportError:  # pragma: no cover
    import moabb

    raise ImportError(
        "mne_hamnet.evaluation builds on the per-fold evaluation of MOABB >= 1.7, but "
        f"MOABB {moabb.__version__} is installed: pip install 'moabb>=1.7'."
    ) from None
from moabb.datasets._channel_pick import pick_channels_for_modalities

__all__ = [
    "BaseDataset",
    "BaseParadigm",
    "CrossSessionEvaluation",
    "CrossSubjectEvaluation",
    "GroupsConsumerMixin",
    "WithinSessionEvaluation",
    "build_tasks",
    "create_splitter",
    "evaluate_fold",
    "load_data",
    "moabb_dataset",
    "moabb_paradigm",
    "pick_channels_for_modalities",
    "pipeline_digest",
    "push_results",
    "signal_info",
]


def load_data(evaluation, dataset, pipelines, process_pipeline):
    """Return ``X, y, metadata`` of every subject of ``dataset``, as MOABB loads them."""
    return evaluation._load_data(
        dataset, pipelines, process_pipeline, None, subjects=dataset.subject_list
    )


def create_splitter(evaluation):
    """Return the splitter that makes ``evaluation``'s folds."""
    return evaluation._create_splitter()


def build_tasks(evaluation, dataset, X, y, metadata, pipelines):
    """Return MOABB's list of per-fold tasks (dicts) of ``evaluation``."""
    splitter = create_splitter(evaluation)
    work_plan = {subject: pipelines for subject in dataset.subject_list}
    return evaluation._build_task_list(
        dataset, X, y, metadata, splitter, work_plan, pipelines, None
    )


def evaluate_fold(X, y, metadata, task):
    """Fit and score one task of :func:`build_tasks`; return its result rows.

    MOABB fits with ``fit(X, y)`` alone; when the metadata number the trials
    (``trial_id``), a network that takes ``groups`` gets the trial ids of its
    training windows, for early stopping's validation part.
    """
    if TRIAL_ID in metadata:
        groups = metadata[TRIAL_ID].to_numpy()[np.asarray(task["train_idx"])]
        task = dict(task, pipeline=with_groups(task["pipeline"], groups))
    return _evaluate_fold(X, y, metadata, **task)


def push_results(evaluation, results, pipelines, process_pipeline):
    """Store result rows in ``evaluation``'s HDF5 results store."""
    evaluation._push_results_batch(results, pipelines, process_pipeline)


def pipeline_digest(process_pipeline, pipeline):
    """MOABB's digest of a pipeline and the data processing before it."""
    return get_pipeline_digest(process_pipeline, pipeline)


def moabb_dataset(name):
    """Return the class ``moabb.datasets.<name>``, or None if there is none.

    Parameters
    ----------
    name : str
        A class name such as ``"PhysionetMI"`` or ``"BNCI2014_001"``.

    Returns
    -------
    cls : type | None
        A subclass of :class:`moabb.datasets.base.BaseDataset`.
    """
    import moabb.datasets

    cls = getattr(moabb.datasets, str(name), None)
    if isinstance(cls, type) and issubclass(cls, BaseDataset):
        return cls
    return None


def moabb_paradigm(name):
    """Return the class ``moabb.paradigms.<name>``, or None if there is none."""
    import moabb.paradigms

    cls = getattr(moabb.paradigms, str(name), None)
    if isinstance(cls, type) and issubclass(cls, BaseParadigm):
        return cls
    return None


def signal_info(paradigm, dataset, subject):
    """Return the sampling frequency and channel names of the paradigm's windows.

    Read from the first run of ``subject`` as the paradigm will process it:
    its channel selection (``paradigm.channels``, else the EEG channels MOABB
    picks) and its resampling. This is the one source of the rate and the
    channel order that every pipeline of a benchmark must be built for.

    Parameters
    ----------
    paradigm : moabb.paradigms.base.BaseParadigm
        The paradigm.
    dataset : moabb.datasets.base.BaseDataset
        The data set.
    subject : int
        The subject whose recording is read.

    Returns
    -------
    sfreq : float
        Samples per second of the windows.
    ch_names : list of str
        Their channels, in order.
    """
    sessions = dataset.get_data(subjects=[subject])[subject]
    raw = next(iter(next(iter(sessions.values())).values()))
    channels = getattr(paradigm, "channels", None)
    if channels is None:
        picks = pick_channels_for_modalities(raw.info, dataset.return_all_modalities)
    else:
        picks = mne.pick_channels(raw.ch_names, include=list(channels), ordered=True)
    ch_names = [raw.ch_names[pick] for pick in np.atleast_1d(picks)]
    resample = getattr(paradigm, "resample", None)
    sfreq = float(raw.info["sfreq"] if resample is None else resample)
    return sfreq, ch_names
