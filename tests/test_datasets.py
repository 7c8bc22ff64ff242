"""Tests of SEED's reader, its channel layout and the SEED simulator."""

import datetime
import re

import h5py
import mne
import numpy as np
import pytest
from scipy.io import loadmat, savemat
from scipy.signal import butter, sosfiltfilt
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mne_hamnet.datasets import SEED, SEED_CH_NAMES, make_seed_montage, simulate_seed

SEED_LABELS = [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1]
LABEL_NAMES = {-1: "negative", 0: "neutral", 1: "positive"}
# SEED's published "Channel Order.xlsx", copied by hand: an independent copy, so
# that the reader is not checked against the constant the simulator writes.
SEED62 = (
    "FP1 FPZ FP2 AF3 AF4 F7 F5 F3 F1 FZ F2 F4 F6 F8 FT7 FC5 FC3 FC1 FCZ FC2 FC4 FC6 "
    "FT8 T7 C5 C3 C1 CZ C2 C4 C6 T8 TP7 CP5 CP3 CP1 CPZ CP2 CP4 CP6 TP8 P7 P5 P3 P1 "
    "PZ P2 P4 P6 P8 PO7 PO5 PO3 POZ PO4 PO6 PO8 CB1 O1 OZ O2 CB2"
).split()


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    """A simulated folder: 2 subjects x 2 sessions x 15 trials of 3.5 s."""
    folder = tmp_path_factory.mktemp("seed")
    return simulate_seed(folder, n_subjects=2, n_sessions=2, trial_seconds=3.5, random_state=0)


@pytest.fixture
def write_seed(tmp_path):
    """Return a function writing a SEED folder from ``{file name: {key: µV}}``."""

    def write(files, labels=SEED_LABELS):
        for name, trials in files.items():
            savemat(tmp_path / name, trials)
        if labels is not None:
            savemat(tmp_path / "label.mat", {"label": np.atleast_2d(labels)})
        return tmp_path

    return write


def constant_trials(value=1.0, n_trials=15, n_times=50, initials="ab"):
    """Trials ``<initials>_eeg<k>`` of shape (62, n_times), all equal to ``value``."""
    return {
        f"{initials}_eeg{k}": np.full((62, n_times), float(value)) for k in range(1, n_trials + 1)
    }


def test_seed_ch_names():
    assert list(SEED_CH_NAMES) == SEED62
    assert len(SEED_CH_NAMES) == 62
    assert len(set(SEED_CH_NAMES)) == 62
    assert all(name == name.upper() for name in SEED_CH_NAMES)
    assert SEED_CH_NAMES[:3] == ("FP1", "FPZ", "FP2")
    assert SEED_CH_NAMES[-5:] == ("CB1", "O1", "OZ", "O2", "CB2")


def test_make_seed_montage():
    montage = make_seed_montage()
    assert montage.ch_names == SEED62
    pos = montage.get_positions()["ch_pos"]
    assert all(np.isfinite(p).all() for p in pos.values())
    cb1, cb2 = pos["CB1"], pos["CB2"]
    np.testing.assert_allclose(cb2, cb1 * [-1, 1, 1])
    assert cb1[0] < 0  # left
    # SEED's channel_62_pos.locs: CB1 at -150 deg on the ring of PO7 (-135) and
    # O1 (-165), halfway between them; not below O1 as MNE-less guesses put it
    names = [n for n in SEED_CH_NAMES if n != "CB1"]
    dist = {n: np.linalg.norm(pos[n] - cb1) for n in names}
    assert sorted(dist, key=dist.get)[:2] in (["PO7", "O1"], ["O1", "PO7"])
    assert abs(dist["PO7"] - dist["O1"]) < 0.002
    assert min(pos["PO7"][2], pos["O1"][2]) - 0.005 < cb1[2] < max(pos["PO7"][2],
                                                                   pos["O1"][2]) + 0.005


