"""Cross-validation of pipelines on an emotion data set, fold by fold."""

import copy
import logging
import os
import tempfile
import time
import warnings
from contextlib import ExitStack

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from . import _moabb
from ._check import _check_path, _check_positive_int, _check_unique_names, _validate_type
from ._fit_to_data import (
    _built_networks,
    _check_recipes,
    _with_signal_params,
    check_pipelines_fit,
)
from ._folds import FoldCache, plan_folds, run_folds
from ._logging import PROGRESS_LOGGER, logger
from ._scoring import EPOCHS_KEPT, fold_columns
from ._seeds import seed_groups
from ._trial_steps import trial_step_groups
from ._validation import TRIAL_ID, trial_ids
from .protocols import PROTOCOLS as _REGISTRY
from .protocols import get_protocol, natural_key, trial_groups

#: The names of the evaluation protocols, in the order of the result tables
#: (their records: :data:`mne_hamnet.protocols.PROTOCOLS`).
PROTOCOLS = tuple(_REGISTRY)
# documented here, where evaluate is: the API reference and pickles name them so
check_pipelines_fit.__module__ = trial_step_groups.__module__ = __name__
progress_logger = logging.getLogger(PROGRESS_LOGGER)


class DataError(ValueError):
    """The data set could not be read: a bad file, key or array in it."""


