"""HAMNetClassifier: the two-stage HAMNet fit as a scikit-learn classifier."""

import json
import logging
import warnings
from contextlib import contextmanager
from types import MappingProxyType

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils import check_random_state
from skorch import NeuralNet, NeuralNetClassifier
from skorch.callbacks import EpochScoring, EpochTimer, PassthroughScoring
from skorch.exceptions import NotInitializedError
from torch.utils.data import Dataset

from . import _params, _persistence, _stages, _validation
from ._check import _validate_type
from ._device import device_set_to, resolve_device
from ._fitted_layout import bad_partner_hint, check_finite_proba, fitted_windows
from ._input import check_targets, encode_labels, event_codes, to_windows
from ._io import save_files_atomic, write_atomic
from ._logging import warn
from ._paper import PAPER_TRAINING
from ._predict import predict_proba_windows
from ._training import BatchSlicer, TensorWindows, as_tensor_windows, denormals_flushed
from .callbacks import FiniteLoss, StageCheckpoint, StageEarlyStopping, StageProgress
from .hamnet import HAMNet
from .mirror import HemisphereMirror

# StageCheckpoint and resolve_device were defined or imported here in 0.1.0
__all__ = ["HAMNetClassifier", "StageCheckpoint", "resolve_device"]

logger = logging.getLogger(__name__)


# 0.1.0 pickles refer to this function by this module and name
def _encoded_accuracy(net, X, y):
    """Accuracy on encoded targets, for skorch's internal validation."""
    return float(np.mean(net.predict_proba(X).argmax(axis=1) == np.asarray(y)))


