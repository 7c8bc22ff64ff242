"""The bad-input catalogue: what each public entry point does with bad input.

Every case either works (and gives finite results) or raises with a message
that says what is wrong. The documentation's "Bad input" table lists the
same cases.
"""

import mne
import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_epochs, simulate_windows
from scipy import sparse
from sklearn.exceptions import DataConversionWarning, NotFittedError

from mne_hamnet import HAMNet, HAMNetClassifier, HemisphereMirror

NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without CUDA")
TINY = dict(pretrain_epochs=2, finetune_epochs=1, verbose=0, random_state=0,
            module__n_spatial_filters=2, sfreq=200.0, ch_names=CH_NAMES)
WORKS = None  # the expected outcome of a case that must work


@pytest.fixture(scope="module")
def data():
    X, y = simulate_windows(40, n_times=200)
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    clf = HAMNetClassifier(**TINY).fit(*data)
    torch.set_num_threads(n_threads)
    return clf


def _set(X, value, where=(0, 1, 2), dtype=None):
    X = X.astype(dtype or X.dtype, copy=True)
    X[where] = value
    return X


def _check(outcome, run):
    """Run ``run()``; check it raises as ``outcome`` says, or returns finite values."""
    if outcome is WORKS:
        result = run()
        assert np.all(np.isfinite(np.asarray(result, dtype=float)))
        return result
    error, match = outcome
    with pytest.raises(error, match=match):
        run()


# ----------------------------------------------------------------------------------
# HAMNetClassifier.fit: case -> (make(X, y) -> (X, y, params), outcome)
FIT_CASES = {
    "nan": (lambda X, y: (_set(X, np.nan), y, {}), (ValueError, "1 NaN and 0 infinite")),
    "inf": (lambda X, y: (_set(X, -np.inf), y, {}), (ValueError, "0 NaN and 1 infinite")),
    "2-D": (lambda X, y: (X[0], y, {}),
            (ValueError, r"2 dimension\(s\).*Reshape your data")),
    "4-D": (lambda X, y: (X[None], y, {}), (ValueError, r"4 dimension\(s\)")),
    "no window": (lambda X, y: (X[:0], y[:0], {}), (ValueError, "X holds no window")),
    "no channel": (lambda X, y: (X[:, :0], y, {"ch_names": []}),
                   (ValueError, "windows hold no channel")),
    "no sample": (lambda X, y: (X[:, :, :0], y, {}), (ValueError, "windows hold no sample")),
    "float64": (lambda X, y: (X.astype(np.float64), y, {}), WORKS),
    "float32": (lambda X, y: (X.astype(np.float32), y, {}), WORKS),
    "int16": (lambda X, y: (X.astype(np.int16), y, {}), WORKS),
    "flat channel": (lambda X, y: (_set(X, 0.0, (slice(None), 3)), y, {}), WORKS),
    "flat windows": (lambda X, y: (np.zeros_like(X), y, {}), WORKS),
    "huge outlier (1e6)": (lambda X, y: (_set(X, 1e6), y, {}), WORKS),
    "overflowing outlier (1e20)": (
        lambda X, y: (_set(X, 1e20), y, {}),
        (FloatingPointError, r"training loss became nan.*largest \|X\| is 1e\+20")),
    "beyond float32 (1e39)": (
        lambda X, y: (_set(X, 1e39, dtype=np.float64), y, {}),
        (ValueError, "beyond the float32 range")),
    "fewer windows than batch_size": (lambda X, y: (X[:6], y[:6], {"batch_size": 100}), WORKS),
    "one class": (lambda X, y: (X, np.zeros_like(y), {}),
                  (ValueError, "at least 2 classes, but y has 1")),
    "y too short": (lambda X, y: (X, y[:-1], {}), (ValueError, "y has 39 labels, but X has 40")),
    "y with NaN": (lambda X, y: (X, _set(y.astype(float), np.nan, 0), {}),
                   (ValueError, "Input y contains NaN")),
    "continuous y": (lambda X, y: (X, y + 0.5, {}), (ValueError, "Unknown label type")),
    "y is None": (lambda X, y: (X, None, {}), (ValueError, "requires y to be passed")),
    "complex": (lambda X, y: (X.astype(np.complex64), y, {}),
                (ValueError, "Complex data not supported")),
    "strings": (lambda X, y: (X.astype(str), y, {}), (TypeError, "must hold real numbers")),
    "sparse": (lambda X, y: (sparse.csr_matrix(X[:, 0]), y, {}),
               (TypeError, "sparse input is not supported")),
    "no sfreq": (lambda X, y: (X, y, {"sfreq": None}), (ValueError, "Array input needs sfreq")),
    "ch_names mismatch": (lambda X, y: (X[:, :5], y, {}),
                          (ValueError, "ch_names has 17 names, but X has 5 channels")),
    "window shorter than the filter": (
        lambda X, y: (X[:, :, :30], y, {}), (ValueError, "filter_length=41 is longer")),
    "unknown device": (lambda X, y: (X, y, {"device": "gpu"}),
                       (ValueError, "Invalid value for the 'device' parameter")),
    "cuda without CUDA": pytest.param(
        lambda X, y: (X, y, {"device": "cuda"}),
        (RuntimeError, "device='cuda' was requested, but CUDA is not available"),
        marks=NO_CUDA),
}


