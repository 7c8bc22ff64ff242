"""Readers of SEED-IV, SEED-V, DEAP, DREAMER and FACED on files written from the published facts.

The files here are written by this module's own small writers, from the facts
in the data sets' documentation (shared/DATASETS.md), never with the package's
simulators or reader constants, so a wrong reader cannot pass its own tests.
"""

import datetime
import io
import pickle
import struct

import mne
import numpy as np
import pytest
from scipy.io import savemat

from mne_hamnet.datasets import (
    DATASETS,
    DEAP,
    DREAMER,
    FACED,
    SEEDIV,
    SEEDV,
    describe_dataset,
    get_dataset_spec,
)
from mne_hamnet.paradigms import Emotion, RatedEmotion

# ---- facts, as published ------------------------------------------------------
SEED62 = (
    "FP1 FPZ FP2 AF3 AF4 F7 F5 F3 F1 FZ F2 F4 F6 F8 FT7 FC5 FC3 FC1 FCZ FC2 FC4 FC6 "
    "FT8 T7 C5 C3 C1 CZ C2 C4 C6 T8 TP7 CP5 CP3 CP1 CPZ CP2 CP4 CP6 TP8 P7 P5 P3 P1 "
    "PZ P2 P4 P6 P8 PO7 PO5 PO3 POZ PO4 PO6 PO8 CB1 O1 OZ O2 CB2"
).split()
SEEDIV_FACTS = {
    1: [1, 2, 3, 0, 2, 0, 0, 1, 0, 1, 2, 1, 1, 1, 2, 3, 2, 2, 3, 3, 0, 3, 0, 3],
    2: [2, 1, 3, 0, 0, 2, 0, 2, 3, 3, 2, 3, 2, 0, 1, 1, 2, 1, 0, 3, 0, 1, 3, 1],
    3: [1, 2, 2, 1, 3, 3, 3, 1, 1, 2, 1, 0, 2, 3, 3, 0, 2, 3, 0, 0, 2, 0, 1, 0],
}
SEEDIV_NAMES = ["neutral", "sad", "fear", "happy"]
SEEDV_STARTS = {
    1: [30, 132, 287, 555, 773, 982, 1271, 1628, 1730, 2025, 2227, 2435, 2667, 2932, 3204],
    2: [30, 299, 548, 646, 836, 1000, 1091, 1392, 1657, 1809, 1966, 2186, 2333, 2490, 2741],
    3: [30, 353, 478, 674, 825, 908, 1200, 1346, 1451, 1711, 2055, 2307, 2457, 2726, 2888],
}
SEEDV_ENDS = {
    1: [102, 228, 524, 742, 920, 1240, 1568, 1697, 1994, 2166, 2401, 2607, 2901, 3172, 3359],
    2: [267, 488, 614, 773, 967, 1059, 1331, 1622, 1777, 1908, 2153, 2302, 2428, 2709, 2817],
    3: [321, 418, 643, 764, 877, 1147, 1284, 1418, 1679, 1996, 2275, 2425, 2664, 2857, 3066],
}
SEEDV_FACTS = {
    1: [4, 1, 3, 2, 0, 4, 1, 3, 2, 0, 4, 1, 3, 2, 0],
    2: [2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0],
    3: [2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0],
}
SEEDV_NAMES = ["disgust", "fear", "sad", "neutral", "happy"]
DEAP32 = (
    "Fp1 AF3 F3 F7 FC5 FC1 C3 T7 CP5 CP1 P3 P7 PO3 O1 Oz Pz "
    "Fp2 AF4 Fz F4 F8 FC6 FC2 Cz C4 T8 CP6 CP2 P4 P8 PO4 O2"
).split()
DREAMER14 = "AF3 F7 F3 FC5 T7 P7 O1 O2 P8 T8 FC6 F4 F8 AF4".split()
FACED_SCALP = (
    "Fp1 Fp2 Fz F3 F4 F7 F8 FC1 FC2 FC5 FC6 Cz C3 C4 T7 T8 "
    "CP1 CP2 CP5 CP6 Pz P3 P4 P7 P8 PO3 PO4 Oz O1 O2"
).split()
FACED_FACTS = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8]
FACED_NAMES = "anger disgust fear sadness neutral amusement inspiration joy tenderness".split()


