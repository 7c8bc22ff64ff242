"""The named pipelines of the benchmark: HAMNet, its ablation, and the peers on the same folds."""

import importlib
import warnings

import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.validation import check_is_fitted

from ._check import _check_positive_int, _check_unique_names, _validate_type
from ._device import device_set_to, resolve_device, seeded
from ._input import is_epochs, to_windows
from ._paper import PAPER_ACCURACY, PAPER_ONLY_ACCURACY, PAPER_TRAINING  # noqa: F401
from ._peer_steps import BandPass, ChannelStandardizer, HemisphereOrder, _quiet_csp
from .classifier import HAMNetClassifier
from .features import DifferentialEntropy
from .fir import check_bands

SEED_SFREQ = 200.0
# make_pipelines(sfreq=None) checks band edges only for their order, not
# against Nyquist, which is checked at fit once the rate is known
_UNKNOWN_RATE = 1e12

#: The pipelines that need nothing beyond the core dependencies.
CORE_PIPELINES = ("HAMNet", "HAMNet-pretrain", "DE+SVM", "DASM+SVM")
#: The standard baselines of lateralised tasks: CSP with LDA (MNE) and a
#: tangent-space SVM (pyRiemann, optional), each after a band-pass.
BASELINE_PIPELINES = ("CSP+LDA", "TS+SVM")
#: The pipelines built with braindecode's ``EEGClassifier`` (optional extra).
BRAINDECODE_PIPELINES = ("ShallowFBCSPNet", "EEGNet", "TSception", "EEGConformer")
#: Every name :func:`make_pipelines` knows, in the order of the result tables.
PIPELINE_NAMES = CORE_PIPELINES + BASELINE_PIPELINES + BRAINDECODE_PIPELINES
#: What each pipeline classifies, for the "Feature" column of result tables.
PIPELINE_FEATURES = {
    "HAMNet": "raw EEG",
    "HAMNet-pretrain": "raw EEG",
    "DE+SVM": "DE",
    "DASM+SVM": "DASM",
    "CSP+LDA": "band-passed EEG, CSP log-variance",
    "TS+SVM": "band-passed EEG, tangent-space covariances",
    "ShallowFBCSPNet": "raw EEG",
    "EEGNet": "raw EEG",
    "TSception": "raw EEG",
    "EEGConformer": "raw EEG",
}


def braindecode_available():
    """Return whether the optional braindecode can be imported.

    Any failure of ``import braindecode`` counts as missing, not only an
    ImportError: a torchaudio built for another torch fails with an OSError
    or a RuntimeError while braindecode imports it.

    Returns
    -------
    available : bool
        True when ``import braindecode`` works.
    """
    return _importable("braindecode")


def _importable(name):
    return _import_failure(name) is None


def _import_failure(name):
    """Why ``import name`` fails, in one line; None when it works."""
    try:
        with warnings.catch_warnings():
            # only a probe: a package's own import-time deprecation notices
            # are not this call's business
            warnings.simplefilter("ignore")
            importlib.import_module(name)
    except Exception as err:  # a broken install raises OSError, RuntimeError, ...
        lines = str(err).strip().splitlines()
        return f"{type(err).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return None


#: How to install what the peer pipelines need, by package.
_INSTALL_HINTS = {
    "braindecode": (
        "braindecode imports torchaudio, which must be built for the installed torch; "
        "torch 2.11 with torchaudio 2.11 is the newest pair. In an environment of its "
        "own: pip install torch==2.11.0 torchaudio==2.11.0, then pip install "
        "'mne-hamnet[peers]' (from a clone: pip install -e '.[peers]'), or run tox -e "
        "peers. See 'The peers' environment' in the install guide."
    ),
    "pyriemann": "Install the extra with: pip install 'mne-hamnet[peers]'.",
}


