"""HAMNetClassifier: the two-stage HAMNet fit as a scikit-learn classifier."""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from skorch import NeuralNet, NeuralNetClassifier
from skorch.callbacks import EpochScoring, EpochTimer, PassthroughScoring
from skorch.exceptions import NotInitializedError
from torch.utils.data import Dataset, Subset

from ._check import _check_positive_int, _validate_type
from ._input import to_windows
from ._logging import logger, warn
from ._training import BatchSlicer, StageProgress, TensorWindows
from .hamnet import HAMNet
from .mirror import HemisphereMirror

# Sizes the classifier infers from the data at every fit.
_INFERRED = ("n_chans", "n_outputs", "n_times", "sfreq", "mirror_index")


def _encoded_accuracy(net, X, y):
    """Accuracy on encoded targets, for skorch's internal validation."""
    return float(np.mean(net.predict_proba(X).argmax(axis=1) == np.asarray(y)))


def resolve_device(device):
    """Turn the ``device`` parameter into a concrete torch device string.

    Parameters
    ----------
    device : str | torch.device | None
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``,
        ``"cuda:N"``, a :class:`torch.device`, or None for the CPU.

    Returns
    -------
    device : str
        A device torch accepts and that exists on this machine.
    """
    if device is None:
        return "cpu"
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as err:
        raise ValueError(
            "Invalid value for the 'device' parameter. Allowed values are 'auto', "
            f"'cpu', 'cuda', 'cuda:N' or a torch.device, but got {device!r}."
        ) from err
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"device={device!r} was requested, but CUDA is not available on this "
            "machine (torch.cuda.is_available() is False). Use device='auto' or "
            "'cpu'."
        )
    return str(resolved)


