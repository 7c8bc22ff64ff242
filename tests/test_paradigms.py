"""Tests of the Emotion paradigm, alone and inside MOABB's evaluations."""

import warnings

import numpy as np
import pandas as pd
import pytest
from moabb.datasets.fake import FakeDataset
from moabb.evaluations import (
    CrossSessionEvaluation,
    CrossSubjectEvaluation,
    WithinSessionEvaluation,
)
from moabb.evaluations.splitters import WithinSessionSplitter
from scipy.io import savemat
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from mne_hamnet.datasets import SEED, simulate_seed
from mne_hamnet.paradigms import Emotion

SEED_LABELS = [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1]
LABEL_NAMES = {-1: "negative", 0: "neutral", 1: "positive"}
# Trial k of the ragged folder lasts 400 + 37 k samples: 2.185 s to 4.775 s.
TRIAL_SAMPLES = [400 + 37 * k for k in range(1, 16)]


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    """A simulated folder: 2 subjects x 2 sessions x 15 trials of 3 s."""
    folder = tmp_path_factory.mktemp("seed")
    return simulate_seed(folder, n_subjects=2, n_sessions=2, trial_seconds=3.0, random_state=0)


@pytest.fixture(scope="module")
def ragged_folder(tmp_path_factory):
    """One subject, one session, trials of different lengths; values = µV."""
    folder = tmp_path_factory.mktemp("ragged")
    rng = np.random.default_rng(0)
    trials = {
        f"zz_eeg{k}": 20 * rng.standard_normal((62, n))
        for k, n in enumerate(TRIAL_SAMPLES, start=1)
    }
    savemat(folder / "1_20140101.mat", trials)
    savemat(folder / "label.mat", {"label": np.atleast_2d(SEED_LABELS)})
    return folder