def make_pipelines(
    names=None,
    *,
    sfreq=None,
    ch_names=None,
    bands=None,
    pretrain_epochs=PAPER_TRAINING["pretrain_epochs"],
    finetune_epochs=PAPER_TRAINING["finetune_epochs"],
    pretrain_lr=PAPER_TRAINING["pretrain_lr"],
    finetune_lr=PAPER_TRAINING["finetune_lr"],
    batch_size=100,
    device="auto",
    random_state=None,
    verbose=0,
):
    """Build the benchmark's pipelines by name.

    Every pipeline takes windows as MOABB's ``get_data`` gives them: arrays of
    shape (n_windows, n_channels, n_times) in µV, with the channels of
    ``ch_names`` at ``sfreq``. Every pipeline gets the same ``random_state``
    and, for the networks, the same epoch budget and batch size; each peer
    keeps its authors' preprocessing, optimiser and learning rate (see the
    user guide's page on the peers, which gives the sources).

    - ``"HAMNet"``: :class:`~mne_hamnet.HAMNetClassifier`, pretraining then
      finetuning, with ``module__bands=bands``.
    - ``"HAMNet-pretrain"``: the same stopped after pretraining
      (``finetune_epochs=0``), the paper's 93.53 % ablation.
    - ``"DE+SVM"`` and ``"DASM+SVM"``: differential entropy in the five SEED
      bands (:class:`~mne_hamnet.features.DifferentialEntropy`, DE per channel
      or its left-minus-right asymmetry DASM), standardised, then a linear
      SVM.
    - ``"CSP+LDA"``: a band-pass over the span of ``bands`` (8-30 Hz for
      ``"mu-beta"``), :class:`mne.decoding.CSP` (6 components, log-variance),
      then linear discriminant analysis.
    - ``"TS+SVM"``: the same band-pass, OAS covariances, their tangent space
      at the Riemannian mean (pyRiemann), then a linear SVM. Needs the
      optional ``pyriemann``.
    - ``"ShallowFBCSPNet"``, ``"EEGNet"``, ``"TSception"`` and
      ``"EEGConformer"``: braindecode's networks trained by its
      ``EEGClassifier`` for ``pretrain_epochs + finetune_epochs`` epochs, the
      budget HAMNet gets, after a band-pass from 4 Hz and a per-channel
      standardisation fitted on the training windows. Their time kernels
      keep their authors' durations at ``sfreq``. TSception gets the paired
      channels, left then right. They need the optional ``braindecode``
      extra.

    Parameters
    ----------
    names : str | list of str | None, default=None
        The pipelines to build, among :data:`PIPELINE_NAMES`. None builds the
        four core ones, plus the braindecode ones when braindecode can be
        imported.
    sfreq : float | None, default=None
        Sampling frequency of the windows in Hz. None leaves it to the data
        (see Notes).
    ch_names : list of str | None, default=None
        Channel names of the windows, in order; they give the mirror pairs.
        None leaves them to the data (see Notes).
    bands : str | array-like of shape (n_bands, 2) | None, default=None
        HAMNet's bands, a preset name (``"gamma"``, ``"mu-beta"``) or
        (low, high) pairs in Hz, given to it as ``module__bands``. Their span
        is the band-pass of CSP+LDA and TS+SVM, and the top of the networks'
        band-pass. None means ``"gamma"``, the paper's bank.
    pretrain_epochs, finetune_epochs : int, default=800 and 600
        HAMNet's epochs per stage, the paper's by default.
    pretrain_lr, finetune_lr : float, default=1e-4 and 5e-5
        HAMNet's Adam learning rates per stage, the paper's by default.
    batch_size : int, default=100
        Windows per mini-batch of the networks.
    device : str, default="auto"
        Where the networks train; ``"auto"`` picks CUDA when available.
    random_state : int | None, default=None
        Seeds the networks' initialisation and batch order.
    verbose : int, default=0
        Verbosity of the networks; 0 is silent.

    Returns
    -------
    pipelines : dict of str to sklearn.base.BaseEstimator
        Unfitted estimators, in the order of ``names``.

    Notes
    -----
    ``sfreq`` and ``ch_names`` left None are taken from the data, as every
    estimator of this package does: :func:`~mne_hamnet.evaluation.evaluate`
    (and so ``mne-hamnet benchmark``) sets them from the paradigm's windows
    before any fold runs, and HAMNet and DE/DASM read them from Epochs at
    fit. Arrays carry neither, so a pipeline fitted on arrays outside
    :func:`~mne_hamnet.evaluation.evaluate` needs them here; without them,
    fit says so. The braindecode networks size their kernels in samples at
    the windows' rate, so with ``sfreq=None`` each is built when it is
    fitted, once the rate is known.

    The SVM is linear, as in the SEED baseline the paper compares with
    (Zheng & Lu, 2015): with about 300 standardised features per window a
    linear boundary is what DE features are known to support, it has no
    kernel width to tune (a nested search would multiply the cost), and
    liblinear's primal solver (``dual=False``, for more windows than
    features) scales linearly with the number of windows, which keeps the
    cross-subject protocol (about 140,000 training windows on SEED)
    tractable where a kernel SVM's cost grows quadratically.
    """
    names = _check_names(names)
    # None stays None: each estimator takes the rate and channels from the data
    if sfreq is not None:
        _validate_type(sfreq, "numeric", "sfreq")
        if not sfreq > 0:
            raise ValueError(f"sfreq must be a positive frequency in Hz, but got {sfreq}.")
        sfreq = float(sfreq)
    if ch_names is not None:
        _validate_type(ch_names, (list, tuple), "ch_names", "list of str or None")
        ch_names = [str(name) for name in ch_names]
    pretrain_epochs = _check_positive_int(pretrain_epochs, "pretrain_epochs")
    finetune_epochs = _check_positive_int(finetune_epochs, "finetune_epochs", minimum=0)
    batch_size = _check_positive_int(batch_size, "batch_size")
    if random_state is not None:
        random_state = _check_positive_int(random_state, "random_state", minimum=0)
    hamnet = dict(
        pretrain_lr=pretrain_lr,
        finetune_lr=finetune_lr,
        batch_size=batch_size,
        sfreq=sfreq,
        ch_names=ch_names,
        device=device,
        random_state=random_state,
        verbose=verbose,
        # HAMNet's own default (the gamma bank) stays a default when unset
        **({} if bands is None else {"module__bands": bands}),
    )

    def span():
        # checked only for the pipelines that use it: DE+SVM at 128 Hz needs
        # no band, and HAMNet checks its own bands against the data at fit.
        # Without sfreq, the band-pass checks its edges against Nyquist at fit.
        band_list = check_bands(bands, _UNKNOWN_RATE if sfreq is None else sfreq)
        return float(band_list[:, 0].min()), float(band_list[:, 1].max())

    builders = {
        "HAMNet": lambda: HAMNetClassifier(
            pretrain_epochs=pretrain_epochs, finetune_epochs=finetune_epochs, **hamnet
        ),
        "HAMNet-pretrain": lambda: HAMNetClassifier(
            pretrain_epochs=pretrain_epochs, finetune_epochs=0, **hamnet
        ),
        "DE+SVM": lambda: _entropy_svm("de", sfreq, ch_names),
        "DASM+SVM": lambda: _entropy_svm("dasm", sfreq, ch_names),
        "CSP+LDA": lambda: _csp_lda(sfreq, *span(), quiet=not verbose),
        "TS+SVM": lambda: _tangent_space_svm(sfreq, *span()),
    }
    for name in BRAINDECODE_PIPELINES:
        # at an unknown rate the network is built at fit (NetworkAtDataRate)
        build = _braindecode_pipeline if sfreq is not None else NetworkAtDataRate
        builders[name] = lambda name=name, build=build: build(
            name,
            sfreq=sfreq,
            ch_names=ch_names,
            h_freq=span()[1],
            max_epochs=pretrain_epochs + finetune_epochs,
            batch_size=batch_size,
            device=device,
            random_state=random_state,
            verbose=verbose,
        )
    return {name: builders[name]() for name in names}


