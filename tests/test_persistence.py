"""Round trips through pickle, joblib and save_params/load_params, across devices."""

import io
import json
import os
import pickle
import subprocess
import sys
from contextlib import contextmanager

import joblib
import mne
import numpy as np
import pytest
import torch
import torch.serialization
from conftest import CH_NAMES, simulate_epochs, simulate_windows
from skorch.exceptions import DeviceWarning, NotInitializedError

from mne_hamnet import HAMNetClassifier, HemisphereMirror

TINY = dict(pretrain_epochs=3, finetune_epochs=2, verbose=0, random_state=0,
            module__n_spatial_filters=2, sfreq=200.0, ch_names=CH_NAMES, batch_size=16)


@pytest.fixture(scope="module")
def data():
    return simulate_windows(40)


FITS = {
    "int labels, both stages": dict(labels=None, params={}),
    "string labels, both stages": dict(labels=np.array(["negative", "positive"]), params={}),
    "pretrain only": dict(labels=np.array([-1, 1]), params={"finetune_epochs": 0}),
    "custom mirror and bands": dict(labels=None, params={
        "mirror": HemisphereMirror(on_unpaired="warn", tol=0.02),
        "module__bands": [(40, 50), (50, 60)], "module__filter_length": 21}),
}


@pytest.fixture(scope="module", params=FITS.values(), ids=FITS.keys())
def fit(request, data):
    X, y = data
    labels = request.param["labels"]
    y = y if labels is None else labels[y]
    params = {**TINY, **request.param["params"]}
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    clf = HAMNetClassifier(**params).fit(X, y)
    torch.set_num_threads(n_threads)
    return clf, params, X, y


def assert_same_fit(restored, clf, X):
    """Same predictions, and every inferred attribute survives."""
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    assert restored.classes_.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(restored.classes_, clf.classes_)
    for name in ("pairs_", "midline_", "unpaired_", "ch_names_", "method_", "n_features_in_"):
        assert getattr(restored.mirror_, name) == getattr(clf.mirror_, name), name
    np.testing.assert_array_equal(restored.mirror_.mirror_index_, clf.mirror_.mirror_index_)
    assert restored.mirror_.get_params() == clf.mirror_.get_params()
    for name in ("sfreq_", "ch_names_", "n_features_in_", "n_times_", "stage_",
                 "interrupted_", "stage_seeds_"):
        assert getattr(restored, name) == getattr(clf, name), name
    for name in ("spatial_filters_", "temporal_filters_", "initial_temporal_filters_"):
        np.testing.assert_array_equal(getattr(restored, name), getattr(clf, name))
    assert len(restored.history_) == len(clf.history_)
    assert len(restored.history_pretrain_) == len(clf.history_pretrain_)
    assert restored.device == clf.device
    assert_same_positions(restored.info_, clf.info_)


def assert_same_positions(restored, info):
    """The same fitted channels with the same positions (None for arrays)."""
    if info is None:
        assert restored is None
        return
    assert restored.ch_names == info.ch_names
    pos = info.get_montage().get_positions()["ch_pos"]
    restored_pos = restored.get_montage().get_positions()["ch_pos"]
    assert list(restored_pos) == list(pos)
    for name in pos:
        np.testing.assert_allclose(restored_pos[name], pos[name])


def test_pickle(fit):
    clf, _, X, _ = fit
    assert_same_fit(pickle.loads(pickle.dumps(clf)), clf, X)


def test_joblib(fit, tmp_path):
    clf, _, X, _ = fit
    joblib.dump(clf, tmp_path / "clf.joblib")
    assert_same_fit(joblib.load(tmp_path / "clf.joblib"), clf, X)


def test_save_and_load_params(fit, tmp_path):
    clf, params, X, y = fit
    files = {key: tmp_path / name for key, name in [
        ("f_params", "params.pt"), ("f_optimizer", "optimizer.pt"),
        ("f_history", "history.json"), ("f_fitted", "fitted.json")]}
    clf.save_params(**files)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]
    restored = HAMNetClassifier(**params)
    restored.load_params(**files)
    assert_same_fit(restored, clf, X)
    # the optimizer and the history came back too: one more epoch agrees
    twin = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.partial_fit(X, y).predict_proba(X), twin.partial_fit(X, y).predict_proba(X))


def test_save_and_load_params_file_objects(fit):
    clf, params, X, _ = fit
    f_params, f_fitted = io.BytesIO(), io.BytesIO()
    clf.save_params(f_params=f_params, f_fitted=f_fitted)
    f_params.seek(0)
    f_fitted.seek(0)
    assert json.loads(f_fitted.getvalue())["stage"] == clf.stage_
    restored = HAMNetClassifier(**params)
    restored.load_params(f_params=f_params, f_fitted=f_fitted)
    assert_same_fit(restored, clf, X)


def test_load_params_needs_the_fitted_state(fit, tmp_path):
    clf, params, _, _ = fit
    clf.save_params(f_params=tmp_path / "params.pt")
    with pytest.raises(NotInitializedError, match="pass the f_fitted= file"):
        HAMNetClassifier(**params).load_params(f_params=tmp_path / "params.pt")
    (tmp_path / "other.json").write_text(json.dumps({"stage": "pretrain"}))
    with pytest.raises(ValueError, match="not a fitted state written by HAMNetClassifier"):
        HAMNetClassifier(**params).load_params(f_fitted=tmp_path / "other.json")
    with pytest.raises(NotInitializedError):
        HAMNetClassifier(**params).save_params(f_fitted=tmp_path / "fitted.json")


