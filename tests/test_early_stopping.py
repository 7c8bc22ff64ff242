"""Early stopping: the held-out part, the stopping rule, the kept weights, and Ctrl-C."""

import pickle

import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_windows
from sklearn.base import BaseEstimator, ClassifierMixin
from skorch.callbacks import Callback, LoadInitState

from mne_hamnet import HAMNetClassifier
from mne_hamnet._validation import validation_split
from mne_hamnet.callbacks import StageCheckpoint

PARAMS = dict(verbose=0, random_state=0, module__n_spatial_filters=2, sfreq=200.0,
              ch_names=CH_NAMES, batch_size=16)
EARLY = dict(early_stopping=True, validation_fraction=0.25, n_iter_no_change=3)


def _trials(n_windows=96, per_trial=4, random_state=0):
    """Windows of simulate_windows regrouped into trials of one class each."""
    X, y = simulate_windows(n_windows, random_state=random_state)
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    groups = np.arange(n_windows) // per_trial
    # interleave the trials of the two classes, as a recording would
    trial_order = np.argsort(np.r_[np.arange(0, n_windows // per_trial, 2),
                                   np.arange(1, n_windows // per_trial, 2)], kind="stable")
    index = np.concatenate([np.flatnonzero(groups == t) for t in trial_order])
    return X[index], y[index], groups[index]


def _valid_loss(clf, X, y):
    proba = clf.predict_proba(X)
    encoded = np.searchsorted(clf.classes_, y)
    return float(-np.mean(np.log(proba[np.arange(len(y)), encoded])))


# ------------------------------------------------------------- the split
def test_validation_part_shares_no_trial_with_training():
    rng = np.random.default_rng(0)
    groups = np.repeat(rng.permutation(30), rng.integers(1, 6, size=30))
    y = np.asarray(groups % 3)
    train, valid, kind = validation_split(y, groups, 0.2)
    assert kind == "groups"
    assert np.array_equal(np.sort(np.r_[train, valid]), np.arange(len(y)))
    assert not set(groups[train]) & set(groups[valid])
    # stratified by class: each class gives round(0.2 * 10) = 2 of its 10 trials
    for c in range(3):
        assert len(set(groups[valid][y[valid] == c])) == 2
    # seedless by default: the same part every time; random units with a seed
    assert np.array_equal(validation_split(y, groups, 0.2)[1], valid)
    drawn = validation_split(y, groups, 0.2, random_state=1)[1]
    assert not set(groups[np.setdiff1d(np.arange(len(y)), drawn)]) & set(groups[drawn])


def test_blocks_are_runs_of_consecutive_windows():
    y = np.repeat([0, 1, 0, 1, 0, 1, 0, 1], [5, 6, 4, 5, 6, 5, 4, 5])
    train, valid, kind = validation_split(y, None, 0.25)
    assert kind == "blocks"
    runs = np.cumsum(np.r_[0, y[1:] != y[:-1]])
    # whole runs only: each run lies on one side
    for run in np.unique(runs):
        members = np.isin(np.flatnonzero(runs == run), valid)
        assert members.all() or not members.any()
    assert set(y[valid]) == {0, 1}
    # one block per class: its tail, contiguous
    y = np.repeat([0, 1], 20)
    train, valid, _ = validation_split(y, None, 0.1)
    assert valid.tolist() == [18, 19, 38, 39]


@pytest.mark.parametrize("kwargs, match", [
    (dict(validation_fraction=0.0), r"validation_fraction must be a number in \(0, 1\)"),
    (dict(validation_fraction=1), r"but got 1\."),
    (dict(groups=np.arange(5)), r"one trial id per window: expected shape \(6,\)"),
    (dict(groups=np.zeros(6)), "at least 2 units"),
    (dict(groups=np.array([0, 0, 0, 1, 1, 1])), "every class has a single trial"),
    (dict(groups=np.array([0, 0, 1, 1, 2, 2]), y=np.array([0, 0, 1, 0, 0, 0]),
          validation_fraction=0.5), r"class\(es\) \[1\] out of training"),
])
def test_bad_splits_are_refused(kwargs, match):
    kwargs = {"y": np.array([0, 0, 0, 1, 1, 1]), **kwargs}
    with pytest.raises(ValueError, match=match):
        validation_split(**kwargs)


# -------------------------------------------------------- the classifier
@pytest.fixture(scope="module")
def trials():
    return _trials()


@pytest.fixture(scope="module")
def stopped(trials):
    X, y, groups = trials
    clf = HAMNetClassifier(**PARAMS, **EARLY, tol=0.0, pretrain_epochs=60, finetune_epochs=40,
                           pretrain_lr=2e-2, finetune_lr=2e-2)
    return clf.fit(X, y, groups=groups)


def test_learnable_problem_stops_early_and_keeps_the_best_weights(trials, stopped):
    X, y, groups = trials
    clf = stopped
    assert clf.validation_split_ == "groups"
    for stage, history, budget in (("pretrain", clf.history_pretrain_, 60),
                                   ("finetune", clf.history_, 40)):
        losses = [row["valid_loss"] for row in history]
        assert len(losses) < budget and history[-1]["stopped_early"]
        # tol=0: the kept epoch is the lowest validation loss, and the watch
        # waited n_iter_no_change epochs after it
        assert clf.epochs_kept_[stage] == int(np.argmin(losses)) + 1
        assert len(losses) == clf.epochs_kept_[stage] + EARLY["n_iter_no_change"]
    # the weights are the kept epoch's: their loss on the held-out trials is its loss
    _, valid, _ = validation_split(y, groups, EARLY["validation_fraction"])
    kept = clf.history_[clf.epochs_kept_["finetune"] - 1]["valid_loss"]
    assert _valid_loss(clf, X[valid], y[valid]) == pytest.approx(kept, rel=1e-4)
    assert np.mean(clf.predict(X[valid]) == y[valid]) > 0.65


def test_nothing_to_learn_stops_at_a_small_epoch():
    X, _ = simulate_windows(96)
    y = np.random.default_rng(1).permutation(np.arange(96) % 2)
    clf = HAMNetClassifier(**PARAMS, **EARLY, pretrain_epochs=200, finetune_epochs=0,
                           pretrain_lr=2e-2).fit(X, y)
    assert clf.validation_split_ == "blocks"
    assert len(clf.history_) < 40 and clf.epochs_kept_["pretrain"] < 30


def test_held_out_windows_are_those_of_the_split(trials, stopped):
    X, y, groups = trials
    train, valid, _ = validation_split(y, groups, EARLY["validation_fraction"])
    assert np.array_equal(stopped._stage_run.valid_index, valid)
    assert not set(groups[train]) & set(groups[valid])
    # the batches of the held-out part are what the history scored
    sizes = [batch["valid_batch_size"] for batch in stopped.history_[-1]["batches"]
             if "valid_batch_size" in batch]
    assert sum(sizes) == len(valid)


def test_without_early_stopping_the_last_epoch_is_kept():
    X, y = simulate_windows(48)
    clf = HAMNetClassifier(**PARAMS, pretrain_epochs=3, finetune_epochs=2).fit(X, y)
    assert clf.validation_split_ is None
    assert clf.epochs_kept_ == {"pretrain": 3, "finetune": 2}
    assert "valid_loss" not in clf.history_[-1]
    pretrain_only = HAMNetClassifier(**PARAMS, pretrain_epochs=3, finetune_epochs=0,
                                     **EARLY).fit(X, y)
    assert pretrain_only.validation_split_ == "blocks"
    assert set(pretrain_only.epochs_kept_) == {"pretrain"}


@pytest.mark.parametrize("params, error, match", [
    (dict(early_stopping="yes"), TypeError, "early_stopping must be an instance of bool"),
    (dict(validation_fraction=1.5), ValueError, r"validation_fraction must be a number in \(0"),
    (dict(n_iter_no_change=0), ValueError, "n_iter_no_change must be an int >= 1"),
    (dict(n_iter_no_change=2.5), TypeError, "n_iter_no_change must be an instance of int"),
    (dict(tol=-1.0), ValueError, "tol must be a finite number >= 0"),
    (dict(tol=float("nan")), ValueError, "tol must be a finite number >= 0"),
    (dict(train_split=lambda ds, y=None: (ds, None)), ValueError, "train_split must then"),
])
def test_bad_parameters_are_refused(params, error, match):
    X, y = simulate_windows(24)
    clf = HAMNetClassifier(**{**PARAMS, **EARLY, **params}, pretrain_epochs=2, finetune_epochs=0)
    with pytest.raises(error, match=match):
        clf.fit(X, y)


def test_bad_groups_are_refused():
    X, y = simulate_windows(24)
    clf = HAMNetClassifier(**PARAMS, **EARLY, pretrain_epochs=2, finetune_epochs=0)
    with pytest.raises(ValueError, match=r"expected shape \(24,\), but got \(23,\)"):
        clf.fit(X, y, groups=np.arange(23))


# ------------------------------------------------------- Ctrl-C, resume
class _CtrlC(Callback):
    """Raise KeyboardInterrupt at the end of one epoch of one stage."""

    def __init__(self, stage=None, epoch=None):
        self.stage, self.epoch = stage, epoch

    def on_epoch_end(self, net, **kwargs):
        if net.stage_ == self.stage and len(net.history) == self.epoch:
            raise KeyboardInterrupt


SHORT = dict(PARAMS, **EARLY, pretrain_epochs=12, finetune_epochs=8, pretrain_lr=2e-2,
             finetune_lr=2e-2)


@pytest.fixture(scope="module")
def reference(trials):
    X, y, groups = trials
    return HAMNetClassifier(**SHORT).fit(X, y, groups=groups)


@pytest.mark.parametrize("stage, epoch", [("pretrain", 3), ("finetune", 2)])
def test_resume_after_ctrl_c_gives_the_uninterrupted_fit(trials, reference, stage, epoch):
    X, y, groups = trials
    clf = HAMNetClassifier(**SHORT, callbacks=[("ctrl_c", _CtrlC(stage, epoch))])
    with pytest.warns(RuntimeWarning, match="interrupted"):
        clf.fit(X, y, groups=groups)
    assert clf.interrupted_ and len(clf.history_) == epoch
    # an interruption is not a stop: no epoch was kept yet, the stage goes on
    assert "epoch_kept" not in clf.history_[-1]
    clf.set_params(callbacks__ctrl_c__stage=None)
    clf = pickle.loads(pickle.dumps(clf))
    with pytest.raises(ValueError, match=r"held out groups .* but these groups give blocks"):
        clf.resume(X, y)
    clf.resume(X, y, groups=groups)
    assert not clf.interrupted_ and clf.epochs_kept_ == reference.epochs_kept_
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))


def test_a_stopped_fit_is_complete(trials, reference):
    X, y, groups = trials
    assert len(reference.history_pretrain_) < SHORT["pretrain_epochs"] or (
        len(reference.history_) < SHORT["finetune_epochs"])
    clf = pickle.loads(pickle.dumps(reference))
    before = clf.predict_proba(X)
    clf.resume(X, y, groups=groups)
    assert not clf.interrupted_
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_checkpoints_keep_the_kept_epoch(trials, reference, tmp_path):
    X, y, groups = trials
    cp = StageCheckpoint(dirname=str(tmp_path))
    params = dict(SHORT, callbacks=[cp, LoadInitState(cp)])
    first = HAMNetClassifier(**params).fit(X, y, groups=groups)
    np.testing.assert_array_equal(first.predict_proba(X), reference.predict_proba(X))
    # run again: the checkpoint holds finished stages, so nothing more is trained
    again = HAMNetClassifier(**params).fit(X, y, groups=groups)
    assert len(again.history_) == len(reference.history_)
    assert again.epochs_kept_ == reference.epochs_kept_
    np.testing.assert_array_equal(again.predict_proba(X), reference.predict_proba(X))
    # and the saved files load into a classifier that predicts the same
    loaded = HAMNetClassifier(**SHORT)
    loaded.load_params(checkpoint=StageCheckpoint(dirname=str(tmp_path)))
    assert loaded.epochs_kept_ == reference.epochs_kept_ and not loaded.interrupted_
    assert loaded.validation_split_ == "groups"
    with torch.no_grad():
        np.testing.assert_allclose(loaded.predict_proba(X), reference.predict_proba(X))


# ------------------------------------------------------ make_pipelines
def test_budget_early_turns_early_stopping_on_for_the_networks():
    from mne_hamnet.pipelines import EARLY_STOPPING, make_pipelines

    fixed = make_pipelines(["HAMNet", "HAMNet-pretrain", "DE+SVM"], sfreq=200.0,
                           ch_names=CH_NAMES, pretrain_epochs=30, finetune_epochs=20)
    early = make_pipelines(["HAMNet", "HAMNet-pretrain", "DE+SVM"], sfreq=200.0,
                           ch_names=CH_NAMES, pretrain_epochs=30, finetune_epochs=20,
                           budget="early")
    for name in ("HAMNet", "HAMNet-pretrain"):
        assert fixed[name].early_stopping is False
        params = early[name].get_params()
        assert {key: params[key] for key in EARLY_STOPPING} == EARLY_STOPPING
        assert params["pretrain_epochs"] == 30  # the given epochs are the maxima
    assert early["HAMNet-pretrain"].finetune_epochs == 0
    with pytest.raises(ValueError, match="Allowed values are 'fixed', 'early'"):
        make_pipelines(["HAMNet"], budget="best")


def test_braindecode_networks_stop_by_the_same_rule(trials):
    pytest.importorskip("braindecode")
    from mne_hamnet.pipelines import make_pipelines

    X, y, groups = trials
    pipeline = make_pipelines(["EEGNet"], sfreq=200.0, ch_names=CH_NAMES, pretrain_epochs=40,
                              finetune_epochs=20, batch_size=16, random_state=0,
                              budget="early")["EEGNet"]
    net = pipeline.steps[-1][1]
    net.set_params(n_iter_no_change=3, validation_fraction=0.25, optimizer__lr=2e-2)
    pipeline.fit(X, y, **{f"{pipeline.steps[-1][0]}__groups": groups})
    assert net.validation_split_ == "groups"
    # HAMNet's validation part: the same windows
    _, valid, _ = validation_split(y, groups, 0.25)
    assert np.array_equal(net.valid_index_, valid)
    losses = [row["valid_loss"] for row in net.history_]
    assert len(losses) < 60 and net.epochs_kept_ == {"train": int(np.argmin(losses)) + 1}
    proba = pipeline.predict_proba(X[valid])
    loss = -np.mean(np.log(proba[np.arange(len(valid)), y[valid]]))
    assert loss == pytest.approx(min(losses), rel=1e-4)
    # without groups: blocks; and the same refusals as HAMNet's
    net.set_params(validation_fraction=1.5)
    with pytest.raises(ValueError, match=r"validation_fraction must be a number in \(0, 1\)"):
        pipeline.fit(X, y)


def test_braindecode_networks_keep_the_fixed_budget_by_default(trials):
    pytest.importorskip("braindecode")
    from mne_hamnet.pipelines import make_pipelines

    X, y, _ = trials
    pipeline = make_pipelines(["EEGNet"], sfreq=200.0, ch_names=CH_NAMES, pretrain_epochs=2,
                              finetune_epochs=1, batch_size=16, random_state=0)["EEGNet"]
    net = pipeline.fit(X, y).steps[-1][1]
    assert net.validation_split_ is None and net.epochs_kept_ == {"train": 3}


# --------------------------------------------------------- the benchmark
class _GroupsRecorder(ClassifierMixin, BaseEstimator):
    """Predict the majority class; record the windows and trial ids each fit saw."""

    records = []

    def fit(self, X, y, groups=None):
        self.records.append((X.copy(), None if groups is None else np.asarray(groups)))
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


@pytest.mark.parametrize("protocol", ["trialwise", "cross-subject"])
def test_the_benchmark_hands_trial_ids_to_the_networks(tmp_path, protocol):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from mne_hamnet.datasets import SEED, simulate_seed
    from mne_hamnet.evaluation import evaluate
    from mne_hamnet.paradigms import Emotion

    folder = simulate_seed(tmp_path, n_subjects=2, n_sessions=1, trial_seconds=2.0,
                           random_state=0)
    X, _, metadata = Emotion().get_data(SEED(folder), [1, 2])
    origin = {np.asarray(w, np.float32).tobytes(): (row.subject, row.session, row.run)
              for w, (_, row) in zip(X, metadata.iterrows())}
    _GroupsRecorder.records.clear()
    pipelines = {"bare": _GroupsRecorder(),
                 "piped": make_pipeline(FunctionTransformer(), _GroupsRecorder())}
    evaluate(pipelines, SEED(folder), protocol, random_state=0)
    assert _GroupsRecorder.records
    for windows, groups in _GroupsRecorder.records:
        assert groups is not None and len(groups) == len(windows)
        trials = [origin[w.tobytes()] for w in windows]
        # one id per trial: the same for its windows, another for any other trial
        pairs = set(zip(trials, groups.tolist()))
        assert len(pairs) == len(set(trials)) == len(set(groups.tolist()))


# ---------------------------------------------------------- the command
def test_benchmark_budget_flag(tmp_path, capsys):
    from types import SimpleNamespace

    from mne_hamnet.cli import _training, main

    def resolved(budget=None, quick=False, simulated=False):
        args = SimpleNamespace(quick=quick, budget=budget, pretrain_epochs=None,
                               finetune_epochs=None)
        return _training(args, SimpleNamespace(simulated=simulated))["budget"]

    # real data stops early by default; the simulated default and --quick keep fixed epochs
    assert resolved() == "early" and resolved(budget="fixed") == "fixed"
    assert resolved(simulated=True) == "fixed" and resolved(quick=True) == "fixed"
    assert resolved(simulated=True, budget="early") == "early"
    args = ["benchmark", "--quick", "--budget", "early", "--pipelines", "HAMNet",
            "--protocol", "trialwise", "--subjects", "1", "--out", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "HAMNet: early stopping within 2 pretraining + 1 finetuning epochs" in out
    with pytest.raises(SystemExit):
        main(["benchmark", "--budget", "best"])


def test_classifier_defaults_are_the_shared_early_stopping_defaults():
    # the braindecode wrapper and old pickles take theirs from the constant
    import inspect

    from mne_hamnet._validation import EARLY_STOPPING_DEFAULTS

    signature = inspect.signature(HAMNetClassifier.__init__).parameters
    assert {name: signature[name].default for name in EARLY_STOPPING_DEFAULTS} == (
        EARLY_STOPPING_DEFAULTS)


def test_with_groups_routes_trial_ids_only_to_a_fit_on_the_same_windows(caplog):
    import logging

    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from mne_hamnet._validation import GroupedPipeline, with_groups

    X, y = np.zeros((8, 3)), np.arange(8) % 2
    groups = np.arange(8) // 2
    # an estimator whose fit takes no groups is returned as it is
    lda = LinearDiscriminantAnalysis()
    assert with_groups(lda, groups) is lda
    piped = make_pipeline(FunctionTransformer(), _GroupsRecorder(), memory=None)
    grouped = with_groups(piped, groups)
    assert isinstance(grouped, GroupedPipeline)
    assert [name for name, _ in grouped.steps] == [name for name, _ in piped.steps]
    _GroupsRecorder.records.clear()
    grouped.fit(X, y)
    np.testing.assert_array_equal(_GroupsRecorder.records[-1][1], groups)
    # an inner cross-validation fits on part of the windows: no ids, and a note
    with caplog.at_level(logging.DEBUG, logger="mne_hamnet"):
        grouped.fit(X[:6], y[:6])
    assert _GroupsRecorder.records[-1][1] is None
    assert "8 trial ids for 6 windows" in caplog.text
    bare = with_groups(_GroupsRecorder(), groups)
    bare.fit(X, y)
    np.testing.assert_array_equal(_GroupsRecorder.records[-1][1], groups)
