"""The named pipelines of the benchmark: HAMNet, its ablation and baselines."""

import importlib
import warnings

import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import LinearSVC

from ._check import _check_positive_int, _check_unique_names, _validate_type
from ._device import device_set_to, resolve_device, seeded
from ._paper import PAPER_ACCURACY, PAPER_ONLY_ACCURACY  # noqa: F401 (re-exported)
from .classifier import HAMNetClassifier
from .datasets import SEED_CH_NAMES
from .features import DifferentialEntropy

#: The pipelines that need nothing beyond the core dependencies.
CORE_PIPELINES = ("HAMNet", "HAMNet-pretrain", "DE+SVM", "DASM+SVM")
#: The pipelines built with braindecode's ``EEGClassifier`` (optional extra).
BRAINDECODE_PIPELINES = ("ShallowFBCSPNet", "EEGNet")
#: Every name :func:`make_pipelines` knows, in the order of the result tables.
PIPELINE_NAMES = CORE_PIPELINES + BRAINDECODE_PIPELINES

def braindecode_available():
    """Return whether the optional braindecode extra can be imported.

    Returns
    -------
    available : bool
        True when ``import braindecode`` works.
    """
    try:
        with warnings.catch_warnings():
            # only a probe: braindecode's own import-time deprecation notices
            # are not this call's business
            warnings.simplefilter("ignore")
            importlib.import_module("braindecode")
    except ImportError:
        return False
    return True


def make_pipelines(
    names=None,
    *,
    sfreq=200.0,
    ch_names=SEED_CH_NAMES,
    pretrain_epochs=800,
    finetune_epochs=600,
    pretrain_lr=1e-4,
    finetune_lr=5e-5,
    batch_size=100,
    device="auto",
    random_state=None,
    verbose=0,
):
    """Build the benchmark's pipelines by name.

    Every pipeline takes windows as MOABB's ``get_data`` gives them: arrays of
    shape (n_windows, n_channels, n_times) in µV, with the channels of
    ``ch_names`` at ``sfreq``.

    - ``"HAMNet"``: :class:`~mne_hamnet.HAMNetClassifier`, pretraining then
      finetuning.
    - ``"HAMNet-pretrain"``: the same stopped after pretraining
      (``finetune_epochs=0``), the paper's 93.53 % ablation.
    - ``"DE+SVM"`` and ``"DASM+SVM"``: differential entropy in the five SEED
      bands (:class:`~mne_hamnet.features.DifferentialEntropy`, DE per channel
      or its left-minus-right asymmetry DASM), standardised, then a linear
      SVM.
    - ``"ShallowFBCSPNet"`` and ``"EEGNet"``: braindecode's networks trained
      by its ``EEGClassifier`` (AdamW, cosine annealing) for
      ``pretrain_epochs + finetune_epochs`` epochs, the budget HAMNet gets.
      They need the optional ``braindecode`` extra.

    Parameters
    ----------
    names : str | list of str | None, default=None
        The pipelines to build, among :data:`PIPELINE_NAMES`. None builds the
        four core ones, plus the braindecode ones when braindecode can be
        imported.
    sfreq : float, default=200.0
        Sampling frequency of the windows in Hz.
    ch_names : list of str, default=SEED_CH_NAMES
        Channel names of the windows, in order; they give the mirror pairs.
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
    _validate_type(sfreq, "numeric", "sfreq")
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
        sfreq=float(sfreq),
        ch_names=ch_names,
        device=device,
        random_state=random_state,
        verbose=verbose,
    )
    builders = {
        "HAMNet": lambda: HAMNetClassifier(
            pretrain_epochs=pretrain_epochs, finetune_epochs=finetune_epochs, **hamnet
        ),
        "HAMNet-pretrain": lambda: HAMNetClassifier(
            pretrain_epochs=pretrain_epochs, finetune_epochs=0, **hamnet
        ),
        "DE+SVM": lambda: _entropy_svm("de", sfreq, ch_names),
        "DASM+SVM": lambda: _entropy_svm("dasm", sfreq, ch_names),
    }
    for name in BRAINDECODE_PIPELINES:
        builders[name] = lambda name=name: _braindecode_pipeline(
            name,
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
    wanted = [name for name in names if name in BRAINDECODE_PIPELINES]
    if wanted and not braindecode_available():
        raise ImportError(
            f"The pipeline(s) {wanted} need braindecode, which cannot be imported. "
            "Install the extra with: pip install 'mne-hamnet[braindecode]'."
        )
    return list(names)


def _entropy_svm(kind, sfreq, ch_names):
    return make_pipeline(
        DifferentialEntropy(kind=kind, sfreq=float(sfreq), ch_names=ch_names),
        StandardScaler(),
        LinearSVC(C=1.0, dual=False),
    )


def _to_float32(X):
    """Cast windows to float32, the dtype of braindecode's networks."""
    return X.astype("float32", copy=False)


def _braindecode_pipeline(name, *, max_epochs, batch_size, device, random_state, verbose):
    """Build braindecode's ``EEGClassifier`` around one of its networks."""
    from braindecode import models
    from skorch.callbacks import LRScheduler

    if name == "ShallowFBCSPNet":
        module, lr, weight_decay = models.ShallowFBCSPNet, 0.0625 * 0.01, 0.0
    else:
        # braindecode 1.0 renamed EEGNetv4 to EEGNet.
        module = getattr(models, "EEGNet", None) or models.EEGNetv4
        lr, weight_decay = 1e-3, 0.0
    classifier = _seeded_eeg_classifier()(
        module,
        random_state=random_state,
        optimizer=torch.optim.AdamW,
        optimizer__lr=lr,
        optimizer__weight_decay=weight_decay,
        batch_size=batch_size,
        max_epochs=max_epochs,
        train_split=None,
        iterator_train__shuffle=True,
        # braindecode drops the last partial batch by default, which leaves a
        # training set smaller than batch_size untrained.
        iterator_train__drop_last=False,
        callbacks=[
            ("lr_scheduler", LRScheduler("CosineAnnealingLR", T_max=max(max_epochs - 1, 1)))
        ],
        device=device,
        verbose=verbose,
    )
    return make_pipeline(FunctionTransformer(_to_float32), classifier)


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

    _SeededEEGClassifier.__qualname__ = "_SeededEEGClassifier"
    globals()["_SeededEEGClassifier"] = _SeededEEGClassifier
    return _SeededEEGClassifier


def __getattr__(name):
    # pickle looks the class up by name, possibly before anything built it
    if name == "_SeededEEGClassifier":
        return _seeded_eeg_classifier()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
