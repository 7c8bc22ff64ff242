import pickle

import joblib
import mne
import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_epochs, simulate_windows
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from mne_hamnet import HAMNetClassifier, HemisphereMirror

FAST = dict(pretrain_epochs=3, finetune_epochs=2, verbose=0, random_state=0,
            module__n_spatial_filters=4)


def _array_clf(**kwargs):
    return HAMNetClassifier(**{"sfreq": 200.0, "ch_names": CH_NAMES, **FAST, **kwargs})


def test_learns_gamma_asymmetry():
    train, test = simulate_epochs(200, random_state=0), simulate_epochs(100, random_state=1)
    clf = HAMNetClassifier(pretrain_epochs=30, finetune_epochs=20, pretrain_lr=1e-3,
                           finetune_lr=5e-4, random_state=0, verbose=0)
    clf.fit(train)  # y from the events
    np.testing.assert_array_equal(clf.classes_, [1, 2])
    assert clf.score(test, test.events[:, 2]) > 0.75
    assert clf.stage_ == "finetune" and not clf.interrupted_
    assert len(clf.history_pretrain_) == 30 and len(clf.history_) == 20


@pytest.mark.parametrize("labels", [np.array([-1, 1]), np.array(["negative", "positive"])])
def test_predict_returns_original_labels(windows, labels):
    X, y = windows
    y_labels = labels[y]
    clf = _array_clf().fit(X, y_labels)
    np.testing.assert_array_equal(clf.classes_, np.sort(labels))
    pred = clf.predict(X)
    assert pred.dtype == y_labels.dtype and set(pred) <= set(labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert clf.score(X, y_labels) == np.mean(pred == y_labels)


def test_three_classes_minus_one_zero_one(windows):
    X, y = windows
    y3 = np.array([-1, 0, 1])[np.arange(len(y)) % 3]
    clf = _array_clf(finetune_epochs=0).fit(X, y3)
    assert set(clf.predict(X)) <= {-1, 0, 1}
    assert clf.predict_proba(X).shape == (len(X), 3)


def test_temporal_filters_frozen_in_stage_two(windows):
    X, y = windows
    pre = _array_clf(finetune_epochs=0).fit(X, y)
    full = _array_clf().fit(X, y)
    assert pre.stage_ == "pretrain" and pre.spatial_filters_.shape == (1, 4, 17)
    assert full.stage_ == "finetune" and full.spatial_filters_.shape == (2, 4, 17)
    # stage 1 is identical under the same seed, and stage 2 leaves the kernels alone
    np.testing.assert_array_equal(full.temporal_filters_, pre.temporal_filters_)
    assert not np.array_equal(full.temporal_filters_, full.initial_temporal_filters_)
    assert not full.module_.temporal.weight.requires_grad
    frozen = {id(p) for p in [full.module_.temporal.weight]}
    optimised = {id(p) for group in full.optimizer_.param_groups for p in group["params"]}
    assert not frozen & optimised
    assert full.optimizer_.param_groups[0]["lr"] == 5e-5
    assert full.initial_temporal_filters_.shape == (18, 41)


def test_epochs_are_used_in_microvolts(epochs):
    clf = HAMNetClassifier(**FAST).fit(epochs)
    data_uv = epochs.get_data() * 1e6
    arr = _array_clf().fit(data_uv, epochs.events[:, 2])
    np.testing.assert_allclose(arr.predict_proba(data_uv), clf.predict_proba(epochs), rtol=1e-4,
                               atol=1e-6)
    assert clf.ch_names_ == CH_NAMES and clf.sfreq_ == 200.0
    assert clf.mirror_.pairs_[0] == ("Fp1", "Fp2")


def test_shapes_inferred_at_every_fit():
    clf = HAMNetClassifier(**FAST)
    X, y = simulate_windows(40, n_times=200)
    clf.set_params(sfreq=200.0, ch_names=CH_NAMES).fit(X, y)
    assert clf.n_times_ == 200
    sub = ["Fp1", "Fp2", "F3", "F4", "Fz", "Cz"]
    X2, y2 = simulate_windows(40, n_times=150, ch_names=sub)
    clf.set_params(ch_names=sub).fit(X2, y2)
    assert (clf.n_features_in_, clf.n_times_) == (6, 150)
    assert clf.module_.n_chans == 6
    assert "n_chans" not in str(clf.get_params())


def test_clone_pipeline_cross_val_and_grid_search(epochs):
    clf = HAMNetClassifier(**FAST)
    y = epochs.events[:, 2]
    scores = cross_val_score(clone(clf), epochs, y, cv=2)
    assert scores.shape == (2,) and np.all((0 <= scores) & (scores <= 1))
    pipe = make_pipeline(FunctionTransformer(lambda X: X), _array_clf())
    X, yw = simulate_windows(40)
    assert pipe.fit(X, yw).predict(X).shape == (40,)
    grid = GridSearchCV(clf, {"module__n_spatial_filters": [2, 3]}, cv=2).fit(epochs, y)
    assert grid.best_estimator_.module_.n_spatial_filters in (2, 3)
    fitted = clone(clf).fit(epochs)
    refit = clone(fitted)
    assert not hasattr(refit, "module_") and refit.get_params()["pretrain_epochs"] == 3


def test_pickle_and_joblib_round_trips(windows, tmp_path):
    X, y = windows
    clf = _array_clf().fit(X, y)
    expected = clf.predict_proba(X)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
    joblib.dump(clf, tmp_path / "clf.joblib")
    loaded = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    assert loaded.device == "auto" and loaded.mirror_.pairs_ == clf.mirror_.pairs_
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)


