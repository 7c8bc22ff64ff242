"""``sfreq`` and ``ch_names`` left None mean "from the data", in every pipeline and in evaluate."""

import importlib
import logging

import mne
import numpy as np
import pytest
from conftest import CH_NAMES, simulate_windows
from sklearn.base import clone

from mne_hamnet import HAMNetClassifier
from mne_hamnet import pipelines as pipelines_module
from mne_hamnet.datasets import DEAP, SEED, SEED_CH_NAMES, simulate_deap, simulate_seed
from mne_hamnet.evaluation import evaluate
from mne_hamnet.pipelines import CORE_PIPELINES, NetworkAtDataRate, make_pipelines

TINY = dict(pretrain_epochs=1, finetune_epochs=1, random_state=0, verbose=0, batch_size=16)


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    return simulate_seed(tmp_path_factory.mktemp("seed"), n_subjects=1, n_sessions=1,
                         n_trials=6, trial_seconds=2.0, random_state=0)


@pytest.fixture(scope="module")
def deap_folder(tmp_path_factory):
    # 128 Hz and 32 channels: nothing like SEED's 200 Hz and 62 channels
    folder = tmp_path_factory.mktemp("deap")
    simulate_deap(folder, n_subjects=1, n_trials=8, trial_seconds=2.0, random_state=0)
    return folder


def _signal_values(pipeline):
    return {key: value for key, value in pipeline.get_params(deep=True).items()
            if key.rsplit("__", 1)[-1] in ("sfreq", "ch_names")}


def test_make_pipelines_leaves_the_signal_to_the_data():
    pipelines = make_pipelines(list(CORE_PIPELINES) + ["CSP+LDA"])
    for name, pipeline in pipelines.items():
        values = _signal_values(pipeline)
        assert values and set(map(repr, values.values())) == {"None"}, (name, values)


def test_evaluate_fills_them_and_shares_the_cache_with_explicit_ones(seed_folder, tmp_path,
                                                                      caplog):
    names = ["HAMNet-pretrain", "DE+SVM"]
    inferred = make_pipelines(names, **TINY)
    kwargs = dict(protocol="trialwise", n_splits=2, random_state=0, cache_dir=tmp_path)
    first = evaluate(inferred, SEED(seed_folder), **kwargs)
    assert len(first) == 4 and np.isfinite(first["score"]).all()
    for pipeline in inferred.values():  # the caller's pipelines are left as they were
        assert set(map(repr, _signal_values(pipeline).values())) == {"None"}
    explicit = make_pipelines(names, sfreq=200.0, ch_names=list(SEED_CH_NAMES), **TINY)
    with caplog.at_level(logging.INFO, "mne_hamnet"):
        second = evaluate(explicit, SEED(seed_folder), **kwargs)
    # the filled pipelines are the explicit ones: the same folds, from the cache
    assert "Skipping 4 of 4 folds already finished" in caplog.text
    np.testing.assert_array_equal(first["score"], second["score"])


def test_evaluate_a_bare_classifier_on_other_data(deap_folder):
    clf = HAMNetClassifier(**TINY, module__n_spatial_filters=2, module__bands="alpha-gamma")
    results = evaluate({"HAMNet": clf}, DEAP(deap_folder), protocol="trialwise",
                       n_splits=2, random_state=0)
    assert len(results) == 2 and np.isfinite(results["score"]).all()
    assert clf.sfreq is None and clf.ch_names is None


def test_evaluate_still_refuses_a_pipeline_built_for_other_data(seed_folder):
    pipes = make_pipelines(["DE+SVM"], sfreq=128.0, ch_names=list(SEED_CH_NAMES))
    with pytest.raises(ValueError, match="built for sfreq=128.0"):
        evaluate(pipes, SEED(seed_folder), protocol="trialwise", n_splits=2)


@pytest.mark.parametrize("name, match", [
    ("HAMNet", "Array input needs sfreq and ch_names"),
    ("DE+SVM", "sfreq"),
    ("CSP+LDA", r"BandPass needs the windows' sfreq, which arrays do not carry.*"
                r"make_pipelines\(\.\.\., sfreq=\.\.\.\)"),
])
def test_arrays_without_the_signal_are_refused_at_fit(name, match):
    X, y = simulate_windows(12)
    with pytest.raises(ValueError, match=match):
        make_pipelines([name], **TINY)[name].fit(X, y)


def test_epochs_carry_the_signal():
    X, y = simulate_windows(12)
    info = mne.create_info(CH_NAMES, 200.0, "eeg")
    epochs = mne.EpochsArray(X * 1e-6, info, events=np.column_stack(
        [np.arange(12) * 200, np.zeros(12, int), y + 1]), verbose=False)
    for name in ("HAMNet-pretrain", "DE+SVM"):
        pipeline = make_pipelines([name], **TINY)[name]
        assert len(pipeline.fit(epochs, y).predict(epochs)) == 12


