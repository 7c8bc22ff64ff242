"""Tests of the peer pipelines: their preprocessing steps and their recipes."""

import pickle

import numpy as np
import pytest
from moabb.analysis.results import get_pipeline_digest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from mne_hamnet import HAMNetClassifier
from mne_hamnet import pipelines as pipelines_module
from mne_hamnet._peer_steps import BandPass, ChannelStandardizer, HemisphereOrder
from mne_hamnet.datasets import SEED_CH_NAMES
from mne_hamnet.pipelines import (
    BRAINDECODE_PIPELINES,
    PIPELINE_FEATURES,
    PIPELINE_NAMES,
    make_pipelines,
)

MOTOR_CH_NAMES = ["FC3", "FCz", "FC4", "C5", "C3", "C1", "Cz", "C2", "C4", "C6", "CP3", "CP4"]


def lateralised_windows(n_windows=80, sfreq=100.0, n_times=100, random_state=0):
    """Left/right imagery: a 12 Hz rhythm weaker over the side opposite the hand."""
    rng = np.random.default_rng(random_state)
    t = np.arange(n_times) / sfreq
    y = np.arange(n_windows) % 2
    X = 5 * rng.standard_normal((n_windows, len(MOTOR_CH_NAMES), n_times))
    left = np.array([name in ("C5", "C3", "C1", "FC3", "CP3") for name in MOTOR_CH_NAMES])
    for i, label in enumerate(y):
        gain = np.where(left, 0.3, 1.0) if label == 0 else np.where(left, 1.0, 0.3)
        phase = rng.uniform(0, 2 * np.pi, len(MOTOR_CH_NAMES))[:, None]
        X[i] += 10 * gain[:, None] * np.sin(2 * np.pi * 12 * t + phase)
    return X.astype(np.float32), y


def sine(freq, sfreq=100.0, n_times=200):
    t = np.arange(n_times) / sfreq
    return np.sin(2 * np.pi * freq * t)[None, None, :]


def test_band_pass_keeps_the_band_and_learns_nothing():
    band = BandPass(100.0, 8.0, 30.0)
    inside, outside = sine(15.0), sine(2.0) + sine(45.0)
    # fit on one set, transform another: the output depends on the window only
    band.fit(outside)
    assert np.std(band.transform(inside)[..., 50:-50]) > 0.6
    assert np.std(band.transform(outside)[..., 50:-50]) < 0.1
    np.testing.assert_array_equal(band.fit_transform(inside), BandPass(100.0, 8, 30).transform(
        inside))
    assert not hasattr(band, "n_features_in_")


@pytest.mark.parametrize(
    "l_freq, h_freq, match",
    [(8.0, 60.0, r"h_freq < sfreq / 2 = 50 Hz, but got l_freq=8 and h_freq=60"),
     (30.0, 8.0, "0 < l_freq < h_freq"), (0.0, 8.0, "0 < l_freq")],
)
def test_band_pass_bad_band(l_freq, h_freq, match):
    with pytest.raises(ValueError, match=match):
        BandPass(100.0, l_freq, h_freq).fit(sine(10.0))


def test_band_pass_bad_shape():
    with pytest.raises(ValueError, match=r"shape \(n_windows, n_channels, n_times\)"):
        BandPass(100.0, 8, 30).transform(np.zeros((3, 100)))


def test_hemisphere_order_on_seed():
    X = np.arange(62)[None, :, None] * np.ones((2, 62, 3))
    order = HemisphereOrder(SEED_CH_NAMES).fit(X)
    out = order.transform(X)
    assert out.shape == (2, 54, 3)
    names = [SEED_CH_NAMES[i] for i in out[0, :, 0].astype(int)]
    left, right = names[:27], names[27:]
    # the right half mirrors the left half, pair by pair; no midline channel
    for a, b in zip(left, right):
        assert int(a[-1]) % 2 == 1 and int(b[-1]) == int(a[-1]) + 1 and a[:-1] == b[:-1]
    assert not any(name.endswith("Z") for name in names)
    assert ("F1", "F2") in list(zip(left, right))