class HAMNetClassifier(NeuralNetClassifier):
    """HAMNet trained in two stages, as a scikit-learn classifier.

    Stage 1 (pretraining) trains the single-branch network. Stage 2
    (finetuning) builds the two-branch network with a
    :class:`~mne_hamnet.HemisphereMirror` fitted on the data's channels,
    starts both spatial convolutions (and batch norms) from the pretrained
    ones, freezes the temporal FIR convolution, and trains the rest with the
    finetuning learning rate [1]_.

    Epochs are used in µV (their EEG channels, bad channels excluded), as
    braindecode and MOABB do; arrays are used exactly as given. The channel
    layout, window length, sampling frequency, classes and mirror pairs are
    inferred again at every :meth:`fit`.

    Parameters
    ----------
    module : type, default=HAMNet
        The network class. Its sizes are inferred; set other arguments with
        ``module__<name>`` (e.g. ``module__n_spatial_filters=8``,
        ``module__bands=[(8, 12), (13, 30)]``).
    pretrain_epochs : int, default=800
        Epochs of stage 1.
    finetune_epochs : int, default=600
        Epochs of stage 2; 0 stops after pretraining.
    pretrain_lr, finetune_lr : float, default=1e-4 and 5e-5
        Adam learning rates of the two stages.
    batch_size : int, default=100
        Windows per mini-batch.
    mirror : HemisphereMirror | None, default=None
        Template for the channel pairing, cloned and fitted at each fit.
        None uses ``HemisphereMirror()``.
    sfreq : float | None, default=None
        Sampling frequency, needed only for array input.
    ch_names : list of str | None, default=None
        Channel names, needed only for array input.
    device : str | torch.device, default="auto"
        ``"auto"`` trains on CUDA when available and on the CPU otherwise.
    random_state : int | numpy.random.RandomState | None, default=None
        Seeds network initialisation and batch order; with an int, two fits
        on the CPU give identical predictions.
    criterion : type, default=torch.nn.CrossEntropyLoss
        Loss on the network's logits.
    optimizer : type, default=torch.optim.Adam
        Optimiser of both stages; ``optimizer__betas`` etc. pass through.
    train_split : callable | None, default=None
        skorch's internal validation split. None trains on all data, as the
        paper does.
    verbose : int, default=1
        1 shows one progress bar per stage; 0 is silent.
    **kwargs
        Further skorch parameters (``callbacks``, ``iterator_valid__batch_size``,
        ...). ``lr`` and ``max_epochs`` are replaced by the per-stage
        parameters above and must stay None.

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
    n_features_in_ : int
        Number of channels.
    n_times_ : int
        Window length in samples.
    stage_ : {"pretrain", "finetune"}
        The stage the current network belongs to.
    interrupted_ : bool
        True if the last fit was stopped by Ctrl-C; ``stage_`` says where.
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

    References
    ----------
    .. [1] Yan, R., Lu, N., Niu, X., & Yan, Y. (2023). Hemispheric asymmetry
       measurement network for emotion classification. In Neural Information
       Processing (ICONIP 2022), Lecture Notes in Computer Science. Springer.

    Examples
    --------
    >>> clf = HAMNetClassifier(pretrain_epochs=50, finetune_epochs=30)  # doctest: +SKIP
    >>> clf.fit(epochs).predict(epochs_test)  # doctest: +SKIP
    """

    def __init__(
        self,
        module=HAMNet,
        *,
        pretrain_epochs=800,
        finetune_epochs=600,
        pretrain_lr=1e-4,
        finetune_lr=5e-5,
        batch_size=100,
        mirror=None,
        sfreq=None,
        ch_names=None,
        device="auto",
        random_state=None,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        train_split=None,
        verbose=1,
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

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_acc", EpochScoring(
                _encoded_accuracy, name="valid_acc", lower_is_better=False)),
            ("progress", StageProgress()),
        ]

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, **fit_params):
        """Pretrain, then finetune, HAMNet on ``X``.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | array-like
            Epochs, a list of Epochs with the same channels (what
            scikit-learn's cross-validation passes when X is an Epochs), or
            an array of shape (n_windows, n_chans, n_times) with ``sfreq`` and
            ``ch_names`` set.
        y : array-like of shape (n_windows,) | None
            Class labels of any type. None takes the event codes of Epochs.
        **fit_params : dict
            Passed to the network's forward.

        Returns
        -------
        self : HAMNetClassifier
            The fitted classifier.
        """
        self._check_params()
        windows = to_windows(X, self.sfreq, self.ch_names)
        y = self._targets(windows, y)
        classes = np.unique(y) if self.classes is None else np.asarray(self.classes)
        if len(classes) < 2:
            raise ValueError(
                "HAMNetClassifier needs at least 2 classes, but y has "
                f"{len(classes)}: {classes.tolist()}."
            )
        y_encoded = self._encode(y, classes)
        info = windows.info
        if info is None:
            import mne

            info = mne.create_info(windows.ch_names, windows.sfreq, "eeg", verbose=False)
        mirror = HemisphereMirror() if self.mirror is None else clone(self.mirror)
        _validate_type(mirror, HemisphereMirror, "mirror")

        self.classes_inferred_ = classes
        self.mirror_ = mirror.fit(info)
        self.sfreq_ = windows.sfreq
        self.ch_names_ = list(windows.ch_names)
        self.n_features_in_ = windows.data.shape[1]
        self.n_times_ = windows.data.shape[2]
        self.interrupted_ = False
        seeds = check_random_state(self.random_state).randint(0, 2**31 - 1, size=2)
        device = resolve_device(self.device)
        logger.info(
            "HAMNetClassifier: %d windows, n_chans=%d, n_times=%d, sfreq=%g Hz, "
            "%d classes, %d mirror pairs, device %s",
            len(y), self.n_features_in_, self.n_times_, self.sfreq_, len(classes),
            len(self.mirror_.pairs_), device,
        )
        with self._on_device(device):
            dataset = TensorWindows(windows.data, y_encoded, device=self.device)
            del windows
            self._run_stage("pretrain", dataset, y_encoded, int(seeds[0]), fit_params)
            if self.finetune_epochs and not self.interrupted_:
                self._run_stage("finetune", dataset, y_encoded, int(seeds[1]), fit_params)
        return self

    def _run_stage(self, stage, dataset, y, seed, fit_params):
        n_epochs = self.pretrain_epochs if stage == "pretrain" else self.finetune_epochs
        self.stage_, self.stage_epochs_, self.stage_seed_ = stage, n_epochs, seed
        if stage == "pretrain":
            self.initialize()
            self.initial_temporal_filters_ = self._temporal_filters()
        else:
            pretrained = self.module_
            self.history_pretrain_ = self.history_
            self.history_ = None  # a fresh History: skorch would clear stage 1's
            self._initialize_module()
            self.module_.load_pretrained(pretrained)
            self._initialize_optimizer()
            self._initialize_history()
            self._initialize_callbacks()
        NeuralNet.partial_fit(self, dataset, y, epochs=n_epochs, **fit_params)
        if stage == "pretrain":
            self.history_pretrain_ = self.history_
        done = sum("train_loss" in row for row in self.history_)
        if done < n_epochs:
            self.interrupted_ = True
            warn(
                f"Training was interrupted during the {stage} stage after {done} of "
                f"{n_epochs} epochs; the classifier keeps the {stage} network "
                "and can predict."
            )
        self.temporal_filters_ = self._temporal_filters()
        self.spatial_filters_ = np.stack(
            [w.detach().cpu().numpy() for w in self.module_.spatial_weights()]
        )

    def _temporal_filters(self):
        return self.module_.temporal.weight[:, 0].detach().cpu().numpy().copy()

    def _check_params(self):
        for name in ("lr", "max_epochs"):
            if getattr(self, name) is not None:
                raise ValueError(
                    f"HAMNetClassifier trains in two stages: use pretrain_lr/"
                    f"finetune_lr and pretrain_epochs/finetune_epochs instead of "
                    f"{name}={getattr(self, name)!r}."
                )
        if "optimizer__lr" in self.get_params(deep=False):
            raise ValueError("Set the learning rates with pretrain_lr and finetune_lr, "
                             "not optimizer__lr.")
        _check_positive_int(self.pretrain_epochs, "pretrain_epochs")
        _check_positive_int(self.finetune_epochs, "finetune_epochs", minimum=0)
        _check_positive_int(self.batch_size, "batch_size")
        for name in ("pretrain_lr", "finetune_lr"):
            value = getattr(self, name)
            _validate_type(value, "numeric", name)
            if not value > 0:
                raise ValueError(f"{name} must be a positive number, but got {value}.")

    def _targets(self, windows, y):
        n = len(windows.data)
        if y is None:
            if windows.events is None:
                raise ValueError(
                    "y is required for array input; it is taken from the events "
                    "only when X is Epochs."
                )
            y = windows.events
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-dimensional, but got shape {y.shape}.")
        if len(y) != n:
            raise ValueError(f"y has {len(y)} labels, but X has {n} windows.")
        check_classification_targets(y)
        return y

    @staticmethod
    def _encode(y, classes):
        sorter = np.argsort(classes)
        position = np.clip(np.searchsorted(classes, y, sorter=sorter), 0, len(classes) - 1)
        encoded = sorter[position]
        unknown = classes[encoded] != y
        if unknown.any():
            raise ValueError(
                f"y holds labels {np.unique(y[unknown]).tolist()} that are not "
                f"among classes {classes.tolist()}."
            )
        return encoded.astype(np.int64)

    # ---------------------------------------------------- skorch's hooks
    def initialize_module(self):
        """Build the network of the current stage with the inferred sizes."""
        if not hasattr(self, "stage_"):
            raise NotInitializedError(
                "HAMNetClassifier infers its network's sizes from the data: call "
                "fit() first (or unpickle a fitted classifier)."
            )
        kwargs = self.get_params_for("module")
        clash = sorted(set(kwargs) & set(_INFERRED))
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
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.stage_seed_)
            self.module_ = module_class(**inferred, **kwargs)
        return self

    def initialize_optimizer(self, triggered_directly=None):
        """Adam over the trainable parameters with the stage's learning rate."""
        named = [(n, p) for n, p in self.get_all_learnable_params() if p.requires_grad]
        args, kwargs = self.get_params_for_optimizer("optimizer", named)
        kwargs["lr"] = self.finetune_lr if self.stage_ == "finetune" else self.pretrain_lr
        self.optimizer_ = self.optimizer(*args, **kwargs)
        return self

    def check_data(self, X, y=None):
        """Inputs are checked in :meth:`fit`; skorch's class inference is unused."""

    def get_dataset(self, X, y=None):
        """Hold ``X`` (and ``y``) as tensors on the training device."""
        if isinstance(X, Dataset):
            return X
        return TensorWindows(X, y, device=self.device)

    def get_iterator(self, dataset, training=False):
        """Slice batches from the device-resident tensors, shuffled when training."""
        dataset = _as_tensor_windows(dataset)
        prefix = "iterator_train" if training else "iterator_valid"
        batch_size = self.get_params_for(prefix).get("batch_size", self.batch_size)
        if batch_size == -1:
            batch_size = len(dataset)
        generator = None
        if training:
            generator = torch.Generator(device=dataset.X.device)
            generator.manual_seed(self.stage_seed_)
        return BatchSlicer(dataset, batch_size, shuffle=training, generator=generator)

    # ----------------------------------------------------------- predict
    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | array-like
            Windows with the channels, window length and sampling frequency
            seen in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        self.check_is_fitted(["module_", "mirror_"])
        if not isinstance(X, Dataset):
            X = self._predict_windows(X)
        with self._on_device(resolve_device(self.device)):
            return NeuralNet.predict_proba(self, X)

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

    def partial_fit(self, X, y=None, classes=None, **fit_params):
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
        **fit_params : dict
            Passed to the network's forward.

        Returns
        -------
        self : HAMNetClassifier
            The classifier.
        """
        if not getattr(self, "initialized_", False) or not hasattr(self, "mirror_"):
            return self.fit(X, y, **fit_params)
        windows = to_windows(X, self.sfreq, self.ch_names)
        self._check_layout(windows.data, windows.ch_names, windows.sfreq)
        y_encoded = self._encode(self._targets(windows, y), self.classes_)
        with self._on_device(resolve_device(self.device)):
            dataset = TensorWindows(windows.data, y_encoded, device=self.device)
            NeuralNet.partial_fit(self, dataset, y_encoded, epochs=1, **fit_params)
        return self

    def _predict_windows(self, X):
        windows = to_windows(X, self.sfreq, self.ch_names)
        self._check_layout(windows.data, windows.ch_names, windows.sfreq)
        return windows.data

    def _check_layout(self, data, ch_names, sfreq):
        if list(ch_names) != self.ch_names_:
            missing = [c for c in self.ch_names_ if c not in ch_names]
            extra = [c for c in ch_names if c not in self.ch_names_]
            detail = (
                f"missing {missing}, unexpected {extra}" if missing or extra
                else "same channels in a different order"
            )
            raise ValueError(
                f"X's channels differ from those seen in fit ({detail}); expected "
                f"{len(self.ch_names_)} channels {self.ch_names_}."
            )
        if data.shape[2] != self.n_times_:
            raise ValueError(
                f"X has windows of {data.shape[2]} samples, but the classifier "
                f"was fitted on windows of {self.n_times_} samples."
            )
        if sfreq != self.sfreq_:
            raise ValueError(
                f"X is sampled at {sfreq} Hz, but the classifier was fitted at "
                f"{self.sfreq_} Hz."
            )

    # ------------------------------------------------------------ device
    @contextmanager
    def _on_device(self, device):
        """Let skorch see a concrete device while keeping the parameter as set."""
        requested = self.device
        self.device = device
        try:
            yield
        finally:
            self.device = requested

    def __setstate__(self, state):
        requested = state.get("device")
        auto = isinstance(requested, str) and requested == "auto"
        if auto:
            state["device"] = resolve_device("auto")
        super().__setstate__(state)
        if auto:
            self.device = "auto"


def _as_tensor_windows(dataset):
    """Return a TensorWindows for skorch's Subset splits too."""
    if isinstance(dataset, TensorWindows):
        return dataset
    if isinstance(dataset, Subset) and isinstance(dataset.dataset, TensorWindows):
        base = dataset.dataset
        index = torch.as_tensor(np.asarray(dataset.indices), device=base.X.device)
        view = TensorWindows.__new__(TensorWindows)
        view.X = base.X[index]
        view.y = None if base.y is None else base.y[index]
        return view
    raise TypeError(
        "HAMNetClassifier batches from device-resident tensors; got a dataset of "
        f"type {type(dataset).__name__}."
    )