@pytest.mark.parametrize("make, outcome", FIT_CASES.values(), ids=FIT_CASES.keys())
def test_fit(data, make, outcome):
    X, y, params = make(*data)
    clf = HAMNetClassifier(**{**TINY, **params})
    fitted = _check(outcome, lambda: clf.fit(X, y).predict_proba(X))
    if fitted is not None:
        assert clf.interrupted_ is False and clf.stage_ == "finetune"


def test_fit_float64_and_float32_agree(data):
    X, y = data
    proba64 = HAMNetClassifier(**TINY).fit(X.astype(np.float64), y).predict_proba(X)
    proba32 = HAMNetClassifier(**TINY).fit(X.astype(np.float32), y).predict_proba(X)
    np.testing.assert_array_equal(proba64, proba32)


def test_fit_column_y_warns_and_works(data):
    X, y = data
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        clf = HAMNetClassifier(**TINY).fit(X, y[:, None])
    np.testing.assert_array_equal(clf.classes_, [0, 1])


EPOCHS_CASES = {
    "nan": (lambda e: mne.EpochsArray(_set(e.get_data(), np.nan), e.info, verbose=False),
            (ValueError, "1 NaN")),
    "all dropped": (lambda e: e.copy().drop(np.arange(len(e)), verbose=False),
                    (ValueError, "holds no epoch")),
    "no EEG channel": (lambda e: e.copy().set_channel_types(
        {ch: "misc" for ch in e.ch_names}, on_unit_change="ignore", verbose=False),
        (ValueError, "no good EEG channel")),
    "raw": (lambda e: mne.io.RawArray(np.zeros((17, 400)), e.info, verbose=False),
            (TypeError, "continuous Raw")),
    "float32-like units": (lambda e: e, WORKS),
}


@pytest.mark.parametrize("make, outcome", EPOCHS_CASES.values(), ids=EPOCHS_CASES.keys())
def test_fit_epochs(make, outcome):
    epochs = simulate_epochs(20)
    clf = HAMNetClassifier(**{**TINY, "sfreq": None, "ch_names": None})
    _check(outcome, lambda: clf.fit(make(epochs)).predict_proba(epochs))


# ----------------------------------------------------------------------------------
# HAMNetClassifier.predict and predict_proba
PREDICT_CASES = {
    "nan": (lambda X: _set(X, np.nan), (ValueError, "1 NaN")),
    "inf": (lambda X: _set(X, np.inf), (ValueError, "1 infinite")),
    "2-D": (lambda X: X[0], (ValueError, r"2 dimension\(s\).*X\[np.newaxis\]")),
    "4-D": (lambda X: X[None], (ValueError, r"4 dimension\(s\)")),
    "no window": (lambda X: X[:0], (ValueError, "X holds no window")),
    "float64": (lambda X: X.astype(np.float64), WORKS),
    "float32": (lambda X: X, WORKS),
    "flat channel": (lambda X: _set(X, 0.0, (slice(None), 3)), WORKS),
    "huge outlier (1e6)": (lambda X: _set(X, 1e6), WORKS),
    "overflowing outlier (1e30)": (
        lambda X: _set(X, 1e30),
        (ValueError, r"not finite for 1 of 40 window\(s\) \(first: \[0\]\).*1e\+30")),
    "beyond float32 (1e39)": (lambda X: _set(X, 1e39, dtype=np.float64),
                              (ValueError, "beyond the float32 range")),
    "one window": (lambda X: X[:1], WORKS),
    "fewer channels": (
        lambda X: X[:, :16],
        (ValueError, "X has 16 channels, but HAMNetClassifier was fitted with 17")),
    "other window length": (lambda X: X[:, :, :150],
                            (ValueError, "windows of 150 samples, but the classifier")),
}


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
@pytest.mark.parametrize("make, outcome", PREDICT_CASES.values(), ids=PREDICT_CASES.keys())
def test_predict(fitted, data, method, make, outcome):
    X = make(data[0])
    result = _check(outcome, lambda: getattr(fitted, method)(X))
    if result is not None:
        assert len(result) == len(X)


