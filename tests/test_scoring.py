"""Tests of the scores of every fold, the epochs kept, the majority class and the seeds."""

import logging
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    check_scoring,
    f1_score,
    roc_auc_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC, LinearSVC

from mne_hamnet._scoring import fold_scorers, lead_score
from mne_hamnet._seeds import seed_groups, uses_seed, with_seed
from mne_hamnet.datasets import SEED, simulate_seed
from mne_hamnet.evaluation import evaluate
from mne_hamnet.pipelines import MAJORITY_PIPELINE, make_pipelines


class FixedClassifier(ClassifierMixin, BaseEstimator):
    """Predict preset labels and decision values, whatever the windows."""

    def __init__(self, y_pred=None, y_score=None):
        self.y_pred = y_pred
        self.y_score = y_score

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.asarray(self.y_pred)

    def decision_function(self, X):
        return np.asarray(self.y_score)


def score(estimator, X, y, scoring="accuracy", n_classes=2):
    return check_scoring(estimator, scoring=fold_scorers(scoring, n_classes))(estimator, X, y)


def test_fold_scores_equal_sklearns_on_known_predictions():
    y_true = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    y_pred = np.array([0, 0, 0, 0, 1, 1, 1, 0, 0, 0])
    y_score = np.array([0.1, 0.2, 0.3, 0.1, 0.8, 0.6, 0.9, 0.4, 0.2, 0.7])
    clf = FixedClassifier(y_pred, y_score).fit(np.zeros((10, 2, 3)), y_true)
    scores = score(clf, np.zeros((10, 2, 3)), y_true)
    assert scores["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
    assert scores["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y_true, y_pred))
    assert scores["f1_macro"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    assert scores["roc_auc"] == pytest.approx(roc_auc_score(y_true, y_score))
    assert scores["majority_rate"] == pytest.approx(0.6)
    # known by hand: 4/6 and 1/4 right
    assert scores["balanced_accuracy"] == pytest.approx((4 / 6 + 1 / 4) / 2)
    # the paradigm's scorer comes first: MOABB's score column
    assert list(scores)[0] == "paradigm" and scores["paradigm"] == scores["accuracy"]
    assert score(clf, np.zeros((10, 2, 3)), y_true, "roc_auc")["paradigm"] == scores["roc_auc"]


def test_fold_scores_of_three_classes_and_of_a_one_class_test_fold():
    y_true = np.array([0, 1, 2, 2, 2, 1])
    y_pred = np.array([0, 2, 2, 2, 1, 1])
    clf = FixedClassifier(y_pred).fit(np.zeros((6, 1)), y_true)
    scores = score(clf, np.zeros((6, 1)), y_true, n_classes=3)
    assert "roc_auc" not in scores
    assert scores["f1_macro"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    # a test fold of one class, predicted as another: no warning, no error, no AUC
    clf = FixedClassifier(np.array([1, 1, 0]), np.array([0.3, 0.6, 0.1]))
    clf.fit(np.zeros((3, 1)), np.array([0, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = score(clf, np.zeros((3, 1)), np.array([0, 0, 0]))
    assert np.isnan(scores["roc_auc"])
    assert scores["accuracy"] == pytest.approx(1 / 3)
    assert scores["f1_macro"] == pytest.approx(
        f1_score([0, 0, 0], [1, 1, 0], average="macro", zero_division=0)
    )


class StagedClassifier(FixedClassifier):
    """A classifier that says which epoch each stage kept, as the networks do."""

    def fit(self, X, y):
        super().fit(X, y)
        self.epochs_kept_ = {"pretrain": 37, "finetune": 12}
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def decision_function(self, X):
        return np.zeros(len(X))


def test_epochs_kept_are_read_from_the_last_step():
    X, y = np.zeros((4, 2, 3)), np.array([0, 1, 0, 1])
    pipe = make_pipeline(FunctionTransformer(), StagedClassifier()).fit(X, y)
    assert score(pipe, X, y)["epochs_kept"] == "pretrain=37;finetune=12"
    assert score(FixedClassifier([0, 1, 0, 1], [0, 1, 0, 1]).fit(X, y), X, y)["epochs_kept"] == ""


def test_lead_score_is_balanced_accuracy_on_unbalanced_test_folds():
    rows = pd.DataFrame(dict(n_classes=[2, 2], majority_rate=[0.5, 0.5], accuracy=[0.6, 0.7],
                             balanced_accuracy=[0.6, 0.7]))
    assert lead_score(rows)[0] == "accuracy"
    assert lead_score(rows.assign(majority_rate=[0.5, 0.7]))[0] == "balanced_accuracy"
    # a test fold without one of the classes is unbalanced too
    assert lead_score(rows.assign(n_classes=[2, 1], majority_rate=[0.5, 1.0]))[0] == (
        "balanced_accuracy"
    )
    # results of an older version: the paradigm's score, named as such
    assert lead_score(pd.DataFrame(dict(score=[0.5])))[:2] == ("score", "Score")


def test_which_pipelines_use_their_seed():
    pipelines = make_pipelines(["HAMNet", "DE+SVM", MAJORITY_PIPELINE], pretrain_epochs=1,
                               finetune_epochs=1, random_state=3)
    assert uses_seed(pipelines["HAMNet"])
    assert not uses_seed(pipelines["DE+SVM"])
    assert not uses_seed(pipelines[MAJORITY_PIPELINE])
    assert uses_seed(SVC(probability=True)) and not uses_seed(SVC())
    assert uses_seed(LinearSVC(dual=True)) and not uses_seed(LinearSVC(dual=False))
    seeded = with_seed(pipelines["HAMNet"], 7)
    assert seeded.random_state == 7 and pipelines["HAMNet"].random_state == 3
    groups = seed_groups(pipelines, [0, 1])
    assert [(seed, list(group)) for seed, group in groups] == [
        (None, ["DE+SVM", MAJORITY_PIPELINE]), (0, ["HAMNet"]), (1, ["HAMNet"])
    ]
    assert [group["HAMNet"].random_state for seed, group in groups[1:]] == [0, 1]
    assert seed_groups(pipelines, None) == [(None, pipelines)]


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed")
    return simulate_seed(folder, n_subjects=1, n_sessions=2, trial_seconds=1.0, random_state=0)


def test_evaluate_writes_every_score_and_the_epochs_kept(seed_folder):
    pipelines = {"Staged": make_pipeline(FunctionTransformer(), StagedClassifier()),
                 **make_pipelines(["DE+SVM", MAJORITY_PIPELINE])}
    results = evaluate(pipelines, SEED(seed_folder), "trialwise", n_splits=3, random_state=0)
    assert {"accuracy", "balanced_accuracy", "f1_macro", "majority_rate",
            "epochs_kept", "seed"} <= set(results.columns)
    assert "roc_auc" not in results  # three classes
    # Emotion scores accuracy: MOABB's score is the same number
    np.testing.assert_allclose(results["score"], results["accuracy"])
    staged = results[results["pipeline"] == "Staged"]
    assert set(staged["epochs_kept"]) == {"pretrain=37;finetune=12"}
    assert set(results.loc[results["pipeline"] == "DE+SVM", "epochs_kept"]) == {""}
    majority = results[results["pipeline"] == MAJORITY_PIPELINE]
    # balanced trial-wise folds: the majority class gets 1 / 3 of each class's recall
    np.testing.assert_allclose(majority["balanced_accuracy"], 1 / 3, atol=1e-6)
    assert results["seed"].isna().all()


def test_seeds_run_the_seeded_pipelines_once_each_and_are_cached(seed_folder, tmp_path,
                                                                  caplog):
    pipelines = make_pipelines(["HAMNet", "DE+SVM"], pretrain_epochs=1, finetune_epochs=1,
                               pretrain_lr=1e-3, finetune_lr=1e-3, random_state=0)
    kwargs = dict(protocol="trialwise", n_splits=3, random_state=0, seeds=[0, 1],
                  cache_dir=tmp_path)
    results = evaluate(pipelines, SEED(seed_folder), **kwargs)
    hamnet = results.loc[results["pipeline"] == "HAMNet", "seed"]
    assert hamnet.value_counts().to_dict() == {0: 6, 1: 6}  # 2 sessions x 3 folds
    svm = results.loc[results["pipeline"] == "DE+SVM", "seed"]
    assert len(svm) == 6 and svm.isna().all()  # deterministic: once, without a seed
    # one cache file per fold and seed: the seed is in the key
    assert len(list(tmp_path.glob("*.json"))) == 18
    with caplog.at_level(logging.INFO, logger="mne_hamnet"):
        again = evaluate(pipelines, SEED(seed_folder), **kwargs)
    assert "Skipping 18 of 18 folds already finished" in caplog.text
    pd.testing.assert_frame_equal(again, results)
    # a third seed runs only its own folds
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mne_hamnet"):
        evaluate(pipelines, SEED(seed_folder), **dict(kwargs, seeds=[0, 1, 2]))
    assert "Skipping 18 of 24 folds already finished" in caplog.text


@pytest.mark.parametrize("seeds, match", [
    ([], "at least one seed"), ([0, 0], "seeds"), ([-1], "each seed"), ("0", "seeds"),
])
def test_bad_seeds(seed_folder, seeds, match):
    with pytest.raises((ValueError, TypeError), match=match):
        evaluate(make_pipelines(["DE+SVM"]), SEED(seed_folder), "trialwise", seeds=seeds)