def _runs(data):
    """The runs of one session in order, as (name, raw)."""
    return sorted(data.items())


# ---- SEED-IV -------------------------------------------------------------------
def _trial_values(n_chans, n_samples, tag):
    """µV values that name their channel (the integer part) and trial (``tag``)."""
    return np.arange(n_chans)[:, None] + tag / 1000.0 + np.zeros((1, n_samples))


def _write_seediv(root, subjects=(1, 2), n_samples=30):
    dates = {1: "20160518", 2: "20160525", 3: "20160601"}
    for session in (1, 2, 3):
        folder = root / "eeg_raw_data" / str(session)
        folder.mkdir(parents=True)
        for subject in subjects:
            # keys in a shuffled order; _eeg1 must not match _eeg10 ... _eeg19
            ks = list(range(24, 0, -1))
            trials = {f"xy_eeg{k}": _trial_values(62, n_samples + k, 10 * session + k) for k in ks}
            savemat(folder / f"{subject}_{dates[session]}.mat", trials)
    return root


def test_seediv_reads_the_published_layout(tmp_path):
    dataset = SEEDIV(_write_seediv(tmp_path))
    assert dataset.subject_list == [1, 2]
    data = dataset.get_data([2])[2]
    assert list(data) == ["0", "1", "2"]
    dates = [next(iter(runs.values())).info["meas_date"].date() for runs in data.values()]
    assert dates == sorted(dates) and dates[0] == datetime.date(2016, 5, 18)
    for session, runs in zip((1, 2, 3), data.values()):
        assert list(runs) == [f"{k:02d}" for k in range(1, 25)]
        for k, (_, raw) in enumerate(_runs(runs), start=1):
            assert raw.ch_names == SEED62
            assert raw.info["sfreq"] == 200.0
            assert raw.n_times == 30 + k
            values = raw.get_data()[:, 0]
            np.testing.assert_allclose(values, (np.arange(62) + (10 * session + k) / 1000) * 1e-6)
            assert list(raw.annotations.description) == [SEEDIV_NAMES[SEEDIV_FACTS[session][k - 1]]]
            assert raw.annotations.duration[0] == pytest.approx((30 + k) / 200.0)
            assert raw.get_montage() is not None


def test_seediv_paradigm_windows_and_config_key(tmp_path, monkeypatch):
    _write_seediv(tmp_path, subjects=(1,), n_samples=200)
    monkeypatch.setenv("MNE_DATASETS_SEEDIV_PATH", str(tmp_path))
    X, y, metadata = Emotion(window=1.0).get_data(SEEDIV(), [1])
    assert X.shape == (72, 62, 200)
    counts = {name: int(np.sum(y == name)) for name in SEEDIV_NAMES}
    assert counts == {
        name: sum(SEEDIV_FACTS[s].count(i) for s in (1, 2, 3))
        for i, name in enumerate(SEEDIV_NAMES)
    }
    assert np.allclose(X[:, 5, 0] - X[:, 4, 0], 1.0)  # µV out of the paradigm


def test_seediv_reads_one_subject_only(tmp_path):
    _write_seediv(tmp_path)
    (tmp_path / "eeg_raw_data" / "1" / "2_20160518.mat").write_bytes(b"not a mat file")
    assert len(SEEDIV(tmp_path).get_data([1])[1]) == 3


def test_seediv_sessions_follow_folders_and_warn_on_dates(tmp_path):
    _write_seediv(tmp_path, subjects=(1,))
    folder = tmp_path / "eeg_raw_data"
    (folder / "3" / "1_20160601.mat").rename(folder / "3" / "1_20160101.mat")
    with pytest.warns(RuntimeWarning, match="do not rise with the session folders"):
        dataset = SEEDIV(tmp_path)
    runs = dataset.get_data([1])[1]["2"]  # still folder 3, with its labels
    labels = [raw.annotations.description[0] for _, raw in _runs(runs)]
    assert labels == [SEEDIV_NAMES[i] for i in SEEDIV_FACTS[3]]


