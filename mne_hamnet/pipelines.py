"""The named pipelines of the benchmark: HAMNet, its ablation, and the peers on the same folds."""

import importlib
import logging
import warnings

import torch
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from ._check import _check_option, _check_positive_int, _check_unique_names, _validate_type
from ._device import device_set_to, resolve_device, seeded
from ._paper import PAPER_ACCURACY, PAPER_ONLY_ACCURACY, PAPER_TRAINING  # noqa: F401
from ._peer_steps import BandPass, ChannelStandardizer, HemisphereOrder
from ._validation import check_early_stopping, validation_split
from .classifier import HAMNetClassifier
from .datasets import SEED_CH_NAMES
from .features import DifferentialEntropy
from .fir import check_bands

_logger = logging.getLogger(__name__)

SEED_SFREQ = 200.0

#: The pipelines that need nothing beyond the core dependencies.
CORE_PIPELINES = ("HAMNet", "HAMNet-pretrain", "DE+SVM", "DASM+SVM")
#: The standard baselines of lateralised tasks: CSP with LDA (MNE) and a
#: tangent-space SVM (pyRiemann, optional), each after a band-pass.
BASELINE_PIPELINES = ("CSP+LDA", "TS+SVM")
#: The pipelines built with braindecode's ``EEGClassifier`` (optional extra).
BRAINDECODE_PIPELINES = ("ShallowFBCSPNet", "EEGNet", "TSception", "EEGConformer")
#: The training budgets of :func:`make_pipelines`: fixed epochs, or early stopping.
BUDGETS = ("fixed", "early")
#: The early-stopping rule of ``budget="early"``, the same for every network:
#: scikit-learn's parameter names. A patience of 100 epochs rather than
#: scikit-learn's 10: HAMNet's validation loss can stay at chance, or rise,
#: for a hundred epochs or more before it falls (measured on BCI Competition
#: II set IV: about 100 epochs at 10 times the paper's learning rates,
#: several hundred at the paper's), and a short patience stops it there. The
#: best epoch is kept, so a long patience costs time, not accuracy.
EARLY_STOPPING = dict(
    early_stopping=True, validation_fraction=0.1, n_iter_no_change=100, tol=1e-4)
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
    """Return whether the optional braindecode extra can be imported.

    Returns
    -------
    available : bool
        True when ``import braindecode`` works.
    """
    return _importable("braindecode")


