"""skorch callbacks of a HAMNetClassifier fit: checkpoints, progress, finite loss, stopping."""

import logging
import os
import time
from copy import deepcopy

import numpy as np
from skorch.callbacks import Callback, Checkpoint, EarlyStopping

from ._logging import PROGRESS_LOGGER, warn

__all__ = ["FiniteLoss", "StageCheckpoint", "StageEarlyStopping", "StageProgress"]

_logger = logging.getLogger(__name__)
_progress = logging.getLogger(PROGRESS_LOGGER)


def _checkpoint_sink(text):
    if text.startswith("Unable to save"):
        warn(f"StageCheckpoint: {text}")
    else:
        _logger.debug("StageCheckpoint: %s", text)


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
                net.save_params(f_fitted=format_checkpoint_name(self, f_fitted, net))
            except OSError as err:
                warn(f"StageCheckpoint could not write the fitted state: {err}")

    def on_train_end(self, net, **kwargs):
        """Save again when early stopping rolled the stage back to its best epoch."""
        history = net.history
        # the files of the last epoch hold its weights, not the kept ones
        if history and history[-1].get("epoch_kept") is not None:
            self.save_model(net)


def format_checkpoint_name(checkpoint, template, net):
    """Format a file name as skorch's Checkpoint does, tolerating an empty history."""
    if not isinstance(template, str):
        return template
    history = net.history
    last_epoch = history[-1] if history else {}
    last_batch = last_epoch.get("batches", [{}])[-1] if last_epoch.get("batches") else {}
    name = template.format(net=net, last_epoch=last_epoch, last_batch=last_batch)
    return os.path.join(checkpoint.dirname, checkpoint.fn_prefix + name)


class StageProgress(Callback):
    """One progress bar per training stage, with the latest training loss.

    The bar is labelled with the net's ``stage_`` and sized by its
    ``stage_epochs_``; nothing is shown when the net's ``verbose`` is 0.
    When a stage ends, one line goes to the ``"mne_hamnet.progress"``
    logger (``mne_hamnet._logging.PROGRESS_LOGGER``) at INFO level,
    whatever ``verbose`` is: the stage, its epochs, the last loss and the
    time taken.

    Parameters
    ----------
    mininterval : float, default=1.0
        Least number of seconds between two redraws, so long fits do not
        flood a log file.
    """

    def __init__(self, mininterval=1.0):
        self.mininterval = mininterval

    def on_train_begin(self, net, **kwargs):
        """Open the bar of the stage that starts."""
        from tqdm.auto import tqdm

        self.bar_ = None
        self.started_ = time.perf_counter()
        self.epochs_run_ = 0
        if net.verbose:
            self.bar_ = tqdm(
                total=getattr(net, "stage_epochs_", None),
                desc=getattr(net, "stage_", "train"),
                unit="epoch",
                mininterval=self.mininterval,
            )

    def on_epoch_end(self, net, **kwargs):
        """Advance the bar by one epoch and show the training loss."""
        self.epochs_run_ = getattr(self, "epochs_run_", 0) + 1
        if getattr(self, "bar_", None) is not None:
            self.bar_.update(1)
            loss = net.history[-1].get("train_loss")
            if loss is not None and np.isfinite(loss):
                self.bar_.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def on_train_end(self, net, **kwargs):
        """Close the bar and log one line about the stage."""
        if getattr(self, "bar_", None) is not None:
            self.bar_.close()
            self.bar_ = None
        started = getattr(self, "started_", None)
        if started is None:
            return
        history = net.history
        loss = history[-1].get("train_loss") if history else None
        _progress.info(
            "%s: %d epoch(s) run, %d of %s done, train_loss %s, %.1f s",
            getattr(net, "stage_", "train"), self.epochs_run_,
            sum("train_loss" in row for row in history or []),
            getattr(net, "stage_epochs_", "?"),
            "n/a" if loss is None else f"{loss:.4f}", time.perf_counter() - started,
        )
        self.started_ = None

    def __getstate__(self):
        # an open bar (a fit cut short by an error) holds a stream
        return {key: value for key, value in vars(self).items() if key != "bar_"}


class FiniteLoss(Callback):
    """Stop a fit with an error as soon as the training loss is not finite.

    Once the loss is NaN or infinite the weights are too, and every later
    epoch would be wasted; the error says which epoch of which stage, the
    largest value in the training data and what usually causes this.
    """

    def on_train_begin(self, net, X=None, **kwargs):
        """Keep a reference to the training data, to explain a failure."""
        self._data = X

    def on_train_end(self, net, **kwargs):
        """Drop the reference to the training data."""
        self._data = None

    def on_epoch_end(self, net, **kwargs):
        """Raise a FloatingPointError if the epoch's training loss is not finite."""
        loss = net.history[-1].get("train_loss")
        if loss is None or np.isfinite(loss):
            return
        stage = getattr(net, "stage_", "train")
        scale = ""
        X = getattr(getattr(self, "_data", None), "X", None)
        if X is not None and hasattr(X, "split") and len(X):
            # in chunks: the whole data set may fill the GPU already
            largest = max(float(chunk.abs().max()) for chunk in X.split(256))
            scale = f" (the largest |X| is {largest:.3g})"
        raise FloatingPointError(
            f"The training loss became {loss} in epoch {len(net.history)} of the "
            f"{stage} stage, and the network's weights are no longer finite. Huge "
            f"values in X{scale} or a learning rate that is too high cause this: "
            f"check the units (Epochs are used in µV), clip or drop artifacts, or "
            f"lower {stage}_lr."
        )

    def __getstate__(self):
        # a checkpoint pickled during training must not carry the data set
        return {key: value for key, value in vars(self).items() if key != "_data"}



