"""Ctrl-C during a fit, the ways to resume it, and Ctrl-C inside cross-validation."""

import json
import os
import pickle
import signal
import time
import warnings

import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_windows
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback, Checkpoint, LoadInitState

from mne_hamnet import HAMNetClassifier
from mne_hamnet.classifier import StageCheckpoint

PARAMS = dict(pretrain_epochs=4, finetune_epochs=3, verbose=0, random_state=0,
              module__n_spatial_filters=2, sfreq=200.0, ch_names=CH_NAMES, batch_size=16)
INTERRUPTED = pytest.warns(RuntimeWarning, match="interrupted")


@pytest.fixture(scope="module")
def data():
    return simulate_windows(48)


@pytest.fixture(scope="module")
def reference(data):
    """The uninterrupted fit."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    clf = HAMNetClassifier(**PARAMS).fit(*data)
    torch.set_num_threads(n_threads)
    return clf


class CtrlC(Callback):
    """Raise KeyboardInterrupt, as Ctrl-C does, at one epoch (or batch) of one stage."""

    def __init__(self, stage=None, epoch=None, batch=None):
        self.stage, self.epoch, self.batch = stage, epoch, batch

    def _hit(self, net):
        return net.stage_ == self.stage and len(net.history) == self.epoch

    def on_epoch_end(self, net, **kwargs):
        if self.batch is None and self._hit(net):
            raise KeyboardInterrupt

    def on_batch_end(self, net, **kwargs):
        if self.batch is not None and self._hit(net):
            if len(net.history[-1]["batches"]) == self.batch:
                raise KeyboardInterrupt


def _interrupted_fit(data, params=None, **where):
    params = {**PARAMS, **(params or {})}
    # after any checkpoint, so that the epoch it interrupts was saved
    callbacks = [*params.pop("callbacks", []), ("ctrl_c", CtrlC(**where))]
    with INTERRUPTED:
        clf = HAMNetClassifier(**params, callbacks=callbacks).fit(*data)
    clf.set_params(callbacks__ctrl_c__stage=None)  # no second Ctrl-C
    return clf


def _assert_same(a, b, X):
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert len(a.history_pretrain_) == len(b.history_pretrain_)
    assert len(a.history_) == len(b.history_)


@pytest.mark.parametrize("stage, epoch, n_branches", [
    ("pretrain", 1, 1), ("pretrain", 3, 1), ("finetune", 1, 2), ("finetune", 2, 2)])
def test_ctrl_c_leaves_a_classifier_that_predicts(data, stage, epoch, n_branches):
    X, y = data
    clf = _interrupted_fit(data, stage=stage, epoch=epoch)
    assert clf.interrupted_ and clf.stage_ == stage
    assert len(clf.history_) == epoch and clf.initialized_
    assert clf.spatial_filters_.shape == (n_branches, 2, 17)
    assert len(clf.history_pretrain_) == (epoch if stage == "pretrain" else 4)
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all() and set(clf.predict(X)) <= {0, 1}
    # the filters describe the network that predicts
    np.testing.assert_array_equal(clf.temporal_filters_,
                                  clf.module_.temporal.weight[:, 0].detach().numpy())


def test_ctrl_c_in_the_last_epoch_stops_before_stage_two(data, reference):
    clf = _interrupted_fit(data, stage="pretrain", epoch=4)
    assert clf.interrupted_ and clf.stage_ == "pretrain" and len(clf.history_) == 4
    _assert_same(clf.resume(*data), reference, data[0])


def test_ctrl_c_between_the_stages_keeps_stage_one(data, reference):
    class CtrlCAtStageTwo(Callback):
        def initialize(self):
            self.calls_ = getattr(self, "calls_", 0) + 1
            if self.calls_ == 2:  # callbacks are built again for stage 2
                raise KeyboardInterrupt
            return self

    with pytest.warns(RuntimeWarning, match="between the pretrain and finetune stages"):
        clf = HAMNetClassifier(**PARAMS, callbacks=[("c", CtrlCAtStageTwo())]).fit(*data)
    pretrain_only = HAMNetClassifier(**{**PARAMS, "finetune_epochs": 0}).fit(*data)
    assert clf.interrupted_ and clf.stage_ == "pretrain"
    np.testing.assert_array_equal(clf.predict_proba(data[0]), pretrain_only.predict_proba(data[0]))
    clf.set_params(callbacks=[])
    _assert_same(clf.resume(*data), reference, data[0])


@pytest.mark.parametrize("stage, epoch, batch", [
    ("pretrain", 2, None), ("finetune", 1, None), ("pretrain", 2, 2), ("finetune", 3, 1)])
def test_resume_finishes_the_fit(data, reference, stage, epoch, batch):
    clf = _interrupted_fit(data, stage=stage, epoch=epoch, batch=batch)
    if batch is not None:
        assert "train_loss" not in clf.history_[-1]  # the epoch was cut short
    clf.resume(*data)
    assert not clf.interrupted_ and clf.stage_ == "finetune"
    assert len(clf.history_pretrain_) == 4 and len(clf.history_) == 3
    if batch is None:
        # stopped between epochs: the resumed fit is the uninterrupted one, bit for bit
        _assert_same(clf, reference, data[0])


def test_resume_after_pickling(data, reference):
    clf = _interrupted_fit(data, stage="finetune", epoch=1)
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.interrupted_ and restored.stage_ == "finetune"
    _assert_same(restored.resume(*data), reference, data[0])


def test_resume_a_complete_fit_does_nothing(data, reference):
    clf = pickle.loads(pickle.dumps(reference))
    before = clf.predict_proba(data[0])
    np.testing.assert_array_equal(clf.resume(*data).predict_proba(data[0]), before)
    assert len(clf.history_) == 3


def test_ctrl_c_during_resume(data, reference):
    clf = _interrupted_fit(data, stage="pretrain", epoch=1)
    clf.set_params(callbacks__ctrl_c__stage="finetune", callbacks__ctrl_c__epoch=2)
    with INTERRUPTED:
        clf.resume(*data)
    assert clf.interrupted_ and clf.stage_ == "finetune" and len(clf.history_) == 2
    clf.set_params(callbacks__ctrl_c__stage=None)
    _assert_same(clf.resume(*data), reference, data[0])


# ---------------------------------------------------------------- checkpoints
def _checkpointed(tmp_path, **params):
    cp = StageCheckpoint(dirname=str(tmp_path))
    return {**PARAMS, **params, "callbacks": [cp, LoadInitState(cp)]}


@pytest.mark.parametrize("stage, epoch", [("pretrain", 2), ("finetune", 2)])
def test_rerunning_fit_with_stage_checkpoints_resumes(data, reference, tmp_path, stage, epoch):
    clf = _interrupted_fit(data, _checkpointed(tmp_path), stage=stage, epoch=epoch)
    files = sorted(os.listdir(tmp_path))
    expected = ["pretrain_fitted.json", "pretrain_optimizer.pt", "pretrain_params.pt"]
    if stage == "finetune":
        expected = sorted(expected + [f.replace("pretrain", "finetune") for f in expected])
    assert files == expected
    state = json.loads((tmp_path / f"{stage}_fitted.json").read_text())
    assert state["stage"] == stage and state["epochs_done"] == epoch == len(clf.history_)
    # a new process: random_state=None, yet the seeds come back from the checkpoint
    again = HAMNetClassifier(**_checkpointed(tmp_path, random_state=None)).fit(*data)
    assert again.stage_seeds_ == reference.stage_seeds_ and not again.interrupted_
    _assert_same(again, reference, data[0])
    # and once complete, running it again trains nothing more
    third = HAMNetClassifier(**_checkpointed(tmp_path)).fit(*data)
    assert third.history_pretrain_[-1]["epoch"] == 4
    _assert_same(third, reference, data[0])


def test_checkpoint_between_the_stages(data, reference, tmp_path):
    _interrupted_fit(data, _checkpointed(tmp_path), stage="finetune", epoch=1)
    pretrain_only = HAMNetClassifier(**{**PARAMS, "finetune_epochs": 0}).fit(*data)
    clf = HAMNetClassifier(**PARAMS)
    clf.load_params(f_params=tmp_path / "pretrain_params.pt",
                    f_optimizer=tmp_path / "pretrain_optimizer.pt",
                    f_fitted=tmp_path / "pretrain_fitted.json")
    assert clf.stage_ == "pretrain" and clf.interrupted_  # stage 2 is still to come
    np.testing.assert_array_equal(clf.predict_proba(data[0]), pretrain_only.predict_proba(data[0]))
    _assert_same(clf.resume(*data), reference, data[0])


def test_load_the_latest_checkpoint_then_resume(data, reference, tmp_path):
    _interrupted_fit(data, _checkpointed(tmp_path), stage="finetune", epoch=2)
    clf = HAMNetClassifier(**PARAMS)
    clf.load_params(checkpoint=StageCheckpoint(dirname=str(tmp_path)))
    assert clf.stage_ == "finetune" and clf.interrupted_ and len(clf.history_) == 2
    _assert_same(clf.resume(*data), reference, data[0])


def test_checkpoint_of_other_data_is_refused(data, tmp_path):
    _interrupted_fit(data, _checkpointed(tmp_path), stage="pretrain", epoch=2)
    other = simulate_windows(48, random_state=1)
    with pytest.raises(ValueError, match=r"other data \(windows differ\)"):
        HAMNetClassifier(**_checkpointed(tmp_path)).fit(*other)
    with pytest.raises(ValueError, match=r"other data \(n_times, fingerprint differ\)"):
        HAMNetClassifier(**_checkpointed(tmp_path)).fit(data[0][:, :, :100], data[1])


def test_incomplete_checkpoint_is_refused(data, tmp_path):
    _interrupted_fit(data, _checkpointed(tmp_path), stage="pretrain", epoch=2)
    os.remove(tmp_path / "pretrain_params.pt")
    with pytest.raises(ValueError, match="checkpoint .* is incomplete"):
        HAMNetClassifier(**_checkpointed(tmp_path)).fit(*data)


def test_checkpoints_need_the_fitted_state(data, tmp_path):
    plain = Checkpoint(monitor=None, dirname=str(tmp_path))
    with pytest.raises(ValueError, match="only with its fitted state: use StageCheckpoint"):
        HAMNetClassifier(**{**PARAMS, "callbacks": [plain, LoadInitState(plain)]}).fit(*data)
    with pytest.raises(ValueError, match="f_history must be None"):
        HAMNetClassifier(**{**PARAMS, "callbacks": [
            StageCheckpoint(dirname=str(tmp_path), f_history="h.json")]}).fit(*data)


def test_diverging_fit_raises_and_keeps_the_last_finite_checkpoint(data, tmp_path):
    X, y = data
    X = X.copy()
    X[0, 0, 0] = 1e20
    with pytest.raises(FloatingPointError, match="training loss became nan in epoch 1"):
        HAMNetClassifier(**_checkpointed(tmp_path)).fit(X, y)
    assert not (tmp_path / "pretrain_params.pt").exists()  # nothing non-finite was saved


def test_stage_checkpoint_clones_and_refuses_load_best(data, tmp_path):
    from sklearn.base import clone

    cp = StageCheckpoint(dirname=str(tmp_path), fn_prefix="run_")
    twin = clone(HAMNetClassifier(**{**PARAMS, "callbacks": [cp, LoadInitState(cp)]}))
    assert (twin.callbacks[0].fn_prefix, twin.callbacks[1].checkpoint.dirname) == (
        "run_", str(tmp_path))
    twin.set_params(pretrain_epochs=1, finetune_epochs=1).fit(*data)
    assert sorted(os.listdir(tmp_path))[0] == "run_finetune_fitted.json"
    with pytest.raises(ValueError, match="load_best=True would roll a stage back"):
        HAMNetClassifier(**{**PARAMS, "callbacks": [
            StageCheckpoint(dirname=str(tmp_path), load_best=True)]}).fit(*data)


# ------------------------------------------------ Ctrl-C inside cross-validation
class SigInt(Callback):
    """Send this process a real SIGINT, as Ctrl-C in a terminal does, at one epoch."""

    def __init__(self, epoch=2):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if net.stage_ == "pretrain" and len(net.history) == self.epoch:
            os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.parametrize("ctrl_c", [CtrlC(stage="pretrain", epoch=2), SigInt(epoch=2),
                                    CtrlC(stage="finetune", epoch=1)])
def test_ctrl_c_inside_cross_val_score_stops_it(data, ctrl_c):
    clf = HAMNetClassifier(**PARAMS, callbacks=[("ctrl_c", ctrl_c)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "interrupted, call resume()" warning either
        with pytest.raises(KeyboardInterrupt):
            cross_val_score(clf, *data, cv=2)
        with pytest.raises(KeyboardInterrupt):  # in a pipeline, in a grid search
            GridSearchCV(make_pipeline(FunctionTransformer(), clf),
                         {"functiontransformer__validate": [False]}, cv=2).fit(*data)


def test_on_interrupt_keep_scores_the_cut_fold_as_before(data):
    clf = HAMNetClassifier(**PARAMS, on_interrupt="keep",
                           callbacks=[("ctrl_c", CtrlC(stage="pretrain", epoch=2))])
    with INTERRUPTED:
        scores = cross_val_score(clf, *data, cv=2)
    assert scores.shape == (2,)


@pytest.mark.parametrize("stage, epoch", [("pretrain", 3), ("finetune", 2)])
def test_on_interrupt_raise_stops_a_plain_fit_and_keeps_what_it_did(data, reference, stage,
                                                                     epoch):
    clf = HAMNetClassifier(**PARAMS, on_interrupt="raise",
                           callbacks=[("ctrl_c", CtrlC(stage=stage, epoch=epoch))])
    with pytest.raises(KeyboardInterrupt):
        clf.fit(*data)
    # the same state as a kept interruption: it predicts, and resume() finishes the fit
    assert clf.interrupted_ and clf.stage_ == stage and len(clf.history_) == epoch
    assert len(clf.history_pretrain_) == (epoch if stage == "pretrain" else 4)
    np.testing.assert_array_equal(clf.temporal_filters_,
                                  clf.module_.temporal.weight[:, 0].detach().numpy())
    clf.set_params(callbacks__ctrl_c__stage=None)
    _assert_same(clf.resume(*data), reference, data[0])


def test_on_interrupt_is_checked(data):
    with pytest.raises(ValueError, match="'on_interrupt' parameter. Allowed values are "
                                         "'auto', 'keep', 'raise', but got 'stop'"):
        HAMNetClassifier(**PARAMS, on_interrupt="stop").fit(*data)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_ctrl_c_between_the_stages_inside_cross_val_score(data):
    class CtrlCAtStageTwo(Callback):
        def initialize(self):
            self.calls_ = getattr(self, "calls_", 0) + 1
            if self.calls_ == 2:
                raise KeyboardInterrupt
            return self

    with pytest.raises(KeyboardInterrupt):
        cross_val_score(HAMNetClassifier(**PARAMS, callbacks=[("c", CtrlCAtStageTwo())]),
                        *data, cv=2)


# the fits of an evaluation run, counted across the clones of each fold
FITS = {"count": 0, "ctrl_c_at": None}


class CtrlCAtFit(Callback):
    """Ctrl-C in the first epoch of the ``FITS["ctrl_c_at"]``-th fit (its parameters
    never change, so that the pipeline's cache key stays the same)."""

    def on_train_begin(self, net, **kwargs):
        if net.stage_ == "pretrain" and not len(net.history):
            FITS["count"] += 1

    def on_epoch_end(self, net, **kwargs):
        if FITS["count"] == FITS["ctrl_c_at"] and net.stage_ == "pretrain":
            os.kill(os.getpid(), signal.SIGINT)


class SwallowsCtrlC(ClassifierMixin, BaseEstimator):
    """Catch Ctrl-C in fit and carry on, as skorch's (so braindecode's) fit does."""

    def fit(self, X, y):
        FITS["count"] += 1
        if FITS["count"] == FITS["ctrl_c_at"]:
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)  # the signal arrives first
            except KeyboardInterrupt:
                pass
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    from mne_hamnet.datasets import simulate_seed

    return simulate_seed(tmp_path_factory.mktemp("seed"), n_subjects=1, n_sessions=1,
                         n_trials=6, trial_seconds=2.0, random_state=0)