def evaluate(
    pipelines,
    dataset,
    protocol="trialwise",
    *,
    paradigm=None,
    subjects=None,
    n_splits=5,
    chronological_split=None,
    random_state=None,
    seeds=None,
    n_jobs=None,
    scheduler=None,
    cache_dir=None,
    hdf5_path=None,
):
    """Cross-validate pipelines with MOABB, one result row per fold.

    The protocols are MOABB evaluations:

    - ``"paper"``: the HAMNet paper's protocol, per session, k-fold
      stratified CV over shuffled windows (``n_splits``, 5 in the paper)
      (:class:`~moabb.evaluations.WithinSessionEvaluation` with
      :class:`~sklearn.model_selection.StratifiedKFold`). **It leaks**: the
      windows of one trial fall on both sides of every split, and
      neighbouring seconds of a trial are nearly alike, so its scores
      overstate accuracy on unseen trials. Use it only to compare with the
      paper.
    - ``"trialwise"``: per session, folds grouped by trial (MOABB's ``run``)
      and stratified by class (``WithinSessionEvaluation`` with
      :class:`~sklearn.model_selection.StratifiedGroupKFold` and
      ``groups="run"``): whole trials are tested on.
    - ``"chronological"``: per session, the first trials in recording
      order train and the rest test (``chronological_split``: each data
      set's record gives its split, e.g. 9 of 15 on SEED, the literature's
      standard), one fold per session (``WithinSessionEvaluation`` with
      :class:`~mne_hamnet.protocols.ChronologicalSplit`). A data set whose
      runs are not in recording order (:class:`~mne_hamnet.datasets.DEAP`
      without its ``participant_ratings.csv``) refuses it.
    - ``"cross-session"``: per subject, leave one session out
      (:class:`~moabb.evaluations.CrossSessionEvaluation`).
    - ``"cross-subject"``: leave one subject out
      (:class:`~moabb.evaluations.CrossSubjectEvaluation`), one row per
      session of the subject left out.

    Each protocol is a record of :data:`mne_hamnet.protocols.PROTOCOLS`.
    A trial is a MOABB ``run`` for :class:`~mne_hamnet.paradigms.Emotion`
    (a trial cut into windows) and one epoch for other paradigms (MOABB's
    imagery paradigms return one epoch per trial).

    Parameters
    ----------
    pipelines : dict of str to sklearn.base.BaseEstimator
        The pipelines by name (see :func:`~mne_hamnet.pipelines.make_pipelines`).
        Each takes the paradigm's windows, arrays of shape
        (n_windows, n_channels, n_times) in µV.
    dataset : moabb.datasets.base.BaseDataset
        The data set, e.g. :class:`~mne_hamnet.datasets.SEED`.
    protocol : str | list of str, default="trialwise"
        One or more of :data:`PROTOCOLS`.
    paradigm : moabb.paradigms.base.BaseParadigm | None, default=None
        How trials become windows; None uses
        :class:`~mne_hamnet.paradigms.Emotion` (1 s windows). Its data give
        the sampling frequency and the channel order; a pipeline built for
        others (e.g. ``HAMNetClassifier(sfreq=200.0)`` on 160 Hz data) is
        refused before any fold runs. Parameters named ``sfreq`` or
        ``ch_names`` left None (in any step, e.g. ``HAMNetClassifier()`` or
        ``make_pipelines()``'s) are set to the data's, on a copy of the
        pipeline.
    subjects : list of int | None, default=None
        The subjects to use; None uses all of ``dataset.subject_list``.
    n_splits : int, default=5
        Folds per session of ``"paper"`` and ``"trialwise"``. The other
        protocols make one split per session, or leave one session or one
        subject out.
    chronological_split : int | float | None, default=None
        The trials of a session that train in ``"chronological"``: a count
        of the first trials, or a fraction in (0, 1). None takes the data
        set's (:attr:`~mne_hamnet.datasets.DatasetSpec.chronological_split`:
        9 on SEED, 16 on SEED-IV, 10 on SEED-V, 0.75 on DEAP and DREAMER; a
        data set whose record gives None refuses the protocol), and 0.6 for
        data sets not in :data:`~mne_hamnet.datasets.DATASETS` (MOABB's).
    random_state : int | None, default=None
        Seeds the shuffles of the within-session folds. The pipelines carry
        their own seeds (``make_pipelines(random_state=...)``).
    seeds : list of int | None, default=None
        Run each pipeline that depends on its random state once per seed,
        with every ``random_state`` parameter of its steps set to the seed,
        on the same folds. Deterministic pipelines (a linear SVM, CSP+LDA,
        the majority class; see Notes) run once, with the seed None. None
        runs every pipeline once as it is.
    n_jobs : int | None, default=None
        Folds run at the same time: processes on this machine (None: 1), or,
        with ``scheduler``, tasks on the dask cluster (None or -1: one per
        worker thread).
    scheduler : str | distributed.Client | None, default=None
        A dask scheduler address (``"tcp://host:8786"``) or a client. Each
        fold then runs on the cluster through joblib's dask backend; needs
        the ``distributed`` extra.
    cache_dir : path-like | None, default=None
        A folder where each finished fold's result is stored as soon as it
        is done; an evaluation that finds a fold there does not run it
        again. None caches nothing.
    hdf5_path : path-like | None, default=None
        Where MOABB's results store (HDF5) is written, afresh at each call;
        None uses a temporary folder.

    Returns
    -------
    results : pandas.DataFrame
        MOABB's results table: one row per fold (per fold and test session
        for ``"cross-subject"``) with MOABB's columns ``score``, ``time``
        (seconds to fit the pipeline on the fold's training windows),
        ``samples`` (training windows), ``samples_test``,
        ``n_classes``, ``subject``, ``session``, ``channels``,
        ``n_sessions``, ``dataset`` and ``pipeline``, plus ``protocol``,
        ``fold``, ``seed`` (NaN for a pipeline run once as it is),
        ``accuracy``, ``balanced_accuracy``, ``f1_macro``, ``roc_auc``
        (two classes only), ``majority_rate`` (the share of the test
        windows in their most frequent class) and ``epochs_kept`` (the
        epochs each stage of a network kept, ``"pretrain=37;finetune=12"``,
        read from ``epochs_kept_`` of the pipeline's last step; empty for
        others). ``score`` is the paradigm's score (accuracy for
        :class:`~mne_hamnet.paradigms.Emotion`, ROC AUC for MOABB's
        ``LeftRightImagery``), the same as one of the named scores. Rows are
        sorted by protocol, pipeline, seed, subject, session and fold.

    Notes
    -----
    Folds, data and scoring are MOABB's: the splitters, the data loading
    and the per-fold fit and score of the MOABB evaluation classes, with a
    multi-metric scoring (the paradigm's scorer first, then the scores
    above, all on the same predictions). Two
    things differ from ``evaluation.process()``: fold scores are kept
    rather than averaged per session, and all folds of all protocols form
    one flat list of tasks, run through joblib (on a dask cluster with
    ``scheduler``) and cached one by one in ``cache_dir``. The data are
    loaded once for all protocols and kept in float32, the precision of the
    networks.

    A pipeline's first step that needs the whole trial runs on the trial,
    before the windows reach the pipeline (:func:`trial_step_groups`): a
    :class:`~mne_hamnet._peer_steps.BandPass` filters each continuous run
    before it is cut, as the peers' recipes do, and
    ``DifferentialEntropy(smooth="lds")`` smooths over each trial's windows.
    The data are loaded once per such step, one load after another.

    With an int ``random_state`` and seeded pipelines the scores do not
    depend on ``n_jobs``, on the cluster or on the cache: each fold is an
    independent task whose inputs are fixed before any of them runs.

    A fold is found in ``cache_dir`` under a digest of what determines its
    result: the protocol, the data (labels, metadata and a sample of the
    windows), MOABB's digest of the pipeline and its parameters, the
    subject, session and split, the indices of its training and test
    windows, the scores computed and the seed. Changing any of them runs the
    fold again; files of other folds
    are left alone. On a cluster, results come back to this process and are
    written here, so ``cache_dir`` need not be shared with the workers.

    A pipeline depends on its random state when one of its steps has a
    ``random_state`` parameter, except scikit-learn's ``LinearSVC`` with
    ``dual=False``, ``SVC`` without probabilities and ``DummyClassifier``
    predicting the most frequent class, which ignore theirs.

    While a fold runs, denormal floats are flushed to zero on the CPU
    (:func:`torch.set_flush_denormal`): SEED-like data, low-passed well
    below Nyquist, otherwise make HAMNet's fits several times slower.

    Examples
    --------
    >>> from mne_hamnet.datasets import SEED
    >>> from mne_hamnet.pipelines import make_pipelines
    >>> results = evaluate(make_pipelines(["DE+SVM"]), SEED(path),
    ...                    protocol=["trialwise", "cross-subject"],
    ...                    random_state=0)  # doctest: +SKIP
    """
    protocols = _check_protocols(protocol)
    pipelines = _check_pipelines(pipelines)
    dataset = _check_dataset(dataset, subjects, protocols)
    n_splits = _check_positive_int(n_splits, "n_splits", minimum=2)
    if n_jobs is not None:
        n_jobs = _check_n_jobs(n_jobs)
    if random_state is not None:
        random_state = _check_positive_int(random_state, "random_state", minimum=0)
    seeds = _check_seeds(seeds)
    paradigm = _check_paradigm(paradigm, dataset)
    chronological_split = _chronological_split(chronological_split, dataset)
    if "chronological" in protocols and chronological_split is None:
        raise ValueError(
            f"The protocol 'chronological' means nothing on {dataset.code}: its data set "
            "record has no chronological split (its trials are not in an order that "
            "can be split in time). Pass chronological_split=... or use another protocol."
        )
    cache = None if cache_dir is None else FoldCache(cache_dir)
    if hdf5_path is not None:
        from .report import writable_folder

        hdf5_path = writable_folder(_check_path(hdf5_path, "hdf5_path"), "hdf5_path folder")
    if scheduler is not None:
        from ._distributed import check_scheduler

        # before the data are loaded, which can take minutes
        check_scheduler(scheduler)

    with ExitStack() as stack:
        if hdf5_path is None:
            hdf5_path = stack.enter_context(tempfile.TemporaryDirectory(prefix="mne-hamnet-"))
        groups = trial_groups(paradigm)
        process_pipeline = paradigm.make_process_pipelines(dataset)[0]
        # the data are loaded by a first evaluation, whose results columns
        # (the scores) are known only once the classes are
        X, y, metadata = _load(
            _make_evaluation(protocols[0], paradigm, dataset, n_splits, random_state,
                             hdf5_path, groups, chronological_split, []),
            dataset, pipelines, process_pipeline,
        )
        columns = ["seed", *fold_columns(len(np.unique(y)))]
        columns.remove(EPOCHS_KEPT)  # text: not in MOABB's numeric store
        evaluations = {
            name: _make_evaluation(
                name, paradigm, dataset, n_splits, random_state, hdf5_path, groups,
                chronological_split, columns,
            )
            for name in protocols
        }
        sfreq, ch_names = _signal_info(paradigm, dataset, X)
        pipelines = _with_signal_params(pipelines, sfreq, ch_names)
        # before the networks are built: a built one no longer says its task
        _check_recipes(pipelines, protocols, paradigm)
        pipelines = _built_networks(pipelines, ch_names)
        check_pipelines_fit(pipelines, sfreq, ch_names)
        _check_trials(protocols, metadata, groups, n_splits)
        tables = []
        # one load per trial-level step, one at a time: a copy of SEED's
        # windows per band would not fit in memory. The paradigm's own
        # processing comes first and reuses the windows loaded above.
        for process, group in trial_step_groups(pipelines, paradigm, dataset,
                                                process_pipeline=process_pipeline):
            if process is not process_pipeline:
                del X, y, metadata
                X, y, metadata = _load(evaluations[protocols[0]], dataset, group, process)
            # the trial of each window, for early stopping's validation part
            metadata[TRIAL_ID] = trial_ids(metadata, groups if isinstance(groups, str) else None)
            folds = plan_folds(evaluations, dataset, X, y, metadata,
                               seed_groups(group, seeds), process)
            rows = run_folds(X, y, metadata, folds, n_jobs, scheduler, cache)
            tables.append(_collect(evaluations, dataset, folds, rows, group, process))
        return _sort_results(pd.concat(tables, ignore_index=True), pipelines)


