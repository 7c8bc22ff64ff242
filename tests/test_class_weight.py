"""Class weights (scikit-learn's ``class_weight``, skorch's ``criterion__weight``) and
``set_params`` on a fitted classifier."""

import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_windows
from sklearn.base import clone

from mne_hamnet import HAMNetClassifier

TINY = dict(pretrain_epochs=2, finetune_epochs=1, verbose=0, random_state=0,
            module__n_spatial_filters=2, sfreq=200.0, ch_names=CH_NAMES)


@pytest.fixture(scope="module")
def imbalanced():
    X, _ = simulate_windows(40)
    y = np.array(["left"] * 30 + ["right"] * 10)
    return X, y


def test_balanced_class_weight(imbalanced):
    X, y = imbalanced
    clf = HAMNetClassifier(**TINY, class_weight="balanced").fit(X, y)
    expected = len(y) / (2 * np.array([30, 10]))
    np.testing.assert_allclose(clf.class_weight_, expected)
    np.testing.assert_allclose(clf.criterion_.weight.numpy(), expected)
    assert clf.criterion_.weight.dtype == torch.float32
    # the weights belong to each fit's labels
    clf.fit(X[20:], y[20:])  # 10 of each
    np.testing.assert_allclose(clf.criterion_.weight.numpy(), [1.0, 1.0])
    assert clone(clf).class_weight == "balanced"


def test_class_weight_dict_in_the_labels_terms(imbalanced):
    X, y = imbalanced
    clf = HAMNetClassifier(**TINY, class_weight={"right": 3.0}).fit(X, y)
    np.testing.assert_allclose(clf.criterion_.weight.numpy(), [1.0, 3.0])
    assert HAMNetClassifier(**TINY).fit(X, y).class_weight_ is None


def test_class_weight_changes_the_loss(imbalanced):
    X, y = imbalanced
    plain = HAMNetClassifier(**TINY).fit(X, y)
    weighted = HAMNetClassifier(**TINY, class_weight="balanced").fit(X, y)
    assert plain.history_pretrain_[0, "train_loss"] != weighted.history_pretrain_[0, "train_loss"]


@pytest.mark.parametrize("weight", [np.array([1.0, 3.0]), [1, 3], (1.0, 3.0),
                                    torch.tensor([1.0, 3.0], dtype=torch.float64)])
def test_criterion_weight_array_likes(imbalanced, weight):
    X, y = imbalanced
    clf = HAMNetClassifier(**TINY, criterion__weight=weight).fit(X, y)
    assert clf.criterion_.weight.dtype == torch.float32
    np.testing.assert_array_equal(clf.criterion_.weight.numpy(), [1.0, 3.0])


@pytest.mark.parametrize("params, error, match", [
    ({"class_weight": "auto"}, ValueError, "class_weight must be 'balanced', a dict"),
    ({"class_weight": [1.0, 2.0]}, TypeError, "class_weight must be an instance of dict"),
    ({"class_weight": {"up": 2.0}}, ValueError, r"label\(s\) \['up'\] that are not among"),
    ({"class_weight": "balanced", "criterion__weight": [1.0, 2.0]}, ValueError,
     "Give the class weights once"),
    ({"criterion__weight": [1.0, 2.0, 3.0]}, ValueError, r"2 weights, one per class.*shape \(3,\)"),
    ({"criterion__weight": [1.0, np.nan]}, ValueError, "finite, non-negative"),
    ({"criterion__weight": ["a", "b"]}, TypeError, "criterion__weight must be a tensor"),
    ({"class_weight": "balanced", "classes": ["left", "right", "up"]}, ValueError,
     r"no window of class\(es\) \['up'\]"),
])
def test_bad_class_weights(imbalanced, params, error, match):
    with pytest.raises(error, match=match):
        HAMNetClassifier(**{**TINY, **params}).fit(*imbalanced)


@pytest.mark.parametrize("params", [{"module__n_spatial_filters": 3},
                                    {"criterion__weight": np.array([1.0, 2.0])},
                                    {"optimizer__betas": (0.8, 0.9)}])
def test_set_params_on_a_fitted_classifier_with_device_auto(imbalanced, params):
    X, y = imbalanced
    clf = HAMNetClassifier(**TINY).fit(X, y)
    assert clf.device == "auto"
    clf.set_params(**params)
    assert clf.device == "auto"  # the parameter keeps the user's value
    if "module__n_spatial_filters" in params:
        assert clf.module_.spatial.weight.shape[0] == 3
    if "criterion__weight" in params:
        np.testing.assert_array_equal(clf.criterion_.weight.numpy(), [1.0, 2.0])
    clf.set_params(device="cpu", module__n_spatial_filters=2)
    assert clf.device == "cpu"
    assert clf.fit(X, y).predict(X).shape == (len(y),)


def test_class_weight_survives_save_and_load(imbalanced, tmp_path):
    X, y = imbalanced
    clf = HAMNetClassifier(**TINY, class_weight="balanced").fit(X, y)
    clf.save_params(f_params=tmp_path / "p.pt", f_fitted=tmp_path / "f.json")
    again = HAMNetClassifier(**TINY, class_weight="balanced")
    again.load_params(f_params=tmp_path / "p.pt", f_fitted=tmp_path / "f.json")
    np.testing.assert_allclose(again.class_weight_, clf.class_weight_)
    np.testing.assert_allclose(again.criterion_.weight.numpy(), clf.class_weight_)
