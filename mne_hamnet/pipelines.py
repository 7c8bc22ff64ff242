"""The named pipelines of the benchmark: HAMNet, its ablation, and the peers on the same folds."""

import importlib
import warnings

import numpy as np
import torch
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC, LinearSVC

from ._check import _check_option, _check_positive_int, _check_unique_names, _validate_type
from ._device import device_set_to, resolve_device, seeded
from ._paper import PAPER_ACCURACY, PAPER_ONLY_ACCURACY, PAPER_TRAINING  # noqa: F401
from ._peer_steps import BandPass, ChannelStandardizer, HemisphereOrder
from .classifier import HAMNetClassifier
from .datasets import SEED_CH_NAMES
from .features import DifferentialEntropy
from .fir import check_bands
from .protocols import get_protocol

SEED_SFREQ = 200.0

#: The pipelines that need nothing beyond the core dependencies.
CORE_PIPELINES = ("HAMNet", "HAMNet-pretrain", "DE+SVM", "DASM+SVM")
#: Baselines that see whole trials: SEED's LDS-smoothed DE features, smoothed
#: over the windows of each trial (they need a paradigm that cuts trials into
#: windows, such as :class:`~mne_hamnet.paradigms.Emotion`).
TRIAL_PIPELINES = ("DE-LDS+SVM",)
#: The standard baselines of lateralised tasks: CSP with LDA (MNE) and a
#: tangent-space SVM (pyRiemann, optional), each after a band-pass.
BASELINE_PIPELINES = ("CSP+LDA", "TS+SVM")
#: The pipelines built with braindecode's ``EEGClassifier`` (optional extra).
BRAINDECODE_PIPELINES = (
    "ShallowFBCSPNet", "EEGNet", "TSception", "EEGConformer", "EEGSym", "DGCNN",
)
#: Every name :func:`make_pipelines` knows, in the order of the result tables.
PIPELINE_NAMES = CORE_PIPELINES + TRIAL_PIPELINES + BASELINE_PIPELINES + BRAINDECODE_PIPELINES
#: The tasks whose recipes :func:`make_pipelines` knows.
TASKS = ("emotion", "motor")
#: What each pipeline classifies, for the "Feature" column of result tables.
PIPELINE_FEATURES = {
    "HAMNet": "raw EEG",
    "HAMNet-pretrain": "raw EEG",
    "DE+SVM": "DE",
    "DASM+SVM": "DASM",
    "DE-LDS+SVM": "DE, LDS-smoothed over each trial's windows",
    "CSP+LDA": "band-passed EEG, CSP log-variance",
    "TS+SVM": "band-passed EEG, tangent-space covariances",
    "ShallowFBCSPNet": "raw EEG",
    "EEGNet": "raw EEG",
    "TSception": "raw EEG",
    "EEGConformer": "raw EEG",
    "EEGSym": "raw EEG",
    "DGCNN": "DE per channel (graph nodes)",
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
    protocol=None,
    task="emotion",
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
    - ``"DE-LDS+SVM"``: the same DE, smoothed over the windows of each trial
      by SEED's linear dynamical system (``smooth="lds"``), as SEED's
      published features are. Each window's features then depend on the
      whole trial, its later windows included;
      :func:`~mne_hamnet.evaluation.evaluate` computes them trial by trial.
    - ``"CSP+LDA"``: a band-pass over the span of ``bands`` (8-30 Hz for
      ``"mu-beta"``), :class:`mne.decoding.CSP` (6 components, log-variance),
      then linear discriminant analysis.
    - ``"TS+SVM"``: the same band-pass, OAS covariances, their tangent space
      at the Riemannian mean (pyRiemann), then an SVM whose kernel (linear or
      RBF) and ``C`` (0.5, 1 or 1.5) are MOABB's grid, chosen by a 3-fold
      search on the training windows in blocks of consecutive windows. Needs
      the optional ``pyriemann``.
    - ``"ShallowFBCSPNet"``, ``"EEGNet"``, ``"TSception"``,
      ``"EEGConformer"`` and ``"EEGSym"``: braindecode's networks trained by
      its ``EEGClassifier`` for ``pretrain_epochs + finetune_epochs`` epochs,
      the budget HAMNet gets, after a band-pass from 4 Hz and a per-channel
      standardisation fitted on the training windows. Their time kernels
      keep their authors' durations at ``sfreq``. TSception gets the paired
      channels, left then right; EEGSym gets the left/right pairs and the
      midline that :class:`~mne_hamnet.HemisphereMirror` finds. EEGNet's
      dropout is 0.5 within subjects and 0.25 across them (``protocol``).
      For ``task="emotion"``, EEG Conformer follows its authors' SEED script
      (kernels of 25, 75 and 15 samples, a 4-47 Hz band-pass, one mean and
      standard deviation over all channels, 5 attention heads).
    - ``"DGCNN"``: braindecode's dynamical graph network over the channels,
      each node holding its DE in the five SEED bands, standardised.

    The band-pass that starts CSP+LDA, TS+SVM and the networks filters each
    window when the pipeline is used alone;
    :func:`~mne_hamnet.evaluation.evaluate` moves it onto each continuous
    trial before windowing, as the recipes do. The braindecode networks need
    the optional ``braindecode`` extra.

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
    protocol : str | None, default=None
        The protocol the pipelines will be evaluated under, one of
        :data:`mne_hamnet.evaluation.PROTOCOLS`; None means a within-subject
        one. Only EEGNet's recipe depends on it (Lawhern et al. train with a
        dropout of 0.5 within subjects and 0.25 across them), so pipelines
        built for ``"cross-subject"`` differ from the others only there.
    task : {"emotion", "motor"}, default="emotion"
        The kind of data, for the recipes that depend on it: EEG Conformer
        follows its authors' SEED script for ``"emotion"`` and their motor
        imagery one (kernels kept in seconds from 250 Hz, the networks'
        shared band-pass and scaling) for ``"motor"``.

    Returns
    -------
    pipelines : dict of str to sklearn.base.BaseEstimator
        Unfitted estimators, in the order of ``names``.

    Notes
    -----
    The SVM of the DE pipelines is linear, as in the SEED baseline the paper compares with
    (Zheng & Lu, 2015): with about 300 standardised features per window a
    linear boundary is what DE features are known to support, it has no
    kernel width to tune (a nested search would multiply the cost), and
    liblinear's primal solver (``dual=False``, for more windows than
    features) scales linearly with the number of windows, which keeps the
    cross-subject protocol (about 140,000 training windows on SEED)
    tractable where a kernel SVM's cost grows quadratically.
    """
    names = _check_names(names)
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
    if protocol is not None:
        get_protocol(protocol)
    _check_option("task", task, TASKS)
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
        "DE-LDS+SVM": lambda: _entropy_svm("de", sfreq, ch_names, smooth="lds"),
        "CSP+LDA": lambda: _csp_lda(sfreq, *span()),
        "TS+SVM": lambda: _tangent_space_svm(sfreq, *span()),
    }
    for name in BRAINDECODE_PIPELINES:
        builders[name] = lambda name=name: _braindecode_pipeline(
            name,
            sfreq=sfreq,
            ch_names=ch_names,
            # DGCNN's bands are DE's: it needs no band-pass
            h_freq=None if name == "DGCNN" else span()[1],
            max_epochs=pretrain_epochs + finetune_epochs,
            batch_size=batch_size,
            device=device,
            random_state=random_state,
            verbose=verbose,
            cross_subject=protocol == "cross-subject",
            task=task,
        )
    return {name: builders[name]() for name in names}


def protocol_recipes(protocols, names):
    """Group protocols by the pipelines' recipes: build one set per group.

    Only EEGNet's recipe depends on the protocol (its dropout across
    subjects); without it every protocol shares one set of pipelines.

    Parameters
    ----------
    protocols : list of str
        The protocols to evaluate.
    names : list of str
        The pipelines to build.

    Returns
    -------
    groups : list of (list of str, str | None)
        The protocols of each group and the ``protocol`` to give
        :func:`make_pipelines` for them.
    """
    protocols = list(protocols)
    if "EEGNet" not in names or "cross-subject" not in protocols:
        return [(protocols, "cross-subject" if protocols == ["cross-subject"] else None)]
    within = [name for name in protocols if name != "cross-subject"]
    return ([(within, None)] if within else []) + [(["cross-subject"], "cross-subject")]


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


def _entropy_svm(kind, sfreq, ch_names, smooth=None):
    return make_pipeline(
        DifferentialEntropy(kind=kind, sfreq=float(sfreq), ch_names=ch_names, smooth=smooth),
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
        # MOABB's grid (its TS+SVM pipeline), searched as MOABB does with 3
        # inner folds, but in blocks of consecutive windows: shuffled, the
        # windows of one trial would sit on both sides and pick C on leaked
        # data
        GridSearchCV(SVC(), TS_SVM_GRID, cv=KFold(3)),
    )


#: MOABB's grid for its TS+SVM pipeline.
TS_SVM_GRID = {"C": [0.5, 1.0, 1.5], "kernel": ["linear", "rbf"]}

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
#: EEGNet's dropout (Lawhern et al., 2018): 0.5 within subjects, 0.25 across.
EEGNET_DROPOUT = {"within-subject": 0.5, "cross-subject": 0.25}
#: The networks' band-pass: from 4 Hz (the high-pass of EEGNet's, the Shallow
#: network's and EEG Conformer's motor recipes) to at least 38 Hz, higher
#: when the task's bands reach higher.
_NETWORK_L_FREQ, _NETWORK_MIN_H_FREQ = 4.0, 38.0


def _braindecode_pipeline(name, *, sfreq, ch_names, h_freq, max_epochs, batch_size, device,
                          random_state, verbose, cross_subject=False, task="emotion"):
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
