"""Tests of the benchmark's named pipelines."""

import pickle

import numpy as np
import pytest
from moabb.analysis.results import get_pipeline_digest
from sklearn.base import clone

from mne_hamnet import HAMNetClassifier
from mne_hamnet import pipelines as pipelines_module
from mne_hamnet.datasets import SEED_CH_NAMES
from mne_hamnet.features import DifferentialEntropy
from mne_hamnet.pipelines import (
    BRAINDECODE_PIPELINES,
    CORE_PIPELINES,
    PAPER_ACCURACY,
    PIPELINE_NAMES,
    make_pipelines,
)

# what the windows of seed_windows carry, which arrays cannot tell
SEED_LAYOUT = dict(sfreq=200.0, ch_names=list(SEED_CH_NAMES))


def seed_windows(n_windows=30, n_times=200, random_state=0):
    """Windows in µV with SEED's 62 channels and three classes."""
    rng = np.random.default_rng(random_state)
    X = 20 * rng.standard_normal((n_windows, len(SEED_CH_NAMES), n_times))
    return X.astype(np.float32), np.arange(n_windows) % 3


@pytest.fixture
def no_braindecode(monkeypatch):
    monkeypatch.setattr(pipelines_module, "braindecode_available", lambda: False)


def test_default_names_without_braindecode(no_braindecode):
    pipelines = make_pipelines()
    assert list(pipelines) == list(CORE_PIPELINES)


def test_names_and_parameters():
    pipelines = make_pipelines(
        ["HAMNet-pretrain", "HAMNet"], pretrain_epochs=7, finetune_epochs=3,
        pretrain_lr=1e-3, finetune_lr=2e-4, batch_size=50, device="cpu", random_state=4,
        **SEED_LAYOUT,
    )
    assert list(pipelines) == ["HAMNet-pretrain", "HAMNet"]
    full, pretrain = pipelines["HAMNet"], pipelines["HAMNet-pretrain"]
    assert isinstance(full, HAMNetClassifier)
    assert (full.pretrain_epochs, full.finetune_epochs) == (7, 3)
    # the paper's 93.53 % ablation: stage 1 only
    assert (pretrain.pretrain_epochs, pretrain.finetune_epochs) == (7, 0)
    for clf in (full, pretrain):
        assert clf.sfreq == 200.0
        assert clf.ch_names == list(SEED_CH_NAMES)
        assert (clf.pretrain_lr, clf.finetune_lr) == (1e-3, 2e-4)
        assert (clf.batch_size, clf.device, clf.random_state, clf.verbose) == (50, "cpu", 4, 0)


@pytest.mark.parametrize("name, kind", [("DE+SVM", "de"), ("DASM+SVM", "dasm")])
def test_entropy_pipelines(name, kind):
    pipeline = make_pipelines(name, **SEED_LAYOUT)[name]
    entropy = pipeline.steps[0][1]
    assert isinstance(entropy, DifferentialEntropy)
    assert entropy.kind == kind
    assert pipeline.steps[-1][1].__class__.__name__ == "LinearSVC"
    X, y = seed_windows()
    pipeline = clone(pipeline).fit(X, y)
    assert set(pipeline.predict(X)) <= {0, 1, 2}
    n_features = 62 * 5 if kind == "de" else 27 * 5
    assert pipeline[:-1].transform(X).shape == (len(X), n_features)


def test_hamnet_pipeline_fits_moabb_arrays():
    X, y = seed_windows()
    labels = np.array(["negative", "neutral", "positive"])[y]
    pipeline = make_pipelines(
        ["HAMNet"], pretrain_epochs=1, finetune_epochs=1, random_state=0, device="cpu",
        **SEED_LAYOUT,
    )["HAMNet"]
    clf = clone(pipeline).fit(X.astype(np.float64), labels)
    assert set(clf.predict(X)) <= set(labels)
    assert len(clf.mirror_.pairs_) == 27


def test_device_is_resolved_where_the_fit_runs():
    # a dask worker started with CUDA_VISIBLE_DEVICES=k resolves "auto" to
    # its own GPU; the pipeline must not carry the building machine's choice
    pipelines = make_pipelines(["HAMNet", "HAMNet-pretrain"])
    assert {clf.device for clf in pipelines.values()} == {"auto"}


def test_unknown_name():
    with pytest.raises(ValueError, match=r"Unknown pipeline name\(s\) \['SVM'\]"):
        make_pipelines(["HAMNet", "SVM"])
    with pytest.raises(ValueError, match="available pipelines are .*'DASM\\+SVM'"):
        make_pipelines("hamnet")
    with pytest.raises(ValueError, match="unique"):
        make_pipelines(["HAMNet", "HAMNet"])


