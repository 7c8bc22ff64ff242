"""predict_proba's direct path gives what skorch's predict_proba gives."""

import numpy as np
import pytest
from conftest import CH_NAMES, simulate_windows
from skorch import NeuralNet

from mne_hamnet import HAMNetClassifier
from mne_hamnet._predict import predict_proba_windows


@pytest.fixture(scope="module")
def fitted():
    X, y = simulate_windows(40, random_state=5)
    clf = HAMNetClassifier(pretrain_epochs=2, finetune_epochs=1, pretrain_lr=3e-3,
                           finetune_lr=1e-3, batch_size=16, sfreq=200.0, ch_names=CH_NAMES,
                           device="auto", verbose=0, random_state=0).fit(X, y)
    return clf, X


def _skorch_proba(clf, X):
    with clf._on_device("cpu"):
        return NeuralNet.predict_proba(clf, X)


def test_same_values_as_skorch_over_several_batches(fitted):
    clf, X = fitted
    # 40 windows in batches of 16: three batches, the last one short
    np.testing.assert_array_equal(clf.predict_proba(X), _skorch_proba(clf, X))
    np.testing.assert_array_equal(predict_proba_windows(clf, X[:1]), _skorch_proba(clf, X[:1]))
    assert clf.device == "auto"  # the parameter is left as set


def test_network_left_in_training_mode_predicts_in_evaluation_mode(fitted):
    clf, X = fitted
    expected = _skorch_proba(clf, X[:5])
    clf.module_.train()  # batch norm would use the batch's statistics
    np.testing.assert_array_equal(clf.predict_proba(X[:5]), expected)
    assert not clf.module_.training


def test_custom_nonlinearity_is_honoured():
    # (iterator_valid__batch_size only bounds the memory: the values do not depend on it)
    X, y = simulate_windows(20, random_state=6)
    clf = HAMNetClassifier(pretrain_epochs=1, finetune_epochs=1, batch_size=16, sfreq=200.0,
                           ch_names=CH_NAMES, device="cpu", verbose=0, random_state=0,
                           predict_nonlinearity=None, iterator_valid__batch_size=7).fit(X, y)
    logits = clf.predict_proba(X)
    np.testing.assert_array_equal(logits, _skorch_proba(clf, X))
    assert not np.allclose(logits.sum(1), 1)  # logits, not probabilities