def test_cb_positions_follow_seeds_locs_file_as_mne_reads_it(tmp_path):
    """Read SEED's own positions of CB1/CB2 and neighbours with MNE's .locs reader:
    each CB lies on its neighbours' great circle at the fraction we use."""
    from mne_hamnet.datasets._seed_layout import SEED_LOCS_POLAR, _slerp

    fname = tmp_path / "channel_62_pos.locs"
    fname.write_text("".join(f"{i}\t{theta}\t{radius}\t{name}\n" for i, (name, (theta, radius))
                             in enumerate(SEED_LOCS_POLAR.items(), 1)))
    pos = mne.channels.read_custom_montage(fname).get_positions()["ch_pos"]
    # the file's ring is a small circle just below the equator; its great-circle
    # chord differs by about 0.1 mm on a 95 mm head
    np.testing.assert_allclose(_slerp(pos["PO7"], pos["O1"], 0.5), pos["CB1"], atol=2e-4)
    np.testing.assert_allclose(_slerp(pos["PO8"], pos["O2"], 0.5), pos["CB2"], atol=2e-4)
    assert pos["CB1"][0] < 0 < pos["CB2"][0] and pos["CB1"][1] < 0


def test_simulate_layout(seed_folder):
    files = sorted(p.name for p in seed_folder.glob("*.mat"))
    assert "label.mat" in files
    data_files = [f for f in files if f != "label.mat"]
    assert len(data_files) == 4
    label = loadmat(seed_folder / "label.mat")["label"]
    assert label.shape == (1, 15)
    np.testing.assert_array_equal(label.ravel(), SEED_LABELS)
    initials = {}
    for subject in (1, 2):
        names = sorted(f for f in data_files if f.startswith(f"{subject}_"))
        dates = [datetime.datetime.strptime(n[2:10], "%Y%m%d") for n in names]
        assert dates[1] - dates[0] == datetime.timedelta(weeks=1)
        for name in names:
            contents = loadmat(seed_folder / name)
            keys = [k for k in contents if not k.startswith("__")]
            prefixes = {re.fullmatch(r"(.+)_eeg(\d+)", k)[1] for k in keys}
            assert len(prefixes) == 1
            initials.setdefault(subject, prefixes.pop())
            assert sorted(keys) == sorted(f"{initials[subject]}_eeg{k}" for k in range(1, 16))
            x = contents[keys[0]]
            assert x.dtype == np.float64
            assert x.shape == (62, 700)
            assert 5 < x.std() < 100  # µV
    assert initials[1] != initials[2]


def test_simulate_deterministic(tmp_path):
    kwargs = dict(n_subjects=1, n_sessions=1, n_trials=2, trial_seconds=1.0)
    paths = [simulate_seed(tmp_path / str(i), random_state=7, **kwargs) for i in (0, 1)]
    other = simulate_seed(tmp_path / "other", random_state=8, **kwargs)
    names = [sorted(p.name for p in path.glob("*.mat")) for path in paths]
    assert names[0] == names[1]
    first, second = (loadmat(path / names[0][0]) for path in paths)
    keys = [k for k in first if not k.startswith("__")]
    for key in keys:
        np.testing.assert_array_equal(first[key], second[key])
    other_data = [v for k, v in loadmat(next(other.glob("1_*.mat"))).items() if k[0] != "_"]
    assert not np.allclose(other_data[0], first[keys[0]])


