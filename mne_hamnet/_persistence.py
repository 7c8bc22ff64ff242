"""Saving and resuming a HAMNetClassifier: fitted state as JSON, stage checkpoints."""

import copy
import os

import numpy as np
from skorch.callbacks import Checkpoint

from ._io import data_digest
from ._logging import logger, warn
from .mirror import HemisphereMirror


def _checkpoint_sink(text):
    if text.startswith("Unable to save"):
        warn(f"StageCheckpoint: {text}")
    else:
        logger.debug("StageCheckpoint: %s", text)


class StageCheckpoint(Checkpoint):
    """A skorch Checkpoint that keeps each stage of a HAMNetClassifier fit.

    It writes, after every epoch by default, the network's weights, the
    optimizer's state and the classifier's fitted state (classes, channels,
    mirror, seeds, histories; see :meth:`HAMNetClassifier.save_params`), to
    files named after the stage: ``pretrain_params.pt``, ...,
    ``finetune_fitted.json``. The last stage 1 files are the checkpoint
    between the two stages. Each file is written to a temporary name and
    then renamed, the fitted state last, so a run killed at any moment
    leaves a usable checkpoint.

    Pair it with skorch's :class:`~skorch.callbacks.LoadInitState` to resume
    by running the same fit again::

        cp = StageCheckpoint(dirname="run1")
        clf = HAMNetClassifier(callbacks=[cp, LoadInitState(cp)])
        clf.fit(X, y)  # again after a crash: each stage resumes

    Use one directory per fit: a checkpoint written for other data is
    refused with an error.

    Parameters
    ----------
    dirname : str
        Directory of the files, created if needed.
    monitor : str | callable | None, default=None
        When to save, as in :class:`skorch.callbacks.Checkpoint`. None saves
        after every epoch, which is what resuming needs; a callable such as
        ``lambda net: len(net.history) % 10 == 0`` saves less often.
    f_params, f_optimizer, f_criterion, f_fitted : str | None
        File name templates; ``{net.stage_}`` is the stage.
    f_history : None
        Must stay None: the history is part of the fitted state, per stage.
    f_pickle : str | None, default=None
        As in :class:`skorch.callbacks.Checkpoint`: a pickle of the whole
        classifier (``"{net.stage_}.pkl"`` keeps one per stage).
    fn_prefix : str, default=""
        Prefix of every file name.
    event_name : str | None, default="event_cp"
        History column that marks the epochs saved.
    sink : callable
        Where messages go, as in skorch; the default logs them at DEBUG
        level and turns a failed save into a warning.
    load_best : bool, default=False
        Must stay False: rolling a stage back to an earlier epoch would make
        it look unfinished.
    use_safetensors : bool, default=False
        As in :class:`skorch.callbacks.Checkpoint`; needs ``f_optimizer=None``.
    """

    def __init__(
        self,
        dirname="",
        monitor=None,
        f_params="{net.stage_}_params.pt",
        f_optimizer="{net.stage_}_optimizer.pt",
        f_criterion=None,
        f_fitted="{net.stage_}_fitted.json",
        f_history=None,
        f_pickle=None,
        fn_prefix="",
        event_name="event_cp",
        sink=_checkpoint_sink,
        load_best=False,
        use_safetensors=False,
    ):
        # every argument is explicit, so that clone() and get_params keep them
        super().__init__(
            monitor=monitor, f_params=f_params, f_optimizer=f_optimizer,
            f_criterion=f_criterion, f_history=f_history, f_pickle=f_pickle,
            fn_prefix=fn_prefix, dirname=dirname, event_name=event_name,
            sink=sink, load_best=load_best, use_safetensors=use_safetensors,
            f_fitted=f_fitted,
        )

    def initialize(self):
        """Check the settings and create the directory.

        Returns
        -------
        self : StageCheckpoint
            The callback.
        """
        if self.f_history is not None:
            raise ValueError(
                "StageCheckpoint keeps the history in the fitted state of each "
                f"stage; f_history must be None, but got {self.f_history!r}."
            )
        if self.load_best:
            raise ValueError(
                "StageCheckpoint saves every epoch to resume a fit; load_best=True "
                "would roll a stage back to an earlier epoch. Use skorch's "
                "Checkpoint for that."
            )
        return super().initialize()

    def save_model(self, net):
        """Save the network's files, then the fitted state that refers to them."""
        f_fitted = self.f_fitted
        self.f_fitted = None  # skorch's loop skips None; written last below
        try:
            super().save_model(net)
        finally:
            self.f_fitted = f_fitted
        if f_fitted is not None:
            try:
                net.save_params(f_fitted=_format_checkpoint_name(self, f_fitted, net))
            except OSError as err:
                warn(f"StageCheckpoint could not write the fitted state: {err}")


class _StageView:
    """``net`` as seen by a checkpoint file name template for another stage."""

    def __init__(self, net, stage, history=None):
        self._net, self.stage_ = net, stage
        self.history = net.history if history is None else history

    def __getattr__(self, name):
        return getattr(self._net, name)


def _checkpoint_templates(checkpoint):
    return {key: getattr(checkpoint, key) for key in dir(checkpoint)
            if key.startswith("f_") and not key.endswith("_")}


def _format_checkpoint_name(checkpoint, template, net):
    """Format a file name as skorch's Checkpoint does, tolerating an empty history."""
    if not isinstance(template, str):
        return template
    history = net.history
    last_epoch = history[-1] if history else {}
    last_batch = last_epoch.get("batches", [{}])[-1] if last_epoch.get("batches") else {}
    name = template.format(net=net, last_epoch=last_epoch, last_batch=last_batch)
    return os.path.join(checkpoint.dirname, checkpoint.fn_prefix + name)


def _without_progress_bar(callback):
    if getattr(callback, "bar_", None) is None:
        return callback
    callback = copy.copy(callback)
    callback.bar_ = None
    return callback


def _epochs_done(history):
    """Epochs of ``history`` that finished (a Ctrl-C can leave a partial last row)."""
    return 0 if history is None else sum("train_loss" in row for row in history)


def _mirror_state(mirror):
    return mirror.get_fitted_state()


def _mirror_from_state(state, template):
    cls = type(template) if isinstance(template, HemisphereMirror) else HemisphereMirror
    return cls.from_fitted_state(state)


def _json_default(obj):
    # numpy scalars that callbacks may record in the history
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _fingerprint(data, y):
    """A cheap digest of the training windows, to tell one fit's data from another's."""
    return data_digest(data, np.asarray(y, dtype=np.int64), n_samples=64)
