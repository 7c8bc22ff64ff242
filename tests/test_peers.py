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
from mne_hamnet.features import DifferentialEntropy
from mne_hamnet.pipelines import (
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


def test_band_pass_refuses_windows_too_short_to_filter():
    # scipy's own message names only its padlen, not the window or the band
    with pytest.raises(ValueError, match=r"windows of 16 samples are too short .* 8-30 Hz"):
        BandPass(100.0, 8, 30).transform(np.zeros((2, 3, 16)))


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
    # no rate and channels given: left to the data, not SEED's
    assert (clf.sfreq, clf.ch_names) == (None, None)
    band = make_pipelines(["CSP+LDA"])["CSP+LDA"].steps[0][1]
    assert (band.sfreq, band.l_freq, band.h_freq) == (None, 40.0, 76.0)


def test_csp_logs_nothing_at_verbose_0(capsys):
    X, y = lateralised_windows()
    for verbose, quiet in ((0, True), (1, False)):
        pipe = make_pipelines(["CSP+LDA"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                              bands="mu-beta", verbose=verbose)["CSP+LDA"]
        assert [name for name, _ in pipe.steps] == [
            "bandpass", "csp", "lineardiscriminantanalysis"]
        pipe.fit(X, y).predict(X)
        out = capsys.readouterr()
        assert ("Computing rank" not in out.out + out.err) is quiet
    copy = pickle.loads(pickle.dumps(clone(pipe).set_params(csp__n_components=4)))
    assert copy.get_params()["csp__n_components"] == 4


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
        "bandpass", "covariances", "tangentspace", "gridsearchcv"]
    assert cross_val_score(pipe, X, y, cv=4).mean() > 0.95  # 1.0 on these windows
    # the control: a band that misses the rhythm leaves the tangent space at chance
    missed = make_pipelines(["TS+SVM"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                            bands=[(30.0, 40.0)])["TS+SVM"]
    assert cross_val_score(missed, X, y, cv=4).mean() < 0.75


def test_tangent_space_svm_searches_moabbs_grid_in_blocks():
    pytest.importorskip("pyriemann")
    search = make_pipelines(["TS+SVM"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                            bands="mu-beta")["TS+SVM"].steps[-1][1]
    assert search.param_grid == {"C": [0.5, 1.0, 1.5], "kernel": ["linear", "rbf"]}
    assert type(search.estimator).__name__ == "SVC"
    # three inner folds of consecutive windows: a trial's windows stay together
    folds = [test for _, test in search.cv.split(np.zeros((12, 1)))]
    assert [list(test) for test in folds] == [list(range(0, 4)), list(range(4, 8)),
                                              list(range(8, 12))]
    X, y = lateralised_windows()
    fitted = clone(make_pipelines(["TS+SVM"], sfreq=100.0, ch_names=MOTOR_CH_NAMES,
                                  bands="mu-beta")["TS+SVM"]).fit(X, y)
    search = fitted.steps[-1][1]
    assert len(search.cv_results_["params"]) == 6
    assert search.best_params_["kernel"] in ("linear", "rbf")


def test_global_scaling():
    X = np.random.default_rng(0).normal(size=(10, 3, 50)) * np.array([1.0, 10.0, 100.0])[:, None]
    scaler = ChannelStandardizer(per_channel=False).fit(X)
    assert scaler.mean_.shape == scaler.scale_.shape == (1,)
    out = scaler.transform(X)
    np.testing.assert_allclose(out.std(), 1, rtol=1e-4)
    # the ratio between channels survives one global scale
    stds = out.std(axis=(0, 2))
    assert stds[2] / stds[0] > 50


def test_pyriemann_missing(monkeypatch):
    real = pipelines_module._importable
    monkeypatch.setattr(pipelines_module, "_importable",
                        lambda name: False if name == "pyriemann" else real(name))
    with pytest.raises(ImportError, match=r"\['TS\+SVM'\] need pyriemann.*mne-hamnet\[peers\]"):
        make_pipelines(["CSP+LDA", "TS+SVM"])


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
@pytest.mark.parametrize("name", ["ShallowFBCSPNet", "EEGNet", "TSception", "EEGConformer"])
def test_network_recipes(name):
    pytest.importorskip("braindecode")
    pipe = make_pipelines([name], sfreq=100.0, ch_names=MOTOR_CH_NAMES, bands="mu-beta",
                          pretrain_epochs=1, finetune_epochs=1, random_state=0,
                          device="cpu", task="motor")[name]
    band = pipe.steps[0][1]
    assert (band.l_freq, band.h_freq) == (4.0, 38.0)
    assert isinstance(pipe.steps[-2][1], ChannelStandardizer)
    assert pipe.steps[-2][1].per_channel
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


@pytest.mark.parametrize(
    "protocol, dropout",
    [(None, 0.5), ("trialwise", 0.5), ("paper", 0.5), ("cross-session", 0.5),
     ("cross-subject", 0.25)],
)
def test_eegnet_dropout_follows_the_protocol(protocol, dropout):
    pytest.importorskip("braindecode")
    pipe = make_pipelines(["EEGNet", "ShallowFBCSPNet"], protocol=protocol, sfreq=200.0,
                          ch_names=SEED_CH_NAMES)
    assert pipe["EEGNet"].steps[-1][1].get_params()["module__drop_prob"] == dropout
    # only EEGNet's recipe depends on the protocol
    assert "module__drop_prob" not in pipe["ShallowFBCSPNet"].steps[-1][1].get_params()


def test_bad_protocol_and_task():
    with pytest.raises(ValueError, match="cross_subject"):
        make_pipelines(["DE+SVM"], protocol="cross_subject")
    with pytest.raises(ValueError, match="Invalid value for the 'task' parameter"):
        make_pipelines(["DE+SVM"], task="sleep")


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_conformer_follows_its_seed_script_on_emotion_data():
    pytest.importorskip("braindecode")
    emotion = make_pipelines(["EEGConformer"], sfreq=200.0, ch_names=SEED_CH_NAMES)["EEGConformer"]
    params = emotion.steps[-1][1].get_params()
    # kernels in samples at SEED's 200 Hz, not rescaled from 250 Hz
    assert {key: params[f"module__{key}"] for key in (
        "filter_time_length", "pool_time_length", "pool_time_stride", "num_heads")} == {
        "filter_time_length": 25, "pool_time_length": 75, "pool_time_stride": 15,
        "num_heads": 5}
    band = emotion.steps[0][1]
    assert (band.l_freq, band.h_freq) == (4.0, 47.0)
    assert emotion.steps[-2][1].per_channel is False
    motor = make_pipelines(["EEGConformer"], task="motor", sfreq=200.0,
                           ch_names=SEED_CH_NAMES)["EEGConformer"]
    params = motor.steps[-1][1].get_params()
    assert (params["module__filter_time_length"], motor.steps[0][1].h_freq) == (20, 76.0)
    assert "module__num_heads" not in params and motor.steps[-2][1].per_channel


# torch's note on its 'same' padding with EEGSym's even kernels
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning",
                            "ignore:Using padding='same':UserWarning")
def test_eegsym_gets_the_mirror_pairs():
    pytest.importorskip("braindecode")
    from mne_hamnet import HemisphereMirror

    pipe = make_pipelines(["EEGSym"], sfreq=128.0, ch_names=MOTOR_CH_NAMES, bands="mu-beta",
                          pretrain_epochs=1, finetune_epochs=0, random_state=0,
                          device="cpu")["EEGSym"]
    params = pipe.steps[-1][1].get_params()
    mirror = HemisphereMirror(ch_names=MOTOR_CH_NAMES).fit(np.zeros((1, 12, 1)))
    assert params["module__left_right_chs"] == [
        ("FC3", "FC4"), ("C5", "C6"), ("C3", "C4"), ("C1", "C2"), ("CP3", "CP4")]
    assert params["module__left_right_chs"] == mirror.pairs_
    assert params["module__middle_chs"] == ["FCz", "Cz"] == mirror.midline_
    X, y = lateralised_windows(n_windows=8, sfreq=128.0, n_times=128)
    net = clone(pipe).fit(X, y).steps[-1][1].module_
    # the network reads the left channels and their twins in the mirror's order
    assert [MOTOR_CH_NAMES[i] for i in net.left_idx] == [a for a, _ in mirror.pairs_]
    assert [MOTOR_CH_NAMES[i] for i in net.right_idx] == [b for _, b in mirror.pairs_]
    with pytest.raises(ValueError, match="EEGSym needs left/right channel pairs"):
        make_pipelines(["EEGSym"], sfreq=128.0, ch_names=["Fz", "Cz", "Pz"], bands="mu-beta")


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_dgcnn_classifies_de_per_channel():
    pytest.importorskip("braindecode")
    pipe = make_pipelines(["DGCNN"], sfreq=100.0, ch_names=MOTOR_CH_NAMES, pretrain_epochs=2,
                          finetune_epochs=0, random_state=0, device="cpu")["DGCNN"]
    entropy = pipe.steps[0][1]
    assert isinstance(entropy, DifferentialEntropy) and entropy.kind == "de"
    X, y = lateralised_windows(n_windows=16)
    nodes = clone(pipe[:-1]).fit_transform(X, y)
    assert nodes.shape == (16, 12, 5) and nodes.dtype == np.float32
    # node (channel, band) is DE feature channel * 5 + band, standardised
    de = entropy.fit_transform(X)
    np.testing.assert_allclose(nodes[:, 4, 3], (de[:, 23] - de[:, 23].mean()) / de[:, 23].std(),
                               rtol=1e-4, atol=1e-5)
    chs = pipe.steps[-1][1].get_params()["module__chs_info"]
    assert [ch["ch_name"] for ch in chs] == MOTOR_CH_NAMES
    assert all(np.isfinite(ch["loc"][:3]).all() for ch in chs)
    assert set(clone(pipe).fit(X, y).predict(X)) <= {0, 1}
    with pytest.raises(ValueError, match="DGCNN starts its graph"):
        make_pipelines(["DGCNN"], sfreq=100.0, ch_names=["C3", "C4", "Foo"])


def test_de_lds_pipeline_smooths_its_entropy():
    pipe = make_pipelines(["DE-LDS+SVM"])["DE-LDS+SVM"]
    entropy = pipe.steps[0][1]
    assert (entropy.kind, entropy.smooth) == ("de", "lds")
    assert type(pipe.steps[-1][1]).__name__ == "LinearSVC"


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


def test_protocol_recipes_split_eegnet_across_subjects():
    from mne_hamnet.pipelines import protocol_recipes

    both = ["trialwise", "cross-session", "cross-subject"]
    assert protocol_recipes(both, ["HAMNet", "EEGNet"]) == [
        (["trialwise", "cross-session"], None), (["cross-subject"], "cross-subject")]
    # one set of pipelines when no recipe depends on the protocol
    assert protocol_recipes(both, ["HAMNet", "ShallowFBCSPNet"]) == [(both, None)]
    assert protocol_recipes(["cross-subject"], ["EEGNet"]) == [
        (["cross-subject"], "cross-subject")]
    assert protocol_recipes(["paper"], ["EEGNet"]) == [(["paper"], None)]