def test_hemisphere_order_errors():
    with pytest.raises(ValueError, match="no left/right channel pairs"):
        HemisphereOrder(["Fz", "Cz", "Pz"]).fit(np.zeros((1, 3, 5)))
    with pytest.raises(ValueError, match="must have 3 channels"):
        HemisphereOrder(["Fz", "Cz", "Pz"]).fit(np.zeros((1, 4, 5)))
    order = HemisphereOrder(["C3", "C4"]).fit(np.zeros((1, 2, 5)))
    with pytest.raises(ValueError, match="must have 2 channels, as at fit, but got 3"):
        order.transform(np.zeros((1, 3, 5)))


def test_channel_standardizer_uses_training_statistics():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, [[1.0], [4.0]], size=(50, 2, 40))
    test = 3 * train
    scaler = ChannelStandardizer().fit(train)
    out = scaler.transform(train)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.mean(axis=(0, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 2)), 1, atol=1e-4)
    # test windows are scaled by the training statistics, not their own
    assert scaler.transform(test).std(axis=(0, 2)).min() > 2.5
    np.testing.assert_allclose(scaler.fit_transform(train), out)


def test_parameters_reach_every_pipeline():
    pipes = make_pipelines(["HAMNet", "CSP+LDA", "DE+SVM"], sfreq=100.0,
                           ch_names=MOTOR_CH_NAMES, bands="mu-beta", random_state=3)
    hamnet = pipes["HAMNet"]
    assert isinstance(hamnet, HAMNetClassifier)
    assert (hamnet.sfreq, hamnet.ch_names) == (100.0, MOTOR_CH_NAMES)
    # the preset's name reaches HAMNet, which knows the presets itself
    assert hamnet.get_params()["module__bands"] == "mu-beta"
    band = pipes["CSP+LDA"].steps[0][1]
    assert isinstance(band, BandPass)
    assert (band.sfreq, band.l_freq, band.h_freq) == (100.0, 8.0, 30.0)
    entropy = pipes["DE+SVM"].steps[0][1]
    assert (entropy.sfreq, entropy.ch_names) == (100.0, MOTOR_CH_NAMES)


def test_default_bands_keep_hamnet_as_before():
    # no bands given: HAMNet keeps its own default, the paper's gamma bank
    clf = make_pipelines(["HAMNet"])["HAMNet"]
    assert "module__bands" not in clf.get_params()
    assert (clf.sfreq, clf.ch_names) == (200.0, list(SEED_CH_NAMES))
    band = make_pipelines(["CSP+LDA"])["CSP+LDA"].steps[0][1]
    assert (band.l_freq, band.h_freq) == (40.0, 76.0)


def test_bands_are_checked_only_where_used():
    # DE+SVM needs no band; at 128 Hz the default gamma bank does not fit, and
    # HAMNet itself says so at fit, naming its own parameter
    pipes = make_pipelines(["DE+SVM", "HAMNet"], sfreq=128.0, ch_names=MOTOR_CH_NAMES)
    assert list(pipes) == ["DE+SVM", "HAMNet"]
    with pytest.raises(ValueError, match="Nyquist"):
        make_pipelines(["CSP+LDA"], sfreq=128.0, ch_names=MOTOR_CH_NAMES)


def test_bands_as_pairs_set_the_peers_band():
    pipes = make_pipelines(["CSP+LDA", "HAMNet"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                           bands=[(10.0, 14.0), (18.0, 26.0)])
    band = pipes["CSP+LDA"].steps[0][1]
    assert (band.l_freq, band.h_freq) == (10.0, 26.0)
    assert [tuple(b) for b in pipes["HAMNet"].get_params()["module__bands"]] == [
        (10.0, 14.0), (18.0, 26.0)]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(bands="alpha"), ValueError,
         r"bands='alpha' is not a preset; the presets are \['gamma', 'mu-beta'"),
        (dict(bands="gamma", sfreq=100.0), ValueError, "50"),
        (dict(sfreq=-1.0), ValueError, "sfreq must be a positive frequency in Hz, but got -1"),
        (dict(sfreq="200"), TypeError, "sfreq must be an instance of"),
        (dict(ch_names="C3"), TypeError, "ch_names must be an instance of list of str"),
    ],
)
def test_bad_peer_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_pipelines(["CSP+LDA"], **kwargs)


