"""The two-stage training of a HAMNetClassifier: begin, train and finish each stage."""

import logging
from dataclasses import dataclass

import numpy as np

from . import _interrupt, _params
from ._fitted_layout import check_fitted_layout
from ._io import data_digest
from ._logging import warn
from .callbacks import StopStage

STAGES = ("pretrain", "finetune")

_logger = logging.getLogger(__name__)


@dataclass
class StageRun:
    """What the stage machine keeps besides the fitted attributes.

    Attributes
    ----------
    fingerprint : str | None
        Digest of the training windows and labels of the fit, so that
        :meth:`~mne_hamnet.HAMNetClassifier.resume` and a checkpoint can tell
        the original data from other data; None when unknown.
    training : bool
        True while a stage's epochs run: a checkpoint loaded then (by
        skorch's ``LoadInitState``) restores the stage being trained rather
        than replacing the fitted state.
    valid_index : ndarray | None
        The windows early stopping holds out, so that :meth:`resume` can
        check it is given the same trial ids; None when unknown.
    """

    fingerprint: str | None = None
    training: bool = False
    valid_index: object = None


def fingerprint(data, y):
    """A cheap digest of the training windows, to tell one fit's data from another's."""
    return data_digest(data, np.asarray(y, dtype=np.int64), n_samples=64)


def epochs_done(history):
    """Epochs of ``history`` that finished (a Ctrl-C can leave a partial last row)."""
    return 0 if history is None else sum("train_loss" in row for row in history)


def stage_ended(history, n_epochs):
    """Whether a stage's ``history`` is complete: its epochs run, or stopped early."""
    rows = [] if history is None else [row for row in history if "train_loss" in row]
    return len(rows) >= n_epochs or bool(rows and rows[-1].get("stopped_early"))


def kept_epoch(history):
    """The 1-based epoch whose weights a stage kept: the best one under early stopping."""
    done = epochs_done(history)
    if done and history[-1].get("epoch_kept") is not None:
        return int(history[-1]["epoch_kept"])
    return done


def epochs_kept(net):
    """``epochs_kept_``: the epoch each stage reached so far kept, by stage name."""
    kept = {"pretrain": kept_epoch(
        net.history_ if net.stage_ == "pretrain" else net.history_pretrain_)}
    if net.stage_ == "finetune":
        kept["finetune"] = kept_epoch(net.history_)
    return kept


def stage_epochs(net, stage):
    """The number of epochs ``stage`` is meant to run."""
    return net.pretrain_epochs if stage == "pretrain" else net.finetune_epochs


def is_complete(net):
    """Whether the fit reached the end of its last stage."""
    if net.stage_ == "pretrain" and net.finetune_epochs:
        return False
    return stage_ended(net.history_, stage_epochs(net, net.stage_))


def open_call(net, X, y, fit_params, fitted):
    """The opening shared by fit, resume and partial_fit: check parameters and data.

    Parameters
    ----------
    net : HAMNetClassifier
        The classifier.
    X, y, fit_params
        What the user passed.
    fitted : bool
        True when the call continues a fit: the data must then have the
        layout seen in fit, and the labels are encoded with ``classes_``.

    Returns
    -------
    windows : mne_hamnet._input.Windows
        The data.
    y : ndarray of shape (n_windows,)
        The labels as given (``fitted=False``) or encoded (``fitted=True``).
    """
    _params.check_params(net)
    _params.check_fit_params(net, fit_params)
    windows = net._to_windows(X)
    if fitted:
        check_fitted_layout(net, windows.data, windows.ch_names, windows.sfreq, windows.bads)
    y = net._targets(windows, y)
    if fitted:
        y = net._encode(y, net.classes_)
    return windows, y


def run(net, dataset, y, fit_params):
    """Train from where the classifier stands to the end of stage 2.

    The current stage (``net.stage_``) gets the epochs it still lacks, then
    stage 2 is begun and trained if it is still to come. Ctrl-C ends the
    run early with ``net.interrupted_`` set.
    """
    net.interrupted_ = False
    if not stage_ended(net.history_, stage_epochs(net, net.stage_)):
        train_stage(net, dataset, y, fit_params)
    if (
        net.stage_ == "pretrain" and net.finetune_epochs and not net.interrupted_
        and begin_finetune(net)
    ):
        train_stage(net, dataset, y, fit_params)


def on_interrupt(net):
    """The classifier's ``on_interrupt`` ("auto" for one unpickled from 0.1.0)."""
    return getattr(net, "on_interrupt", "auto")


def begin_stage(net, stage):
    """Build the network, optimizer, history and callbacks of ``stage``."""
    net.stage_ = stage
    net.stage_seed_ = net.stage_seeds_[STAGES.index(stage)]
    net.stage_epochs_ = stage_epochs(net, stage)
    if stage == "pretrain":
        with net._quiet_reinit():
            net.initialize()
        net.initial_temporal_filters_ = net._temporal_filters()
        return
    pretrained = net.module_
    net.history_pretrain_ = net.history_
    net.history_ = None  # a fresh History: skorch would clear stage 1's
    with net._quiet_reinit():
        net._initialize_module()
        net.module_.load_pretrained(pretrained)
        net._initialize_optimizer()
    net._initialize_history()
    net._initialize_callbacks()