def test_seediv_bad_folders(tmp_path):
    features = tmp_path / "eeg_feature_smooth" / "1"
    features.mkdir(parents=True)
    savemat(features / "1_20160518.mat", {"de_LDS1": np.zeros((62, 42, 5))})
    with pytest.raises(FileNotFoundError, match="features folder 'eeg_feature_smooth'"):
        SEEDIV(tmp_path / "eeg_feature_smooth")
    with pytest.raises(FileNotFoundError, match="none of the session folders"):
        SEEDIV(tmp_path / "eeg_feature_smooth" / "1")
    raw_folder = tmp_path / "eeg_raw_data" / "1"
    raw_folder.mkdir(parents=True)
    savemat(raw_folder / "1_20160518.mat", {"de_LDS1": np.zeros((62, 42, 5))})
    with pytest.raises(ValueError, match="holds features"):
        SEEDIV(tmp_path).get_data([1])
    savemat(raw_folder / "1_20160518.mat", {"ab_eeg1": np.zeros((62, 10))})
    with pytest.raises(ValueError, match=r"trial\(s\) \[2, 3"):
        SEEDIV(tmp_path).get_data([1])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        SEEDIV(tmp_path / "nowhere")


# ---- SEED-V --------------------------------------------------------------------
def _seedv_recording(session, sfreq, extra_seconds=5, lower=False):
    """A Raw like a SEED-V .cnt: 62 SEED channels among M1, M2, VEO, HEO, in volts.

    Channel c carries ``c + t`` µV at time ``t`` s, so a cut shows where it started.
    """
    names = ["M1", "VEO"] + SEED62[::-1] + ["M2", "HEO"]
    if lower:
        names = [name.lower() for name in names]
    n_times = int((SEEDV_ENDS[session][-1] + extra_seconds) * sfreq)
    t = np.arange(n_times) / sfreq
    chans = np.array([SEED62.index(n.upper()) if n.upper() in SEED62 else -1000 for n in names])
    data = (chans[:, None] + t[None, :]) * 1e-6
    return mne.io.RawArray(data, mne.create_info(names, sfreq, "eeg"), verbose=False)


@pytest.mark.parametrize("session", [1, 2, 3])
def test_seedv_cuts_by_the_time_table(session):
    from mne_hamnet.datasets.seedv import SEEDV_TRIAL_TIMES, cut_trials

    sfreq = 4.0  # the published table spans an hour; a low rate keeps this small
    raw = _seedv_recording(session, sfreq, lower=session == 2)
    times = tuple(np.asarray(v, float) for v in SEEDV_TRIAL_TIMES[session])
    trials = cut_trials(raw, session, times, None, "test")
    assert list(trials) == [f"{k:02d}" for k in range(1, 16)]
    for k, (_, trial) in enumerate(_runs(trials)):
        start, end = SEEDV_STARTS[session][k], SEEDV_ENDS[session][k]
        assert trial.ch_names == SEED62
        assert trial.n_times == (end - start) * sfreq
        first = trial.get_data()[:, 0] * 1e6
        np.testing.assert_allclose(first, np.arange(62) + start, atol=1e-6)
        assert list(trial.annotations.description) == [SEEDV_NAMES[SEEDV_FACTS[session][k]]]


def test_seedv_reads_recordings_in_session_order(tmp_path):
    sfreq = 4.0
    # session numbers, not file order, choose the labels; dates rise with them
    for session, date in ((1, "20180804"), (2, "20180811"), (3, "20180818")):
        raw = _seedv_recording(session, sfreq)
        raw.save(tmp_path / f"7_{session}_{date}_raw.fif", verbose=False)
    dataset = SEEDV(tmp_path)
    assert dataset.subject_list == [7]
    data = dataset.get_data([7])[7]
    assert list(data) == ["0", "1", "2"]
    for session, runs in zip((1, 2, 3), data.values()):
        labels = [raw.annotations.description[0] for _, raw in _runs(runs)]
        assert labels == [SEEDV_NAMES[i] for i in SEEDV_FACTS[session]]
        first = next(iter(runs.values()))
        assert first.info["meas_date"].day in (4, 11, 18)
        np.testing.assert_allclose(first.get_data()[3, 0] * 1e6, 3 + 30, atol=1e-3)


