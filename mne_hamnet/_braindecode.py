"""The braindecode networks of the benchmark: their recipes, built at the data's rate.

Kept apart from :mod:`mne_hamnet.pipelines` because everything here needs
braindecode, an optional extra, at fit: the recipes (kernels rescaled to the
windows' rate, each paper's optimiser), :class:`NetworkAtDataRate`, and the
seeded ``EEGClassifier`` with the same early stopping as HAMNetClassifier.
"""

import logging

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted

from ._check import _validate_type
from ._device import device_set_to, resolve_device, seeded
from ._input import is_epochs, to_windows
from ._paper import PAPER_TRAINING
from ._peer_steps import BandPass, ChannelStandardizer, HemisphereOrder
from ._validation import EARLY_STOPPING_DEFAULTS, check_early_stopping, validation_split
from .features import DifferentialEntropy

_logger = logging.getLogger(__name__)


#: Per network: the sampling rate its time kernels were designed at, the
#: kernel parameters (in samples at that rate), the optimiser and its
#: settings, from the authors' papers and braindecode's examples.
_NETWORK_RECIPES = {
    # Schirrmeister et al. (2017); braindecode's recipe: AdamW, lr 0.0625e-2,
    # no weight decay, cosine annealing.
    "ShallowFBCSPNet": dict(
        design_sfreq=250.0,
        kernels=dict(filter_time_length=25, pool_time_length=75, pool_time_stride=15),
        fixed=dict(final_conv_length="auto"),
        optimizer=torch.optim.AdamW, lr=0.0625 * 0.01, optimizer_params=dict(weight_decay=0.0),
        cosine=True,
    ),
    # Lawhern et al. (2018): kernel of half a second at 128 Hz, Adam, lr 1e-3.
    "EEGNet": dict(
        design_sfreq=128.0,
        kernels=dict(kernel_length=64, depthwise_kernel_length=16),
        # the paper's classifier: a dense layer with a max-norm constraint
        fixed=dict(final_layer_with_constraint=True),
        optimizer=torch.optim.Adam, lr=1e-3, optimizer_params={}, cosine=False,
    ),
    # Ding et al. (2022): inception windows in seconds, Adam, lr 1e-3.
    "TSception": dict(
        design_sfreq=None, kernels={}, fixed={},
        optimizer=torch.optim.Adam, lr=1e-3, optimizer_params={}, cosine=False,
    ),
    # Song et al. (2023): the Shallow stem at 250 Hz, Adam, lr 2e-4,
    # betas (0.5, 0.999).
    "EEGConformer": dict(
        design_sfreq=250.0,
        kernels=dict(filter_time_length=25, pool_time_length=75, pool_time_stride=15),
        fixed=dict(final_fc_length="auto"),
        optimizer=torch.optim.Adam, lr=2e-4, optimizer_params=dict(betas=(0.5, 0.999)),
        cosine=False,
    ),
    # Pérez-Velasco et al. (2022): braindecode keeps its kernels in ms (500,
    # 250, 125 ms); Adam, lr 1e-3.
    "EEGSym": dict(
        design_sfreq=None, kernels={}, fixed={},
        optimizer=torch.optim.Adam, lr=1e-3, optimizer_params={}, cosine=False,
    ),
    # Song et al. (2018): DE in five bands per channel as node features;
    # the paper gives no optimiser settings: Adam, lr 1e-3.
    "DGCNN": dict(
        design_sfreq=None, kernels={}, fixed={},
        optimizer=torch.optim.Adam, lr=1e-3, optimizer_params={}, cosine=False,
    ),
}
#: EEG Conformer's SEED recipe, from its authors' ``conformer_seed_1s_5fold.py``
#: and ``preprocessing/seed.m``: the stem's kernels in samples (not rescaled
#: from 250 Hz), 5 attention heads, a 4-47 Hz band-pass, and one mean and one
#: standard deviation over all the training data.
_CONFORMER_EMOTION = dict(
    kernels=dict(filter_time_length=25, pool_time_length=75, pool_time_stride=15),
    module=dict(num_heads=5), band=(4.0, 47.0),
)
# EEGNet's dropout, documented as mne_hamnet.pipelines.EEGNET_DROPOUT
EEGNET_DROPOUT = {"within-subject": 0.5, "cross-subject": 0.25}
#: The networks' band-pass: from 4 Hz (the high-pass of EEGNet's, the Shallow
#: network's and EEG Conformer's motor recipes) to at least 38 Hz, higher
#: when the task's bands reach higher.
_NETWORK_L_FREQ, _NETWORK_MIN_H_FREQ = 4.0, 38.0