def test_progress_bar_and_silence(windows, capsys):
    X, y = windows
    _array_clf(verbose=0).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    _array_clf(verbose=1).fit(X, y).fit(X, y)  # a refit prints no "Re-initializing"
    captured = capsys.readouterr()
    assert "pretrain" in captured.err and "finetune" in captured.err
    assert captured.out == ""


def test_custom_mirror_and_bands(windows):
    X, y = windows
    clf = _array_clf(mirror=HemisphereMirror(on_unpaired="ignore"),
                     module__bands=[(8, 12), (13, 30)], module__filter_length=21)
    clf.fit(X, y)
    assert clf.temporal_filters_.shape == (2, 21)
    assert clf.mirror is not clf.mirror_  # the template is cloned


def _bad(X, value, where):
    X = X.copy()
    X[where] = value
    return X


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda X, y: (_bad(X, np.nan, (0, 1, 2)), y), "1 NaN and 0 infinite"),
        (lambda X, y: (_bad(X, np.inf, (0, 1, 2)), y), "0 NaN and 1 infinite"),
        (lambda X, y: (X[0], y), "array with 2 dimension\\(s\\)"),
        (lambda X, y: (X, y[:-1]), "y has 119 labels, but X has 120 windows"),
        (lambda X, y: (X, np.zeros_like(y)), "at least 2 classes, but y has 1: \\[0\\]"),
        (lambda X, y: (X[:, :, :30], y), "filter_length=41 is longer than the window"),
        (lambda X, y: (X[:, :5], y), "ch_names has 17 names, but X has 5 channels"),
        (lambda X, y: (X, y.astype(float) + 0.5), "Unknown label type"),
    ],
)
def test_fit_bad_input(windows, make, match):
    X, y = make(*windows)
    with pytest.raises(ValueError, match=match):
        _array_clf().fit(X, y)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sfreq": None}, "Array input needs sfreq"),
        ({"ch_names": None}, "Array input needs ch_names"),
        ({"sfreq": 100.0}, "at or above the Nyquist frequency 50 Hz"),
        ({"lr": 0.1}, "use pretrain_lr/finetune_lr"),
        ({"pretrain_epochs": 0}, "pretrain_epochs must be an int >= 1"),
        ({"device": "gpu"}, "Invalid value for the 'device' parameter"),
        ({"ch_names": ["E1", "E2"] + CH_NAMES[2:]}, "no left/right partner.*E1, E2"),
        ({"ch_names": ["C3", "C4"] + CH_NAMES[2:]}, "ch_names must be unique, but got duplicates"),
    ],
)
def test_fit_bad_parameters(windows, kwargs, match):
    with pytest.raises(ValueError, match=match):
        _array_clf(**kwargs).fit(*windows)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without CUDA")
def test_cuda_requested_without_cuda(windows):
    with pytest.raises(RuntimeError,
                       match="device='cuda' was requested, but CUDA is not available"):
        _array_clf(device="cuda").fit(*windows)


def test_predict_layout_mismatch(epochs):
    clf = HAMNetClassifier(**FAST).fit(epochs)
    with pytest.raises(ValueError, match="missing \\['Fp1'\\]"):
        clf.predict(epochs.copy().drop_channels(["Fp1"]))
    reordered = epochs.copy().reorder_channels(CH_NAMES[::-1])
    with pytest.raises(ValueError, match="same channels in a different order"):
        clf.predict(reordered)
    with pytest.raises(ValueError, match="windows of 150 samples, but the classifier was fitted on "
                       "windows of 200"):
        clf.predict(epochs.copy().crop(tmax=149 / 200))
    resampled = mne.EpochsArray(epochs.get_data(), mne.create_info(CH_NAMES, 250.0, "eeg"),
                                verbose=False)
    with pytest.raises(ValueError, match="sampled at 250.0 Hz, but the classifier was fitted at "
                       "200.0 Hz"):
        clf.predict(resampled)
    with pytest.raises(TypeError, match="continuous Raw"):
        clf.predict(mne.io.RawArray(np.zeros((17, 400)), epochs.info, verbose=False))


def test_unfitted_predict_raises(windows):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        _array_clf().predict(windows[0])


def test_amp_option(windows):
    X, y = windows
    clf = _array_clf(amp=True).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float32 and np.isfinite(proba).all()
    with pytest.raises(TypeError, match="amp must be an instance of bool"):
        _array_clf(amp="yes").fit(X, y)