def test_seedv_bad_folders(tmp_path):
    (tmp_path / "1_123.npz").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="features folder"):
        SEEDV(tmp_path)
    short = _seedv_recording(1, 4.0)
    short.crop(0, 3300)
    folder = tmp_path / "EEG_raw"
    folder.mkdir()
    short.save(folder / "1_1_20180804_raw.fif", verbose=False)
    with pytest.raises(ValueError, match="ends at 3359 s"):
        SEEDV(tmp_path).get_data([1])
    with pytest.raises(ValueError, match="trial_times"):
        SEEDV(folder, trial_times={1: ([0], [1])})


# ---- DEAP ----------------------------------------------------------------------
class _Python2Pickler(pickle._Pickler):
    """Write byte strings as Python 2 did (BINSTRING), so loading needs latin1."""

    dispatch = dict(pickle._Pickler.dispatch)

    def _save_py2_str(self, obj):
        self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str


def _write_deap(folder, subject, ratings, n_samples=8064):
    folder.mkdir(parents=True, exist_ok=True)
    n_trials = len(ratings)
    data = np.empty((n_trials, 40, n_samples))
    for k in range(n_trials):
        data[k] = np.arange(40)[:, None] + 0.001 * k
        data[k, :, :384] = -500.0  # the baseline, to be dropped
        data[k, 32:] = 1e5  # peripheral channels, to be dropped
    buf = io.BytesIO()
    contents = {b"data": data, b"labels": np.asarray(ratings, dtype=float)}
    _Python2Pickler(buf, protocol=2).dump(contents)
    (folder / f"s{subject:02d}.dat").write_bytes(buf.getvalue())


DEAP_RATINGS = [[5.0, 2.0, 1, 1], [4.99, 7.5, 1, 1], [5.01, 5.0, 1, 1], [8.2, 1.0, 1, 1]]


def test_deap_reads_a_python2_pickle(tmp_path):
    _write_deap(tmp_path / "data_preprocessed_python", 1, DEAP_RATINGS, n_samples=384 + 256)
    _write_deap(tmp_path / "data_preprocessed_python", 12, DEAP_RATINGS, n_samples=384 + 256)
    dataset = DEAP(tmp_path)
    assert dataset.subject_list == [1, 12]
    runs = dataset.get_data([12])[12]["0"]
    assert list(runs) == ["01", "02", "03", "04"]
    for k, (_, raw) in enumerate(_runs(runs)):
        assert raw.ch_names == DEAP32
        assert raw.info["sfreq"] == 128.0
        assert raw.n_times == 256  # 3 s baseline dropped
        values = raw.get_data() * 1e6
        np.testing.assert_allclose(values[:, 0], np.arange(32) + 0.001 * k)
        assert values.max() < 100  # no baseline, no peripheral channel
    labels = [raw.annotations.description[0] for _, raw in _runs(runs)]
    assert labels == ["high_valence", "low_valence", "high_valence", "high_valence"]
    low = DEAP(tmp_path, at_threshold="low").get_data([1])[1]["0"]
    assert [r.annotations.description[0] for _, r in _runs(low)][0] == "low_valence"


@pytest.mark.parametrize(
    "scale, at_threshold, expected",
    [
        ("valence", "high", ["high_valence", "low_valence", "high_valence", "high_valence"]),
        ("valence", "low", ["low_valence", "low_valence", "high_valence", "high_valence"]),
        ("arousal", "high", ["low_arousal", "high_arousal", "high_arousal", "low_arousal"]),
        ("valence_arousal", "low", ["LVLA", "LVHA", "HVLA", "HVLA"]),
    ],
)
def test_rated_emotion_labels_windows_from_ratings(tmp_path, scale, at_threshold, expected):
    _write_deap(tmp_path, 1, DEAP_RATINGS, n_samples=384 + 256)
    paradigm = RatedEmotion(scale=scale, at_threshold=at_threshold, window=1.0, overlap=0.5)
    X, y, metadata = paradigm.get_data(DEAP(tmp_path), [1])
    assert X.shape == (4 * 3, 32, 128)  # 2 s trials, 1 s windows, half overlap
    assert list(y[::3]) == expected
    assert list(metadata.run[::3]) == ["01", "02", "03", "04"]


