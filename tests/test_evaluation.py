"""Tests of mne_hamnet.evaluation: protocols, folds, reproducibility, cache."""

import hashlib
import logging
import os

import numpy as np
import pandas as pd
import pytest
from scipy.io import loadmat, savemat
from sklearn.base import BaseEstimator, ClassifierMixin

from mne_hamnet.datasets import SEED, simulate_seed
from mne_hamnet.evaluation import PROTOCOLS, DataError, evaluate
from mne_hamnet.paradigms import Emotion
from mne_hamnet.pipelines import make_pipelines

N_TRIALS = 15
# What each fit and predict of RecordingClassifier saw: ("fit"|"predict", ids).
RECORDS = []


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    """2 subjects x 2 sessions x 15 trials of 2 s: 2 windows per trial."""
    folder = tmp_path_factory.mktemp("seed")
    return simulate_seed(folder, n_subjects=2, n_sessions=2, trial_seconds=2.0, random_state=0)


@pytest.fixture(scope="module")
def window_ids(seed_folder):
    """Map each window's digest (as evaluate sees it, float32) to its origin."""
    X, _, metadata = Emotion().get_data(SEED(seed_folder), [1, 2])
    X = X.astype(np.float32)
    ids = {}
    for window, (_, row) in zip(X, metadata.iterrows()):
        ids[_window_digest(window)] = (int(row.subject), str(row.session), str(row.run))
    assert len(ids) == len(X)
    return ids


def _window_digest(window):
    return hashlib.blake2b(np.ascontiguousarray(window).tobytes(), digest_size=12).hexdigest()


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Predict the majority class, recording which windows each call saw."""

    def fit(self, X, y):
        RECORDS.append(("fit", [_window_digest(w) for w in X]))
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        RECORDS.append(("predict", [_window_digest(w) for w in X]))
        return np.full(len(X), self.majority_)


def recorded_folds(window_ids):
    """Return [(train origins, test origins), ...] from RECORDS.

    Each fit is followed by the predicts of its fold (one per test session
    for cross-subject).
    """
    folds = []
    for kind, digests in RECORDS:
        origins = [window_ids[d] for d in digests]
        if kind == "fit":
            folds.append((origins, []))
        else:
            folds[-1][1].extend(origins)
    return folds


def run_recording(seed_folder, protocol, **kwargs):
    RECORDS.clear()
    return evaluate({"rec": RecordingClassifier()}, SEED(seed_folder), protocol,
                    random_state=0, **kwargs)


def test_trialwise_folds_never_share_a_trial(seed_folder, window_ids):
    results = run_recording(seed_folder, "trialwise")
    folds = recorded_folds(window_ids)
    assert len(folds) == len(results) == 2 * 2 * 5
    tested = {}
    for train, test in folds:
        # one subject and session per fold ...
        assert len({(s, sess) for s, sess, _ in train + test}) == 1
        # ... and whole trials on one side only
        train_trials = {run for _, _, run in train}
        test_trials = {run for _, _, run in test}
        assert not train_trials & test_trials
        assert all(sum(o[2] == run for o in test) == 2 for run in test_trials)
        subject, session, _ = test[0]
        for run in test_trials:
            tested.setdefault((subject, session), []).append(run)
    # every trial of every session is tested exactly once
    for runs in tested.values():
        assert sorted(runs) == [f"{k:02d}" for k in range(1, N_TRIALS + 1)]


def test_paper_protocol_leaks(seed_folder, window_ids):
    """The paper's protocol puts windows of one trial on both sides of a split."""
    run_recording(seed_folder, "paper")
    folds = recorded_folds(window_ids)
    assert len(folds) == 2 * 2 * 5
    shared = [
        {run for _, _, run in train} & {run for _, _, run in test} for train, test in folds
    ]
    assert any(shared)
    for train, test in folds:
        assert len({(s, sess) for s, sess, _ in train + test}) == 1


def test_cross_session_and_cross_subject_folds(seed_folder, window_ids):
    run_recording(seed_folder, "cross-session")
    folds = recorded_folds(window_ids)
    assert len(folds) == 2 * 2
    for train, test in folds:
        assert len({s for s, _, _ in train + test}) == 1
        assert not {sess for _, sess, _ in train} & {sess for _, sess, _ in test}

    results = run_recording(seed_folder, "cross-subject")
    folds = recorded_folds(window_ids)
    assert len(folds) == 2
    for train, test in folds:
        assert not {s for s, _, _ in train} & {s for s, _, _ in test}
    # one row per session of the subject left out
    assert len(results) == 2 * 2
    assert sorted(results.fold.unique()) == [0, 1]