def test_predict_float64_and_float32_agree(fitted, data):
    X = data[0]
    np.testing.assert_array_equal(
        fitted.predict_proba(X.astype(np.float64)), fitted.predict_proba(X))


def test_predict_epochs_mismatch():
    epochs = simulate_epochs(20)
    clf = HAMNetClassifier(**{**TINY, "sfreq": None, "ch_names": None}).fit(epochs)
    with pytest.raises(ValueError, match=r"missing \['Fp1'\].*expecting 17 features"):
        clf.predict(epochs.copy().drop_channels(["Fp1"]))
    with pytest.raises(ValueError, match="same channels in a different order"):
        clf.predict(epochs.copy().reorder_channels(CH_NAMES[::-1]))
    resampled = mne.EpochsArray(epochs.get_data(), mne.create_info(CH_NAMES, 250.0, "eeg"),
                                verbose=False)
    with pytest.raises(ValueError, match="sampled at 250.0 Hz, but the classifier was fitted"):
        clf.predict(resampled)


@pytest.mark.parametrize("device, error, match", [
    ("gpu", ValueError, "Invalid value for the 'device' parameter"),
    pytest.param("cuda", RuntimeError, "CUDA is not available", marks=NO_CUDA),
])
def test_predict_device(fitted, data, device, error, match):
    fitted.set_params(device=device)
    try:
        with pytest.raises(error, match=match):
            fitted.predict(data[0])
    finally:
        fitted.set_params(device="auto")


def test_predict_unfitted(data):
    with pytest.raises(NotFittedError):
        HAMNetClassifier(**TINY).predict(data[0])


# ----------------------------------------------------------------------------------
# HAMNetClassifier.partial_fit and resume
CONTINUE_CASES = {
    "nan": (lambda X, y: (_set(X, np.nan), y), (ValueError, "1 NaN")),
    "2-D": (lambda X, y: (X[0], y), (ValueError, r"2 dimension\(s\)")),
    "fewer channels": (lambda X, y: (X[:, :16], y), (ValueError, "X has 16 channels")),
    "unknown label": (lambda X, y: (X, y + 1), (ValueError, r"labels \[2\] that are not among")),
    "float64": (lambda X, y: (X.astype(np.float64), y), WORKS),
    "fewer windows than batch_size": (lambda X, y: (X[:4], y[:4]), WORKS),
}


@pytest.mark.parametrize("make, outcome", CONTINUE_CASES.values(), ids=CONTINUE_CASES.keys())
def test_partial_fit(data, make, outcome):
    clf = HAMNetClassifier(**TINY).fit(*data)
    X, y = make(*data)
    _check(outcome, lambda: clf.partial_fit(X, y).predict_proba(X))


RESUME_CASES = {
    **{key: CONTINUE_CASES[key] for key in ("nan", "2-D", "fewer channels", "unknown label")},
    "other data": (lambda X, y: (X[:20], y[:20]),
                   (ValueError, "X or y differ from those of the original fit")),
    "float64": (lambda X, y: (X.astype(np.float64), y), WORKS),
}


@pytest.mark.parametrize("make, outcome", RESUME_CASES.values(), ids=RESUME_CASES.keys())
def test_resume(data, make, outcome):
    clf = HAMNetClassifier(**TINY).fit(*data)
    del clf.history_[-1]  # as if Ctrl-C had stopped the last epoch
    X, y = make(*data)
    _check(outcome, lambda: clf.resume(X, y).predict_proba(X))


def test_resume_unfitted(data):
    with pytest.raises(NotFittedError):
        HAMNetClassifier(**TINY).resume(*data)