def _write_ratings_csv(fname, orders):
    """DEAP's participant_ratings.csv: ``orders[subject]`` lists the videos as watched."""
    fname.parent.mkdir(parents=True, exist_ok=True)
    lines = ["Participant_id,Trial,Experiment_id,Start_time,Valence,Arousal,Dominance,"
             "Liking,Familiarity"]
    for subject, videos in orders.items():
        for position, video in enumerate(videos, start=1):
            lines.append(f"{subject},{position},{video},{position * 1000},5,5,5,5,3")
    fname.write_text("\n".join(lines) + "\n")


def test_deap_runs_follow_the_presentation_order_of_participant_ratings(tmp_path):
    folder = tmp_path / "data_preprocessed_python"
    _write_deap(folder, 1, DEAP_RATINGS, n_samples=384 + 256)
    # subject 1 watched video 3 first, then 1, 4 and 2 (DEAP's layout: metadata_csv beside)
    _write_ratings_csv(tmp_path / "metadata_csv" / "participant_ratings.csv",
                       {1: [3, 1, 4, 2]})
    dataset = DEAP(tmp_path)
    assert dataset.presentation_order == {1: {3: 1, 1: 2, 4: 3, 2: 4}}
    assert dataset.trial_order_problem is None
    runs = dataset.get_data([1])[1]["0"]
    assert list(runs) == ["01", "02", "03", "04"]
    # the file's k-th trial (video k) holds 0.001 * (k - 1): run "01" is video 3
    first = [raw.get_data()[0, 0] * 1e6 for _, raw in _runs(runs)]
    np.testing.assert_allclose(first, [0.002, 0.0, 0.003, 0.001], atol=1e-9)
    assert "video 3, watched 1 of 4" in runs["01"].info["description"]
    labels = [raw.annotations.description[0] for _, raw in _runs(runs)]
    assert labels == ["high_valence", "high_valence", "high_valence", "low_valence"]
    # the chronological split tests on the video watched last, video 2
    from mne_hamnet.protocols import ChronologicalSplit

    paradigm = RatedEmotion(scale="valence", window=1.0)
    X, y, metadata = paradigm.get_data(dataset, [1])
    train, test = next(ChronologicalSplit(3).split(X, y, metadata["run"]))
    np.testing.assert_allclose(X[test, 0, 0], 0.001, atol=1e-9)
    assert set(np.round(X[train, 0, 0], 4)) == {0.0, 0.002, 0.003}
    # the same file given by hand, and a missing one
    csv = tmp_path / "metadata_csv" / "participant_ratings.csv"
    assert DEAP(folder, ratings_file=csv).presentation_order == dataset.presentation_order
    with pytest.raises(FileNotFoundError, match="ratings_file .* does not exist"):
        DEAP(folder, ratings_file=tmp_path / "nothing.csv")


def test_deap_without_the_order_refuses_the_chronological_protocol(tmp_path):
    from mne_hamnet.evaluation import evaluate
    from mne_hamnet.pipelines import make_pipelines

    _write_deap(tmp_path, 1, DEAP_RATINGS, n_samples=384 + 256)
    dataset = DEAP(tmp_path)
    assert dataset.presentation_order is None
    # without the order, runs are videos
    assert "video 1)" in dataset.get_data([1])[1]["0"]["01"].info["description"]
    from mne_hamnet.datasets import describe_dataset

    assert "trial order: unknown. DEAP's preprocessed files" in describe_dataset("deap", tmp_path)
    for split in (None, 2):
        with pytest.raises(ValueError, match="in video order .*/participant_ratings.csv"):
            evaluate(make_pipelines(["Majority class"]), dataset, "chronological",
                     chronological_split=split)


@pytest.mark.parametrize("orders, content, match", [
    (None, "Participant_id,Trial\n1,1\n", r"lacks \['Experiment_id'\]"),
    ({2: [1, 2, 3, 4]}, None, "no row for subject 1"),
    ({1: [1, 2, 2, 4]}, None, "Experiment_id values of subject 1 must be 1 to 4"),
    ({1: [1, 2, 3]}, None, "gives the order of 3 videos"),
])
def test_deap_bad_participant_ratings(tmp_path, orders, content, match):
    _write_deap(tmp_path, 1, DEAP_RATINGS, n_samples=384 + 256)
    csv = tmp_path / "participant_ratings.csv"
    if content is None:
        _write_ratings_csv(csv, orders)
    else:
        csv.write_text(content)
    with pytest.raises(ValueError, match=match):
        DEAP(tmp_path).get_data([1])


