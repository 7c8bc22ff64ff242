"""TorchScript and ONNX exports of a fitted HAMNetClassifier."""

import warnings

import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_windows
from sklearn.exceptions import NotFittedError

from mne_hamnet import HAMNetClassifier
from mne_hamnet.export import to_onnx, to_torchscript


@pytest.fixture(scope="module")
def fitted():
    torch.set_num_threads(1)
    X, y = simulate_windows(60, random_state=3)
    clf = HAMNetClassifier(
        pretrain_epochs=3, finetune_epochs=2, pretrain_lr=3e-3, finetune_lr=1e-3,
        batch_size=20, sfreq=200.0, ch_names=CH_NAMES, device="cpu", verbose=0,
        random_state=0,
    ).fit(X, y)
    return clf, X


def test_torchscript_agrees_with_predict_proba(fitted, tmp_path):
    clf, X = fitted
    assert clf.module_.n_branches == 2  # both branches and the mirror index exported
    path = to_torchscript(clf, tmp_path / "hamnet.pt")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*torch.jit.*deprecated",
                                category=DeprecationWarning)
        loaded = torch.jit.load(path)
    # a batch size other than the traced one, and a single window
    for windows in (X[:7], X[10:11]):
        with torch.no_grad():
            proba = loaded(torch.as_tensor(windows)).numpy()
        np.testing.assert_allclose(proba, clf.predict_proba(windows), atol=1e-5, rtol=0)
    assert "module.mirror_index" in dict(loaded.named_buffers())


def test_onnx_agrees_with_predict_proba(fitted, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    clf, X = fitted
    path = to_onnx(clf, tmp_path / "hamnet.onnx")
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["windows"]
    for windows in (X[:9], X[20:21]):
        (proba,) = session.run(None, {"windows": windows})
        np.testing.assert_allclose(proba, clf.predict_proba(windows), atol=1e-5, rtol=0)


def test_export_refuses_unfitted_and_non_hamnet(tmp_path):
    with pytest.raises(NotFittedError):
        to_torchscript(HAMNetClassifier(), tmp_path / "x.pt")
    with pytest.raises(TypeError, match="Only a HAMNetClassifier can be exported"):
        to_onnx(object(), tmp_path / "x.onnx")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("export", [to_torchscript, to_onnx])
def test_unwritable_path_is_named(fitted, tmp_path, export):
    if export is to_onnx:
        pytest.importorskip("onnx")
    clf, _ = fitted
    path = tmp_path / "no such folder" / "model.bin"
    with pytest.raises(OSError, match="no such folder"):
        export(clf, path)
    (tmp_path / "taken").mkdir()
    with pytest.raises(OSError, match="taken"):
        export(clf, tmp_path / "taken")  # a folder in the way
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # no temporary left