# ----------------------------------------------------------------------------------
# HemisphereMirror.fit and transform
MIRROR_NAMES = ["C3", "Cz", "C4"]
MIRROR_FIT_CASES = {
    "nan": (lambda X: _set(X, np.nan), {}, (ValueError, "1 NaN")),
    "1-D": (lambda X: X[0, :, 0], {}, (ValueError, r"shape \(3,\).*Reshape your data")),
    "4-D": (lambda X: X[None], {}, (ValueError, r"shape \(1, 4, 3, 5\)")),
    "no sample": (lambda X: X[:0, :, 0], {}, (ValueError, r"0 sample\(s\)")),
    "no channel": (lambda X: X[:, :0, 0], {"ch_names": []}, (ValueError, r"0 feature\(s\)")),
    "empty windows": (lambda X: X[:, :, :0], {}, (ValueError, r"X is empty")),
    "float64": (lambda X: X.astype(np.float64), {}, WORKS),
    "float32": (lambda X: X, {}, WORKS),
    "2-D samples": (lambda X: X[:, :, 0], {}, WORKS),
    "flat channel": (lambda X: _set(X, 0.0, (slice(None), 1)), {}, WORKS),
    "huge outlier": (lambda X: _set(X, 1e30), {}, WORKS),
    "no ch_names": (lambda X: X, {"ch_names": None}, (ValueError, "Array input needs channel")),
    "unpaired": (lambda X: X, {"ch_names": ["C3", "Cz", "E4"]},
                 (ValueError, r"2 channel\(s\) have no left/right partner.*C3, E4")),
    "duplicate names": (lambda X: X, {"ch_names": ["C3", "C3", "C4"]},
                        (ValueError, "must be unique")),
    "sparse": (lambda X: sparse.csr_matrix(X[:, :, 0]), {}, (TypeError, "Sparse data")),
    "complex": (lambda X: X.astype(complex), {}, (ValueError, "Complex data not supported")),
}


@pytest.mark.parametrize("make, params, outcome", MIRROR_FIT_CASES.values(),
                         ids=MIRROR_FIT_CASES.keys())
def test_mirror_fit(make, params, outcome):
    X = make(np.random.default_rng(0).normal(size=(4, 3, 5)).astype(np.float32))
    mirror = HemisphereMirror(**{"ch_names": MIRROR_NAMES, **params})
    result = _check(outcome, lambda: mirror.fit(X).mirror_index_)
    if result is not None:
        np.testing.assert_array_equal(result, [2, 1, 0])


MIRROR_TRANSFORM_CASES = {
    "nan": (lambda X: _set(X, np.nan), (ValueError, "1 NaN and 0 infinite")),
    "inf": (lambda X: _set(X, np.inf), (ValueError, "0 NaN and 1 infinite")),
    "1-D": (lambda X: X[0, :, 0], (ValueError, "Reshape your data")),
    "no sample": (lambda X: X[:0, :, 0], (ValueError, r"0 sample\(s\)")),
    "float64": (lambda X: X.astype(np.float64), WORKS),
    "float32": (lambda X: X, WORKS),
    "flat channel": (lambda X: _set(X, 0.0, (slice(None), 1)), WORKS),
    "huge outlier": (lambda X: _set(X, 1e30), WORKS),
    "fewer channels": (lambda X: X[:, :2], (
        ValueError, "X has 2 channels, but HemisphereMirror was fitted with 3")),
}


@pytest.mark.parametrize("make, outcome", MIRROR_TRANSFORM_CASES.values(),
                         ids=MIRROR_TRANSFORM_CASES.keys())
def test_mirror_transform(make, outcome):
    X = np.random.default_rng(0).normal(size=(4, 3, 5)).astype(np.float32)
    mirror = HemisphereMirror(ch_names=MIRROR_NAMES).fit(X)
    X = make(X)
    result = _check(outcome, lambda: mirror.transform(X))
    if result is not None:
        assert result.dtype == X.dtype  # a permutation keeps dtype and values
        np.testing.assert_array_equal(result, X[:, [2, 1, 0]])


def test_mirror_transform_other_channels_and_unfitted():
    epochs = simulate_epochs(4)
    mirror = HemisphereMirror().fit(epochs)
    with pytest.raises(ValueError, match="channels differ from those HemisphereMirror saw in fit"):
        mirror.transform(epochs.copy().reorder_channels(CH_NAMES[::-1]))
    with pytest.raises(NotFittedError):
        HemisphereMirror().transform(np.zeros((1, 3, 2)))