def test_rated_emotion_refuses_data_without_ratings(tmp_path):
    _write_seediv(tmp_path, subjects=(1,))
    with pytest.raises(ValueError, match="needs a data set with ratings"):
        RatedEmotion().get_data(SEEDIV(tmp_path), [1])
    with pytest.raises(ValueError, match="'scale'"):
        RatedEmotion(scale="liking_valence")


def test_deap_bad_folders_and_files(tmp_path):
    matlab = tmp_path / "data_preprocessed_matlab"
    matlab.mkdir()
    savemat(matlab / "s01.mat", {"data": np.zeros((1, 40, 400))})
    with pytest.raises(FileNotFoundError, match="'data_preprocessed_matlab' folder"):
        DEAP(matlab)
    folder = tmp_path / "python"
    _write_deap(folder, 1, DEAP_RATINGS, n_samples=384 + 64)
    (folder / "s02.dat").write_bytes(b"corrupt")  # another subject: never read
    assert len(DEAP(folder).get_data([1])[1]["0"]) == 4
    with pytest.raises(ValueError, match="pickle of arrays"):
        DEAP(folder).get_data([2])

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    (folder / "s03.dat").write_bytes(pickle.dumps({"data": Evil()}))
    with pytest.raises(ValueError, match="builtins.print"):
        DEAP(folder).get_data([3])
    with pytest.raises(ValueError, match="'target'"):
        DEAP(folder, target="happiness")


# ---- DREAMER -------------------------------------------------------------------
def _write_dreamer(folder, scores, n_samples=256, compress=True):
    """DREAMER.mat as published: struct DREAMER, Data a 1 x n cell of subjects."""
    folder.mkdir(parents=True, exist_ok=True)
    cells = np.empty((1, len(scores)), dtype=object)
    for i, subject_scores in enumerate(scores):
        n_trials = len(subject_scores)
        stimuli = np.empty((n_trials, 1), dtype=object)
        baseline = np.empty((n_trials, 1), dtype=object)
        for k in range(n_trials):
            # (samples x 14): channel j carries j + subject/10 + clip/1000
            stimuli[k, 0] = np.zeros((n_samples + k, 14)) + np.arange(14) + i / 10 + k / 1000
            baseline[k, 0] = np.full((61 * 128, 14), -999.0)
        s = np.asarray(subject_scores, dtype=float)
        cells[0, i] = {
            "Age": 25.0,
            "Gender": "female",
            "EEG": {"baseline": baseline, "stimuli": stimuli},
            "ECG": {"baseline": baseline, "stimuli": stimuli},
            "ScoreValence": s[:, :1],
            "ScoreArousal": s[:, 1:2],
            "ScoreDominance": s[:, 2:3],
        }
    names = np.empty((1, 14), dtype=object)
    names[0, :] = DREAMER14
    dreamer = {
        "Data": cells,
        "EEG_SamplingRate": 128.0,
        "ECG_SamplingRate": 256.0,
        "EEG_Electrodes": names,
        "noOfSubjects": float(len(scores)),
        "noOfVideoSequences": float(len(scores[0])),
    }
    savemat(folder / "DREAMER.mat", {"DREAMER": dreamer}, do_compression=compress)
    return folder / "DREAMER.mat"


DREAMER_SCORES = [[[3, 1, 2], [2, 5, 2], [4, 3, 2]]] * 3


@pytest.mark.parametrize("compress", [True, False])
def test_dreamer_reads_the_published_struct(tmp_path, compress, monkeypatch):
    from mne_hamnet.datasets import dreamer as dreamer_module

    fname = _write_dreamer(tmp_path, DREAMER_SCORES, compress=compress)
    loads = []
    original = dreamer_module.load_mat
    monkeypatch.setattr(
        dreamer_module, "load_mat", lambda *a, **k: loads.append(1) or original(*a, **k)
    )
    dataset = DREAMER(tmp_path)
    assert dataset.subject_list == [1, 2, 3]
    assert loads == []  # the subject list comes from the headers alone
    data = dataset.get_data([2, 3])
    assert loads == [1]  # one load for both subjects
    assert dataset._contents is None  # not held after the call
    assert list(data) == [2, 3]
    runs = data[2]["0"]
    for k, (_, raw) in enumerate(_runs(runs)):
        assert raw.ch_names == DREAMER14
        assert raw.info["sfreq"] == 128.0
        assert raw.n_times == 256 + k  # stimuli, transposed; not the baseline
        np.testing.assert_allclose(raw.get_data()[:, 0] * 1e6, np.arange(14) + 0.1 + k / 1000)
    labels = [raw.annotations.description[0] for _, raw in _runs(runs)]
    assert labels == ["high_valence", "low_valence", "high_valence"]
    strict = DREAMER(fname, target="arousal", at_threshold="low").get_data([1])[1]["0"]
    assert [r.annotations.description[0] for _, r in _runs(strict)] == [
        "low_arousal",
        "high_arousal",
        "low_arousal",
    ]


