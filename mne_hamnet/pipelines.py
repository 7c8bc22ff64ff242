"""The named pipelines of the benchmark: HAMNet, its ablation, and the peers on the same folds."""

import importlib
import logging
import warnings

from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from . import _braindecode
from ._braindecode import (  # noqa: F401  (documented here, where users look)
    NetworkAtDataRate,
    _braindecode_pipeline,
    _seeded_eeg_classifier,
)
from ._check import _check_option, _check_positive_int, _check_unique_names, _validate_type
from ._paper import PAPER_ACCURACY, PAPER_ONLY_ACCURACY, PAPER_TRAINING  # noqa: F401
from ._peer_steps import BandPass, _quiet_csp
from .classifier import HAMNetClassifier
from .features import DifferentialEntropy
from .fir import check_bands
from .protocols import get_protocol

_logger = logging.getLogger(__name__)
# its documented home, as numpy's set_module does: the API reference, the
# docs checks and new pickles name it here
NetworkAtDataRate.__module__ = __name__

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
#: EEGNet's dropout (Lawhern et al., 2018): 0.5 within subjects, 0.25 across.
EEGNET_DROPOUT = _braindecode.EEGNET_DROPOUT
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


def _to_float32(X):
    """Cast windows to float32 (kept: pipelines pickled by 0.1.0 refer to it)."""
    return X.astype("float32", copy=False)


def __getattr__(name):
    # pickles made before the braindecode half moved to _braindecode refer
    # to the class here; pickle looks it up by name, possibly before
    # anything built it
    if name == "_SeededEEGClassifier":
        return _seeded_eeg_classifier()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