# ----------------------------------------------------------------------------------
# HAMNet, the torch module: sizes are checked, values are not (the estimator does that)
HAMNET_CASES = {
    "filter longer than window": (dict(n_times=30), (ValueError, "filter_length=41 is longer")),
    "band above Nyquist": (dict(sfreq=100.0), (ValueError, "Nyquist frequency 50 Hz")),
    "no channel": (dict(n_chans=0), (ValueError, "n_chans must be an int >= 1")),
    "bad mirror_index": (dict(mirror_index=[1, 0, 0]),
                         (ValueError, "mirror_index must be a permutation")),
    "works": (dict(), WORKS),
}


@pytest.mark.parametrize("params, outcome", HAMNET_CASES.values(), ids=HAMNET_CASES.keys())
def test_hamnet_module(params, outcome):
    kwargs = {"n_chans": 3, "n_outputs": 2, "n_times": 100, "sfreq": 200.0,
              "n_spatial_filters": 2, **params}
    _check(outcome, lambda: HAMNet(**kwargs)(torch.zeros(4, 3, 100)).detach())


def test_hamnet_forward_checks_shape_not_values():
    net = HAMNet(3, 2, 100, 200.0, n_spatial_filters=2).eval()
    with pytest.raises(ValueError, match=r"expects input of shape \(n_windows, 3, 100\)"):
        net(torch.zeros(4, 3, 99))
    x = torch.zeros(4, 3, 100)
    x[0, 0, 0] = float("nan")
    out = net(x)
    assert torch.isnan(out[0]).all() and torch.isfinite(out[1:]).all()


# ------------------------------------------------ evaluation and command line
@pytest.fixture(scope="module")
def seed_three_trials(tmp_path_factory):
    from mne_hamnet.datasets import SEED, simulate_seed

    folder = simulate_seed(tmp_path_factory.mktemp("seed3") / "seed", n_subjects=1,
                           n_sessions=1, n_trials=3, trial_seconds=2.0, random_state=0)
    return SEED(folder)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(random_state=-5), "random_state must be an int >= 0, but got -5"),
        (dict(n_splits=4), "'trialwise' needs at least 4 trials per session for n_splits=4"),
        (dict(protocol="chronological", chronological_split=3),
         "trains on the first 3 trials of each session, but a session has 3 trials"),
        (dict(cache_dir="/proc/mne-hamnet-cache"), "Cannot write to the cache folder"),
        (dict(cache_dir=""), "cache_dir must name a folder, but got ''"),
        (dict(hdf5_path=" "), "hdf5_path must name a folder, but got ' '"),
        (dict(hdf5_path="/proc/mne-hamnet-h5"), "Cannot write to the hdf5_path folder"),
    ],
)
def test_evaluate_refuses_before_any_fold(seed_three_trials, kwargs, match):
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from mne_hamnet.evaluation import evaluate

    fitted = []

    def record(X):
        fitted.append(len(X))
        return X.reshape(len(X), -1)

    pipeline = make_pipeline(FunctionTransformer(record), DummyClassifier())
    with pytest.raises(ValueError, match=match):
        evaluate({"dummy": pipeline}, seed_three_trials, **kwargs)
    assert fitted == []  # no fold ran


def test_evaluate_refuses_a_pipeline_for_another_rate(seed_three_trials):
    from mne_hamnet.evaluation import evaluate

    with pytest.raises(ValueError, match="built for sfreq=100.0 .* sampled at 200 Hz"):
        evaluate({"x": HAMNetClassifier(sfreq=100.0)}, seed_three_trials)


def test_evaluate_takes_sfreq_and_ch_names_left_none_from_the_data(seed_three_trials):
    from mne_hamnet.evaluation import evaluate

    clf = HAMNetClassifier(pretrain_epochs=1, finetune_epochs=1, verbose=0, random_state=0)
    results = evaluate({"x": clf}, seed_three_trials, protocol="paper", n_splits=2)
    assert len(results) == 2 and np.isfinite(results["score"]).all()


def test_output_folder_empty_or_with_a_tilde(tmp_path, monkeypatch):
    from mne_hamnet.report import check_output_folder

    with pytest.raises(ValueError, match="out must name a folder, but got ''"):
        check_output_folder("")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert check_output_folder("~/runs") == tmp_path / "runs"
    assert not (tmp_path / "~").exists()