def _signal_info(paradigm, dataset, X):
    """The windows' rate and channels, from the paradigm's processing of the data."""
    try:
        sfreq, ch_names = _moabb.signal_info(paradigm, dataset, dataset.subject_list[0])
    except (ValueError, OSError) as err:
        raise DataError(f"Could not read the data set {dataset.code}: {err}") from err
    if len(ch_names) != X.shape[1]:
        # a paradigm that picks channels in its own way: only the count is known
        logger.debug("Channel names %s do not match %d channels", ch_names, X.shape[1])
        return sfreq, X.shape[1]
    return sfreq, ch_names


def _check_paradigm(paradigm, dataset):
    if paradigm is None:
        from .paradigms import Emotion

        paradigm = Emotion()
    _validate_type(paradigm, _moabb.BaseParadigm, "paradigm", "a MOABB paradigm")
    if not paradigm.is_valid(dataset):
        events = getattr(paradigm, "events", None)
        asked = "" if events is None else f"; the paradigm asks for events {list(events)}"
        raise ValueError(
            f"The paradigm {type(paradigm).__name__} cannot read the data set "
            f"{dataset.code} (paradigm {dataset.paradigm!r}, events "
            f"{sorted(dataset.event_id)}{asked})."
        )
    return paradigm


def _chronological_split(split, dataset):
    if split is None:
        from .datasets import DATASETS

        for spec in DATASETS.values():
            if isinstance(spec.dataset, type) and isinstance(dataset, spec.dataset):
                return spec.chronological_split
        return 0.6
    _validate_type(split, "numeric", "chronological_split")
    if isinstance(split, (bool, np.bool_)):
        raise TypeError(f"chronological_split must be an int or a float, but got {split!r}.")
    if isinstance(split, (int, np.integer)):
        if split < 1:
            raise ValueError(
                f"chronological_split must be at least 1 trial, but got {split}."
            )
        return int(split)
    if not 0 < split < 1:
        raise ValueError(
            f"chronological_split must be a count of trials or a fraction in (0, 1), but "
            f"got {split}."
        )
    return float(split)