def test_csp_lda_finds_the_lateralised_rhythm():
    X, y = lateralised_windows()
    pipe = make_pipelines(["CSP+LDA"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                          bands="mu-beta")["CSP+LDA"]
    scores = cross_val_score(pipe, X, y, cv=4)
    assert scores.mean() > 0.95  # the rhythm is strong: 1.0 on these windows
    # a band that misses the rhythm leaves CSP at chance
    missed = make_pipelines(["CSP+LDA"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                            bands=[(30.0, 40.0)])["CSP+LDA"]
    assert cross_val_score(missed, X, y, cv=4).mean() < 0.75


def test_tangent_space_svm_finds_the_lateralised_rhythm():
    pytest.importorskip("pyriemann")
    X, y = lateralised_windows()
    pipe = make_pipelines(["TS+SVM"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                          bands="mu-beta")["TS+SVM"]
    assert [name for name, _ in pipe.steps] == [
        "bandpass", "covariances", "tangentspace", "svc"]
    assert cross_val_score(pipe, X, y, cv=4).mean() > 0.95  # 1.0 on these windows
    # the control: a band that misses the rhythm leaves the tangent space at chance
    missed = make_pipelines(["TS+SVM"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                            bands=[(30.0, 40.0)])["TS+SVM"]
    assert cross_val_score(missed, X, y, cv=4).mean() < 0.75


def test_pyriemann_missing(monkeypatch):
    real = pipelines_module._importable
    monkeypatch.setattr(pipelines_module, "_importable",
                        lambda name: False if name == "pyriemann" else real(name))
    with pytest.raises(ImportError, match=r"\['TS\+SVM'\] need pyriemann.*mne-hamnet\[peers\]"):
        make_pipelines(["CSP+LDA", "TS+SVM"])


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
@pytest.mark.parametrize("name", BRAINDECODE_PIPELINES)
def test_network_recipes(name):
    pytest.importorskip("braindecode")
    pipe = make_pipelines([name], sfreq=100.0, ch_names=MOTOR_CH_NAMES, bands="mu-beta",
                          pretrain_epochs=1, finetune_epochs=1, random_state=0,
                          device="cpu")[name]
    band = pipe.steps[0][1]
    assert (band.l_freq, band.h_freq) == (4.0, 38.0)
    assert isinstance(pipe.steps[-2][1], ChannelStandardizer)
    assert (name == "TSception") == any(
        isinstance(step, HemisphereOrder) for _, step in pipe.steps)
    net = pipe.steps[-1][1]
    params = net.get_params()
    assert params["module__sfreq"] == 100.0
    assert params["max_epochs"] == 2
    # the time kernels keep their authors' durations at 100 Hz
    expected = {
        "ShallowFBCSPNet": {"module__filter_time_length": 10, "module__pool_time_length": 30},
        "EEGConformer": {"module__filter_time_length": 10, "module__pool_time_stride": 6},
        "EEGNet": {"module__kernel_length": 50},
        "TSception": {},
    }[name]
    assert {key: params[key] for key in expected} == expected
    X, y = lateralised_windows(n_windows=24, n_times=50)
    fitted = clone(pipe).fit(X, y)
    assert set(fitted.predict(X)) <= {0, 1}


def test_every_pipeline_says_what_it_classifies():
    assert list(PIPELINE_FEATURES) == list(PIPELINE_NAMES)


def test_baselines_digest_is_stable_and_they_pickle():
    pytest.importorskip("pyriemann")
    # the fold cache keys on MOABB's digest of each pipeline
    first = make_pipelines(["CSP+LDA", "TS+SVM"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                           bands="mu-beta")
    second = make_pipelines(["CSP+LDA", "TS+SVM"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                            bands="mu-beta")
    other = make_pipelines(["CSP+LDA"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                           bands=[(8.0, 12.0)])
    for name in first:
        assert get_pipeline_digest(None, first[name]) == get_pipeline_digest(None, second[name])
        pickle.loads(pickle.dumps(first[name]))
    assert get_pipeline_digest(None, first["CSP+LDA"]) != get_pipeline_digest(
        None, other["CSP+LDA"])
