"""The peers' band-pass runs on each trial before windowing, as their recipes do."""

import numpy as np
import pytest
from moabb.analysis.results import get_pipeline_digest
from scipy.signal import butter, sosfiltfilt
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.pipeline import make_pipeline

from mne_hamnet._peer_steps import BandPass
from mne_hamnet.datasets import SEED, SEED_CH_NAMES, simulate_seed
from mne_hamnet.evaluation import evaluate, trial_step_groups
from mne_hamnet.features import DifferentialEntropy, lds_smooth
from mne_hamnet.paradigms import Emotion

SFREQ, L_FREQ, H_FREQ = 200.0, 8.0, 30.0
SEEN = {}


class Recorder(ClassifierMixin, BaseEstimator):
    """Predict the majority class, keeping every window it was given."""

    def __init__(self, tag="raw"):
        self.tag = tag

    def fit(self, X, y):
        SEEN.setdefault(self.tag, []).append(np.array(X))
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        SEEN.setdefault(self.tag, []).append(np.array(X))
        return np.full(len(X), self.majority_)


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    """1 subject x 1 session x 15 trials of 3 s: 3 windows per trial."""
    folder = tmp_path_factory.mktemp("seed")
    return simulate_seed(folder, n_subjects=1, n_sessions=1, trial_seconds=3.0, random_state=0)


@pytest.fixture(scope="module")
def trials(seed_folder):
    """The unfiltered windows and, per window, the same window cut from the filtered trial."""
    X, _, metadata = Emotion().get_data(SEED(seed_folder), [1])
    # an independent filter: scipy's design, applied to each whole trial
    sos = butter(4, [L_FREQ, H_FREQ], btype="bandpass", fs=SFREQ, output="sos")
    expected = np.empty_like(X)
    for run in metadata["run"].unique():
        rows = np.flatnonzero(metadata["run"].to_numpy() == run)
        trial = np.concatenate(list(X[rows]), axis=-1)
        expected[rows] = np.stack(np.split(sosfiltfilt(sos, trial, axis=-1), len(rows), -1))
    return X, expected


def _match(seen, reference):
    """For each seen window, the closest reference window (by sum of squares)."""
    flat = reference.reshape(len(reference), -1)
    out = []
    for window in seen.reshape(len(seen), -1):
        out.append(flat[np.argmin(((flat - window) ** 2).sum(-1))])
    return np.array(out).reshape(seen.shape)


def _out_of_band_fraction(windows):
    spectrum = np.abs(np.fft.rfft(windows, axis=-1)) ** 2
    freqs = np.fft.rfftfreq(windows.shape[-1], 1 / SFREQ)
    outside = (freqs < L_FREQ - 3) | (freqs > H_FREQ + 10)
    return spectrum[..., outside].sum() / spectrum.sum()


def test_band_pass_runs_on_the_trial_and_other_pipelines_see_raw_windows(seed_folder, trials):
    X, expected = trials
    SEEN.clear()
    results = evaluate(
        {"raw": Recorder("raw"), "filtered": make_pipeline(BandPass(SFREQ, L_FREQ, H_FREQ),
                                                           Recorder("filtered"))},
        SEED(seed_folder), "trialwise", n_splits=3, random_state=0,
    )
    assert list(results["pipeline"].unique()) == ["raw", "filtered"]
    filtered = np.concatenate(SEEN["filtered"])
    raw = np.concatenate(SEEN["raw"])
    # a pipeline without a band-pass gets the paradigm's windows unchanged
    np.testing.assert_allclose(raw, _match(raw, X.astype(np.float32)), rtol=0, atol=0)
    # the other gets windows cut from the filtered trial, not filtered alone
    scale = np.abs(expected).max()
    np.testing.assert_allclose(filtered, _match(filtered, expected), rtol=0, atol=1e-5 * scale)
    per_window = BandPass(SFREQ, L_FREQ, H_FREQ).transform(X)
    error = ((per_window - expected) ** 2).sum() / (expected ** 2).sum()
    assert error > 0.01, error
    # the windows of a filtered trial keep less power out of the band
    assert _out_of_band_fraction(filtered) < _out_of_band_fraction(per_window)


def test_pipelines_are_grouped_by_trial_step(seed_folder):
    from mne_hamnet._windowing import _TrialBandPass

    pipelines = {
        "a": Recorder(),
        "b": make_pipeline(BandPass(SFREQ, 8.0, 30.0), Recorder()),
        "c": make_pipeline(BandPass(SFREQ, 4.0, 38.0), Recorder()),
        "d": make_pipeline(BandPass(SFREQ, 8.0, 30.0), Recorder("other")),
        "e": make_pipeline(DifferentialEntropy(sfreq=SFREQ, smooth="lds"), Recorder()),
        "f": make_pipeline(DifferentialEntropy(sfreq=SFREQ), Recorder()),
    }
    dataset = SEED(seed_folder)
    groups = trial_step_groups(pipelines, Emotion(), dataset)
    assert [sorted(group) for _, group in groups] == [["a", "f"], ["b", "d"], ["c"], ["e"]]
    plain = Emotion().make_process_pipelines(dataset)[0]
    # MOABB's digests (which key its results and the fold cache) tell the groups apart
    digests = [get_pipeline_digest(process, Recorder()) for process, _ in groups]
    assert digests[0] == get_pipeline_digest(plain, Recorder())
    assert len(set(digests)) == 4
    added = [step for _, step in groups[1][0].steps if isinstance(step, _TrialBandPass)]
    assert [(s.l_freq, s.h_freq) for s in added] == [(8.0, 30.0)]
    # the smoothing runs as MOABB's postprocess of each run's windows
    assert "_TrialTransform" in repr(groups[3][0].get_params())
    assert "_TrialTransform" not in repr(plain.get_params())
    identity = groups[1][1]["b"].steps[0][1]
    np.testing.assert_array_equal(identity.fit_transform(np.ones((2, 3, 4))), np.ones((2, 3, 4)))
    # the caller's pipelines are left as they were
    assert isinstance(pipelines["b"].steps[0][1], BandPass)
    assert isinstance(pipelines["f"].steps[0][1], DifferentialEntropy)


def test_lds_features_are_smoothed_within_each_trial(seed_folder):
    """evaluate's DE-LDS features equal DE of each trial's windows smoothed alone."""
    SEEN.clear()
    de = DifferentialEntropy(sfreq=SFREQ, ch_names=SEED_CH_NAMES)
    evaluate({"lds": make_pipeline(clone(de).set_params(smooth="lds"), Recorder("lds"))},
             SEED(seed_folder), "trialwise", n_splits=3, random_state=0)
    seen = np.concatenate(SEEN["lds"])
    X, _, metadata = Emotion().get_data(SEED(seed_folder), [1])
    plain = de.fit_transform(X)
    expected = np.empty_like(plain)
    runs = metadata["run"].to_numpy()
    for run in np.unique(runs):
        expected[runs == run] = lds_smooth(plain[runs == run])
    np.testing.assert_allclose(seen, _match(seen, expected), rtol=1e-5)
    # smoothing across trials would give other features
    across = lds_smooth(plain)
    assert np.abs(_match(seen, across) - seen).max() > 1e-3


def test_lds_needs_a_paradigm_that_windows_trials(seed_folder):
    from moabb.paradigms import LeftRightImagery

    lds = make_pipeline(DifferentialEntropy(sfreq=SFREQ, smooth="lds"), Recorder())
    with pytest.raises(ValueError, match="smooths its features over the windows of a trial"):
        trial_step_groups({"lds": lds}, LeftRightImagery(), SEED(seed_folder))