def _check_trials(protocols, metadata, groups, n_splits):
    """Check before any fold runs that each session has the trials each protocol needs."""
    for name in protocols:
        needed = get_protocol(name).min_trials(n_splits)
        if needed <= 1:
            continue
        for (subject, session), part in metadata.groupby(["subject", "session"], sort=False):
            trials = part[groups] if isinstance(groups, str) else groups(part)
            n_trials = len(np.unique(np.asarray(trials)))
            if n_trials < needed:
                hint = f"n_splits={n_splits} folds" if needed == n_splits else "a split"
                raise ValueError(
                    f"The protocol {name!r} needs at least {needed} trials per session for "
                    f"{hint}, but subject {subject}, session {session} has {n_trials}. "
                    "Use fewer folds (n_splits) or another protocol."
                )


def check_subjects(dataset, subjects):
    """Return ``subjects`` as a list, checking each is in the data set.

    Parameters
    ----------
    dataset : moabb.datasets.base.BaseDataset
        The data set.
    subjects : list of int | None
        The subjects; None means all of ``dataset.subject_list``.

    Returns
    -------
    subjects : list of int
        The subjects, in the order given.
    """
    available = list(dataset.subject_list)
    if subjects is None:
        return available
    if isinstance(subjects, (int, np.integer)):
        subjects = [subjects]
    _validate_type(subjects, (list, tuple, np.ndarray), "subjects", "list of int or None")
    subjects = list(subjects)
    if not subjects:
        raise ValueError("subjects must name at least one subject, but got an empty list.")
    missing = [s for s in subjects if s not in available]
    if missing:
        raise ValueError(
            f"Subject(s) {missing} are not in the data set {dataset.code}, whose "
            f"subjects are {available}."
        )
    _check_unique_names(subjects, "subjects")
    return [int(s) for s in subjects]