def test_load_params_into_a_fitted_classifier(fit, tmp_path, data):
    clf, params, X, y = fit
    clf.save_params(f_params=tmp_path / "params.pt", f_fitted=tmp_path / "fitted.json")
    other = HAMNetClassifier(**{**params, "random_state": 1}).fit(X, y)
    other.load_params(f_params=tmp_path / "params.pt", f_fitted=tmp_path / "fitted.json")
    np.testing.assert_array_equal(other.predict_proba(X), clf.predict_proba(X))


@contextmanager
def cuda_tagged_storages():
    """Make torch.save tag CPU tensors as CUDA ones, as a GPU-trained model's would be."""
    registry = list(torch.serialization._package_registry)
    torch.serialization._package_registry.insert(
        0, (0, lambda s: "cuda:0" if s.device.type == "cpu" else None, lambda s, loc: None))
    try:
        yield
    finally:
        torch.serialization._package_registry[:] = registry


def test_cuda_trained_pickle_loads_on_cpu(data):
    """A model saved with device='cuda' and CUDA tensors unpickles and predicts on the CPU."""
    X, y = data
    clf = HAMNetClassifier(**{**TINY, "device": "cpu"}).fit(X, y)
    expected = clf.predict_proba(X)
    clf.device = "cuda"  # what a fit with device="cuda" leaves
    with cuda_tagged_storages():
        blob = pickle.dumps(clf)
    clf.device = "cpu"
    with pytest.warns(DeviceWarning, match="(?i)cuda"):
        restored = pickle.loads(blob)
    assert restored.device == "cpu"
    assert next(restored.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
    assert_same_fit(restored, clf, X)


def test_cuda_saved_params_load_on_cpu(data, tmp_path):
    X, y = data
    clf = HAMNetClassifier(**TINY).fit(X, y)
    with cuda_tagged_storages():
        clf.save_params(f_params=tmp_path / "params.pt", f_optimizer=tmp_path / "opt.pt",
                        f_fitted=tmp_path / "fitted.json")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):  # really saved "on CUDA"
            torch.load(tmp_path / "params.pt", weights_only=True)
    restored = HAMNetClassifier(**TINY)  # device="auto": the CPU here
    restored.load_params(f_params=tmp_path / "params.pt", f_optimizer=tmp_path / "opt.pt",
                         f_fitted=tmp_path / "fitted.json")
    assert restored.device == "auto"
    assert_same_fit(restored, clf, X)


def test_pickle_while_a_progress_bar_is_open(data, tmp_path):
    from skorch.callbacks import Checkpoint

    X, y = data
    cp = Checkpoint(monitor=None, f_params=None, f_optimizer=None, f_criterion=None,
                    f_history=None, f_pickle="{net.stage_}.pkl", dirname=str(tmp_path))
    clf = HAMNetClassifier(**{**TINY, "verbose": 1}, callbacks=[cp]).fit(X, y)
    with open(tmp_path / "finetune.pkl", "rb") as f:
        np.testing.assert_array_equal(pickle.load(f).predict_proba(X), clf.predict_proba(X))


GPU_SCRIPT = """
import pickle, sys, numpy as np
import torch
from sklearn.base import clone
assert not torch.cuda.is_available()
folder = sys.argv[1]
X = np.load(folder + "/X.npy")
with open(folder + "/clf.pkl", "rb") as f:
    clf = pickle.load(f)
loaded = clone(clf)
loaded.load_params(f_params=folder + "/params.pt", f_fitted=folder + "/fitted.json")
np.save(folder + "/pickle.npy", clf.predict_proba(X))
np.save(folder + "/params.npy", loaded.predict_proba(X))
"""


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_gpu_trained_model_predicts_without_cuda(data, tmp_path):
    X, y = data
    clf = HAMNetClassifier(**{**TINY, "device": "cuda"}).fit(X, y)
    assert next(clf.module_.parameters()).is_cuda
    expected = clf.predict_proba(X)
    np.save(tmp_path / "X.npy", X)
    with open(tmp_path / "clf.pkl", "wb") as f:
        pickle.dump(clf, f)
    clf.save_params(f_params=tmp_path / "params.pt", f_fitted=tmp_path / "fitted.json")
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONWARNINGS": "ignore"}
    subprocess.run([sys.executable, "-c", GPU_SCRIPT, str(tmp_path)], env=env, check=True)
    for name in ("pickle", "params"):
        np.testing.assert_allclose(np.load(tmp_path / f"{name}.npy"), expected, atol=1e-5)


def test_info_keeps_the_fitted_positions(tmp_path):
    """info_ holds the fitted EEG channels with positions, through every kind of save."""
    epochs = simulate_epochs(20)
    epochs.add_channels([mne.EpochsArray(
        np.zeros((20, 1, 200)), mne.create_info(["EOG1"], 200.0, "eog"), verbose=False)],
        force_update_info=True)
    params = {**TINY, "sfreq": None, "ch_names": None}
    clf = HAMNetClassifier(**params).fit(epochs)
    assert clf.info_.ch_names == CH_NAMES  # EEG only, as fitted
    assert_same_positions(clf.info_, epochs.copy().pick(CH_NAMES).info)
    assert_same_positions(pickle.loads(pickle.dumps(clf)).info_, clf.info_)
    clf.save_params(f_params=tmp_path / "p.pt", f_fitted=tmp_path / "f.json")
    assert set(json.loads((tmp_path / "f.json").read_text())["info"]["ch_pos"]) == set(CH_NAMES)
    restored = HAMNetClassifier(**params)
    restored.load_params(f_params=tmp_path / "p.pt", f_fitted=tmp_path / "f.json")
    assert_same_positions(restored.info_, clf.info_)
    X, y = simulate_windows(20)
    assert HAMNetClassifier(**TINY).fit(X, y).info_ is None