class StopStage(Exception):
    """Raised by :class:`StageEarlyStopping` to end a stage's epochs (not a Ctrl-C)."""


class StageEarlyStopping(EarlyStopping):
    """The early stopping of one stage of a HAMNetClassifier fit, after skorch's.

    The classifier installs it when ``early_stopping=True``: it watches the
    validation loss of the stage's held-out part, ends the stage once the
    loss has not decreased by more than ``threshold`` for ``patience``
    epochs, and restores the weights of the best epoch when the stage ends
    (stopped, or at its epoch budget). Unlike skorch's EarlyStopping it

    - ends the stage with :class:`StopStage` at the start of the epoch
      after the decision, not with ``KeyboardInterrupt`` at its end, so
      that a real Ctrl-C stays an interruption and every other callback
      (a :class:`StageCheckpoint` included) sees the last epoch;
    - marks the history: ``stopped_early`` on the epoch that decided,
      ``epoch_kept`` (1-based, within the stage) on the stage's last row;
      so a stopped stage counts as complete when it is resumed or restored;
    - rebuilds its counters from the history when a stage is resumed, and
      leaves the weights alone when a stage is interrupted.

    Parameters
    ----------
    patience : int, default=10
        Epochs without improvement before stopping (``n_iter_no_change``).
    threshold : float, default=1e-4
        Least decrease of the validation loss that counts (``tol``).
    monitor : str, default="valid_loss"
        History column watched; lower is better.
    sink : callable
        Where the message on stopping goes; logged at INFO level by default.
    """

    def __init__(self, patience=10, threshold=1e-4, monitor="valid_loss", sink=None):
        super().__init__(
            monitor=monitor, patience=patience, threshold=threshold,
            threshold_mode="abs", lower_is_better=True, load_best=True,
            sink=_logger.info if sink is None else sink,
        )

    def on_train_begin(self, net, **kwargs):
        """Rebuild the watch from the stage's finished epochs (none in a new stage)."""
        kept, kept_epoch = (
            getattr(self, "best_model_weights_", None), getattr(self, "best_epoch_", 0))
        super().on_train_begin(net, **kwargs)
        self.stop_ = False
        rows = [row for row in net.history if "train_loss" in row]
        self.epochs_at_begin_ = len(rows)
        for row in rows:
            score = row.get(self.monitor)
            if score is None:
                continue
            if self._is_score_improved(score):
                self.misses_ = 0
                self.dynamic_threshold_ = self._calc_new_threshold(score)
                self.best_epoch_ = row["epoch"]
            else:
                self.misses_ += 1
        if not rows or "stopped_early" in rows[-1] or "epoch_kept" in rows[-1]:
            return  # a new stage, or one that has ended: nothing to watch
        if kept is not None and kept_epoch == self.best_epoch_:
            # the same object resumes (Ctrl-C, then resume): its copy is this stage's
            self.best_model_weights_ = kept
            return
        # restored from files: the best epoch's weights are gone, so the watch
        # starts afresh from the epoch the stage stands at
        last = rows[-1].get(self.monitor)
        if last is not None:
            self.misses_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(last)
            self.best_epoch_ = rows[-1]["epoch"]
            self.best_model_weights_ = deepcopy(net.module_.state_dict())
            _logger.info(
                "%s: the weights of the best epoch so far are not available; the "
                "early-stopping watch starts again from epoch %d",
                getattr(net, "stage_", "train"), self.best_epoch_)

    def on_epoch_begin(self, net, **kwargs):
        """End the stage here if the last epoch decided so."""
        if getattr(self, "stop_", False):
            # the row skorch opened for an epoch that will not run
            if net.history and "train_loss" not in net.history[-1]:
                net.history.pop()
            raise StopStage

    def on_epoch_end(self, net, **kwargs):
        """Update the watch with the epoch's validation loss; decide whether to stop."""
        score = net.history[-1].get(self.monitor)
        if score is None:
            raise ValueError(
                f"Early stopping watches {self.monitor!r}, but the history has no "
                "such value: the stage has no validation part."
            )
        if self._is_score_improved(score):
            self.misses_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(score)
            self.best_epoch_ = net.history[-1, "epoch"]
            self.best_model_weights_ = deepcopy(net.module_.state_dict())
        else:
            self.misses_ += 1
        if self.misses_ >= self.patience:
            self.stop_ = True
            net.history.record("stopped_early", True)
            self._sink(
                f"{getattr(net, 'stage_', 'train')}: stopping after epoch "
                f"{len(net.history)}, {self.monitor} has not decreased by more than "
                f"{self.threshold:g} for {self.patience} epochs; keeping epoch "
                f"{self.best_epoch_}", verbose=net.verbose)

    def on_train_end(self, net, **kwargs):
        """Restore the best epoch's weights if the stage ended in this run."""
        rows = sum("train_loss" in row for row in net.history)
        budget = getattr(net, "stage_epochs_", None)
        ended = getattr(self, "stop_", False) or (
            budget is not None and getattr(self, "epochs_at_begin_", 0) < budget <= rows)
        if not ended or not rows:
            return  # interrupted (Ctrl-C) or nothing run: the weights stay as they are
        if self.best_model_weights_ is not None and self.best_epoch_ != rows:
            net.module_.load_state_dict(self.best_model_weights_)
        kept = self.best_epoch_ if self.best_model_weights_ is not None else rows
        net.history.record("epoch_kept", int(kept))

    def __getstate__(self):
        # skorch drops the best weights from pickles; a classifier pickled
        # mid-stage needs them to resume as if uninterrupted
        return dict(vars(self))