def _check_names(names):
    if names is None:
        return list(CORE_PIPELINES) + (
            list(BRAINDECODE_PIPELINES) if braindecode_available() else []
        )
    if isinstance(names, str):
        names = [names]
    _validate_type(names, (list, tuple), "names", "str, list of str or None")
    unknown = [name for name in names if name not in PIPELINE_NAMES]
    if unknown:
        raise ValueError(
            f"Unknown pipeline name(s) {unknown}. The available pipelines are "
            f"{list(PIPELINE_NAMES)}."
        )
    _check_unique_names(names, "Pipeline names")
    for wanted, package in (
        ([name for name in names if name in BRAINDECODE_PIPELINES], "braindecode"),
        ([name for name in names if name == "TS+SVM"], "pyriemann"),
    ):
        if not wanted:
            continue
        available = braindecode_available() if package == "braindecode" else _importable(package)
        if not available:
            reason = _import_failure(package)
            raise ImportError(
                f"The pipeline(s) {wanted} need {package}, which cannot be imported"
                f"{'' if reason is None else f' ({reason})'}. {_INSTALL_HINTS[package]}"
            )
    return list(names)


def _entropy_svm(kind, sfreq, ch_names):
    return make_pipeline(
        DifferentialEntropy(kind=kind, sfreq=sfreq, ch_names=ch_names),
        StandardScaler(),
        LinearSVC(C=1.0, dual=False),
    )


def _csp_lda(sfreq, low, high, quiet=True):
    from mne.decoding import CSP

    # at verbose=0, MNE's INFO log of each CSP fit (its rank estimate) is noise
    csp = _quiet_csp() if quiet else CSP
    # the step keeps CSP's name, so that csp__n_components and the like still work
    return Pipeline([
        ("bandpass", BandPass(sfreq, low, high)),
        ("csp", csp(n_components=6, log=True)),
        ("lineardiscriminantanalysis", LinearDiscriminantAnalysis()),
    ])


def _tangent_space_svm(sfreq, low, high):
    from pyriemann.estimation import Covariances
    from pyriemann.tangentspace import TangentSpace

    return make_pipeline(
        BandPass(sfreq, low, high),
        Covariances(estimator="oas"),
        TangentSpace(metric="riemann"),
        SVC(kernel="linear", C=1.0),
    )


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
}
#: The networks' band-pass: from 4 Hz (the high-pass of EEGNet's, the Shallow
#: network's and EEG Conformer's motor recipes) to at least 38 Hz, higher
#: when the task's bands reach higher.
_NETWORK_L_FREQ, _NETWORK_MIN_H_FREQ = 4.0, 38.0