def test_simulate_refuses_folder_with_mat_files(seed_folder):
    with pytest.raises(FileExistsError, match="already holds .mat files"):
        simulate_seed(seed_folder)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_subjects=0), "n_subjects must be an int >= 1"),
        (dict(sfreq=100.0), "sfreq must be above 150"),
        (dict(trial_seconds=0.0), "trial_seconds must give at least one sample"),
    ],
)
def test_simulate_bad_input(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_seed(tmp_path, **kwargs)


def test_simulate_class_effect_in_gamma_power(tmp_path):
    """Gamma power separates the classes on 1 s windows; raw power does not."""
    folder = simulate_seed(tmp_path, n_subjects=1, n_sessions=1, random_state=0)
    X, y, groups = [], [], []
    contents = loadmat(next(folder.glob("1_*.mat")))
    for key, trial in contents.items():
        match = re.fullmatch(r"(.+)_eeg(\d+)", key)
        if match is None:
            continue
        k = int(match[2])
        windows = trial.reshape(62, -1, 200).transpose(1, 0, 2)
        X.append(windows)
        y += [SEED_LABELS[k - 1]] * len(windows)
        groups += [k] * len(windows)
    X = np.concatenate(X)
    sos = butter(4, [40, 70], "bandpass", fs=200, output="sos")
    clf = make_pipeline(StandardScaler(), LogisticRegression())

    def accuracy(features):
        cv = GroupKFold(5)
        return cross_val_score(clf, features, y, groups=groups, cv=cv).mean()

    gamma = accuracy(np.log(np.var(sosfiltfilt(sos, X, axis=-1), axis=-1)))
    broadband = accuracy(np.log(np.var(X, axis=-1)))
    assert gamma > 0.55  # chance: 1/3
    assert broadband < gamma - 0.15


def test_seed_structure(seed_folder):
    dataset = SEED(seed_folder)
    assert dataset.subject_list == [1, 2]
    assert dataset.n_sessions == 2
    assert dataset.paradigm == "emotion"
    assert dataset.code == "SEED"
    assert dataset.event_id == {"negative": 1, "neutral": 2, "positive": 3}
    data = dataset.get_data(subjects=[2])
    assert list(data) == [2]
    assert list(data[2]) == ["0", "1"]
    assert list(data[2]["0"]) == [f"{k:02d}" for k in range(1, 16)]


def test_seed_raw(seed_folder):
    runs = SEED(seed_folder).get_data(subjects=[1])[1]["0"]
    raw = runs["01"]
    assert isinstance(raw, mne.io.RawArray)
    assert raw.ch_names == SEED62
    assert set(raw.get_channel_types()) == {"eeg"}
    assert raw.info["sfreq"] == 200.0
    assert raw.n_times == 700
    assert 2e-6 < raw.get_data().std() < 1e-4  # volts, tens of µV
    positions = raw.get_montage().get_positions()["ch_pos"]
    assert np.isfinite(positions["CB1"]).all() and np.isfinite(positions["CB2"]).all()
    for k, raw in enumerate(runs.values(), start=1):
        assert len(raw.annotations) == 1
        assert raw.annotations.description[0] == LABEL_NAMES[SEED_LABELS[k - 1]]
        assert raw.annotations.onset[0] == 0
        assert raw.annotations.duration[0] == pytest.approx(raw.n_times / 200)


def test_seed_volts_from_microvolts(write_seed):
    folder = write_seed({"3_20140101.mat": constant_trials(value=25.0)})
    raw = SEED(folder).get_data(subjects=[3])[3]["0"]["07"]
    np.testing.assert_allclose(raw.get_data(), 25e-6)


def test_labels_from_label_mat(write_seed):
    labels = [0, 1, -1] * 5
    folder = write_seed({"1_20140101.mat": constant_trials()}, labels=labels)
    runs = SEED(folder).get_data(subjects=[1])[1]["0"]
    described = [raw.annotations.description[0] for raw in runs.values()]
    assert described == [LABEL_NAMES[label] for label in labels]


def test_sessions_in_date_order(write_seed):
    # Session i's data equal i+1 µV, written out of date order.
    files = {
        "1_20131107.mat": constant_trials(value=3),
        "1_20131027.mat": constant_trials(value=1),
        "1_20131030.mat": constant_trials(value=2),
    }
    folder = write_seed(files)
    dataset = SEED(folder)
    paths = dataset.data_path(1)
    assert [p[-12:-4] for p in paths] == ["20131027", "20131030", "20131107"]
    sessions = dataset.get_data(subjects=[1])[1]
    assert list(sessions) == ["0", "1", "2"]
    for i, runs in enumerate(sessions.values()):
        raw = runs["01"]
        np.testing.assert_allclose(raw.get_data(), (i + 1) * 1e-6)
    dates = [runs["01"].info["meas_date"].date() for runs in sessions.values()]
    assert dates == sorted(dates)
    assert dates[0] == datetime.date(2013, 10, 27)


def test_trial_keys_matched_exactly(write_seed):
    # Initials that themselves look like a trial key, keys in scrambled order,
    # trial k filled with k µV and 100 + k samples long.
    order = [10, 1, 15, 12, 11, 2, 14, 13, 3, 9, 4, 8, 5, 7, 6]
    trials = {f"x_eeg2_eeg{k}": np.full((62, 100 + k), float(k)) for k in order}
    folder = write_seed({"1_20140101.mat": trials})
    runs = SEED(folder).get_data(subjects=[1])[1]["0"]
    assert list(runs) == [f"{k:02d}" for k in range(1, 16)]
    for k in range(1, 16):
        raw = runs[f"{k:02d}"]
        assert raw.n_times == 100 + k
        np.testing.assert_allclose(raw.get_data(), k * 1e-6)
        assert raw.info["description"].endswith(f"x_eeg2_eeg{k}")


def test_env_var_path(seed_folder, monkeypatch):
    monkeypatch.setenv("MNE_DATASETS_SEED_PATH", str(seed_folder))
    dataset = SEED()
    assert dataset.subject_list == [1, 2]


def test_parent_of_preprocessed_eeg(seed_folder, tmp_path):
    (tmp_path / "Preprocessed_EEG").symlink_to(seed_folder, target_is_directory=True)
    assert SEED(tmp_path).subject_list == [1, 2]


def test_no_path(monkeypatch):
    monkeypatch.delenv("MNE_DATASETS_SEED_PATH", raising=False)
    if mne.get_config("MNE_DATASETS_SEED_PATH") is not None:
        pytest.skip("MNE_DATASETS_SEED_PATH is set in the MNE config file")
    with pytest.raises(ValueError, match="MNE_DATASETS_SEED_PATH is not set.*bcmi"):
        SEED()


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere does not exist.*bcmi"):
        SEED(tmp_path / "nowhere")


def test_folder_without_mat_files(tmp_path):
    (tmp_path / "readme.txt").write_text("no data here")
    with pytest.raises(FileNotFoundError, match="holds no .mat file.*label.mat"):
        SEED(tmp_path)


def test_missing_label_mat(write_seed):
    folder = write_seed({"1_20140101.mat": constant_trials()}, labels=None)
    with pytest.raises(FileNotFoundError, match="has no label.mat"):
        SEED(folder)


def test_only_label_mat(write_seed):
    folder = write_seed({})
    with pytest.raises(FileNotFoundError, match="holds label.mat but no"):
        SEED(folder)


@pytest.mark.parametrize("name", ["subject1_20140101.mat", "1_2014.mat", "1_20141399.mat"])
def test_bad_file_name(write_seed, name):
    folder = write_seed({name: constant_trials()})
    with pytest.raises(ValueError, match=f"'{name}' .* does not follow"):
        SEED(folder)


def test_same_date_twice(write_seed):
    files = {"1_20140101.mat": constant_trials(), "01_20140101.mat": constant_trials()}
    with pytest.raises(ValueError, match="Subject 1 has two files with the same date"):
        SEED(write_seed(files))


def test_wrong_shape(write_seed):
    trials = constant_trials()
    trials["ab_eeg3"] = np.zeros((61, 100))
    folder = write_seed({"1_20140101.mat": trials})
    with pytest.raises(ValueError, match=r"'ab_eeg3' in .*1_20140101.mat has shape \(61, 100\)"):
        SEED(folder).get_data(subjects=[1])


def test_non_finite_trial(write_seed):
    trials = constant_trials()
    trials["ab_eeg4"][5, 7] = np.nan
    folder = write_seed({"1_20140101.mat": trials})
    with pytest.raises(ValueError, match="'ab_eeg4' in .* must contain only finite"):
        SEED(folder).get_data(subjects=[1])


def test_missing_trial_key(write_seed):
    trials = constant_trials()
    del trials["ab_eeg7"]
    trials["ab_eeg"] = np.zeros((62, 10))  # no trial number: ignored
    folder = write_seed({"1_20140101.mat": trials})
    with pytest.raises(ValueError, match=r"1_20140101.mat must hold .* \[7\] are missing"):
        SEED(folder).get_data(subjects=[1])


def test_extra_trial_key(write_seed):
    trials = constant_trials(n_trials=16)
    folder = write_seed({"1_20140101.mat": trials})
    with pytest.raises(ValueError, match=r"\[\] are missing and \[16\] are extra"):
        SEED(folder).get_data(subjects=[1])


def test_two_arrays_for_one_trial(write_seed):
    trials = constant_trials()
    trials["cd_eeg3"] = np.zeros((62, 50))
    folder = write_seed({"1_20140101.mat": trials})
    with pytest.raises(ValueError, match="two arrays for trial 3: 'ab_eeg3' and 'cd_eeg3'"):
        SEED(folder).get_data(subjects=[1])


@pytest.mark.parametrize(
    "contents, match",
    [
        ({"labels": SEED_LABELS}, "has no variable 'label'"),
        ({"label": [1, 0, 2] * 5}, r"must hold only -1, 0 and 1, but got \[2\]"),
        ({"label": ["a"] * 15}, "must hold numbers"),
    ],
)
def test_bad_label_mat(write_seed, tmp_path, contents, match):
    folder = write_seed({"1_20140101.mat": constant_trials()}, labels=None)
    savemat(tmp_path / "label.mat", contents)
    with pytest.raises(ValueError, match=match):
        SEED(folder).get_data(subjects=[1])


def test_subject_not_present(seed_folder):
    dataset = SEED(seed_folder)
    match = r"Subject 99 is not in the SEED folder .* holds subjects \[1, 2\]"
    with pytest.raises(ValueError, match=match):
        dataset.get_data(subjects=[99])
    with pytest.raises(ValueError, match=match):
        dataset.data_path(99)


def test_matlab_v73_file(write_seed, tmp_path):
    folder = write_seed({})
    fname = tmp_path / "1_20140101.mat"
    with h5py.File(fname, "w", userblock_size=512) as f:
        f["ab_eeg1"] = np.zeros((10, 62))
    header = b"MATLAB 7.3 MAT-file".ljust(116) + bytes(8) + b"\x00\x02IM"
    with open(fname, "r+b") as f:
        f.write(header)
    with pytest.raises(ValueError, match="1_20140101.mat is a MATLAB v7.3"):
        SEED(folder).get_data(subjects=[1])


def test_unreadable_mat_file(write_seed, tmp_path):
    folder = write_seed({})
    (tmp_path / "1_20140101.mat").write_bytes(b"not a MATLAB file")
    with pytest.raises(ValueError, match="Could not read .*1_20140101.mat"):
        SEED(folder).get_data(subjects=[1])


def test_hidden_macos_twins_are_ignored(seed_folder, tmp_path):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(seed_folder, folder)
    (folder / "._1_20131027.mat").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (folder / "._label.mat").write_bytes(b"\x00\x05\x16\x07")
    dataset = SEED(folder)
    assert dataset.subject_list == [1, 2]
    assert len(dataset.get_data(subjects=[1])[1]) == 2


def test_truncated_mat_file_is_named(write_seed, tmp_path):
    folder = write_seed({"1_20140101.mat": constant_trials()})
    fname = tmp_path / "1_20140101.mat"
    fname.write_bytes(fname.read_bytes()[: fname.stat().st_size // 2])
    with pytest.raises(ValueError, match=r"Could not read .*1_20140101.mat as a MATLAB file "
                       r".*truncated or damaged"):
        SEED(folder).get_data(subjects=[1])


def test_extracted_features_folder_is_named_early(tmp_path):
    features = {f"{kind}_{smooth}{k}": np.zeros((62, 5, 5))
                for kind in ("de", "psd") for smooth in ("LDS", "movingAve")
                for k in range(1, 16)}
    for folder in (tmp_path / "ExtractedFeatures", tmp_path / "features"):
        folder.mkdir()
        savemat(folder / "1_20131027.mat", features)
        savemat(folder / "label.mat", {"label": np.atleast_2d(SEED_LABELS)})
    (tmp_path / "Preprocessed_EEG").mkdir()
    with pytest.raises(ValueError, match=r"is SEED's 'ExtractedFeatures' folder: .* "
                       r"Use path=.*Preprocessed_EEG"):
        SEED(tmp_path / "ExtractedFeatures")
    # a renamed copy is recognised by its variables, at construction
    with pytest.raises(ValueError, match=r"'ExtractedFeatures' folder \(1_20131027.mat holds "
                       r"de_LDS1, .*not EEG"):
        SEED(tmp_path / "features")


def test_root_with_only_extracted_features(tmp_path):
    (tmp_path / "ExtractedFeatures").mkdir()
    with pytest.raises(FileNotFoundError, match="holds 'ExtractedFeatures'.*no "
                       "'Preprocessed_EEG'"):
        SEED(tmp_path)


def test_path_to_a_file(seed_folder):
    fname = next(seed_folder.glob("1_*.mat"))
    with pytest.raises(NotADirectoryError, match=r"is a file, but SEED reads a folder. "
                       r"Pass the folder that holds it"):
        SEED(fname)
    with pytest.raises(NotADirectoryError, match="is a file; simulate_seed writes a folder"):
        simulate_seed(fname)


@pytest.mark.parametrize("sfreq", [200.0, 1000.0])
def test_simulated_rate_travels_with_the_folder(tmp_path, sfreq):
    """simulate_seed(sfreq=1000) used to be read back at 200 Hz, 5x too slow."""
    folder = simulate_seed(tmp_path, n_subjects=1, n_sessions=1, n_trials=2,
                           trial_seconds=1.5, sfreq=sfreq, random_state=0)
    dataset = SEED(folder)
    assert dataset.sfreq == sfreq
    raw = dataset.get_data(subjects=[1])[1]["0"]["1"]  # 2 trials: one digit
    assert raw.info["sfreq"] == sfreq
    assert raw.n_times == int(1.5 * sfreq)
    np.testing.assert_allclose(raw.annotations.duration, [1.5])


def test_folder_without_sidecar_is_at_200_hz(write_seed):
    assert SEED(write_seed({"1_20140101.mat": constant_trials()})).sfreq == 200.0


@pytest.mark.parametrize("random_state, error, match", [
    (-1, ValueError, "random_state must be None, a non-negative int or a numpy Generator, "
                     "but got -1"),
    ("0", TypeError, "random_state must be None, .* but got str"),
    (1.5, TypeError, "but got float"),
])
def test_simulate_bad_random_state(tmp_path, random_state, error, match):
    with pytest.raises(error, match=match):
        simulate_seed(tmp_path, random_state=random_state)
    assert not any(tmp_path.iterdir())  # refused before anything was written


@pytest.mark.parametrize("kwargs, match", [
    (dict(trial_seconds=float("nan")), "trial_seconds must be a positive, finite"),
    (dict(trial_seconds=-2.0), "trial_seconds must be a positive, finite"),
    (dict(sfreq=float("inf")), "sfreq must be above 150"),
])
def test_simulate_more_bad_input(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_seed(tmp_path, **kwargs)