def expected_count(window, overlap, sfreq=200.0):
    n_window = round(window * sfreq)
    n_step = round(window * (1 - overlap) * sfreq)
    return sum((n - n_window) // n_step + 1 for n in TRIAL_SAMPLES if n >= n_window)


def log_variance(X):
    return np.log(np.var(X, axis=-1))


def make_pipelines():
    return {
        "logvar+LR": make_pipeline(
            FunctionTransformer(log_variance), StandardScaler(), LogisticRegression()
        )
    }


@pytest.mark.parametrize("window", [1.0, 0.5, 0.73])
def test_window_counts_without_overlap(ragged_folder, window):
    X, labels, metadata = Emotion(window=window).get_data(SEED(ragged_folder), [1])
    n_window = round(window * 200)
    assert X.shape == (sum(n // n_window for n in TRIAL_SAMPLES), 62, n_window)
    assert len(labels) == len(metadata) == len(X)
    counts = metadata.groupby("run").size()
    for k, n in enumerate(TRIAL_SAMPLES, start=1):
        assert counts[f"{k:02d}"] == n // n_window


@pytest.mark.parametrize("window, overlap", [(1.0, 0.5), (0.5, 0.25), (2.0, 0.9)])
def test_window_counts_with_overlap(ragged_folder, window, overlap):
    X, _, _ = Emotion(window=window, overlap=overlap).get_data(SEED(ragged_folder), [1])
    assert X.shape == (expected_count(window, overlap), 62, round(window * 200))


def test_trials_shorter_than_window_are_skipped(ragged_folder):
    # Only trials 11-15 (807 samples and more) hold a 4 s window.
    _, _, metadata = Emotion(window=4.0).get_data(SEED(ragged_folder), [1])
    assert sorted(metadata.run.unique()) == ["11", "12", "13", "14", "15"]


def test_windows_are_trial_slices_in_microvolts(ragged_folder):
    dataset = SEED(ragged_folder)
    runs = dataset.get_data(subjects=[1])[1]["0"]
    X, _, metadata = Emotion(window=1.0, overlap=0.5).get_data(dataset, [1])
    for run in ("01", "15"):
        windows = X[(metadata.run == run).to_numpy()]
        volts = runs[run].get_data()
        for i, window in enumerate(windows):
            np.testing.assert_allclose(window, 1e6 * volts[:, 100 * i : 100 * i + 200])
        assert 100 * (len(windows) - 1) + 200 <= volts.shape[1]


def test_labels_and_metadata(seed_folder):
    X, labels, metadata = Emotion().get_data(SEED(seed_folder), [1, 2])
    assert X.shape == (2 * 2 * 15 * 3, 62, 200)
    assert isinstance(metadata, pd.DataFrame)
    assert {"subject", "session", "run"} <= set(metadata.columns)
    assert sorted(metadata.subject.unique()) == [1, 2]
    assert sorted(metadata.session.unique()) == ["0", "1"]
    expected = [LABEL_NAMES[SEED_LABELS[int(run) - 1]] for run in metadata.run]
    np.testing.assert_array_equal(labels, expected)
    assert 5 < X.std() < 100  # µV: MOABB scales arrays by unit_factor


def test_return_epochs(seed_folder):
    epochs, labels, metadata = Emotion().get_data(SEED(seed_folder), [1], return_epochs=True)
    assert len(epochs) == len(labels) == len(metadata) == 2 * 15 * 3
    assert epochs.get_data().shape[1:] == (62, 200)
    assert set(epochs.event_id) == {"negative", "neutral", "positive"}
    assert 2e-6 < epochs.get_data().std() < 1e-4  # volts
    np.testing.assert_array_equal(epochs.metadata.run, metadata.run)


def test_events_subset(seed_folder):
    paradigm = Emotion(events=["negative", "positive"])
    _, labels, _ = paradigm.get_data(SEED(seed_folder), [1])
    assert set(labels) == {"negative", "positive"}
    assert len(labels) == 2 * 10 * 3


def test_resample_and_filter(seed_folder):
    X, _, _ = Emotion(resample=100.0, fmin=1.0, fmax=40.0).get_data(SEED(seed_folder), [1])
    assert X.shape == (2 * 15 * 3, 62, 100)


def test_channels(seed_folder):
    X, _, _ = Emotion(channels=["O2", "FP1"]).get_data(SEED(seed_folder), [1])
    assert X.shape[1] == 2


def test_is_valid_and_scoring(seed_folder):
    dataset = SEED(seed_folder)
    assert Emotion().is_valid(dataset)
    assert not Emotion(events=["sad"]).is_valid(dataset)
    assert not Emotion().is_valid(FakeDataset(paradigm="imagery"))
    assert Emotion().scoring == "accuracy"
    assert Emotion(scorer="balanced_accuracy").scoring == "balanced_accuracy"
    assert Emotion().used_events(dataset) == dataset.event_id


def test_datasets_from_config(seed_folder, monkeypatch):
    monkeypatch.setenv("MNE_DATASETS_SEED_PATH", str(seed_folder))
    (dataset,) = Emotion().datasets
    assert isinstance(dataset, SEED)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(window=0.0), "window must be a positive number of seconds"),
        (dict(window=float("inf")), "window must be a positive number of seconds, but got inf"),
        (dict(overlap=1.0), r"overlap must be a fraction in \[0, 1\)"),
        (dict(overlap=50), r"overlap must be a fraction in \[0, 1\), but got 50"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Emotion(**kwargs)


def test_window_shorter_than_a_sample(seed_folder):
    with pytest.raises(ValueError, match="both must be at least 1"):
        Emotion(window=0.001).get_data(SEED(seed_folder), [1])


def test_splitter_groups_folds_by_trial(seed_folder):
    _, labels, metadata = Emotion().get_data(SEED(seed_folder), [1, 2])
    splitter = WithinSessionSplitter(
        n_folds=3, cv_class=StratifiedGroupKFold, groups="run", random_state=0
    )
    n_folds = 0
    for train, test in splitter.split(labels, metadata):
        train_meta, test_meta = metadata.iloc[train], metadata.iloc[test]
        # Each fold stays inside one (subject, session) ...
        assert len(test_meta.groupby(["subject", "session"])) == 1
        assert len(train_meta.groupby(["subject", "session"])) == 1
        # ... and whole trials go to one side only.
        assert not set(train_meta.run) & set(test_meta.run)
        assert set(labels[test]) == {"negative", "neutral", "positive"}
        n_folds += 1
    assert n_folds == 2 * 2 * 3


@pytest.mark.parametrize(
    "evaluation, kwargs, n_rows",
    [
        (WithinSessionEvaluation, {}, 4),
        (
            WithinSessionEvaluation,
            dict(cv_class=StratifiedGroupKFold, groups="run", n_splits=3),
            4,
        ),
        (CrossSessionEvaluation, {}, 4),
        (CrossSubjectEvaluation, {}, 4),
    ],
)
def test_moabb_evaluations(seed_folder, tmp_path, evaluation, kwargs, n_rows):
    evaluation = evaluation(
        paradigm=Emotion(),
        datasets=[SEED(seed_folder)],
        overwrite=True,
        hdf5_path=str(tmp_path),
        random_state=0,
        **kwargs,
    )
    with warnings.catch_warnings():
        # MOABB's results store creates HDF5 data sets in a way h5py 3.16
        # deprecates (an H5pyDeprecationWarning, a UserWarning).
        warnings.filterwarnings("ignore", "Creating a dataset without passing data")
        results = evaluation.process(make_pipelines())
    assert len(results) == n_rows
    assert set(results.subject.astype(int)) == {1, 2}
    assert results.score.between(0, 1).all()
    assert (results.n_classes == 3).all()


def test_window_longer_than_every_trial(seed_folder):
    with pytest.raises(ValueError, match=r"Emotion\(window=10.0\) cut no window from "
                       r"subject\(s\) \[1\] of SEED: no trial is at least 10.0 s long"):
        Emotion(window=10.0).get_data(SEED(seed_folder), [1])


def test_unknown_event_names_the_valid_ones(seed_folder):
    with pytest.raises(ValueError, match=r"events=\['happy'\] names \['happy'\], which SEED "
                       r"does not have; its events are \['negative', 'neutral', 'positive'\]"):
        Emotion(events=["happy"]).get_data(SEED(seed_folder), [1])


def test_dataset_of_another_paradigm():
    with pytest.raises(ValueError, match="Emotion needs an emotion data set such as SEED"):
        Emotion().get_data(FakeDataset(paradigm="imagery"), [1])


def test_unknown_channel_is_named(seed_folder):
    with pytest.raises(ValueError, match=r"channels=\['O2', 'XX'\] names \['XX'\]"):
        Emotion(channels=["O2", "XX"]).get_data(SEED(seed_folder), [1])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(events="negative"), TypeError, r"events must be a list of str .* write \['negative'\]"),
    (dict(events=[]), ValueError, "events must name at least one"),
    (dict(events=["negative", "negative"]), ValueError, "events must be unique"),
    (dict(channels=[1, 2]), TypeError, "channels must be a list of str"),
    (dict(fmin=40.0, fmax=8.0), ValueError, "fmin must be below fmax"),
    (dict(fmin=-1.0), ValueError, "fmin must be a non-negative frequency"),
    (dict(resample=0), ValueError, "resample must be a positive sampling frequency"),
])
def test_more_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        Emotion(**kwargs)