def test_results_table(seed_folder):
    results = evaluate(make_pipelines(["DE+SVM", "DASM+SVM"]), SEED(seed_folder),
                       list(PROTOCOLS), random_state=0, n_splits=3)
    assert list(results.columns[:5]) == ["protocol", "pipeline", "subject", "session", "fold"]
    assert {"score", "time", "samples", "samples_test", "n_classes", "channels", "n_sessions",
            "dataset"} <= set(results.columns)
    counts = results.groupby("protocol", sort=False).size()
    # per pipeline: 2 subjects x 2 sessions x 3 folds; 2 x 2 x 1 chronological split;
    # 2 x 2; 2 subjects x 2 sessions
    assert counts.to_dict() == {"paper": 24, "trialwise": 24, "chronological": 8,
                                "cross-session": 8, "cross-subject": 8}
    assert list(counts.index) == list(PROTOCOLS)
    within = results[results.protocol == "trialwise"]
    assert set(within.fold) == {0, 1, 2}
    assert (within.groupby(["pipeline", "subject", "session"]).size() == 3).all()
    assert (within.samples + within.samples_test == 2 * N_TRIALS).all()
    assert results.score.between(0, 1).all()
    assert (results.dataset == "SEED").all()


def test_reproducible_and_independent_of_n_jobs(seed_folder):
    kwargs = dict(protocol=["trialwise", "cross-subject"], random_state=0, n_splits=3)

    def run(**extra):
        pipelines = make_pipelines(["HAMNet-pretrain", "DE+SVM"], pretrain_epochs=1,
                                   random_state=0, device="cpu")
        results = evaluate(pipelines, SEED(seed_folder), **kwargs, **extra)
        return results.drop(columns="time")

    first = run()
    pd.testing.assert_frame_equal(first, run())
    pd.testing.assert_frame_equal(first, run(n_jobs=2))


def test_random_state_changes_the_folds(seed_folder):
    def trialwise_folds(random_state):
        RECORDS.clear()
        evaluate({"rec": RecordingClassifier()}, SEED(seed_folder), "trialwise",
                 subjects=[1], random_state=random_state)
        return [tuple(digests) for kind, digests in RECORDS if kind == "predict"]

    assert trialwise_folds(0) == trialwise_folds(0)
    assert trialwise_folds(0) != trialwise_folds(1)


def test_cache_skips_finished_folds(seed_folder, tmp_path, caplog):
    cache = tmp_path / "cache"

    def run():
        RECORDS.clear()
        return evaluate({"rec": RecordingClassifier()}, SEED(seed_folder),
                        ["trialwise", "cross-session"], subjects=[2], random_state=0,
                        cache_dir=cache)

    first = run()
    n_folds = len(first)
    assert len(RECORDS) == 2 * n_folds
    assert len(list(cache.glob("*.json"))) == n_folds

    with caplog.at_level(logging.INFO, logger="mne_hamnet"):
        second = run()
    assert RECORDS == []
    assert f"Skipping {n_folds} of {n_folds} folds already finished" in caplog.text
    pd.testing.assert_frame_equal(first, second)

    # a lost result costs only its own fold
    os.remove(sorted(cache.glob("*.json"))[0])
    third = run()
    assert len(RECORDS) == 2
    pd.testing.assert_frame_equal(first.drop(columns="time"), third.drop(columns="time"))