def test_dreamer_bad_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="DREAMER.mat does not exist"):
        DREAMER(tmp_path)
    savemat(tmp_path / "DREAMER.mat", {"other": np.ones(3)})
    with pytest.raises(ValueError, match="DREAMER.Data"):
        DREAMER(tmp_path)
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64".ljust(512, b"\0")
    (tmp_path / "DREAMER.mat").write_bytes(header + b"\x89HDF" * 100)
    with pytest.raises(ValueError, match="v7.3"):
        DREAMER(tmp_path)
    rng = np.random.default_rng(0)
    (tmp_path / "DREAMER.mat").write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(ValueError, match="DREAMER.Data"):
        DREAMER(tmp_path)


# ---- FACED ---------------------------------------------------------------------
def _write_faced(folder, subjects, order, n_samples=500):
    folder.mkdir(parents=True, exist_ok=True)
    for subject in subjects:
        # row r carries the number of the channel named order[r] in the scalp list
        mastoids = {"A1": 100, "A2": 101}
        codes = np.array([FACED_SCALP.index(n) if n in FACED_SCALP else mastoids[n] for n in order])
        clips = np.zeros((28, 32, n_samples)) + codes[:, None] + np.arange(28)[:, None, None] / 1000
        with open(folder / f"sub{subject:03d}.pkl", "wb") as f:
            pickle.dump(clips, f)


@pytest.mark.parametrize(
    "channel_order, names",
    [
        ("A1A2-after-T8", FACED_SCALP[:16] + ["A1", "A2"] + FACED_SCALP[16:]),
        ("A2A1-last", FACED_SCALP + ["A2", "A1"]),
    ],
)
def test_faced_reads_both_channel_orders(tmp_path, channel_order, names):
    _write_faced(tmp_path / "Processed_data", [0, 61], names)
    dataset = FACED(tmp_path, channel_order=channel_order)
    assert dataset.subject_list == [0, 61]
    runs = dataset.get_data([61])[61]["0"]
    assert len(runs) == 28
    for k, (_, raw) in enumerate(_runs(runs)):
        assert raw.ch_names == names
        assert raw.info["sfreq"] == 250.0
        assert raw.n_times == 500
        scalp = [raw.ch_names.index(n) for n in FACED_SCALP]
        values = raw.get_data()[:, 0] * 1e6
        np.testing.assert_allclose(values[scalp], np.arange(30) + k / 1000)
        np.testing.assert_allclose(values[raw.ch_names.index("A2")], 101 + k / 1000)
        assert raw.annotations.description[0] == FACED_NAMES[FACED_FACTS[k]]
    valence = FACED(tmp_path, target="valence", channel_order=channel_order).get_data([0])[0]["0"]
    labels = [raw.annotations.description[0] for _, raw in _runs(valence)]
    assert labels == ["negative"] * 12 + ["neutral"] * 4 + ["positive"] * 12


def test_faced_bad_folders(tmp_path):
    features = tmp_path / "EEG_Features"
    features.mkdir()
    (features / "de.npy").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="features folder"):
        FACED(features)
    _write_faced(tmp_path / "Processed_data", [3], FACED_SCALP + ["A2", "A1"], n_samples=10)
    with pytest.raises(ValueError, match="channel_order"):
        FACED(tmp_path, channel_order=FACED_SCALP)
    with pytest.raises(ValueError, match="Subject 4 is not in the FACED copy"):
        FACED(tmp_path).get_data([4])
    (tmp_path / "Processed_data" / "sub005.pkl").write_bytes(b"corrupt")  # never read
    assert len(FACED(tmp_path, channel_order="A2A1-last").get_data([3])[3]["0"]) == 28