def _importable(name):
    try:
        with warnings.catch_warnings():
            # only a probe: a package's own import-time deprecation notices
            # are not this call's business
            warnings.simplefilter("ignore")
            importlib.import_module(name)
    except ImportError:
        return False
    return True


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
    budget="fixed",
    n_iter_no_change=None,
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
        Sampling frequency of the windows in Hz. None means SEED's 200 Hz.
    ch_names : list of str | None, default=None
        Channel names of the windows, in order; they give the mirror pairs.
        None means SEED's 62 channels.
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
    budget : {"fixed", "early"}, default="fixed"
        How long the networks train. ``"fixed"``: exactly the epochs given
        (HAMNet's two stages, the braindecode networks their sum).
        ``"early"``: the same epochs become maxima, and HAMNet,
        HAMNet-pretrain and every braindecode network stop by one rule,
        :data:`EARLY_STOPPING`: each stage holds out the same validation part
        of the training windows (whole trials when the fit gets ``groups``,
        else blocks of consecutive windows), stops once the validation loss
        has not decreased by more than ``tol`` for ``n_iter_no_change``
        epochs, and keeps its best epoch's weights. The fitted networks'
        ``epochs_kept_`` says which epoch each kept. Give a budget large
        enough for the rule to stop first (the paper's 800 + 600 epochs).
    n_iter_no_change : int | None, default=None
        With ``budget="early"``, the epochs without improvement before a
        network stops; None means ``EARLY_STOPPING["n_iter_no_change"]``.

    Returns
    -------
    pipelines : dict of str to sklearn.base.BaseEstimator
        Unfitted estimators, in the order of ``names``.

    Notes
    -----
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
    _check_option("budget", budget, BUDGETS)
    early = dict(EARLY_STOPPING) if budget == "early" else {}
    if n_iter_no_change is not None and early:
        early["n_iter_no_change"] = _check_positive_int(n_iter_no_change, "n_iter_no_change")
    if sfreq is None:
        sfreq = SEED_SFREQ
    _validate_type(sfreq, "numeric", "sfreq")
    if not sfreq > 0:
        raise ValueError(f"sfreq must be a positive frequency in Hz, but got {sfreq}.")
    sfreq = float(sfreq)
    if ch_names is None:
        ch_names = SEED_CH_NAMES
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
        **early,
        # HAMNet's own default (the gamma bank) stays a default when unset
        **({} if bands is None else {"module__bands": bands}),
    )

    def span():
        # checked only for the pipelines that use it: DE+SVM at 128 Hz needs
        # no band, and HAMNet checks its own bands against the data at fit
        band_list = check_bands(bands, sfreq)
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
        "CSP+LDA": lambda: _csp_lda(sfreq, *span()),
        "TS+SVM": lambda: _tangent_space_svm(sfreq, *span()),
    }
    for name in BRAINDECODE_PIPELINES:
        builders[name] = lambda name=name: _braindecode_pipeline(
            name,
            sfreq=sfreq,
            ch_names=ch_names,
            h_freq=span()[1],
            max_epochs=pretrain_epochs + finetune_epochs,
            batch_size=batch_size,
            device=device,
            random_state=random_state,
            verbose=verbose,
            early=early,
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
    for wanted, package, extra in (
        ([name for name in names if name in BRAINDECODE_PIPELINES], "braindecode",
         "braindecode"),
        ([name for name in names if name == "TS+SVM"], "pyriemann", "peers"),
    ):
        available = braindecode_available() if package == "braindecode" else _importable(package)
        if wanted and not available:
            raise ImportError(
                f"The pipeline(s) {wanted} need {package}, which cannot be imported. "
                f"Install the extra with: pip install 'mne-hamnet[{extra}]'."
            )
    return list(names)


def _entropy_svm(kind, sfreq, ch_names):
    return make_pipeline(
        DifferentialEntropy(kind=kind, sfreq=float(sfreq), ch_names=ch_names),
        StandardScaler(),
        LinearSVC(C=1.0, dual=False),
    )


def _csp_lda(sfreq, low, high):
    from mne.decoding import CSP

    return make_pipeline(
        BandPass(sfreq, low, high),
        CSP(n_components=6, log=True),
        LinearDiscriminantAnalysis(),
    )


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
                          random_state, verbose, early=None):
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
        **(early or {}),
    )
    high = max(h_freq, _NETWORK_MIN_H_FREQ)
    # stay clear of Nyquist, where a Butterworth band edge is ill-defined
    high = min(high, 0.45 * sfreq)
    steps = [BandPass(sfreq, _NETWORK_L_FREQ, high)]
    if name == "TSception":
        steps.append(HemisphereOrder(ch_names))
    steps += [ChannelStandardizer(), classifier]
    return make_pipeline(*steps)


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

        def __init__(self, module, *args, random_state=None, early_stopping=False,
                     validation_fraction=0.1, n_iter_no_change=10, tol=1e-4, **kwargs):
            super().__init__(module, *args, **kwargs)
            self.random_state = random_state
            self.early_stopping = early_stopping
            self.validation_fraction = validation_fraction
            self.n_iter_no_change = n_iter_no_change
            self.tol = tol

        @property
        def _default_callbacks(self):
            callbacks = list(super()._default_callbacks)
            if getattr(self, "early_stopping", False) is True:
                callbacks.append(("early_stopping", EarlyStopping(
                    monitor="valid_loss", patience=self.n_iter_no_change,
                    threshold=self.tol, threshold_mode="abs", lower_is_better=True,
                    load_best=True, sink=_logger.info)))
            return callbacks

        def fit(self, X, y=None, groups=None, **fit_params):
            check_early_stopping(
                type(self).__name__, getattr(self, "early_stopping", False),
                getattr(self, "validation_fraction", 0.1),
                getattr(self, "n_iter_no_change", 10), getattr(self, "tol", 1e-4))
            self.valid_index_ = None
            self.validation_split_ = None
            if getattr(self, "early_stopping", False):
                if self.train_split is not None:
                    raise ValueError(
                        "early_stopping=True holds out its own validation part; "
                        f"train_split must then be None, but got {self.train_split!r}."
                    )
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
            for name, default in (("early_stopping", False), ("validation_fraction", 0.1),
                                  ("n_iter_no_change", 10), ("tol", 1e-4)):
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


def __getattr__(name):
    # pickle looks the class up by name, possibly before anything built it
    if name == "_SeededEEGClassifier":
        return _seeded_eeg_classifier()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