def test_subjects_and_progress(seed_folder, caplog):
    with caplog.at_level(logging.INFO, logger="mne_hamnet"):
        results = evaluate({"rec": RecordingClassifier()}, SEED(seed_folder), "cross-session",
                           subjects=[2])
    assert set(results.subject) == {"2"}
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("[")]
    assert len(progress) == 2
    assert progress[-1].startswith("[2/2] rec | cross-session | subject 2 | session")
    assert "about 0 s left" in progress[-1]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(protocol="leaky"), ValueError,
         "Invalid value for the 'protocol' parameter. Allowed values are 'paper', "
         "'trialwise', 'chronological', 'cross-session', 'cross-subject', but got 'leaky'"),
        (dict(protocol=["paper", "within"]), ValueError, "but got 'within'"),
        (dict(subjects=[1, 7]), ValueError,
         r"Subject\(s\) \[7\] are not in the data set SEED, whose subjects are \[1, 2\]"),
        (dict(subjects=[1], protocol="cross-subject"), ValueError,
         "'cross-subject' leaves one subject out and needs at least 2 subjects"),
        (dict(n_splits=1), ValueError, "n_splits must be an int >= 2"),
        (dict(n_jobs=0), ValueError, "n_jobs must be a positive int or -1"),
        (dict(pipelines=[RecordingClassifier()]), TypeError, "pipelines must be an instance"),
        (dict(pipelines={"x": "svm"}), TypeError, "Pipeline 'x' must be a scikit-learn"),
        (dict(pipelines={}), ValueError, "at least one pipeline"),
    ],
)
def test_bad_arguments(seed_folder, kwargs, error, match):
    kwargs = dict(kwargs)
    pipelines = kwargs.pop("pipelines", {"rec": RecordingClassifier()})
    with pytest.raises(error, match=match):
        evaluate(pipelines, SEED(seed_folder), **kwargs)


def test_cross_session_needs_two_sessions(tmp_path):
    folder = simulate_seed(tmp_path / "one", n_subjects=2, n_sessions=1, trial_seconds=1.0,
                           random_state=0)
    with pytest.raises(ValueError, match="'cross-session' .* needs at least 2 sessions per "
                                         "subject, but the data set SEED has 1"):
        evaluate({"rec": RecordingClassifier()}, SEED(folder), "cross-session")


def test_bad_trial_shape_names_the_file(tmp_path):
    folder = simulate_seed(tmp_path / "bad", n_subjects=1, n_sessions=1, trial_seconds=1.0,
                           random_state=0)
    (fname,) = [f for f in folder.glob("*.mat") if f.name != "label.mat"]
    trials = {k: v for k, v in loadmat(fname).items() if not k.startswith("__")}
    key = sorted(trials)[0]
    trials[key] = trials[key][:10]
    savemat(fname, trials)
    with pytest.raises(DataError, match=f"{key}.* in .*{fname.name} has shape \\(10, 200\\)"):
        evaluate({"rec": RecordingClassifier()}, SEED(folder), "trialwise")


def test_chronological_trains_on_the_first_trials(seed_folder, window_ids):
    """SEED's 9/6 split: no window of a test trial is seen in training."""
    results = run_recording(seed_folder, "chronological")
    folds = recorded_folds(window_ids)
    assert len(folds) == len(results) == 2 * 2  # one split per session
    for train, test in folds:
        assert len({(s, sess) for s, sess, _ in train + test}) == 1
        train_trials = {int(run) for _, _, run in train}
        test_trials = {int(run) for _, _, run in test}
        assert train_trials == set(range(1, 10))
        assert test_trials == set(range(10, N_TRIALS + 1))
        # by window content, not only by label
        train_digests = {d for d, origin in window_ids.items() if origin in set(train)}
        test_digests = {d for d, origin in window_ids.items() if origin in set(test)}
        assert not train_digests & test_digests
    assert (results.fold == 0).all()


def test_chronological_split_can_be_a_fraction(seed_folder, window_ids):
    run_recording(seed_folder, "chronological", subjects=[1], chronological_split=0.6)
    for train, _test in recorded_folds(window_ids):
        assert {int(run) for _, _, run in train} == set(range(1, 10))  # round(0.6 * 15)
    run_recording(seed_folder, "chronological", subjects=[1], chronological_split=3)
    for train, test in recorded_folds(window_ids):
        assert max(int(run) for _, _, run in train) == 3
        assert min(int(run) for _, _, run in test) == 4


def test_chronological_split_orders_trials_naturally():
    from mne_hamnet.protocols import ChronologicalSplit

    groups = np.array(["10", "2", "2", "1", "3", "11"])
    (train, test), = ChronologicalSplit(train_size=3).split(np.zeros(6), groups=groups)
    assert sorted(groups[train]) == ["1", "2", "2", "3"]
    assert sorted(groups[test]) == ["10", "11"]
    with pytest.raises(ValueError, match="trains on the first 6 trials .* has 5 trials"):
        next(ChronologicalSplit(train_size=6).split(np.zeros(6), groups=groups))
    with pytest.raises(ValueError, match="needs groups"):
        next(ChronologicalSplit().split(np.zeros(6)))