def test_on_interrupt_values(data):
    with pytest.raises(ValueError, match="Invalid value for the 'on_interrupt' parameter"):
        HAMNetClassifier(**TINY, on_interrupt=True).fit(*data)


def test_output_folder_under_a_file(tmp_path):
    from mne_hamnet.report import check_output_folder

    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="Cannot write to the output folder .*file/out"):
        check_output_folder(tmp_path / "file" / "out")
    assert check_output_folder(tmp_path / "new" / "out").is_dir()


# ----------------------------------------------------------------------------------
# HAMNetClassifier: what a new user runs into (issue 12), one test per case
def test_arrays_in_volts_warn_at_fit_and_predict(data, fitted):
    X, y = data
    with pytest.warns(RuntimeWarning, match=r"looks like it is in volts.*multiply by 1e6"):
        HAMNetClassifier(**TINY).fit(X * 1e-6, y)
    with pytest.warns(RuntimeWarning, match=r"median \|value\| is \d.*e-06"):
        proba = fitted.predict_proba(X * 1e-6)
    # used as given, not rescaled behind the user's back: at this scale the
    # band powers vanish and every window gets the same output
    assert not np.allclose(proba, fitted.predict_proba(X))
    np.testing.assert_allclose(proba, proba[:1].repeat(len(proba), axis=0), rtol=1e-4)


def test_arrays_in_volts_warn_for_differential_entropy(data):
    from mne_hamnet.features import DifferentialEntropy

    X, _ = data
    with pytest.warns(RuntimeWarning, match="looks like it is in volts"):
        DifferentialEntropy(sfreq=200.0, ch_names=CH_NAMES).fit_transform(X * 1e-6)


@pytest.mark.parametrize("make", [
    lambda X: X, lambda X: X * 1e-3,  # µV and mV: no warning
    lambda X: np.zeros_like(X), lambda X: _set(np.zeros_like(X), 5.0),  # flat but one value
])
def test_arrays_not_in_volts_do_not_warn(data, fitted, make):
    # a warning would be an error here (setup.cfg)
    fitted.predict_proba(make(data[0])[:4])


def test_warm_start_is_refused(data):
    with pytest.raises(ValueError, match=r"does not support warm_start=True.*partial_fit"):
        HAMNetClassifier(**TINY, warm_start=True).fit(*data)


def _lazy_epochs(tmp_path, n_windows=40):
    """Epochs read from a .fif file with preload=False, and the same Epochs preloaded."""
    epochs = simulate_epochs(n_windows)
    raw = mne.io.RawArray(np.concatenate(list(epochs.get_data()), axis=1), epochs.info,
                          verbose=False)
    raw.save(tmp_path / "sim_raw.fif", verbose=False)
    raw = mne.io.read_raw_fif(tmp_path / "sim_raw.fif", preload=False, verbose=False)
    lazy = mne.Epochs(raw, epochs.events, event_id=epochs.event_id, tmin=0.0,
                      tmax=epochs.times[-1], baseline=None, preload=False, verbose=False)
    return lazy, epochs


def test_epochs_not_preloaded(tmp_path):
    from sklearn.model_selection import cross_val_score

    lazy, preloaded = _lazy_epochs(tmp_path)
    params = {**TINY, "sfreq": None, "ch_names": None}
    clf = HAMNetClassifier(**params).fit(lazy)
    assert not lazy.preload  # the user's Epochs stay as they were
    reference = HAMNetClassifier(**params).fit(preloaded)
    np.testing.assert_array_equal(clf.predict_proba(lazy), reference.predict_proba(preloaded))
    # scikit-learn asks len(X) before any fit, which MNE answers only once bad
    # epochs are dropped; drop_bad() reads the file but keeps it unloaded
    with pytest.raises(RuntimeError, match="drop_bad"):
        cross_val_score(HAMNetClassifier(**params), lazy, lazy.events[:, 2], cv=2)
    lazy.drop_bad(verbose=False)
    scores = cross_val_score(HAMNetClassifier(**params), lazy, lazy.events[:, 2], cv=2)
    assert np.all(np.isfinite(scores)) and not lazy.preload


def test_list_of_epochs_with_other_lengths_or_channels():
    epochs = simulate_epochs(20)
    with pytest.raises(ValueError, match=r"different lengths: \[200, 101\] samples"):
        HAMNetClassifier(**TINY).fit([epochs, epochs.copy().crop(0, 0.5)])
    with pytest.raises(ValueError, match=r"item 1 has EEG channels .*missing \['O2'\]"):
        HAMNetClassifier(**TINY).fit([epochs, epochs.copy().drop_channels(["O2"])])