def _braindecode_pipeline(name, *, sfreq, ch_names, h_freq, max_epochs, batch_size, device,
                          random_state, verbose):
    """Build braindecode's ``EEGClassifier`` around one of its networks."""
    from braindecode import models
    from skorch.callbacks import LRScheduler

    recipe = _NETWORK_RECIPES[name]
    if name == "EEGNet":
        # braindecode 1.0 renamed EEGNetv4 to EEGNet
        module = getattr(models, "EEGNet", None) or models.EEGNetv4
    else:
        module = getattr(models, name)
    module_params = {"sfreq": sfreq, **recipe["fixed"]}
    if recipe["design_sfreq"] is not None:
        scale = sfreq / recipe["design_sfreq"]
        module_params.update(
            {key: max(1, int(round(value * scale))) for key, value in recipe["kernels"].items()}
        )
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
    )
    high = max(h_freq, _NETWORK_MIN_H_FREQ)
    # stay clear of Nyquist, where a Butterworth band edge is ill-defined
    high = min(high, 0.45 * sfreq)
    steps = [BandPass(sfreq, _NETWORK_L_FREQ, high)]
    if name == "TSception":
        steps.append(HemisphereOrder(ch_names))
    steps += [ChannelStandardizer(), classifier]
    return make_pipeline(*steps)


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
        Training epochs of the network.
    batch_size : int, default=100
        Windows per mini-batch.
    device : str, default="auto"
        Where the network trains; ``"auto"`` picks CUDA when available.
    random_state : int | None, default=None
        Seeds the network's initialisation and batch order.
    verbose : int, default=0
        Verbosity of the network; 0 is silent.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted pipeline, as ``make_pipelines([name], sfreq=...)`` builds it.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    """

    def __init__(self, name, sfreq=None, ch_names=None, h_freq=_NETWORK_MIN_H_FREQ,
                 max_epochs=PAPER_TRAINING["pretrain_epochs"] + PAPER_TRAINING["finetune_epochs"],
                 batch_size=100, device="auto", random_state=None, verbose=0):
        self.name = name
        self.sfreq = sfreq
        self.ch_names = ch_names
        self.h_freq = h_freq
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y):
        """Build the pipeline for ``sfreq`` and fit it.

        Parameters
        ----------
        X : mne.Epochs | array of shape (n_windows, n_channels, n_times)
            Windows in µV; Epochs give their own rate and channels.
        y : array-like of shape (n_windows,)
            Class labels.

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
        _validate_type(sfreq, "numeric", "sfreq")
        self.pipeline_ = _braindecode_pipeline(
            self.name, sfreq=float(sfreq), ch_names=ch_names, h_freq=self.h_freq,
            max_epochs=self.max_epochs, batch_size=self.batch_size, device=self.device,
            random_state=self.random_state, verbose=self.verbose,
        ).fit(X, y)
        self.classes_ = self.pipeline_.classes_
        return self

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


def _to_float32(X):
    """Cast windows to float32 (kept: pipelines pickled by 0.1.0 refer to it)."""
    return X.astype("float32", copy=False)


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

    class _SeededEEGClassifier(EEGClassifier):
        """``EEGClassifier`` whose fit is seeded without touching global RNG state."""

        def __init__(self, module, *args, random_state=None, **kwargs):
            super().__init__(module, *args, **kwargs)
            self.random_state = random_state

        def fit(self, X, y=None, **fit_params):
            # "auto" is resolved where the fit runs (a dask worker has its own
            # GPU); skorch itself knows no "auto", and the parameter must stay
            # as the user set it.
            with device_set_to(self, resolve_device(self.device)), seeded(self.random_state):
                return super().fit(X, y, **fit_params)

        def predict_proba(self, X):
            with device_set_to(self, resolve_device(self.device)):
                return super().predict_proba(X)

        def __setstate__(self, state):
            # skorch maps the saved tensors to ``device``, which knows no
            # "auto": resolve it where the net is unpickled (a joblib or dask
            # worker), then give the parameter back as the user set it
            auto = isinstance(state.get("device"), str) and state["device"] == "auto"
            if auto:
                state["device"] = resolve_device("auto")
            super().__setstate__(state)
            if auto:
                self.device = "auto"

    _SeededEEGClassifier.__qualname__ = "_SeededEEGClassifier"
    globals()["_SeededEEGClassifier"] = _SeededEEGClassifier
    return _SeededEEGClassifier


def __getattr__(name):
    # pickle looks the class up by name, possibly before anything built it
    if name == "_SeededEEGClassifier":
        return _seeded_eeg_classifier()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