def check_protocols(dataset, protocols, subjects=None):
    """Check that ``dataset`` has what each protocol needs.

    Parameters
    ----------
    dataset : moabb.datasets.base.BaseDataset
        The data set.
    protocols : str | list of str
        Protocols among :data:`PROTOCOLS`.
    subjects : list of int | None, default=None
        The subjects that will be used; None means all.

    Returns
    -------
    protocols : list of str
        The protocols, without repeats.
    """
    protocols = _check_protocols(protocols)
    _check_dataset(dataset, subjects, protocols)
    return protocols


def _check_protocols(protocol):
    protocols = [protocol] if isinstance(protocol, str) else protocol
    _validate_type(protocols, (list, tuple), "protocol", "str or list of str")
    if not protocols:
        raise ValueError("protocol must name at least one protocol, but got an empty list.")
    for name in protocols:
        get_protocol(name)
    return list(dict.fromkeys(protocols))


def _check_pipelines(pipelines):
    _validate_type(pipelines, dict, "pipelines", "dict of name -> estimator")
    if not pipelines:
        raise ValueError("pipelines must hold at least one pipeline, but got an empty dict.")
    for name, pipeline in pipelines.items():
        _validate_type(name, str, "a pipeline name")
        if not isinstance(pipeline, BaseEstimator):
            raise TypeError(
                f"Pipeline {name!r} must be a scikit-learn estimator, but got "
                f"{type(pipeline).__name__}."
            )
    return dict(pipelines)


def _check_seeds(seeds):
    if seeds is None:
        return None
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = [seeds]
    _validate_type(seeds, (list, tuple, np.ndarray), "seeds", "list of int or None")
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, but got an empty list.")
    seeds = [_check_positive_int(seed, "each seed", minimum=0) for seed in seeds]
    _check_unique_names(seeds, "seeds")
    return seeds


def _check_n_jobs(n_jobs):
    _validate_type(n_jobs, "int", "n_jobs")
    if n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive int or -1, but got {n_jobs}.")
    return int(n_jobs)


def _check_dataset(dataset, subjects, protocols):
    """Return a shallow copy of ``dataset`` restricted to ``subjects``."""
    _validate_type(dataset, _moabb.BaseDataset, "dataset", "a MOABB dataset")
    subjects = check_subjects(dataset, subjects)
    for name in protocols:
        protocol = get_protocol(name)
        if len(subjects) < protocol.min_subjects:
            raise ValueError(
                f"The protocol {name!r} {protocol.description} and needs at least "
                f"{protocol.min_subjects} subjects, but got {subjects}."
            )
        if dataset.n_sessions < protocol.min_sessions:
            raise ValueError(
                f"The protocol {name!r} {protocol.description} and needs at least "
                f"{protocol.min_sessions} sessions per subject, but the data set "
                f"{dataset.code} has {dataset.n_sessions}."
            )
    problem = getattr(dataset, "trial_order_problem", None)
    if "chronological" in protocols and problem:
        raise ValueError(
            f"The protocol 'chronological' cannot run on {dataset.code}: {problem}; or use "
            "another protocol."
        )
    # A copy, so that the caller's data set keeps its subject list.
    dataset = copy.copy(dataset)
    dataset.subject_list = subjects
    return dataset


def _make_evaluation(protocol, paradigm, dataset, n_splits, random_state, hdf5_path, groups,
                     chronological_split, columns):
    """Return the MOABB evaluation that defines ``protocol``'s folds."""
    return get_protocol(protocol).make_evaluation(
        n_splits=n_splits,
        groups=groups,
        train_size=chronological_split,
        paradigm=paradigm,
        datasets=[dataset],
        random_state=random_state,
        overwrite=True,
        # several protocols are within-session evaluations: the suffix gives
        # each its own results file
        suffix=protocol,
        hdf5_path=os.fspath(hdf5_path),
        additional_columns=["fold", *columns],
    )