def _hamnet_pipeline():
    from mne_hamnet.datasets import SEED_CH_NAMES

    return HAMNetClassifier(
        pretrain_epochs=2, finetune_epochs=1, verbose=0, random_state=0, batch_size=16,
        module__n_spatial_filters=2, sfreq=200.0, ch_names=list(SEED_CH_NAMES),
        callbacks=[("ctrl_c", CtrlCAtFit())])


@pytest.mark.parametrize("make", [_hamnet_pipeline, SwallowsCtrlC])
def test_ctrl_c_inside_evaluate_stops_it_and_caches_only_finished_folds(
        seed_folder, tmp_path, make, caplog):
    from mne_hamnet.datasets import SEED
    from mne_hamnet.evaluation import evaluate

    cache = tmp_path / "cache"
    kwargs = dict(protocol="trialwise", n_splits=3, random_state=0, n_jobs=1,
                  cache_dir=cache)
    FITS.update(count=0, ctrl_c_at=2)
    try:
        with pytest.raises(KeyboardInterrupt), caplog.at_level("INFO", "mne_hamnet"):
            evaluate({"net": make()}, SEED(seed_folder), **kwargs)
        assert FITS["count"] == 2  # nothing ran after the fold interrupted
        assert len(list(cache.glob("*.json"))) == 1  # only the fold that finished
        assert "Interrupted after 1 of 3 folds" in caplog.text
        FITS.update(count=0, ctrl_c_at=None)
        caplog.clear()
        with caplog.at_level("INFO", "mne_hamnet"):
            results = evaluate({"net": make()}, SEED(seed_folder), **kwargs)
        rerun_fits = FITS["count"]
    finally:
        FITS.update(count=0, ctrl_c_at=None)
    assert "Skipping 1 of 3 folds already finished" in caplog.text
    assert rerun_fits == 2  # the rerun runs the two others
    assert len(results) == 3 and len(list(cache.glob("*.json"))) == 3