class HAMNetClassifier(NeuralNetClassifier):
    """HAMNet trained in two stages, as a scikit-learn classifier.

    Stage 1 (pretraining) trains the single-branch network. Stage 2
    (finetuning) builds the two-branch network with a
    :class:`~mne_hamnet.HemisphereMirror` fitted on the data's channels,
    starts both spatial convolutions (and batch norms) from the pretrained
    ones, freezes the temporal FIR convolution, and trains the rest with the
    finetuning learning rate [1]_.

    Epochs are used in µV (their EEG channels, bad channels excluded), as
    braindecode and MOABB do; Epochs read lazily (``preload=False``) are read
    a chunk of epochs at a time. Arrays are used exactly as given, in µV:
    arrays whose amplitudes look like volts get a warning. The channel
    layout, window length, sampling frequency, classes and mirror pairs are
    inferred again at every :meth:`fit`.

    Parameters
    ----------
    module : type, default=HAMNet
        The network class. Its sizes are inferred; set other arguments with
        ``module__<name>`` (e.g. ``module__n_spatial_filters=8``,
        ``module__bands=[(8, 12), (13, 30)]``).
    pretrain_epochs : int, default=800
        Epochs of stage 1; the most it may run with ``early_stopping=True``.
    finetune_epochs : int, default=600
        Epochs of stage 2 (the most, with early stopping); 0 stops after
        pretraining.
    pretrain_lr, finetune_lr : float, default=1e-4 and 5e-5
        Adam learning rates of the two stages.
    batch_size : int, default=100
        Windows per mini-batch.
    mirror : HemisphereMirror | None, default=None
        The channel pairing. A mirror already fitted on exactly the
        channels of the data (same names, same order) is used as it is,
        without refitting: the way to pair arrays whose names follow no
        10-05 rule (EGI, Biosemi) by positions, e.g.
        ``HemisphereMirror(ch_names=names, montage=...).fit(X)``. Any other
        mirror is a template, cloned and fitted at each fit; None uses
        ``HemisphereMirror()``. scikit-learn's ``clone`` (as in
        cross-validation) unfits a fitted mirror, so there pass a template
        that can be fitted again (one given its positions). Channels without
        a partner: ``mirror=HemisphereMirror(on_unpaired="warn")``.
    sfreq : float | None, default=None
        Sampling frequency, needed only for array input.
    ch_names : list of str | None, default=None
        Channel names, needed only for array input.
    device : str | torch.device, default="auto"
        ``"auto"`` trains on CUDA when available and on the CPU otherwise.
    amp : bool, default=False
        Run the network under bfloat16 autocast (mixed precision) in training
        and prediction. The band-power block stays in float32, so only the
        relational and linear layers run in bfloat16; worth trying on CUDA
        only. ``compile=True`` (skorch's option) compiles the network with
        :func:`torch.compile`. ``benchmarks/run_benchmarks.py`` checks the
        accuracy of both against the default.
    early_stopping : bool, default=False
        Hold out a validation part of the training windows (the same part in
        both stages), stop each stage once its validation loss has not
        decreased by more than ``tol`` for ``n_iter_no_change`` epochs, and
        keep the weights of its best epoch (``epochs_kept_``). The part is
        made of whole trials when :meth:`fit` gets ``groups``, else of blocks
        of consecutive windows (``validation_split_``); the epoch budgets
        become maxima. See the user guide's page on training.
    validation_fraction : float, default=0.1
        Share of each class's trials (or blocks) held out, in (0, 1); used
        only with ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Epochs without improvement before a stage stops. scikit-learn's
        default; HAMNet's validation loss can sit at chance for a hundred
        epochs or more before it falls, so the benchmark uses 100
        (:data:`mne_hamnet.pipelines.EARLY_STOPPING`). The best epoch is
        kept, so a long patience costs time, not accuracy.
    tol : float, default=1e-4
        Least decrease of the validation loss that counts as an improvement.
    random_state : int | numpy.random.RandomState | numpy.random.Generator | None, default=None
        Seeds network initialisation and batch order; with an int (in
        [0, 2**32 - 1]), two fits on the CPU give bit-identical predictions.
        An int, a RandomState or a Generator leaves the global numpy and
        torch random states untouched (a RandomState or Generator advances
        by one draw per fit); None draws the seeds from numpy's global
        random state, as scikit-learn does.
    criterion : type, default=torch.nn.CrossEntropyLoss
        Loss on the network's logits.
    class_weight : dict | "balanced" | None, default=None
        Weights of the classes in the loss of both stages, as in
        scikit-learn: ``"balanced"`` weighs each class by ``n_samples /
        (n_classes * count)`` in the labels of each fit, a dict maps labels
        to weights, None weighs all alike. For imbalanced classes, where
        the unweighted loss is lowest for a majority-class predictor. An
        explicit ``criterion__weight`` (a tensor or array-like, one weight
        per class in the order of ``classes_``) does the same; give one or
        the other.
    optimizer : type, default=torch.optim.Adam
        Optimiser of both stages; ``optimizer__betas`` etc. pass through.
    train_split : callable | None, default=None
        skorch's internal validation split. None trains on all data, as the
        paper does; it must stay None with ``early_stopping=True``, which
        holds out its own part.
    verbose : int, default=1
        1 shows one progress bar per stage; 0 is silent.
    on_interrupt : {"auto", "keep", "raise"}, default="auto"
        What Ctrl-C (``KeyboardInterrupt``) during a fit does. ``"keep"``
        ends the fit early and keeps a classifier that predicts and can
        :meth:`resume` (with a warning). ``"raise"`` leaves the classifier
        in the same state and raises the KeyboardInterrupt again, which
        stops the caller. ``"auto"`` raises when the fit is one fold of a
        cross-validation (called by :mod:`sklearn.model_selection`, by a
        MOABB evaluation, or by :func:`mne_hamnet.evaluation.evaluate`) and
        keeps it otherwise. See Notes.
    **kwargs
        Further skorch parameters (``callbacks``, ``iterator_valid__batch_size``,
        ``criterion__weight``, ...); any other name is refused in fit. ``lr``
        and ``max_epochs`` are replaced by the per-stage parameters above and
        must stay None. ``warm_start=True`` is refused: a warm second fit
        would have to keep the first fit's channels, classes, mirror and FIR
        bank and decide which stage to continue, which is what
        :meth:`resume` and :meth:`partial_fit` do explicitly.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The original class labels.
    mirror_ : HemisphereMirror
        The fitted mirror.
    sfreq_ : float
        Sampling frequency seen in fit.
    ch_names_ : list of str
        Channels seen in fit.
    info_ : mne.Info | None
        The fitted EEG channels with their positions, for plots: from the
        Epochs, or from a mirror given positions for arrays; None for
        arrays without positions. Saved by :meth:`save_params` and pickles.
    n_features_in_ : int
        Number of channels.
    n_times_ : int
        Window length in samples.
    stage_ : {"pretrain", "finetune"}
        The stage the current network belongs to.
    stage_epochs_ : int
        The number of epochs that stage is meant to run.
    interrupted_ : bool
        True if the last fit or :meth:`resume` was stopped (Ctrl-C) before
        its stages were complete; ``stage_`` says where, and
        ``len(history_)`` how far. The classifier can predict either way.
    class_weight_ : ndarray of shape (n_classes,) | None
        The class weights ``class_weight`` gave in fit, in the order of
        ``classes_``; None without ``class_weight``.
    epochs_kept_ : dict of str to int
        Per stage reached (``"pretrain"``, ``"finetune"``), the 1-based epoch
        whose weights the classifier kept: the best one on the validation
        part with early stopping, else the last one trained.
    validation_split_ : {"groups", "blocks"} | None
        The units of the validation part: whole trials (``groups``), blocks of
        consecutive windows, or None without early stopping.
    stage_seeds_ : tuple of (int, int)
        Seeds of the two stages, drawn from ``random_state`` in fit.
    history_pretrain_ : skorch.History
        History of stage 1; ``history_`` holds the last stage run.
    initial_temporal_filters_ : ndarray of shape (n_bands, filter_length)
        The FIR bank the temporal convolution started from.
    temporal_filters_ : ndarray of shape (n_bands, filter_length)
        The learned temporal kernels.
    spatial_filters_ : ndarray of shape (n_branches, n_spatial_filters, n_chans)
        Spatial filters over the recorded channels: the original branch,
        then (after finetuning) the mirror branch, re-indexed so that
        ``spatial_filters_[1] @ x`` is what that branch computes from ``x``.
    module_ : HAMNet
        The trained network.

    See Also
    --------
    mne_hamnet.callbacks.StageCheckpoint : checkpoints of each stage, to resume a fit.

    Notes
    -----
    **Interruption and resumption.** Ctrl-C (``KeyboardInterrupt``) during
    either stage of a plain :meth:`fit` (not inside a cross-validation, see
    below) ends it early but leaves a classifier that
    predicts with the network of the stage it reached: ``interrupted_`` is
    True, ``stage_`` names the stage, ``history_`` holds its finished epochs
    and a warning says as much. Three ways to finish the job:

    - In the same session, :meth:`resume` trains the interrupted stage for its
      remaining epochs, then runs stage 2 if it is still to come.
    - Across sessions, save the classifier (pickle, joblib, or
      :meth:`save_params` with ``f_fitted``) and call :meth:`resume` on the
      loaded one.
    - For runs that may die without warning, add a
      :class:`~mne_hamnet.callbacks.StageCheckpoint` and skorch's
      :class:`~skorch.callbacks.LoadInitState`::

          cp = StageCheckpoint(dirname="run1")
          clf = HAMNetClassifier(callbacks=[cp, LoadInitState(cp)])
          clf.fit(X, y)

      The checkpoint writes each stage's network, optimizer, history and
      fitted state after every epoch, to files named after the stage;
      the last stage 1 files are the checkpoint between the stages. Running
      the same script again restores each stage from its files and trains
      only the epochs still missing.

    **Ctrl-C inside cross-validation** stops the whole run. A fold whose fit
    was cut short would otherwise be scored as if it had finished (and the
    benchmark would cache it), and the run would go on. So with the
    default ``on_interrupt="auto"``, the interruption is raised again
    when the fit runs under :func:`~sklearn.model_selection.cross_val_score`,
    :func:`~sklearn.model_selection.cross_validate`,
    :class:`~sklearn.model_selection.GridSearchCV` or any other function
    of :mod:`sklearn.model_selection`, under a MOABB evaluation, or under
    :func:`~mne_hamnet.evaluation.evaluate` and ``mne-hamnet benchmark``:
    no score comes back, and the benchmark's finished folds stay cached
    while the one interrupted is not. Pass ``on_interrupt="raise"`` to stop
    your own loops the same way, or ``"keep"`` to keep the old behaviour
    everywhere.

    Resuming needs the original training data (other data is refused).
    When an epoch was cut short, its finished batches stay in the weights
    and the epoch is run again in full; resuming from a checkpoint, or from
    an interruption between epochs, continues the original run exactly (bit
    for bit on the CPU).

    **Reproducibility.** With an int ``random_state``, two fits on the CPU
    give bit-identical predictions (same versions of torch and this package,
    same number of threads). On CUDA some kernels are not deterministic; see
    the "Reproducibility" page of the documentation.

    References
    ----------
    .. [1] The HAMNet paper, Yan et al. (2022): see :ref:`bibliography`.

    Examples
    --------
    >>> clf = HAMNetClassifier(pretrain_epochs=50, finetune_epochs=30)  # doctest: +SKIP
    >>> clf.fit(epochs).predict(epochs_test)  # doctest: +SKIP
    """

    # skorch's __init__ stores these three as instance attributes; they live
    # on the class here so that __init__ sets nothing but parameters (the
    # scikit-learn contract) and an unfitted classifier has no fitted-looking
    # attribute. initialize() sets them on the instance.
    history_ = None
    initialized_ = False
    virtual_params_ = MappingProxyType({})
    # the stage machine's record (mne_hamnet._stages.StageRun), set by fit
    # and by restoring a fitted state
    _stage_run = None

    def __init__(
        self,
        module=HAMNet,
        *,
        pretrain_epochs=PAPER_TRAINING["pretrain_epochs"],
        finetune_epochs=PAPER_TRAINING["finetune_epochs"],
        pretrain_lr=PAPER_TRAINING["pretrain_lr"],
        finetune_lr=PAPER_TRAINING["finetune_lr"],
        batch_size=100,
        mirror=None,
        sfreq=None,
        ch_names=None,
        device="auto",
        amp=False,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        random_state=None,
        criterion=torch.nn.CrossEntropyLoss,
        class_weight=None,
        optimizer=torch.optim.Adam,
        train_split=None,
        verbose=1,
        on_interrupt="auto",
        **kwargs,
    ):
        kwargs.setdefault("lr", None)
        kwargs.setdefault("max_epochs", None)
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            batch_size=batch_size,
            train_split=train_split,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.pretrain_epochs = pretrain_epochs
        self.finetune_epochs = finetune_epochs
        self.pretrain_lr = pretrain_lr
        self.finetune_lr = finetune_lr
        self.mirror = mirror
        self.sfreq = sfreq
        self.ch_names = ch_names
        self.random_state = random_state
        self.amp = amp
        self.class_weight = class_weight
        self.on_interrupt = on_interrupt
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        for name in ("history_", "initialized_", "virtual_params_"):
            # vars(): skorch's __delattr__ would copy its class-level registries
            vars(self).pop(name, None)

    def _get_param_names(self):
        # skorch lists every attribute without a trailing underscore, which
        # makes its private bookkeeping (_params_to_validate) a "parameter"
        return [name for name in super()._get_param_names() if not name.startswith("_")]

    def set_params(self, **kwargs):
        """Set parameters; see :meth:`skorch.net.NeuralNet.set_params`.

        Parameters
        ----------
        **kwargs : dict
            Parameter names and values, ``module__*`` and ``callbacks__*``
            included.

        Returns
        -------
        self : HAMNetClassifier
            The classifier.
        """
        if "callbacks" in kwargs and not self.initialized_ and not any(
            key.startswith("callbacks__") for key in kwargs
        ):
            # skorch builds the callbacks at once; scikit-learn asks that
            # parameters be validated in fit, which initializes them anyway
            self.callbacks = kwargs.pop("callbacks")
        if not self.initialized_:
            return super().set_params(**kwargs)
        # a fitted net rebuilds the parts whose parameters change and moves
        # them to self.device, which skorch must see resolved ("auto")
        if "device" in kwargs:
            # checked where it is used (fit, predict), as scikit-learn asks
            self.device = kwargs.pop("device")
            if not kwargs:
                return self
        with self._on_device(resolve_device(self.device)):
            return super().set_params(**kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # windows are (n_windows, n_chans, n_times); a 2-D table has no time axis
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags

    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_acc", EpochScoring(
                _encoded_accuracy, name="valid_acc", lower_is_better=False)),
            ("finite_loss", FiniteLoss()),
            ("progress", StageProgress()),
        ]
        # "is True": scikit-learn's checks set odd values before fit checks them
        if getattr(self, "early_stopping", False) is True:
            callbacks.append(("early_stopping", StageEarlyStopping(
                patience=self.n_iter_no_change, threshold=self.tol)))
        return callbacks


    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, groups=None, **fit_params):
        """Pretrain, then finetune, HAMNet on ``X``.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | array-like
            Epochs, a list of Epochs with the same channels (what
            scikit-learn's cross-validation passes when X is an Epochs), or
            an array of shape (n_windows, n_chans, n_times) with ``sfreq`` and
            ``ch_names`` set. float64 and float32 are both accepted; the
            network computes in float32.
        y : array-like of shape (n_windows,) | None
            Class labels of any type. None takes the event codes of Epochs.
        groups : array-like of shape (n_windows,) | None, default=None
            The trial id of each window, for ``early_stopping=True``: the
            validation part is then made of whole trials, never sharing one
            with the training part. None holds out blocks of consecutive
            windows. Unused without early stopping.
        **fit_params : dict
            Passed to the network's forward.

        Returns
        -------
        self : HAMNetClassifier
            The fitted classifier. After Ctrl-C it holds the network of the
            stage it reached (see ``interrupted_`` and :meth:`resume`).

        Raises
        ------
        FloatingPointError
            If the training loss stops being finite (huge values in ``X`` or
            a learning rate that is too high).
        """
        windows, y = _stages.open_call(self, X, y, fit_params, fitted=False)
        classes = self._fit_classes(y)
        y_encoded = self._encode(y, classes)
        device = resolve_device(self.device)
        self._infer(windows, classes, y_encoded)
        logger.info(
            "HAMNetClassifier: %d windows, n_chans=%d, n_times=%d, sfreq=%g Hz, "
            "%d classes, %d mirror pairs, device %s",
            len(y), self.n_features_in_, self.n_times_, self.sfreq_, len(classes),
            len(self.mirror_.pairs_), device,
        )
        split = self._validation_split(y_encoded, groups)
        with self._on_device(device):
            dataset = self._training_dataset(windows.data, y_encoded, split)
            del windows
            _stages.begin_stage(self, "pretrain")
            _stages.run(self, dataset, y_encoded, fit_params)
        return self

    def resume(self, X, y=None, groups=None, **fit_params):
        """Finish a fit that was interrupted or restored from a checkpoint.

        Trains the current stage (``stage_``) for the epochs it still lacks,
        keeping its weights, optimizer state and history, then runs stage 2
        if it is still to come. A complete fit is left as it is.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | array-like
            The training data of the original fit (same channels, window
            length and sampling frequency).
        y : array-like of shape (n_windows,) | None
            Its labels, among ``classes_``; None takes Epochs' event codes.
        groups : array-like of shape (n_windows,) | None, default=None
            The trial ids given to :meth:`fit`, with early stopping.
        **fit_params : dict
            Passed to the network's forward.

        Returns
        -------
        self : HAMNetClassifier
            The classifier; ``interrupted_`` is True again if this run was
            interrupted too.
        """
        self.check_is_fitted(["module_", "mirror_", "stage_"])
        windows, y_encoded = _stages.open_call(self, X, y, fit_params, fitted=True)
        fingerprint = self._stage_run.fingerprint
        if fingerprint is not None and fingerprint != _stages.fingerprint(
                windows.data, y_encoded):
            raise ValueError(
                "resume() continues a fit on its own training data, but X or y differ "
                "from those of the original fit; call fit() to train on new data."
            )
        if _stages.is_complete(self):
            logger.info("HAMNetClassifier.resume: the fit is complete, nothing to do")
            self.interrupted_ = False
            return self
        split = self._validation_split(y_encoded, groups, check_fit=True)
        with self._on_device(resolve_device(self.device)):
            dataset = self._training_dataset(windows.data, y_encoded, split)
            del windows
            _stages.run(self, dataset, y_encoded, fit_params)
        return self

    def partial_fit(self, X, y=None, classes=None, groups=None, **fit_params):
        """Train the current stage's network for one more epoch.

        An unfitted classifier is fitted instead (both stages).

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | array-like
            As for :meth:`fit`, with the layout seen there.
        y : array-like of shape (n_windows,) | None
            Labels among ``classes_``; None takes Epochs' event codes.
        classes : None
            Not used, present for API consistency.
        groups : array-like of shape (n_windows,) | None, default=None
            The trial ids given to :meth:`fit`, with early stopping.
        **fit_params : dict
            Passed to the network's forward.

        Returns
        -------
        self : HAMNetClassifier
            The classifier.
        """
        if not self.initialized_ or not hasattr(self, "mirror_"):
            return self.fit(X, y, groups=groups, **fit_params)
        windows, y_encoded = _stages.open_call(self, X, y, fit_params, fitted=True)
        split = self._validation_split(y_encoded, groups, check_fit=True)
        with self._on_device(resolve_device(self.device)):
            dataset = self._training_dataset(windows.data, y_encoded, split)
            _stages.train_epochs(self, dataset, y_encoded, fit_params, epochs=1)
        self._update_filters()
        return self

    def _validation_split(self, y_encoded, groups, check_fit=False):
        """The (train, valid) indices of early stopping, or None without it.

        The split needs no seed (the last trials or blocks of each class), so
        that every network and seed fitted on the same data validates on the
        same windows, and :meth:`resume` finds the part :meth:`fit` used.
        """
        if not self.early_stopping:
            if not check_fit:
                self.validation_split_ = None
            return None
        train, valid, kind = _validation.validation_split(
            y_encoded, groups, self.validation_fraction)
        if check_fit:
            known = getattr(self, "validation_split_", None)
            stored = self._stage_run.valid_index
            if known is not None and (kind != known or (
                    stored is not None and not np.array_equal(stored, valid))):
                differ = "other windows" if kind == known else kind
                raise ValueError(
                    f"The fit held out {known} for early stopping, but these "
                    f"groups give {differ}; pass the groups given to fit()."
                )
        else:
            self.validation_split_ = kind
        self._stage_run.valid_index = valid
        logger.info(
            "HAMNetClassifier: early stopping on %d of %d windows held out as %s",
            len(valid), len(y_encoded),
            "whole trials (groups)" if kind == "groups" else "blocks of consecutive windows")
        return train, valid

    def _training_dataset(self, data, y_encoded, split):
        """The training windows on the device, with the validation part attached."""
        if split is None:
            return TensorWindows(data, y_encoded, device=self.device)
        train, valid = split
        dataset = TensorWindows(data[train], y_encoded[train], device=self.device)
        dataset.valid = TensorWindows(data[valid], y_encoded[valid], device=self.device)
        return dataset

    def get_split_datasets(self, X, y=None, **fit_params):
        """The training part and, with early stopping, the held-out part."""
        valid = getattr(X, "valid", None)
        if valid is not None:
            return X, valid
        return super().get_split_datasets(X, y, **fit_params)

    def _fit_classes(self, y):
        """The classes of this fit: ``classes`` if given, else those found in ``y``."""
        found = np.unique(y)
        if self.classes is None:
            if len(found) < 2:
                raise ValueError(
                    "HAMNetClassifier needs at least 2 classes, but y has "
                    f"{len(found)}: {found.tolist()}; a classifier cannot learn "
                    "from one class."
                )
            return found
        classes = np.asarray(self.classes)
        if classes.ndim != 1 or len(classes) < 2:
            raise ValueError(
                f"HAMNetClassifier needs at least 2 classes, but classes={self.classes!r} "
                f"gives {classes.size}, while y holds {len(found)}: {found.tolist()}. "
                "Leave classes=None to take the classes from y, or list every class."
            )
        return classes

    def _infer(self, windows, classes, y_encoded):
        """Set what fit infers from the data: classes, layout, mirror, seeds."""
        self.classes_inferred_ = classes
        self.class_weight_ = _params.class_weights(self.class_weight, classes, y_encoded)
        self.mirror_ = self._fit_mirror(windows)
        # channel positions for plots; arrays have them only through a mirror
        # given positions (HemisphereMirror(montage=...))
        self.info_ = (
            windows.info if windows.info is not None else self.mirror_.info_
        )
        self.sfreq_ = windows.sfreq
        self.ch_names_ = list(windows.ch_names)
        self.n_features_in_ = windows.data.shape[1]
        self.n_times_ = windows.data.shape[2]
        self.interrupted_ = False
        if isinstance(self.random_state, np.random.Generator):
            seeds = self.random_state.integers(0, 2**31 - 1, size=2)
        else:
            seeds = check_random_state(self.random_state).randint(0, 2**31 - 1, size=2)
        self.stage_seeds_ = (int(seeds[0]), int(seeds[1]))
        self._stage_run = _stages.StageRun(
            fingerprint=_stages.fingerprint(windows.data, y_encoded))

    def _fit_mirror(self, windows):
        """The mirror of this fit: ``mirror`` as is if fitted on these channels, else refitted."""
        template = self.mirror
        if template is not None:
            _validate_type(template, HemisphereMirror, "mirror")
            if hasattr(template, "mirror_index_") and list(template.ch_names_) == list(
                    windows.ch_names):
                return template
        mirror = HemisphereMirror() if template is None else clone(template)
        layout = windows.info
        if layout is None:
            # arrays reach the mirror as arrays with names, so that its hints
            # speak of arrays (positions through montage=), not of set_montage
            mirror.set_params(ch_names=list(windows.ch_names))
            layout = np.zeros((1, len(windows.ch_names), 1), np.float32)
        try:
            return mirror.fit(layout)
        except ValueError as err:
            message = str(err)
            hint = bad_partner_hint(windows, message)
            if hint:
                # right after the sentence that names the unpaired channels
                first, _, rest = message.partition(". ")
                message = f"{first}.{hint} {rest}".rstrip()
            if "on_unpaired" in message and "mirror=HemisphereMirror" not in message:
                # the classifier has no on_unpaired of its own
                raise ValueError(
                    f"{message} With HAMNetClassifier, pass "
                    "mirror=HemisphereMirror(on_unpaired='warn')."
                ) from err
            if message != str(err):
                raise ValueError(message) from err
            raise

    # ---------------------------------------------------- skorch's hooks
    def initialize_module(self):
        """Build the network of the current stage with the inferred sizes."""
        if not hasattr(self, "stage_"):
            raise NotInitializedError(
                "HAMNetClassifier infers its network's sizes from the data: call "
                "fit() first (or unpickle a fitted classifier, or use "
                "load_params(f_fitted=...))."
            )
        kwargs = self.get_params_for("module")
        clash = sorted(set(kwargs) & set(_params.INFERRED))
        if clash:
            raise ValueError(
                f"module__{clash[0]} is inferred from the data at every fit and "
                "cannot be set."
            )
        inferred = {
            "n_chans": self.n_features_in_,
            "n_outputs": len(self.classes_),
            "n_times": self.n_times_,
            "sfreq": self.sfreq_,
            "mirror_index": (
                None if self.stage_ == "pretrain" else self.mirror_.mirror_index_
            ),
        }
        module_class = self.module if isinstance(self.module, type) else type(self.module)
        # seed initialisation without touching the caller's global RNG state
        # Only the CPU generator initialises weights (modules are built on the
        # CPU), so seed and restore just that one: the caller's CUDA state is
        # left alone.
        with torch.random.fork_rng(devices=[]), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.default_generator.manual_seed(self.stage_seed_)
            try:
                self.module_ = module_class(**inferred, **kwargs)
            except (TypeError, ValueError) as err:
                # the network names its own arguments; the user set module__<name>
                raise type(err)(_params.as_module_params(self, str(err), kwargs)) from err
        for w in caught:
            warn(_params.as_module_params(self, str(w.message), kwargs), w.category)
        return self

    def initialize_criterion(self):
        """Build the loss, weighted by ``class_weight_`` or ``criterion__weight``.

        ``criterion__weight`` may be a tensor or any array-like; it becomes a
        float32 tensor, which skorch moves to the training device.

        Returns
        -------
        self : HAMNetClassifier
            The classifier, with ``criterion_`` set.
        """
        kwargs = self.get_params_for("criterion")
        class_weight = getattr(self, "class_weight_", None)
        if class_weight is not None:
            if kwargs.get("weight") is not None:
                raise ValueError(
                    "Give the class weights once: class_weight= or criterion__weight=, "
                    "not both."
                )
            kwargs["weight"] = class_weight
        if kwargs.get("weight") is not None:
            n_classes = len(self.classes_) if hasattr(self, "classes_inferred_") else None
            kwargs["weight"] = _params.weight_tensor(kwargs["weight"], n_classes)
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def initialize_optimizer(self, triggered_directly=None):
        """Adam over the trainable parameters with the stage's learning rate."""
        named = [(n, p) for n, p in self.get_all_learnable_params() if p.requires_grad]
        args, kwargs = self.get_params_for_optimizer("optimizer", named)
        kwargs["lr"] = self.finetune_lr if self.stage_ == "finetune" else self.pretrain_lr
        self.optimizer_ = self.optimizer(*args, **kwargs)
        return self

    def infer(self, x, **fit_params):
        """The network's logits, under bfloat16 autocast if ``amp`` is set.

        Parameters
        ----------
        x : Tensor of shape (n_windows, n_chans, n_times)
            A batch of windows.
        **fit_params : dict
            Passed to the network's forward.

        Returns
        -------
        logits : Tensor of shape (n_windows, n_classes)
            Class scores, in float32 also under autocast.
        """
        if not self.amp:
            return super().infer(x, **fit_params)
        with torch.autocast(torch.device(self.device).type, dtype=torch.bfloat16):
            return super().infer(x, **fit_params).float()

    def check_data(self, X, y=None):
        """Inputs are checked in :meth:`fit`; skorch's class inference is unused."""

    def get_dataset(self, X, y=None):
        """Hold ``X`` (and ``y``) as tensors on the training device."""
        if isinstance(X, Dataset):
            return X
        return TensorWindows(X, y, device=self.device)

    def get_iterator(self, dataset, training=False):
        """Slice batches from the device-resident tensors, shuffled when training."""
        dataset = as_tensor_windows(dataset)
        prefix = "iterator_train" if training else "iterator_valid"
        batch_size = self.get_params_for(prefix).get("batch_size", self.batch_size)
        if batch_size == -1:
            batch_size = len(dataset)
        generator = None
        if training:
            generator = torch.Generator(device=dataset.X.device)
            generator.manual_seed(self.stage_seed_)
            # one permutation per finished epoch, so that a resumed stage
            # shuffles exactly as the uninterrupted one would have
            for _ in range(_stages.epochs_done(self.history_)):
                torch.randperm(len(dataset), generator=generator, device=dataset.X.device)
        return BatchSlicer(dataset, batch_size, shuffle=training, generator=generator)

    # ----------------------------------------------------------- predict
    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | array-like
            Windows with the channels, window length and sampling frequency
            seen in :meth:`fit`. Arrays are in µV with the channels in the
            order of ``ch_names_``, also after a fit on Epochs.

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        self.check_is_fitted(["module_", "mirror_"])
        if isinstance(X, Dataset):
            data = X
            with self._on_device(resolve_device(self.device)):
                proba = NeuralNet.predict_proba(self, data)
        else:
            data = fitted_windows(self, X)
            proba = predict_proba_windows(self, data)
        check_finite_proba(proba, data)
        return proba

    def predict(self, X):
        """Predicted class labels, in the original label type.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | array-like
            As for :meth:`predict_proba`.

        Returns
        -------
        y_pred : ndarray of shape (n_windows,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]


    def score(self, X, y=None, sample_weight=None):
        """Mean accuracy of :meth:`predict`; with Epochs and ``y=None``, on their event codes.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | array-like
            As for :meth:`predict`.
        y : array-like of shape (n_windows,) | None
            True labels. None takes the event codes of Epochs, as :meth:`fit`
            does (so ``cross_val_score(clf, epochs)`` needs no ``y``).
        sample_weight : array-like of shape (n_windows,) | None
            Weights of the windows in the mean.

        Returns
        -------
        score : float
            The fraction of windows predicted right.
        """
        if y is None:
            y = event_codes(X)
            if y is None:
                raise ValueError(
                    "score needs y with array input; y is taken from the events only "
                    "when X is Epochs."
                )
        return super().score(X, y, sample_weight=sample_weight)

    # ------------------------------------------- used by the stage machine
    def _update_filters(self):
        self.temporal_filters_ = self._temporal_filters()
        self.spatial_filters_ = np.stack(
            [w.detach().cpu().numpy() for w in self.module_.spatial_weights()]
        )

    def _temporal_filters(self):
        return self.module_.temporal.weight[:, 0].detach().cpu().numpy().copy()

    @contextmanager
    def _quiet_reinit(self):
        """Keep skorch from printing "Re-initializing ..." when a stage is built."""
        verbose = self.verbose
        self.verbose = 0
        try:
            yield
        finally:
            self.verbose = verbose

    # ------------------------------------------------------------ input
    def _to_windows(self, X):
        """Convert what the user passes into windows (a hook for tests' adapters)."""
        return to_windows(X, self.sfreq, self.ch_names)

    def _targets(self, windows, y):
        return check_targets(windows, y)

    @staticmethod
    def _encode(y, classes):
        return encode_labels(y, classes)

    # ------------------------------------------------------- persistence
    def save_params(self, f_params=None, f_optimizer=None, f_criterion=None,
                    f_history=None, use_safetensors=False, f_fitted=None, **kwargs):
        """Save the network's state and, with ``f_fitted``, what fit inferred.

        skorch's :meth:`~skorch.net.NeuralNet.save_params`, plus
        ``f_fitted``: a JSON file with everything that is not a tensor (the
        classes, channel names and positions, sampling frequency, window
        length, fitted mirror, stage reached, seeds and histories), which
        :meth:`load_params` needs to rebuild the network on an unfitted
        classifier. Files given as paths are written to a temporary file
        first and then renamed, so a crash never leaves half a file.

        Parameters
        ----------
        f_params, f_optimizer, f_criterion, f_history : str | path-like | file-like | None
            As in skorch.
        use_safetensors : bool, default=False
            As in skorch.
        f_fitted : str | path-like | file-like | None, default=None
            Where to write the fitted state.
        **kwargs : dict
            Further ``f_<module>`` files, as in skorch.
        """
        if f_fitted is not None:
            self.check_is_fitted(["module_", "mirror_", "stage_"])
            write_atomic(f_fitted, json.dumps(
                _persistence.fitted_state(self), default=_persistence.json_default).encode())
        files = dict(f_params=f_params, f_optimizer=f_optimizer, f_criterion=f_criterion,
                     f_history=f_history, **kwargs)
        files = {key: value for key, value in files.items() if value is not None}
        if files:
            save_files_atomic(
                lambda **f: super(HAMNetClassifier, self).save_params(
                    use_safetensors=use_safetensors, **f),
                files,
            )

    def load_params(self, f_params=None, f_optimizer=None, f_criterion=None,
                    f_history=None, checkpoint=None, use_safetensors=False,
                    f_fitted=None, **kwargs):
        """Load the network's state and, with ``f_fitted``, what fit inferred.

        On an unfitted classifier (built with the same parameters as the
        saved one) pass ``f_fitted`` together with ``f_params``: the fitted
        state rebuilds the network of the saved stage, then its weights are
        loaded. Tensors saved on a GPU load on the device this classifier
        resolves to (the CPU when CUDA is missing).

        With ``checkpoint`` (a :class:`~mne_hamnet.callbacks.StageCheckpoint`,
        or any skorch Checkpoint with an ``f_fitted`` file), the files of the current
        stage are loaded, or of the latest stage saved when the classifier
        is unfitted. While :meth:`fit` runs (through skorch's
        :class:`~skorch.callbacks.LoadInitState`), the checkpoint must have
        been written for the same data: same classes, channels, window
        length, sampling frequency and windows.

        Parameters
        ----------
        f_params, f_optimizer, f_criterion, f_history : str | path-like | file-like | None
            As in skorch.
        checkpoint : skorch.callbacks.Checkpoint | None, default=None
            Load the files this checkpoint writes.
        use_safetensors : bool, default=False
            As in skorch.
        f_fitted : str | path-like | file-like | None, default=None
            A fitted state written by :meth:`save_params`.
        **kwargs : dict
            Further ``f_<module>`` files, as in skorch.
        """
        with self._on_device(resolve_device(self.device)):
            files = {}
            if checkpoint is not None:
                files = _persistence.checkpoint_files(self, checkpoint)
                f_fitted = files.pop("f_fitted") if f_fitted is None else f_fitted
                files.pop("f_fitted", None)
            if f_fitted is not None:
                state = _persistence.read_fitted_state(f_fitted)
                if self._stage_run is not None and self._stage_run.training:
                    # LoadInitState restores the stage that fit() is running
                    _persistence.restore_checkpoint(self, state)
                else:
                    _persistence.restore_fitted(self, state)
            elif not self.initialized_:
                raise NotInitializedError(
                    "HAMNetClassifier infers its network's sizes from the data: to "
                    "load parameters into an unfitted classifier, pass the "
                    "f_fitted= file written by save_params(f_fitted=...) too."
                )
            explicit = dict(f_params=f_params, f_optimizer=f_optimizer,
                            f_criterion=f_criterion, f_history=f_history, **kwargs)
            files.update({key: value for key, value in explicit.items() if value is not None})
            if files:
                super().load_params(use_safetensors=use_safetensors, **files)
        self._update_filters()

    # ------------------------------------------------------------ device
    @contextmanager
    def _on_device(self, device):
        """Let skorch see a concrete device while keeping the parameter as set."""
        with device_set_to(self, device), denormals_flushed():
            yield

    def __setstate__(self, state):
        # 0.1.0 kept the stage machine's state in loose attributes
        fingerprint = state.pop("_fingerprint", None)
        state.pop("_stage_training", None)
        state.pop("_keyboard_interrupt", None)
        state.setdefault("on_interrupt", "auto")  # 0.1.0 had no such parameter
        # parameters and fitted attributes added since
        for name, default in _validation.EARLY_STOPPING_DEFAULTS.items():
            state.setdefault(name, default)
        if "stage_" in state:
            state.setdefault("validation_split_", None)
        if "stage_" in state and state.get("_stage_run") is None:
            state["_stage_run"] = _stages.StageRun(fingerprint=fingerprint)
            state.setdefault("info_", None)  # 0.1.0 kept no channel positions
        elif state.get("_stage_run") is not None:
            state["_stage_run"].training = False  # pickled by a checkpoint mid-stage
        state.setdefault("class_weight", None)  # 0.1.0 had no class_weight
        if "stage_" in state:
            state.setdefault("class_weight_", None)
        requested = state.get("device")
        auto = isinstance(requested, str) and requested == "auto"
        if auto:
            state["device"] = resolve_device("auto")
        super().__setstate__(state)
        if "stage_" in state and "epochs_kept_" not in state:
            self.epochs_kept_ = _stages.epochs_kept(self)
        if auto:
            self.device = "auto"
        elif isinstance(self.device, torch.device) and not isinstance(requested, torch.device):
            # skorch fell back to the CPU (a DeviceWarning said so); keep a str
            self.device = str(self.device)