def _load(evaluation, dataset, pipelines, process_pipeline):
    """Load the windows of all subjects once, for every protocol."""
    t_start = time.perf_counter()
    try:
        X, y, metadata = _moabb.load_data(evaluation, dataset, pipelines, process_pipeline)
    except (ValueError, OSError) as err:
        raise DataError(f"Could not read the data set {dataset.code}: {err}") from err
    if not isinstance(X, np.ndarray):
        raise TypeError(
            "evaluate runs pipelines on arrays of windows, but the paradigm returned "
            f"{type(X).__name__}."
        )
    X = X.astype(np.float32, copy=False)
    metadata = metadata.reset_index(drop=True)
    progress_logger.info(
        "Loaded %d windows of shape %s from %d subject(s) of %s in %.1f s",
        len(X), X.shape[1:], len(dataset.subject_list), dataset.code,
        time.perf_counter() - t_start,
    )
    return X, np.asarray(y), metadata


def _row_key(row):
    """What tells a fold's rows apart within a protocol."""
    seed = row.get("seed")
    seed = None if seed is None or pd.isna(seed) else int(seed)
    return (row["pipeline"], str(row["subject"]), str(row["session"]), int(row["fold"]), seed)


def _collect(evaluations, dataset, folds, rows, pipelines, process_pipeline):
    """Store the rows in MOABB's results store and return its table."""
    frames = []
    kept = {}  # the epochs kept, text that MOABB's numeric store can't hold
    for protocol, evaluation in evaluations.items():
        results = []
        for fold, fold_rows in zip(folds, rows):
            if fold.protocol == protocol:
                for row in fold_rows:
                    kept[(protocol, *_row_key(row))] = row.get(EPOCHS_KEPT, "")
                    # the store holds NaN where no seed was set
                    seed = np.nan if row.get("seed") is None else row["seed"]
                    results.append(dict(row, dataset=dataset, seed=seed))
        with warnings.catch_warnings():
            # MOABB's store creates HDF5 data sets in a way h5py 3.16 deprecates.
            warnings.filterwarnings("ignore", "Creating a dataset without passing data")
            _moabb.push_results(evaluation, results, pipelines, process_pipeline)
        frame = evaluation.results.to_dataframe(
            pipelines=pipelines, process_pipeline=process_pipeline
        )
        frame.insert(0, "protocol", protocol)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table[EPOCHS_KEPT] = [
        kept.get((protocol, *_row_key(row)), "")
        for protocol, row in zip(table["protocol"], table.to_dict("records"))
    ]
    return _sort_results(table, pipelines)


def sort_results(tables, pipelines):
    """Join result tables of :func:`evaluate` in its order.

    Parameters
    ----------
    tables : list of pandas.DataFrame
        Tables that :func:`evaluate` returned.
    pipelines : list of str
        The pipeline names, in the order of the table.

    Returns
    -------
    table : pandas.DataFrame
        The rows sorted by protocol, pipeline, subject, session and fold.
    """
    return _sort_results(pd.concat(tables, ignore_index=True), pipelines)


def _sort_results(table, pipelines):
    """Sort result rows by protocol, pipeline, subject, session and fold."""
    table["fold"] = table["fold"].astype(int)
    table["seed"] = table["seed"].astype("Int64")
    order = {
        "protocol": {name: i for i, name in enumerate(PROTOCOLS)},
        "pipeline": {name: i for i, name in enumerate(pipelines)},
    }
    sort_keys = table.assign(
        _protocol=table["protocol"].map(order["protocol"]),
        _pipeline=table["pipeline"].map(order["pipeline"]),
        _subject=table["subject"].map(natural_key),
        _session=table["session"].map(natural_key),
    )
    sort_keys = sort_keys.sort_values(
        ["_protocol", "_pipeline", "seed", "_subject", "_session", "fold"]
    )
    columns = ["protocol", "pipeline", "subject", "session", "fold", "seed"]
    table = table.loc[sort_keys.index].reset_index(drop=True)
    return table[columns + [c for c in table.columns if c not in columns]]