def test_unpaired_hint_names_the_classifier_fix():
    epochs = simulate_epochs(20).drop_channels(["O2"])
    params = {**TINY, "sfreq": None, "ch_names": None}
    with pytest.raises(ValueError, match=r"mirror=HemisphereMirror\(on_unpaired='warn'\)"):
        HAMNetClassifier(**params).fit(epochs)
    with pytest.warns(RuntimeWarning, match="O1"):
        HAMNetClassifier(**params, mirror=HemisphereMirror(on_unpaired="warn")).fit(epochs)


@pytest.mark.parametrize("kwargs, match", [
    ({"on_unpaired": "warn"}, r"unexpected argument\(s\) on_unpaired.*"
                              r"mirror=HemisphereMirror\(on_unpaired='warn'\)"),
    ({"bands": [(8, 12)]}, r"bands is a parameter of the network: pass module__bands="),
    ({"pretrain_epoch": 3}, r"unexpected argument\(s\) pretrain_epoch"),
])
def test_unknown_keyword_arguments_are_refused(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        HAMNetClassifier(**TINY, **kwargs).fit(*data)


def test_classes_with_fewer_classes_than_y(data):
    with pytest.raises(ValueError, match=r"classes=\[1\] gives 1, while y holds 2: \[0, 1\]"):
        HAMNetClassifier(**TINY, classes=[1]).fit(*data)


def test_predict_epochs_with_other_channels_after_an_array_fit(fitted):
    epochs = simulate_epochs(4).drop_channels(["Fp1"])
    with pytest.raises(ValueError, match=r"saw in fit \(missing \['Fp1'\]") as info:
        fitted.predict(epochs)
    assert "Leave ch_names=None" not in str(info.value)
    # the same channels as in fit work, though fit saw arrays
    assert len(fitted.predict(simulate_epochs(4))) == 4


def test_fitted_mirror_is_used_as_is_for_arrays_without_10_05_names():
    montage = mne.channels.make_standard_montage("GSN-HydroCel-32")
    names = montage.ch_names
    info = mne.create_info(names, 200.0, "eeg")
    info.set_montage(montage)
    mirror = HemisphereMirror(on_unpaired="ignore").fit(info)
    X, y = simulate_windows(20, ch_names=names)
    params = {**TINY, "ch_names": names}
    with pytest.raises(ValueError, match="partner"):
        HAMNetClassifier(**params).fit(X, y)  # E1, E2 ...: no names, no positions
    clf = HAMNetClassifier(**params, mirror=mirror).fit(X, y)
    assert clf.mirror_ is mirror and clf.mirror_.method_ == "positions"
    # a mirror fitted on other channels is a template, fitted again
    other = HemisphereMirror().fit(simulate_epochs(4).drop_channels(["Fp1", "Fp2"]))
    clf = HAMNetClassifier(**TINY, mirror=other).fit(*simulate_windows(20))
    assert clf.mirror_ is not other and clf.mirror_.ch_names_ == CH_NAMES


@pytest.mark.parametrize("params, match", [
    ({"module__bands": [(40, 120)]}, r"module__bands="),
    ({"module__filter_length": 2}, r"^module__filter_length"),
])
def test_network_errors_name_the_classifier_parameter(data, params, match):
    with pytest.raises(ValueError, match=match) as info:
        HAMNetClassifier(**TINY, **params).fit(*data)
    assert " bands=" not in str(info.value) and not str(info.value).startswith("filter_")


@pytest.mark.parametrize("random_state, outcome", [
    (-5, (ValueError, r"random_state must be an int in \[0, 2\*\*32 - 1\], but got -5")),
    (2**32, (ValueError, "random_state must be an int")),
    ("0", (TypeError, "random_state must be an instance of int, numpy RandomState")),
    (np.random.default_rng(0), WORKS),
])
def test_random_state_values(data, random_state, outcome):
    X, y = data
    _check(outcome, lambda: HAMNetClassifier(**{**TINY, "random_state": random_state})
           .fit(X, y).predict_proba(X[:2]))


def test_random_state_generator_is_reproducible(data):
    X, y = data

    def proba():
        params = {**TINY, "random_state": np.random.default_rng(7)}
        return HAMNetClassifier(**params).fit(X, y).predict_proba(X)

    np.testing.assert_array_equal(proba(), proba())


def test_sample_weight_is_refused_with_the_class_weight_hint(data):
    X, y = data
    with pytest.raises(TypeError, match=r"\['sample_weight'\].*criterion__weight"):
        HAMNetClassifier(**TINY).fit(X, y, sample_weight=np.ones(len(y)))


@pytest.mark.parametrize("sfreq, error", [("200", TypeError), (-200.0, ValueError),
                                          (np.nan, ValueError)])
def test_sfreq_values(data, sfreq, error):
    with pytest.raises(error, match="sfreq must be"):
        HAMNetClassifier(**{**TINY, "sfreq": sfreq}).fit(*data)


@pytest.mark.parametrize("make", [
    lambda X, y: (X.astype(np.float16), y),
    lambda X, y: (np.asfortranarray(X), y),
    lambda X, y: (X[:, :, ::-1], y),  # a negative-stride view
    lambda X, y: (X, y.astype(bool)),
    lambda X, y: (X, np.array(["neg", "pos"])[y]),
])
def test_other_dtypes_layouts_and_labels_work(data, make):
    reference = HAMNetClassifier(**TINY).fit(*data).predict_proba(data[0])
    X, y = make(*data)
    clf = HAMNetClassifier(**TINY).fit(X, y)
    # the same fit as on float32 windows with int labels (time reversal keeps
    # every band power), and labels given back as passed
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba, reference, atol=1e-3)
    np.testing.assert_array_equal(clf.predict(X), np.unique(y)[proba.argmax(axis=1)])


