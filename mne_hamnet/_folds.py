"""The folds of an evaluation: plan them, run them in parallel, cache their rows, log progress.

:func:`~mne_hamnet.evaluation.evaluate` decides what to evaluate; this module
runs the folds, whichever joblib backend (local processes or a dask cluster)
they go to, and skips those a previous run already finished.
"""

import json
import logging
import os
import time
from contextlib import ExitStack

import numpy as np
from joblib import Parallel, delayed

from . import _interrupt, _moabb
from ._check import _check_path
from ._io import data_digest, digest, write_atomic
from ._logging import PROGRESS_LOGGER, logger
from ._scoring import fold_columns, fold_scorers, rename_scores
from ._training import denormals_flushed
from .protocols import get_protocol

progress_logger = logging.getLogger(PROGRESS_LOGGER)
# Bump when a change makes cached fold results stale. 2: several scores
# per fold, the epochs kept and the seed; also, a fold cut short by Ctrl-C
# was scored and cached as finished before, and such rows can't be told
# apart, so caches of version 1 are run again.
_CACHE_VERSION = 2


class _Fold:
    """One task: a pipeline fitted and scored on one fold of one protocol."""

    def __init__(self, protocol, task, key, fold, seed=None):
        self.protocol = protocol
        self.task = task
        self.key = key
        self.fold = fold
        self.seed = seed

    @property
    def n_train(self):
        return len(self.task["train_idx"])

    def describe(self):
        task = self.task
        return (
            f"{task['pipeline_name']} | {self.protocol} | subject {task['subject']} | "
            f"session {task['session']} | fold {self.fold}"
            + ("" if self.seed is None else f" | seed {self.seed}")
        )


def plan_folds(evaluations, dataset, X, y, metadata, groups, process_pipeline):
    """List every fold of every protocol, seed and pipeline, in a deterministic order.

    ``groups`` is a list of ``(seed, {name: pipeline})`` (see
    :func:`~mne_hamnet._seeds.seed_groups`); a seed of None runs the
    pipelines as they are.
    """
    data_key = _data_digest(X, y, metadata)
    n_classes = len(np.unique(y))
    folds = []
    for seed, pipelines in groups:
        digests = {
            name: _moabb.pipeline_digest(process_pipeline, pipeline)
            for name, pipeline in pipelines.items()
        }
        for protocol, evaluation in evaluations.items():
            scoring = evaluation.paradigm.scoring
            # every fold is scored by every metric on the same predictions
            scorers = fold_scorers(scoring, n_classes)
            tasks = _moabb.build_tasks(evaluation, dataset, X, y, metadata, pipelines)
            # MOABB numbers splits across all subjects and sessions; number them
            # within what each protocol holds out from: a session, a subject, or
            # the whole data set.
            unit_splits = {}
            for task in tasks:
                unit = _fold_unit(protocol, task)
                unit_splits.setdefault(unit, [])
                if task["cv_ind"] not in unit_splits[unit]:
                    unit_splits[unit].append(task["cv_ind"])
            for task in tasks:
                fold = unit_splits[_fold_unit(protocol, task)].index(task["cv_ind"])
                task = dict(task, config=dict(task["config"], scoring=scorers))
                spec = {
                    "version": _CACHE_VERSION,
                    "protocol": protocol,
                    "dataset": dataset.code,
                    "data": data_key,
                    "pipeline": digests[task["pipeline_name"]],
                    "subject": str(task["subject"]),
                    "session": str(task["session"]),
                    "split": int(task["cv_ind"]),
                    "train": digest(np.asarray(task["train_idx"], dtype=np.int64).tobytes()),
                    "test": digest(np.asarray(task["test_idx"], dtype=np.int64).tobytes()),
                    "scoring": repr(scoring),
                    "columns": fold_columns(n_classes),
                    "seed": seed,
                }
                key = digest(json.dumps(spec, sort_keys=True).encode())
                folds.append(_Fold(protocol, task, key, fold, seed))
    return folds


def _fold_unit(protocol, task):
    return tuple(task[key] for key in get_protocol(protocol).fold_unit)