def test_braindecode_missing(no_braindecode):
    match = (r"\['EEGNet'\] need braindecode, which cannot be imported.*torch 2.11 with "
             r"torchaudio 2.11.*mne-hamnet\[peers\].*tox -e peers")
    with pytest.raises(ImportError, match=match):
        make_pipelines(["DE+SVM", "EEGNet"])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(pretrain_epochs=0), "pretrain_epochs must be an int >= 1"),
        (dict(finetune_epochs=-1), "finetune_epochs must be an int >= 0"),
        (dict(random_state=-2), "random_state must be an int >= 0"),
        (dict(batch_size=0), "batch_size must be an int >= 1"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_pipelines(["HAMNet"], **kwargs)


def test_digest_is_stable_and_pipelines_pickle():
    # The fold cache keys on MOABB's digest of each pipeline: it must not
    # change between two calls, and must change with a parameter.
    first = make_pipelines(CORE_PIPELINES, random_state=0)
    second = make_pipelines(CORE_PIPELINES, random_state=0)
    other = make_pipelines(CORE_PIPELINES, random_state=1)
    for name in CORE_PIPELINES:
        assert get_pipeline_digest(None, first[name]) == get_pipeline_digest(None, second[name])
        pickle.loads(pickle.dumps(first[name]))
    assert get_pipeline_digest(None, first["HAMNet"]) != get_pipeline_digest(
        None, other["HAMNet"]
    )


def test_paper_numbers():
    assert PAPER_ACCURACY["HAMNet"] == 96.45
    assert PAPER_ACCURACY["HAMNet-pretrain"] == 93.53
    assert set(PAPER_ACCURACY) <= set(PIPELINE_NAMES)


# braindecode's own deprecation notices (e.g. EEGNet's defaults, MNE montage
# names at import) are not under test, nor torch's note on EEGSym's even
# kernels with 'same' padding
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning",
                            "ignore:Using padding='same':UserWarning")
@pytest.mark.parametrize("name", BRAINDECODE_PIPELINES)
def test_braindecode_pipelines(name):
    pytest.importorskip("braindecode")
    X, y = seed_windows(n_windows=24)
    pipeline = make_pipelines([name], pretrain_epochs=1, finetune_epochs=1, random_state=0,
                              device="cpu", **SEED_LAYOUT)[name]
    first = clone(pipeline).fit(X.astype(np.float64), y)
    second = clone(pipeline).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
@pytest.mark.parametrize("name, fitted", [("EEGNet", False), ("ShallowFBCSPNet", True)])
def test_braindecode_pipeline_with_auto_device_pickles(name, fitted):
    # joblib and dask send pipelines to worker processes by pickle; skorch's
    # unpickling knows no "auto" device. (A fitted EEGNet does not pickle at
    # all: torch refuses its max-norm parametrisation; its unfitted pipeline,
    # which is what a worker receives, does.)
    pytest.importorskip("braindecode")
    pipeline = make_pipelines([name], pretrain_epochs=1, finetune_epochs=0,
                              random_state=0, **SEED_LAYOUT)[name]
    X, y = seed_windows(n_windows=12)
    if fitted:
        pipeline = clone(pipeline).fit(X, y)
    copy = pickle.loads(pickle.dumps(pipeline))
    assert copy[-1].device == "auto"
    if fitted:
        np.testing.assert_allclose(copy.predict_proba(X), pipeline.predict_proba(X), atol=1e-6)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_pickles_naming_the_old_network_module_still_load(monkeypatch):
    # Before the braindecode half moved to mne_hamnet._braindecode, pickles
    # named the network's class as mne_hamnet.pipelines._SeededEEGClassifier.
    pytest.importorskip("braindecode")
    from mne_hamnet import _braindecode

    pipeline = make_pipelines(["ShallowFBCSPNet"], pretrain_epochs=1, finetune_epochs=0,
                              random_state=0, device="cpu", **SEED_LAYOUT)["ShallowFBCSPNet"]
    X, y = seed_windows(n_windows=12)
    pipeline.fit(X, y)
    network_class = _braindecode._seeded_eeg_classifier()
    monkeypatch.setattr(network_class, "__module__", "mne_hamnet.pipelines")
    data = pickle.dumps(pipeline)
    assert b"mne_hamnet.pipelines" in data and b"mne_hamnet._braindecode" not in data
    monkeypatch.undo()
    monkeypatch.delitem(vars(_braindecode), "_SeededEEGClassifier")  # as in a fresh process
    copy = pickle.loads(data)
    np.testing.assert_allclose(copy.predict_proba(X), pipeline.predict_proba(X), atol=1e-6)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning",
                            "ignore:Using padding='same':UserWarning",
                            "ignore:Initializing zero-element tensors:UserWarning")
@pytest.mark.parametrize("name", ["EEGSym", "EEGConformer"])
def test_networks_refuse_windows_shorter_than_their_kernels(name):
    # both fail deep in torch otherwise ("smaller than kernel size", "Output
    # size is too small"), EEGSym at the first batch, EEG Conformer when built
    pytest.importorskip("braindecode")
    X, y = seed_windows(n_windows=8, n_times=40)
    pipeline = make_pipelines([name], pretrain_epochs=1, finetune_epochs=0, random_state=0,
                              device="cpu", **SEED_LAYOUT)[name]
    with pytest.raises(ValueError, match=rf"{name} cannot take windows of 40 samples \(0.2 s"):
        pipeline.fit(X, y)


_DIGEST_SCRIPT = """
import warnings
warnings.simplefilter("ignore")
from mne_hamnet import _moabb
from mne_hamnet.datasets import SEED_CH_NAMES
from mne_hamnet.pipelines import BRAINDECODE_PIPELINES, make_pipelines
pipelines = make_pipelines(BRAINDECODE_PIPELINES, sfreq=200.0, ch_names=list(SEED_CH_NAMES),
                           random_state=0)
print({name: _moabb.pipeline_digest(None, p) for name, p in pipelines.items()})
"""


def test_network_digests_are_the_same_in_every_process():
    # the fold cache keys on them: a digest that changes from run to run
    # (skorch's set of parameters to validate, in hash order) re-runs
    # every finished fold of the braindecode networks
    pytest.importorskip("braindecode")
    import os
    import subprocess
    import sys

    outputs = []
    for hash_seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT], capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": hash_seed},
                              timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