def test_a_pipeline_built_for_other_data_is_refused(seed_folder):
    from mne_hamnet import HAMNetClassifier
    from mne_hamnet.datasets import SEED_CH_NAMES
    from mne_hamnet.features import DifferentialEntropy

    run = dict(protocol="trialwise", subjects=[1])
    with pytest.raises(ValueError, match=r"'ham' was built for sfreq=160.0 .*sampled at 200 Hz"):
        evaluate({"ham": HAMNetClassifier(sfreq=160.0)}, SEED(seed_folder), **run)
    reordered = list(SEED_CH_NAMES)[::-1]
    with pytest.raises(ValueError, match="'de' was built for the same channels in another "
                                         "order"):
        evaluate({"de": DifferentialEntropy(sfreq=200.0, ch_names=reordered)},
                 SEED(seed_folder), **run)
    with pytest.raises(ValueError, match=r"'ham' was built for 61 channels \(missing \['CB2'\]"):
        evaluate({"ham": HAMNetClassifier(ch_names=list(SEED_CH_NAMES)[:-1])},
                 SEED(seed_folder), **run)
    # the pipelines the benchmark builds for these data pass
    results = evaluate(make_pipelines(["DE+SVM"], sfreq=200.0, ch_names=SEED_CH_NAMES),
                       SEED(seed_folder), **run, n_splits=2)
    assert len(results) == 2 * 2  # 2 sessions x 2 folds


def test_more_folds_than_trials_is_refused_before_any_fold(seed_folder):
    RECORDS.clear()
    with pytest.raises(ValueError, match="'trialwise' needs at least 16 trials per session "
                                         "for n_splits=16 folds, but subject 1, session"):
        evaluate({"rec": RecordingClassifier()}, SEED(seed_folder), "trialwise", n_splits=16)
    assert RECORDS == []


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(random_state=-5), ValueError, "random_state must be an int >= 0"),
        (dict(chronological_split=0), ValueError, "at least 1 trial, but got 0"),
        (dict(chronological_split=1.5), ValueError, r"fraction in \(0, 1\), but got 1.5"),
        (dict(chronological_split=20, protocol="chronological"), ValueError,
         "trains on the first 20 trials of each session, but a session has 15"),
        (dict(paradigm=Emotion(events=["happy"])), ValueError,
         r"The paradigm Emotion cannot read the data set SEED .*asks for events \['happy'\]"),
        (dict(paradigm="Emotion"), TypeError, "paradigm must be an instance of a MOABB "
                                              "paradigm"),
        (dict(subjects=[1, 1]), ValueError, "subjects"),
    ],
)
def test_more_bad_arguments(seed_folder, kwargs, error, match):
    with pytest.raises(error, match=match):
        evaluate({"rec": RecordingClassifier()}, SEED(seed_folder), **kwargs)


def test_unwritable_cache_is_refused_before_any_fold(seed_folder, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    RECORDS.clear()
    with pytest.raises(ValueError, match="Cannot write to the cache folder"):
        evaluate({"rec": RecordingClassifier()}, SEED(seed_folder), "trialwise",
                 cache_dir=blocker / "cache")
    assert RECORDS == []


def test_check_pipelines_fit_reads_nested_and_module_params():
    from sklearn.pipeline import make_pipeline

    from mne_hamnet.evaluation import check_pipelines_fit

    class Net(ClassifierMixin, BaseEstimator):
        def __init__(self, module__n_chans=None, sfreq=None):
            self.module__n_chans = module__n_chans
            self.sfreq = sfreq

    names = ["C3", "Cz", "C4"]
    check_pipelines_fit({"ok": make_pipeline(Net(module__n_chans=3, sfreq=160.0))}, 160.0,
                        names)
    check_pipelines_fit({"inferred": make_pipeline(Net())}, 160.0, names)
    with pytest.raises(ValueError, match=r"'net' was built for n_chans=64 "
                                         r"\(net__module__n_chans\), but .* 3 channels"):
        check_pipelines_fit({"net": make_pipeline(Net(module__n_chans=64))}, 160.0, names)
    with pytest.raises(ValueError, match=r"sfreq=250.0 \(net__sfreq\)"):
        check_pipelines_fit({"net": make_pipeline(Net(sfreq=250.0))}, 160.0, names)