def _braindecode_pipeline(name, *, sfreq, ch_names, h_freq, max_epochs, batch_size, device,
                          random_state, verbose, early=None, cross_subject=False,
                          task="emotion"):
    """Build braindecode's ``EEGClassifier`` around one of its networks."""
    from braindecode import models
    from skorch.callbacks import LRScheduler

    recipe = _NETWORK_RECIPES[name]
    if name == "EEGNet":
        # braindecode 1.0 renamed EEGNetv4 to EEGNet
        module = getattr(models, "EEGNet", None) or models.EEGNetv4
    else:
        module = getattr(models, name, None)
        if module is None:
            import braindecode

            raise ImportError(
                f"The pipeline {name!r} needs braindecode's {name}, which braindecode "
                f"{braindecode.__version__} does not have. Upgrade braindecode."
            )
    module_params = {"sfreq": sfreq, **recipe["fixed"]}
    if recipe["design_sfreq"] is not None:
        scale = sfreq / recipe["design_sfreq"]
        module_params.update(
            {key: max(1, int(round(value * scale))) for key, value in recipe["kernels"].items()}
        )
    low, high = _NETWORK_L_FREQ, max(h_freq or 0.0, _NETWORK_MIN_H_FREQ)
    per_channel = True
    if name == "EEGConformer" and task == "emotion":
        module_params.update(_CONFORMER_EMOTION["kernels"], **_CONFORMER_EMOTION["module"])
        low, high = _CONFORMER_EMOTION["band"]
        per_channel = False
    if name == "EEGNet":
        module_params["drop_prob"] = EEGNET_DROPOUT[
            "cross-subject" if cross_subject else "within-subject"]
    if name == "EEGSym":
        module_params.update(_symmetric_channels(ch_names))
    if name == "DGCNN":
        module_params["chs_info"] = _positioned_chs_info(ch_names, sfreq)
    callbacks = []
    if recipe["cosine"]:
        callbacks.append(
            ("lr_scheduler", LRScheduler("CosineAnnealingLR", T_max=max(max_epochs - 1, 1)))
        )
    classifier = _seeded_eeg_classifier()(
        module,
        random_state=random_state,
        optimizer=recipe["optimizer"],
        optimizer__lr=recipe["lr"],
        **{f"optimizer__{key}": value for key, value in recipe["optimizer_params"].items()},
        **{f"module__{key}": value for key, value in module_params.items()},
        batch_size=batch_size,
        max_epochs=max_epochs,
        train_split=None,
        iterator_train__shuffle=True,
        # braindecode drops the last partial batch by default, which leaves a
        # training set smaller than batch_size untrained.
        iterator_train__drop_last=False,
        callbacks=callbacks,
        device=device,
        verbose=verbose,
        **(early or {}),
    )
    if name == "DGCNN":
        return make_pipeline(
            DifferentialEntropy(kind="de", sfreq=float(sfreq), ch_names=ch_names),
            StandardScaler(),
            FunctionTransformer(_bands_per_channel, kw_args={"n_chans": len(ch_names)}),
            classifier,
        )
    # stay clear of Nyquist, where a Butterworth band edge is ill-defined
    high = min(high, 0.45 * sfreq)
    steps = [BandPass(sfreq, low, high)]
    if name == "TSception":
        steps.append(HemisphereOrder(ch_names))
    steps += [ChannelStandardizer(per_channel=per_channel), classifier]
    return make_pipeline(*steps)


def _bands_per_channel(features, n_chans):
    """DE features, (channel, band) with bands fastest, as float32 graph nodes."""
    return features.reshape(len(features), n_chans, -1).astype("float32")


def _symmetric_channels(ch_names):
    """EEGSym's channel arguments: the mirror pairs, the midline, the names."""
    from .mirror import HemisphereMirror

    mirror = HemisphereMirror(ch_names=list(ch_names), on_unpaired="ignore").fit(
        np.zeros((1, len(ch_names), 1))
    )
    if not mirror.pairs_:
        raise ValueError(
            f"EEGSym needs left/right channel pairs, but HemisphereMirror found none among "
            f"{list(ch_names)[:6]}...; use 10-05 names such as C3 and C4."
        )
    return dict(
        left_right_chs=[tuple(pair) for pair in mirror.pairs_],
        middle_chs=list(mirror.midline_),
        chs_info=[{"ch_name": name} for name in ch_names],
    )