# ---- the registry: every data set runs end to end on its simulated copy ---------
@pytest.mark.parametrize("name", ["seediv", "seedv", "deap", "dreamer", "faced"])
def test_registered_dataset_runs_simulated(tmp_path, name):
    from mne_hamnet.evaluation import evaluate
    from mne_hamnet.pipelines import make_pipelines

    spec = get_dataset_spec(name)
    assert DATASETS[name] is spec
    spec.simulate(tmp_path, random_state=0, **spec.quick_sizes)
    dataset = spec.dataset(tmp_path)
    paradigm = spec.paradigm()
    X, y, metadata = paradigm.get_data(dataset, dataset.subject_list[:1])
    assert X.ndim == 3 and len(np.unique(y)) >= 2
    first = dataset.subject_list[0]
    raw = next(iter(next(iter(dataset.get_data([first])[first].values())).values()))
    sfreq = paradigm.resample or raw.info["sfreq"]
    pipelines = make_pipelines(["DE+SVM"], sfreq=sfreq, ch_names=raw.ch_names)
    results = evaluate(pipelines, dataset, "cross-subject", paradigm=paradigm, random_state=0)
    assert len(results) >= len(dataset.subject_list)
    assert results.score.between(0, 1).all()


def test_hamnet_fits_deap_windows_with_the_alpha_gamma_bank(tmp_path):
    # DEAP's 128 Hz puts the paper's 40-76 Hz bank above Nyquist; the preset fits
    from mne_hamnet import HAMNetClassifier

    spec = get_dataset_spec("deap")
    spec.simulate(tmp_path, random_state=0, n_subjects=1, n_trials=16, trial_seconds=4.0)
    X, y, _ = spec.paradigm().get_data(spec.dataset(tmp_path), [1])
    bands = "alpha-gamma"
    clf = HAMNetClassifier(
        sfreq=128.0,
        ch_names=DEAP32,
        pretrain_epochs=2,
        finetune_epochs=1,
        module__bands=bands,
        random_state=0,
        verbose=0,
        device="cpu",
    )
    clf.fit(X, y)
    # the bank is the preset's: 2 Hz bands from 8 to 44 Hz, each kernel peaking
    # at its band's centre (at 128 Hz, where the paper's gamma bank cannot go)
    bank = clf.initial_temporal_filters_
    freqs = np.fft.rfftfreq(1024, 1 / 128.0)
    peaks = freqs[np.abs(np.fft.rfft(bank, 1024)).argmax(axis=1)]
    np.testing.assert_allclose(peaks, np.arange(9.0, 45.0, 2.0), atol=0.5)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(np.unique(y)))
    np.testing.assert_array_equal(clf.predict(X), np.unique(y)[proba.argmax(axis=1)])


def test_simulators_are_deterministic(tmp_path):
    from mne_hamnet.datasets import simulate_faced

    simulate_faced(tmp_path / "a", n_subjects=1, trial_seconds=0.1, random_state=3)
    simulate_faced(tmp_path / "b", n_subjects=1, trial_seconds=0.1, random_state=3)
    assert (tmp_path / "a" / "sub000.pkl").read_bytes() == (
        tmp_path / "b" / "sub000.pkl"
    ).read_bytes()
    with pytest.raises(FileExistsError):
        simulate_faced(tmp_path / "a", n_subjects=1, trial_seconds=0.1)


def test_describe_dataset_reports_what_it_read(tmp_path):
    _write_deap(tmp_path, 1, DEAP_RATINGS, n_samples=384 + 128)
    report = describe_dataset("deap", tmp_path)
    assert "subjects (1): 1" in report
    assert "4 trial(s)" in report and "32 channels x 128-128 samples" in report
    assert "sampling frequency: 128 Hz" in report
    assert " ".join(DEAP32) in report
    assert "high_valence 3, low_valence 1" in report
    assert "valence ratings: 4.99 to 8.2, 1 trial(s) at exactly 5" in report
    assert "max 31" in report  # µV: channel 31 carries 31
    with pytest.raises(ValueError, match="'dataset'"):
        describe_dataset("seed-vi", tmp_path)