def begin_finetune(net):
    """Start stage 2; on Ctrl-C meanwhile, keep stage 1 and return False."""
    kept = {name: vars(net)[name] for name in (
        "module_", "optimizer_", "history_", "callbacks_", "stage_", "stage_seed_",
        "stage_epochs_")}
    try:
        begin_stage(net, "finetune")
    except KeyboardInterrupt:
        vars(net).update(kept)
        net.interrupted_ = True
        if _interrupt.stops_the_run(on_interrupt(net)):
            raise
        warn(
            "Training was interrupted between the pretrain and finetune stages; "
            "the classifier keeps the pretrain network and can predict. Call "
            "resume(X, y) to run the finetune stage."
        )
        return False
    return True


def rebuild_stage(net, stage):
    """Build the network of ``stage`` for weights to be loaded into (no training)."""
    net.stage_ = stage
    net.stage_seed_ = net.stage_seeds_[STAGES.index(stage)]
    net.stage_epochs_ = stage_epochs(net, stage)
    with net._quiet_reinit():
        net.initialize()
        net.initial_temporal_filters_ = net._temporal_filters()
        if stage == "finetune":
            # as after load_pretrained: the FIR kernels stay frozen in stage 2
            net.module_.temporal.weight.requires_grad_(False)
            net._initialize_optimizer()


def train_stage(net, dataset, y, fit_params):
    """Train the current stage up to its number of epochs, then finish it."""
    stage = net.stage_
    net.stage_epochs_ = stage_epochs(net, stage)
    # an epoch cut short by Ctrl-C is run again in full
    while len(net.history_) and "train_loss" not in net.history_[-1]:
        net.history_.pop()
    interrupted = train_epochs(net, dataset, y, fit_params, epochs=None)
    finish_stage(net, interrupted)


def train_epochs(net, dataset, y, fit_params, epochs=None):
    """Run skorch's training loop for ``epochs`` epochs, with its callbacks.

    This is what :meth:`skorch.net.NeuralNet.partial_fit` does, written out
    so that the number of epochs is explicit: ``epochs=None`` trains the
    epochs the current stage still lacks, counted after ``on_train_begin``
    because a ``LoadInitState`` callback may restore part of the stage there.

    Returns
    -------
    interrupted : bool
        Whether Ctrl-C stopped the loop (skorch's callbacks then still see
        ``on_train_end``). Where the classifier's ``on_interrupt`` asks for
        it (by default: inside a cross-validation), the KeyboardInterrupt
        is raised again instead.
    """
    run_state = net._stage_run
    run_state.training = True
    try:
        net.notify("on_train_begin", X=dataset, y=y)
        if epochs is None:
            epochs = 0 if stage_ended(net.history_, net.stage_epochs_) else max(
                net.stage_epochs_ - epochs_done(net.history_), 0)
        interrupted = False
        try:
            net.fit_loop(dataset, y, epochs=epochs, **fit_params)
        except StopStage:
            pass  # early stopping ended the stage; on_train_end keeps its best epoch
        except KeyboardInterrupt:
            interrupted = True
            if _interrupt.stops_the_run(on_interrupt(net)):
                # one fold of a cross-validation: stop the whole run, leaving
                # the classifier as a kept interruption would
                net.notify("on_train_end", X=dataset, y=y)
                net.interrupted_ = True
                if net.stage_ == "pretrain":
                    net.history_pretrain_ = net.history_
                net._update_filters()
                raise
        except FloatingPointError:
            net.notify("on_train_end", X=dataset, y=y)
            raise
        net.notify("on_train_end", X=dataset, y=y)
    finally:
        run_state.training = False
    return interrupted


def finish_stage(net, interrupted):
    """Record the end of the current stage: histories, filters, interruption."""
    stage = net.stage_
    n_epochs = net.stage_epochs_
    if stage == "pretrain":
        net.history_pretrain_ = net.history_
    done = epochs_done(net.history_)
    if interrupted:
        net.interrupted_ = True
        left = (
            "Call resume(X, y) to finish the fit." if done < n_epochs
            or (stage == "pretrain" and net.finetune_epochs)
            else "The stage is complete."
        )
        warn(
            f"Training was interrupted during the {stage} stage after {done} of "
            f"{n_epochs} epochs; the classifier keeps the {stage} network "
            f"and can predict. {left}"
        )
    _logger.debug("%s stage: %d of %d epochs done", stage, done, n_epochs)
    net.epochs_kept_ = epochs_kept(net)
    if getattr(net, "validation_split_", None) is not None and not interrupted:
        _logger.info(
            "%s stage: %s after %d of %d epochs; kept epoch %d, the lowest "
            "validation loss on held-out %s", stage,
            "stopped early" if stage_ended(net.history_, n_epochs) and done < n_epochs
            else "ran its budget", done, n_epochs, net.epochs_kept_[stage],
            "trials (groups)" if net.validation_split_ == "groups"
            else "blocks of consecutive windows")
    net._update_filters()
