"""Models saved by mne-hamnet 0.1.0 load and predict as they did then.

The files under ``tests/data/v010`` were written by commit aca92df (0.1.0)
with ``tests/data/v010/make_fixture.py``: a tiny fit on 7 channels, 2 classes
(string labels), 2 + 1 epochs, with a StageCheckpoint among the callbacks,
pickled, and saved with ``save_params``.
"""

import pickle
from pathlib import Path

import numpy as np
import pytest

from mne_hamnet import HAMNetClassifier

DATA = Path(__file__).parent / "data" / "v010"
CH = ["Fp1", "Fp2", "C3", "Cz", "C4", "O1", "O2"]
PARAMS = dict(pretrain_epochs=2, finetune_epochs=1, batch_size=8, verbose=0, random_state=0,
              sfreq=200.0, ch_names=CH, module__n_spatial_filters=2,
              module__n_relation_filters=2)


@pytest.fixture(scope="module")
def expected():
    return np.load(DATA / "X.npy"), np.load(DATA / "proba.npy")


def test_pickle_from_010_loads_and_predicts_the_same(expected):
    X, proba = expected
    with open(DATA / "classifier.pkl", "rb") as f:
        clf = pickle.load(f)
    np.testing.assert_allclose(clf.predict_proba(X), proba, rtol=1e-5, atol=1e-6)
    assert clf.classes_.tolist() == ["neg", "pos"]
    assert clf.stage_ == "finetune" and not clf.interrupted_
    assert clf.info_ is None  # 0.1.0 kept no positions
    # its callbacks (0.1.0's StageProgress, _FiniteLoss, StageCheckpoint) came back
    names = {type(cb).__name__ for _, cb in clf.callbacks_}
    assert {"StageProgress", "StageCheckpoint"} <= names
    # and it pickles again with the current code
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_save_params_from_010_load_and_predict_the_same(expected):
    X, proba = expected
    clf = HAMNetClassifier(**PARAMS)
    clf.load_params(f_params=DATA / "params.pt", f_fitted=DATA / "fitted.json")
    np.testing.assert_allclose(clf.predict_proba(X), proba, rtol=1e-5, atol=1e-6)
    assert clf.stage_ == "finetune" and clf.ch_names_ == CH


def test_010_import_paths_still_work():
    from mne_hamnet._persistence import StageCheckpoint as P
    from mne_hamnet._training import StageProgress, _FiniteLoss  # noqa: F401
    from mne_hamnet.classifier import StageCheckpoint as C
    from mne_hamnet.classifier import resolve_device

    assert P is C
    assert resolve_device("cpu") == "cpu"