def _positioned_chs_info(ch_names, sfreq):
    """Channel records with template positions, for DGCNN's initial graph."""
    import mne

    from .viz import _template_montage

    info = mne.create_info(list(ch_names), sfreq, "eeg")
    montage = _template_montage(list(ch_names))
    if montage is not None:
        info.set_montage(montage, on_missing="ignore", verbose=False)
    missing = [ch["ch_name"] for ch in info["chs"] if not np.isfinite(ch["loc"][:3]).all()
               or not np.any(ch["loc"][:3])]
    if missing:
        raise ValueError(
            f"DGCNN starts its graph from the electrodes' positions, but the template "
            f"montage places none of {missing[:6]}; use 10-05 channel names."
        )
    return [
        {"ch_name": ch["ch_name"], "loc": np.array(ch["loc"], dtype=float)}
        for ch in info["chs"]
    ]


class NetworkAtDataRate(ClassifierMixin, BaseEstimator):
    """A braindecode network's pipeline, built at fit for the data's rate.

    The networks' kernels are sized in samples at the windows' rate, which
    :func:`make_pipelines` does not know when its ``sfreq`` is None. This
    estimator keeps the recipe and builds the pipeline (band-pass, channel
    scaling, network) in :meth:`fit`, from ``sfreq`` as
    :func:`~mne_hamnet.evaluation.evaluate` sets it from the paradigm's data.

    Parameters
    ----------
    name : str
        One of :data:`BRAINDECODE_PIPELINES`.
    sfreq : float | None, default=None
        Sampling frequency of the windows in Hz; arrays need it, Epochs
        carry it.
    ch_names : list of str | None, default=None
        Channel names of the windows, in order (TSception needs them for
        arrays; Epochs carry them).
    h_freq : float, default=38.0
        Top of the task's bands, in Hz.
    max_epochs : int, default=1400
        Training epochs of the network; the most under early stopping.
    batch_size : int, default=100
        Windows per mini-batch.
    device : str, default="auto"
        Where the network trains; ``"auto"`` picks CUDA when available.
    random_state : int | None, default=None
        Seeds the network's initialisation and batch order.
    verbose : int, default=0
        Verbosity of the network; 0 is silent.
    early : dict | None, default=None
        The network's early-stopping parameters (``early_stopping``,
        ``validation_fraction``, ...), as ``make_pipelines(budget="early")``
        gives them; None trains ``max_epochs`` epochs.
    cross_subject : bool, default=False
        Build the network's cross-subject recipe (EEGNet's dropout).
    task : {"emotion", "motor"}, default="emotion"
        The kind of data, as in :func:`make_pipelines`.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted pipeline, as ``make_pipelines([name], sfreq=...)`` builds it.
    epochs_kept_ : dict of str to int
        The epoch whose weights the network kept (``{"train": k}``).
    validation_split_ : {"groups", "blocks"} | None
        The units of the network's validation part; None without early
        stopping.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    """

    def __init__(self, name, sfreq=None, ch_names=None, h_freq=_NETWORK_MIN_H_FREQ,
                 max_epochs=PAPER_TRAINING["pretrain_epochs"] + PAPER_TRAINING["finetune_epochs"],
                 batch_size=100, device="auto", random_state=None, verbose=0, early=None,
                 cross_subject=False, task="emotion"):
        self.name = name
        self.sfreq = sfreq
        self.ch_names = ch_names
        self.h_freq = h_freq
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.early = early
        self.cross_subject = cross_subject
        self.task = task

    def fit(self, X, y, groups=None):
        """Build the pipeline for ``sfreq`` and fit it.

        Parameters
        ----------
        X : mne.Epochs | array of shape (n_windows, n_channels, n_times)
            Windows in µV; Epochs give their own rate and channels.
        y : array-like of shape (n_windows,)
            Class labels.
        groups : array-like of shape (n_windows,) | None, default=None
            Trial id of each window, for the network's early stopping.

        Returns
        -------
        self : NetworkAtDataRate
            The fitted estimator.
        """
        X, sfreq, ch_names = self._windows(X)
        if sfreq is None:
            raise ValueError(
                f"{self.name} sizes its kernels in samples at the windows' rate, which "
                "arrays do not carry: sfreq is None. Build it with make_pipelines(..., "
                "sfreq=...), or set_params(sfreq=...); evaluate() sets it from the "
                "paradigm's data."
            )
        pipeline = self.build(sfreq, ch_names)
        network = pipeline.steps[-1][0]
        params = {} if groups is None else {f"{network}__groups": groups}
        self.pipeline_ = pipeline.fit(X, y, **params)
        self.classes_ = self.pipeline_.classes_
        # what a fold runner reads from a pipeline's last step
        self.epochs_kept_ = dict(getattr(self.pipeline_[-1], "epochs_kept_", {}))
        self.validation_split_ = getattr(self.pipeline_[-1], "validation_split_", None)
        return self

    def build(self, sfreq, ch_names):
        """The unfitted pipeline of the recipe at ``sfreq``, as ``make_pipelines`` builds it.

        :func:`~mne_hamnet.evaluation.evaluate` calls it once the data's rate
        is known, so that the network's band-pass moves onto each trial as
        for a pipeline built with ``sfreq``.

        Parameters
        ----------
        sfreq : float
            Sampling frequency of the windows in Hz.
        ch_names : list of str | None
            Channel names of the windows, in order.

        Returns
        -------
        pipeline : sklearn.pipeline.Pipeline
            Band-pass, channel scaling and the network.
        """
        _validate_type(sfreq, "numeric", "sfreq")
        return _braindecode_pipeline(
            self.name, sfreq=float(sfreq), ch_names=ch_names, h_freq=self.h_freq,
            max_epochs=self.max_epochs, batch_size=self.batch_size, device=self.device,
            random_state=self.random_state, verbose=self.verbose, early=self.early,
            cross_subject=self.cross_subject, task=self.task,
        )

    def predict(self, X):
        """Predicted class labels of the windows ``X``.

        Parameters
        ----------
        X : array of shape (n_windows, n_channels, n_times)
            Windows in µV.

        Returns
        -------
        y_pred : ndarray of shape (n_windows,)
            Labels from ``classes_``.
        """
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict(self._windows(X)[0])

    def _windows(self, X):
        """The windows as an array (Epochs in µV), with their rate and channels."""
        if is_epochs(X):
            windows = to_windows(X, self.sfreq, self.ch_names, owner=self.name)
            return windows.data, windows.sfreq, list(windows.ch_names)
        return X, self.sfreq, self.ch_names

    def predict_proba(self, X):
        """Class probabilities of the windows ``X``.

        Parameters
        ----------
        X : array of shape (n_windows, n_channels, n_times)
            Windows in µV.

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(self._windows(X)[0])


def _check_window_length(module):
    """Raise a ValueError naming the window length if ``module`` cannot take it.

    A network whose poolings or kernels outgrow the windows fails deep in
    torch ("smaller than kernel size", "Output size is too small") at the
    first batch; one forward pass on two windows of zeros, in eval mode (no
    dropout draws, no batch-norm updates), says so before training.
    """
    n_chans, n_times = getattr(module, "n_chans", None), getattr(module, "n_times", None)
    if n_chans is None or n_times is None:
        return
    device = next(module.parameters()).device
    training = module.training
    module.eval()
    try:
        with torch.no_grad():
            module(torch.zeros(2, n_chans, n_times, device=device))
    except RuntimeError as err:
        if not _is_size_error(err):
            raise
        raise _short_windows_error(
            type(module), n_times, getattr(module, "sfreq", None), err) from err
    finally:
        module.train(training)


def _is_size_error(err):
    # torch's words for a kernel or pooling larger than what reaches it
    # ("smaller than kernel size", "Output size is too small", "Kernel size
    # can't be greater than actual input size"); other errors pass unchanged
    return "size" in str(err).lower()


def _short_windows_error(network, n_times, sfreq, err):
    name = network.__name__ if isinstance(network, type) else str(network)
    seconds = f" ({n_times / sfreq:.3g} s at {sfreq:g} Hz)" if n_times and sfreq else ""
    return ValueError(
        f"{name} cannot take windows of {n_times} samples{seconds}: {err}. "
        "Use longer windows."
    )


def _seeded_eeg_classifier():
    """Return ``_SeededEEGClassifier``, defining it on first use.

    The class subclasses braindecode's ``EEGClassifier``, so it can't be
    defined at import time without importing braindecode. It is stored as a
    module attribute so that pickle (joblib, dask) finds it by name.
    """
    cls = globals().get("_SeededEEGClassifier")
    if cls is not None:
        return cls
    from braindecode import EEGClassifier
    from skorch.callbacks import EarlyStopping
    from torch.utils.data import Subset

    class _SeededEEGClassifier(EEGClassifier):
        """``EEGClassifier`` whose fit is seeded without touching global RNG state.

        With ``early_stopping=True`` it holds out the validation part
        HAMNetClassifier would (:func:`mne_hamnet._validation.validation_split`:
        whole trials given as ``groups`` to fit, else blocks of consecutive
        windows), stops with skorch's ``EarlyStopping`` on the validation
        loss and restores the best epoch's weights; ``max_epochs`` is then
        the most it trains. ``epochs_kept_`` (``{"train": k}``) and
        ``validation_split_`` say what happened.
        """

        def __init__(self, module, *args, random_state=None,
                     early_stopping=EARLY_STOPPING_DEFAULTS["early_stopping"],
                     validation_fraction=EARLY_STOPPING_DEFAULTS["validation_fraction"],
                     n_iter_no_change=EARLY_STOPPING_DEFAULTS["n_iter_no_change"],
                     tol=EARLY_STOPPING_DEFAULTS["tol"], **kwargs):
            super().__init__(module, *args, **kwargs)
            self.random_state = random_state
            self.early_stopping = early_stopping
            self.validation_fraction = validation_fraction
            self.n_iter_no_change = n_iter_no_change
            self.tol = tol

        def _get_param_names(self):
            # as HAMNetClassifier's: skorch lists its private set
            # _params_to_validate as a parameter, and a set's order changes
            # from process to process, so MOABB's digest of the pipeline (the
            # fold cache's key) did too
            return [name for name in super()._get_param_names() if not name.startswith("_")]

        @property
        def _default_callbacks(self):
            callbacks = list(super()._default_callbacks)
            if self.early_stopping is True:
                callbacks.append(("early_stopping", EarlyStopping(
                    monitor="valid_loss", patience=self.n_iter_no_change,
                    threshold=self.tol, threshold_mode="abs", lower_is_better=True,
                    load_best=True, sink=_logger.info)))
            return callbacks

        def fit(self, X, y=None, groups=None, **fit_params):
            check_early_stopping(
                type(self).__name__, self.early_stopping, self.validation_fraction,
                self.n_iter_no_change, self.tol, self.train_split)
            self.valid_index_ = None
            self.validation_split_ = None
            if self.early_stopping:
                if y is None:
                    raise ValueError("early_stopping=True needs the labels y in fit.")
                train, valid, kind = validation_split(
                    y, groups, self.validation_fraction)
                self.train_index_, self.valid_index_ = train, valid
                self.validation_split_ = kind
                _logger.info(
                    "%s: early stopping on %d of %d windows held out as %s",
                    type(self.module).__name__ if not isinstance(self.module, type)
                    else self.module.__name__, len(valid), len(y), kind)
            # "auto" is resolved where the fit runs (a dask worker has its own
            # GPU); skorch itself knows no "auto", and the parameter must stay
            # as the user set it.
            with device_set_to(self, resolve_device(self.device)), seeded(self.random_state):
                super().fit(X, y, **fit_params)
            n_done = len(self.history_)
            kept = n_done
            stopper = dict(self.callbacks_).get("early_stopping")
            if stopper is not None and stopper.best_model_weights_ is not None:
                kept = int(stopper.best_epoch_)
            self.epochs_kept_ = {"train": kept}
            return self

        def initialize_module(self):
            """Build the network and try it on zeros, so that short windows fail clearly."""
            try:
                super().initialize_module()
            except RuntimeError as err:
                # networks that size their last layer by a forward pass at
                # construction (EEG Conformer's "auto") fail here instead
                if not _is_size_error(err):
                    raise
                params = self.get_params_for("module")
                raise _short_windows_error(
                    self.module, params.get("n_times"), params.get("sfreq"), err) from err
            _check_window_length(self.module_)
            return self

        def get_split_datasets(self, X, y=None, **fit_params):
            valid = getattr(self, "valid_index_", None)
            if valid is None:
                return super().get_split_datasets(X, y, **fit_params)
            dataset = self.get_dataset(X, y)
            return Subset(dataset, self.train_index_), Subset(dataset, valid)

        def predict_proba(self, X):
            with device_set_to(self, resolve_device(self.device)):
                return super().predict_proba(X)

        def __setstate__(self, state):
            # skorch maps the saved tensors to ``device``, which knows no
            # "auto": resolve it where the net is unpickled (a joblib or dask
            # worker), then give the parameter back as the user set it
            # parameters added since 0.1.0's pickles
            for name, default in EARLY_STOPPING_DEFAULTS.items():
                state.setdefault(name, default)
            auto = isinstance(state.get("device"), str) and state["device"] == "auto"
            if auto:
                state["device"] = resolve_device("auto")
            super().__setstate__(state)
            if auto:
                self.device = "auto"

    _SeededEEGClassifier.__qualname__ = "_SeededEEGClassifier"
    globals()["_SeededEEGClassifier"] = _SeededEEGClassifier
    return _SeededEEGClassifier