@pytest.mark.parametrize("params, error, match", [
    ({"pretrain_lr": np.inf}, ValueError, "pretrain_lr must be a positive number"),
    ({"iterator_train__batch_size": 0}, ValueError, "iterator_train__batch_size must be"),
    ({"mirror": HemisphereMirror}, TypeError, r"pass HemisphereMirror\(\)"),
])
def test_more_parameter_values(data, params, error, match):
    with pytest.raises(error, match=match):
        HAMNetClassifier(**{**TINY, **params}).fit(*data)


def test_class_weights_through_the_criterion(data):
    X, y = data
    clf = HAMNetClassifier(**TINY, criterion__weight=torch.tensor([1.0, 3.0])).fit(X, y)
    assert torch.equal(clf.criterion_.weight, torch.tensor([1.0, 3.0]))


def test_predict_arrays_after_an_epochs_fit():
    epochs = simulate_epochs(20)
    clf = HAMNetClassifier(**{**TINY, "sfreq": None, "ch_names": None}).fit(epochs)
    X = epochs.get_data(units="uV").astype(np.float32)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(epochs))
    with pytest.raises(ValueError, match="X has 16 channels, but HAMNetClassifier was fitted"):
        clf.predict(X[:, 1:])
    with pytest.warns(RuntimeWarning, match="volts"):
        clf.predict(epochs.get_data())


# Issue 12: hints that name what the user actually sets
def test_unpaired_channel_hint_names_the_classifier_form():
    epochs = simulate_epochs(6).drop_channels(["O2"])
    with pytest.raises(ValueError, match=r"O1.*mirror=HemisphereMirror\(on_unpaired='warn'\)"):
        HAMNetClassifier(**{**TINY, "sfreq": None, "ch_names": None}).fit(epochs)
    # and the form it names works
    clf = HAMNetClassifier(**{**TINY, "sfreq": None, "ch_names": None},
                           mirror=HemisphereMirror(on_unpaired="ignore")).fit(epochs)
    assert clf.mirror_.unpaired_ == ["O1"]


def test_egi_arrays_pair_through_the_classifier_with_a_montage():
    montage = mne.channels.make_standard_montage("GSN-HydroCel-128")
    X = np.random.default_rng(0).normal(size=(6, 128, 50)).astype(np.float32)
    y = np.arange(6) % 2
    params = {**TINY, "ch_names": montage.ch_names}
    with pytest.raises(ValueError, match="no 10-05 names and no positions.*montage="):
        HAMNetClassifier(**params).fit(X, y)
    clf = HAMNetClassifier(**params, mirror=HemisphereMirror(montage="GSN-HydroCel-128"))
    assert len(clf.fit(X, y).mirror_.pairs_) > 50
