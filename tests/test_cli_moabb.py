"""``mne-hamnet benchmark`` on a MOABB data set, offline, from EDF files written here."""

import mne
import numpy as np
import pandas as pd
import pytest

from mne_hamnet.cli import main

pytest.importorskip("edfio", reason="mne.export writes EDF with edfio")
# MOABB's PhysionetMI reader sets a montage under a name MNE 1.12 deprecates
pytestmark = pytest.mark.filterwarnings(
    "ignore:Montage name 'standard_1005' is deprecated:FutureWarning"
)

# The 64 channels of the PhysioNet EEG Motor Movement/Imagery files, as the
# EDF headers spell them: 10-10 names padded with dots to 4 characters.
PHYSIONET_CHANNELS = (
    "Fc5 Fc3 Fc1 Fcz Fc2 Fc4 Fc6 C5 C3 C1 Cz C2 C4 C6 Cp5 Cp3 Cp1 Cpz Cp2 Cp4 Cp6 Fp1 Fpz "
    "Fp2 Af7 Af3 Afz Af4 Af8 F7 F5 F3 F1 Fz F2 F4 F6 F8 Ft7 Ft8 T7 T8 T9 T10 Tp7 Tp8 P7 P5 "
    "P3 P1 Pz P2 P4 P6 P8 Po7 Po3 Poz Po4 Po8 O1 Oz O2 Iz"
).split()
SFREQ = 160.0
# imagined left/right fists (4, 8, 12) and fists/feet (6, 10, 14): MOABB reads all six
RUNS = (4, 6, 8, 10, 12, 14)
N_TRIALS = 8  # per run, alternating T1 and T2, each after a T0 rest


def _write_physionet_subject(root, subject, rng):
    """Write subject's imagery runs in MOABB's PhysionetMI layout under ``root``."""
    folder = root / "MNE-eegbci-data" / "files" / "eegmmidb" / "1.0.0" / f"S{subject:03d}"
    folder.mkdir(parents=True)
    names = [name.ljust(4, ".") for name in PHYSIONET_CHANNELS]
    info = mne.create_info(names, SFREQ, "eeg")
    rest, task = 4.2, 4.1
    # whole seconds: EDF writes 1 s data records
    n_samples = int(np.ceil(N_TRIALS * (rest + task) + rest) * SFREQ)
    for run in RUNS:
        data = 20e-6 * rng.standard_normal((len(names), n_samples))
        raw = mne.io.RawArray(data, info, verbose=False)
        onsets, durations, descriptions = [], [], []
        t = 0.0
        for k in range(N_TRIALS):
            onsets += [t, t + rest]
            durations += [rest, task]
            descriptions += ["T0", "T1" if k % 2 == 0 else "T2"]
            t += rest + task
        raw.set_annotations(mne.Annotations(onsets, durations, descriptions))
        mne.export.export_raw(folder / f"S{subject:03d}R{run:02d}.edf", raw, fmt="edf",
                              verbose=False)


@pytest.fixture
def physionet_offline(tmp_path, monkeypatch):
    """MNE's data folder holding subject 1 of PhysionetMI; any download fails."""
    import pooch

    _write_physionet_subject(tmp_path, 1, np.random.default_rng(0))
    monkeypatch.setenv("MNE_DATASETS_EEGBCI_PATH", str(tmp_path))
    monkeypatch.setenv("MNE_DATA", str(tmp_path))
    # MOABB 1.7 asks the NEMAR mirror first; upstream reads the files in place
    monkeypatch.setenv("MOABB_DOWNLOAD_PROVIDER", "upstream")

    def no_download(*args, **kwargs):
        raise AssertionError("the test tried to download")

    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", no_download)
    return tmp_path


def test_physionet_benchmark_runs_offline(physionet_offline, tmp_path, capsys):
    out = tmp_path / "out"
    status = main(["benchmark", "--dataset", "PhysionetMI", "--subjects", "1",
                   "--pipelines", "HAMNet", "DE+SVM", "--protocol", "trialwise",
                   "--quick", "--out", str(out)])
    assert status == 0, capsys.readouterr().err
    results = pd.read_csv(out / "results.csv")
    assert set(results.pipeline) == {"HAMNet", "DE+SVM", "Majority class"}
    assert (results.protocol == "trialwise").all()
    assert (results.n_classes == 2).all()
    # 3 hand runs x 4 trials of each hand; 2 folds; trials are the epochs
    assert (results.samples + results.samples_test == 3 * N_TRIALS).all()
    assert (results.channels == len(PHYSIONET_CHANNELS)).all()
    printed = capsys.readouterr().out
    assert "Windows: 64 channels at 160 Hz (from the paradigm LeftRightImagery)" in printed
    table = (out / "table.md").read_text()
    assert "MOABB data set PhysionetMI" in table
    assert "Paper (SEED)" not in table and "simulated" not in table


def test_physionet_chronological_tests_on_the_last_trials(physionet_offline, tmp_path):
    out = tmp_path / "out"
    assert main(["benchmark", "--dataset", "PhysionetMI", "--subjects", "1",
                 "--pipelines", "DE+SVM", "--protocol", "chronological",
                 "--quick", "--out", str(out)]) == 0
    results = pd.read_csv(out / "results.csv")
    # 60 % of the 24 trials train (the majority class runs on the same split)
    assert set(results.pipeline) == {"DE+SVM", "Majority class"}
    assert results.samples.tolist() == [round(0.6 * 3 * N_TRIALS)] * 2


@pytest.mark.parametrize(
    "args, match",
    [
        (["--dataset", "PhysionetMI", "--simulated"],
         "--simulated needs a data set this package can simulate"),
        (["--dataset", "PhysionetMI", "--path", "x"], "--path is not used with the MOABB"),
        (["--dataset", "PhysionetMI", "--paradigm", "Dance"],
         "--paradigm must name a moabb.paradigms class .* but got 'Dance'"),
        (["--dataset", "PhysionetMI", "--paradigm", "P300"],
         "The paradigm P300 cannot use the data set PhysionetMotorImagery"),
        (["--dataset", "NoSuchData"],
         "--dataset must be one of .*seed.*moabb.datasets class .* but got 'NoSuchData'"),
        (["--paradigm", "LeftRightImagery"], "--paradigm is for MOABB data sets"),
    ],
)
def test_bad_dataset_and_paradigm(tmp_path, capsys, args, match):
    import re

    status = main(["benchmark", "--quick", "--out", str(tmp_path), *args])
    assert status == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert re.search(match, lines[0]), lines[0]


def test_physionet_benchmark_with_the_peers(physionet_offline, tmp_path, capsys):
    # the command, in the peers environment (braindecode and pyRiemann)
    pytest.importorskip("braindecode")
    pytest.importorskip("pyriemann")
    out = tmp_path / "out"
    status = main(["benchmark", "--dataset", "PhysionetMI", "--subjects", "1",
                   "--pipelines", "HAMNet", "CSP+LDA", "TS+SVM", "EEGNet",
                   "--protocol", "trialwise", "--quick", "--out", str(out)])
    assert status == 0, capsys.readouterr().err
    results = pd.read_csv(out / "results.csv")
    assert set(results.pipeline) == {"HAMNet", "CSP+LDA", "TS+SVM", "EEGNet", "Majority class"}
    # every pipeline on the same folds
    folds = results.groupby("pipeline")[["samples", "samples_test"]].apply(
        lambda d: tuple(map(tuple, d.to_numpy())))
    assert folds.nunique() == 1