def test_network_at_data_rate_needs_the_rate():
    X, y = simulate_windows(12)
    net = NetworkAtDataRate("EEGNet", max_epochs=1)
    with pytest.raises(ValueError, match="EEGNet sizes its kernels in samples at the "
                                         "windows' rate, which arrays do not carry"):
        net.fit(X, y)
    assert clone(net).get_params()["name"] == "EEGNet"


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_network_at_data_rate_builds_the_recipe_at_fit():
    pytest.importorskip("braindecode")
    X, y = simulate_windows(24)
    net = make_pipelines(["EEGNet"], **TINY, device="cpu")["EEGNet"]
    assert isinstance(net, NetworkAtDataRate) and net.sfreq is None
    net = clone(net).set_params(sfreq=200.0, ch_names=list(CH_NAMES)).fit(X, y)
    built = make_pipelines(["EEGNet"], sfreq=200.0, ch_names=list(CH_NAMES), **TINY,
                           device="cpu")["EEGNet"]
    fitted = net.pipeline_.get_params()
    for key, value in built.get_params().items():  # the recipe at 200 Hz, kernels included
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            assert fitted[key] == value, key
    kernels = [value for key, value in built.get_params().items()
               if key.endswith("module__kernel_length")]
    assert kernels == [100]  # EEGNet's 64 samples at 128 Hz, at 200 Hz
    np.testing.assert_allclose(net.predict_proba(X), clone(built).fit(X, y).predict_proba(X))


# ------------------------------------------------------------ braindecode's import
@pytest.mark.parametrize("error", [OSError("libtorchaudio.so: undefined symbol"),
                                   RuntimeError("torchaudio was built for torch 2.11"),
                                   ImportError("No module named 'braindecode'")])
def test_any_braindecode_import_failure_counts_as_missing(monkeypatch, error):
    real = importlib.import_module

    def broken(name, *args):
        if name == "braindecode":
            raise error
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", broken)
    assert pipelines_module.braindecode_available() is False
    assert list(make_pipelines()) == list(CORE_PIPELINES)
    match = (rf"\['EEGNet'\] need braindecode, which cannot be imported "
             rf"\({type(error).__name__}: .*\)\. braindecode imports torchaudio.*torch "
             r"2\.11 with torchaudio 2\.11.*pip install torch==2\.11\.0 torchaudio==2\.11\.0"
             r".*mne-hamnet\[peers\].*tox -e peers")
    with pytest.raises(ImportError, match=match):
        make_pipelines(["DE+SVM", "EEGNet"])


def test_no_braindecode_extra_is_advertised():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    setup = (root / "setup.cfg").read_text()
    assert "\nbraindecode =" not in setup and "\npeers =" in setup
    install = (root / "docs" / "install.rst").read_text()
    assert ".[moabb]" not in install and "``moabb``" not in install


def _epochs(n=24, sfreq=200.0):
    X, y = simulate_windows(n, sfreq=sfreq, n_times=int(sfreq))
    info = mne.create_info(CH_NAMES, sfreq, "eeg")
    events = np.column_stack([np.arange(n) * int(sfreq), np.zeros(n, int), y + 1])
    return mne.EpochsArray(X * 1e-6, info, events=events, verbose=False), y


def test_band_pass_pipelines_take_the_rate_from_epochs_in_cross_val_score():
    from sklearn.model_selection import cross_val_score

    epochs, y = _epochs()
    pipe = make_pipelines(["CSP+LDA"], bands="mu-beta")["CSP+LDA"]
    scores = cross_val_score(pipe, epochs, y, cv=2, error_score="raise")
    assert np.isfinite(scores).all()
    # the same as arrays in µV with the rate given
    explicit = make_pipelines(["CSP+LDA"], bands="mu-beta", sfreq=200.0)["CSP+LDA"]
    np.testing.assert_allclose(
        cross_val_score(explicit, epochs.get_data() * 1e6, y, cv=2), scores)


def test_band_pass_refuses_epochs_at_another_rate():
    from mne_hamnet._peer_steps import BandPass

    epochs, y = _epochs(sfreq=100.0)
    with pytest.raises(ValueError, match="sfreq=200.0 was given, but the Epochs are sampled "
                                         "at 100"):
        BandPass(200.0, 8.0, 30.0).fit(epochs)
    assert BandPass(None, 8.0, 30.0).fit_transform(epochs).shape == (24, len(CH_NAMES), 100)
