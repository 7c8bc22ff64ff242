"""The named pipelines of the benchmark: HAMNet, its ablation, and the peers on the same folds."""

import importlib
import logging
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.validation import check_is_fitted

from ._check import _check_option, _check_positive_int, _check_unique_names, _validate_type
from ._device import device_set_to, resolve_device, seeded
from ._input import is_epochs, to_windows
from ._paper import PAPER_ACCURACY, PAPER_ONLY_ACCURACY, PAPER_TRAINING  # noqa: F401
from ._peer_steps import BandPass, ChannelStandardizer, HemisphereOrder, _quiet_csp
from ._validation import check_early_stopping, validation_split
from .classifier import HAMNetClassifier
from .features import DifferentialEntropy
from .fir import check_bands
from .protocols import get_protocol

_logger = logging.getLogger(__name__)

# make_pipelines(sfreq=None) checks band edges only for their order, not
# against Nyquist, which is checked at fit once the rate is known
_UNKNOWN_RATE = 1e12

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
#: The trivial baseline of every table: the training folds' most frequent
#: class, whatever the windows (scikit-learn's ``DummyClassifier``).
MAJORITY_PIPELINE = "Majority class"
#: Every name :func:`make_pipelines` knows, in the order of the result tables.
PIPELINE_NAMES = (CORE_PIPELINES + TRIAL_PIPELINES + BASELINE_PIPELINES
                  + BRAINDECODE_PIPELINES + (MAJORITY_PIPELINE,))
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
    MAJORITY_PIPELINE: "none (the training folds' most frequent class)",
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
    budget="fixed",
    n_iter_no_change=None,
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
    - ``"Majority class"``: :class:`~sklearn.dummy.DummyClassifier`
      predicting the most frequent class of the training windows, the
      score of doing nothing (the benchmark command always adds it).

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
    ``sfreq`` and ``ch_names`` left None are taken from the data, as every
    estimator of this package does: :func:`~mne_hamnet.evaluation.evaluate`
    (and so ``mne-hamnet benchmark``) sets them from the paradigm's windows
    before any fold runs, and HAMNet and DE/DASM read them from Epochs at
    fit. Arrays carry neither, so a pipeline fitted on arrays outside
    :func:`~mne_hamnet.evaluation.evaluate` needs them here; without them,
    fit says so. The braindecode networks size their kernels in samples at
    the windows' rate, so with ``sfreq=None`` each is built when it is
    fitted, once the rate is known.

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
    _check_option("budget", budget, BUDGETS)
    early = dict(EARLY_STOPPING) if budget == "early" else {}
    if n_iter_no_change is not None:
        if not early:
            raise ValueError(
                f"n_iter_no_change={n_iter_no_change!r} sets the patience of early stopping, "
                f"but budget={budget!r} trains a fixed number of epochs: pass "
                "budget='early', or leave n_iter_no_change None."
            )
        early["n_iter_no_change"] = _check_positive_int(n_iter_no_change, "n_iter_no_change")
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
        **early,
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
        "DE-LDS+SVM": lambda: _entropy_svm("de", sfreq, ch_names, smooth="lds"),
        "CSP+LDA": lambda: _csp_lda(sfreq, *span(), quiet=not verbose),
        "TS+SVM": lambda: _tangent_space_svm(sfreq, *span()),
        MAJORITY_PIPELINE: lambda: DummyClassifier(strategy="most_frequent"),
    }
    for name in BRAINDECODE_PIPELINES:
        # at an unknown rate the network is built at fit (NetworkAtDataRate)
        build = _braindecode_pipeline if sfreq is not None else NetworkAtDataRate
        builders[name] = lambda name=name, build=build: build(
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
            early=early,
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


def _entropy_svm(kind, sfreq, ch_names, smooth=None):
    return make_pipeline(
        DifferentialEntropy(kind=kind, sfreq=None if sfreq is None else float(sfreq),
                            ch_names=ch_names, smooth=smooth),
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