def run_folds(X, y, metadata, folds, n_jobs, scheduler, cache):
    """Run the folds not found in the cache; return their rows, in fold order."""
    rows = {}
    if cache is not None:
        for index, fold in enumerate(folds):
            cached = cache.load(fold.key)
            if cached is not None:
                rows[index] = cached
        if rows:
            progress_logger.info(
                "Skipping %d of %d folds already finished (cached in %s)",
                len(rows), len(folds), cache.folder,
            )
    todo = [index for index in range(len(folds)) if index not in rows]
    if not todo:
        return [rows[index] for index in range(len(folds))]
    # Largest training sets first, so that parallel workers end together.
    todo.sort(key=lambda index: -folds[index].n_train)
    progress = _Progress(folds, todo)
    limit = {}
    with ExitStack() as stack:
        if scheduler is not None:
            from ._distributed import dask_backend

            stack.enter_context(dask_backend(scheduler))
            if n_jobs is not None and n_jobs > 0:
                # joblib's dask backend uses every worker thread; holding back
                # the dispatch caps the folds in flight at n_jobs.
                limit["pre_dispatch"] = n_jobs
        elif n_jobs is None:
            n_jobs = 1
        # One fold per task (no automatic batching): a worker that dies costs
        # only the fold it was running.
        parallel = Parallel(
            n_jobs=n_jobs, batch_size=1, return_as="generator_unordered", **limit
        )
        # X, y and metadata go positionally so that joblib memory-maps (or
        # scatters, on dask) them once instead of copying them per task.
        results = parallel(
            delayed(_run_fold)(
                X, y, metadata, index, folds[index].task, folds[index].fold, folds[index].seed
            )
            for index in todo
        )
        try:
            for index, fold_rows, duration in results:
                rows[index] = fold_rows
                if cache is not None:
                    cache.save(folds[index].key, fold_rows)
                progress.update(index, fold_rows, duration)
        except KeyboardInterrupt:
            # the fold cut short is neither scored nor cached
            progress_logger.info(
                "Interrupted after %d of %d folds%s", progress.done, progress.total,
                "" if cache is None else
                f"; the finished ones are cached in {cache.folder} and a rerun skips them",
            )
            raise
    return [rows[index] for index in range(len(folds))]


def _run_fold(X, y, metadata, index, task, fold, seed=None):
    """Fit and score one fold; runs in a worker."""
    t_start = time.perf_counter()
    with denormals_flushed(), _interrupt.noticed() as ctrl_c:
        fold_rows = _moabb.evaluate_fold(X, y, metadata, task)
    if ctrl_c["interrupted"]:
        # an estimator swallowed Ctrl-C (skorch's fit does) and was scored
        # half-trained: the run stops here instead
        raise KeyboardInterrupt
    duration = time.perf_counter() - t_start
    return index, [_plain_row(row, fold, seed) for row in fold_rows], duration


def _plain_row(row, fold, seed=None):
    """A result row of plain Python values (JSON-able), without the data set object."""
    plain = {}
    for name, value in rename_scores(dict(row)).items():
        if name == "dataset":
            continue
        if isinstance(value, np.generic):
            value = value.item()
        plain[name] = value
    plain["fold"] = int(fold)
    # JSON has no NaN: None stands for a pipeline run once, without a seed
    plain["seed"] = None if seed is None else int(seed)
    return plain


def _data_digest(X, y, metadata):
    return data_digest(X, y, metadata[["subject", "session", "run"]])


class FoldCache:
    """Finished folds' result rows, one JSON file per fold in a folder."""

    def __init__(self, folder):
        folder = _check_path(folder, "cache_dir")
        from .report import writable_folder

        # checked before any fold runs: a result that can't be stored is lost
        self.folder = os.fspath(writable_folder(os.path.abspath(folder), "cache folder"))

    def _path(self, key):
        return os.path.join(self.folder, f"{key}.json")

    def load(self, key):
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                stored = json.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            # A file cut short (a killed writer on a network file system) is
            # only a fold to run again.
            logger.debug("Ignoring the unreadable cache file %s: %s", self._path(key), err)
            return None
        if stored.get("key") != key:
            return None
        return stored["rows"]

    def save(self, key, rows):
        write_atomic(self._path(key), json.dumps({"key": key, "rows": rows}).encode())


class _Progress:
    """Log each finished fold with an estimate of the time left."""

    def __init__(self, folds, todo):
        self.folds = folds
        self.remaining = set(todo)
        self.total = len(todo)
        self.done = 0
        self.busy = 0.0  # summed task durations
        self.by_pipeline = {}  # name -> [seconds, training windows]
        self.t_start = time.perf_counter()

    def update(self, index, rows, duration):
        fold = self.folds[index]
        self.remaining.discard(index)
        self.done += 1
        self.busy += duration
        name = fold.task["pipeline_name"]
        seconds, windows = self.by_pipeline.get(name, (0.0, 0))
        self.by_pipeline[name] = (seconds + duration, windows + fold.n_train)
        elapsed = time.perf_counter() - self.t_start
        scores = ", ".join(f"{row['score']:.3f}" for row in rows)
        progress_logger.info(
            "[%d/%d] %s: score %s (%.1f s); elapsed %s, about %s left",
            self.done, self.total, fold.describe(), scores, duration,
            _format_seconds(elapsed), _format_seconds(self.eta(elapsed)),
        )

    def eta(self, elapsed):
        """Seconds left: each pipeline's time per training window, times the
        windows still to fit, divided by the parallelism seen so far."""
        if not self.remaining:
            return 0.0
        total_seconds = sum(s for s, _ in self.by_pipeline.values())
        total_windows = sum(w for _, w in self.by_pipeline.values())
        overall = total_seconds / max(total_windows, 1)
        work = 0.0
        for index in self.remaining:
            fold = self.folds[index]
            seconds, windows = self.by_pipeline.get(fold.task["pipeline_name"], (0.0, 0))
            rate = seconds / windows if windows else overall
            work += rate * fold.n_train
        parallelism = max(self.busy / max(elapsed, 1e-9), 1.0)
        return work / parallelism


def _format_seconds(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
