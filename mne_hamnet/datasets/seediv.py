"""SEED-IV, the four-emotion successor of SEED, read from a local copy."""

import datetime
import re

from .._logging import logger, warn
from ._reader import EmotionDataset, check_trial, find_folder, load_mat, make_trial_raw
from ._seed_layout import SEED_CH_NAMES, make_seed_montage

SFREQ = 200.0
EVENT_ID = {"neutral": 1, "sad": 2, "fear": 3, "happy": 4}
_LABEL_NAMES = {0: "neutral", 1: "sad", 2: "fear", 3: "happy"}
#: The label of each of the 24 trials of SEED-IV's three sessions
#: (0 neutral, 1 sad, 2 fear, 3 happy), from the data set's ReadMe.
SEEDIV_LABELS = {
    1: (1, 2, 3, 0, 2, 0, 0, 1, 0, 1, 2, 1, 1, 1, 2, 3, 2, 2, 3, 3, 0, 3, 0, 3),
    2: (2, 1, 3, 0, 0, 2, 0, 2, 3, 3, 2, 3, 2, 0, 1, 1, 2, 1, 0, 3, 0, 1, 3, 1),
    3: (1, 2, 2, 1, 3, 3, 3, 1, 1, 2, 1, 0, 2, 3, 3, 0, 2, 3, 0, 0, 2, 0, 1, 0),
}
_N_TRIALS = 24
_CONFIG_KEY = "MNE_DATASETS_SEEDIV_PATH"
_RAW_FOLDER = "eeg_raw_data"
_FEATURE_FOLDER = "eeg_feature_smooth"
_FILE_PATTERN = re.compile(r"^(?P<subject>\d+)_(?P<date>\d{8})\.mat$")
_TRIAL_PATTERN = re.compile(r"^(?P<prefix>.+)_eeg(?P<k>\d+)$")
_FEATURE_PATTERN = re.compile(r"^(de|psd)_(LDS|movingAve)\d+$")
_HOW_TO_GET = (
    "SEED-IV is not downloaded automatically: apply for access on the BCMI lab's "
    "SEED page (https://bcmi.sjtu.edu.cn/home/seed/), then pass the "
    f"'{_RAW_FOLDER}' folder (or the folder holding it) as path= or set {_CONFIG_KEY}. "
    f"'{_RAW_FOLDER}' holds the session folders '1', '2' and '3', each with one "
    "'{subject}_{YYYYMMDD}.mat' file per subject."
)


class SEEDIV(EmotionDataset):
    """SEED-IV emotion data set (15 subjects x 3 sessions x 24 film clips).

    Reads a local copy of SEED-IV's ``eeg_raw_data`` folder: 62-channel EEG at
    200 Hz, on the channels of :class:`~mne_hamnet.datasets.SEED` and in their
    order, recorded while subjects watched clips chosen to evoke neutral, sad,
    fearful and happy emotions. Nothing is downloaded.

    Parameters
    ----------
    path : path-like | None, default=None
        The ``eeg_raw_data`` folder, or a folder holding it. If None, the
        environment variable or MNE config key ``MNE_DATASETS_SEEDIV_PATH``.

    Attributes
    ----------
    subject_list : list of int
        The subjects whose files are in the folder.
    event_id : dict
        ``{"neutral": 1, "sad": 2, "fear": 3, "happy": 4}``, the labels 0-3
        of the ReadMe plus 1.

    Notes
    -----
    ``eeg_raw_data/{1,2,3}/{subject}_{YYYYMMDD}.mat``: one folder per session,
    one file per subject, with 24 arrays ``<initials>_eeg1`` ...
    ``<initials>_eeg24`` of shape (62, n_samples), taken to be µV as in SEED.
    Sessions are the folders, named ``"0"``, ``"1"``, ``"2"`` for ``1``,
    ``2``, ``3``: the labels differ per session
    (:data:`~mne_hamnet.datasets.seediv.SEEDIV_LABELS`), so the folder, not
    the date, says which session a file is. A warning says when a subject's
    dates do not rise with the folder number.

    Each trial is one run, named ``"01"`` ... ``"24"``: a
    :class:`mne.io.RawArray` in volts with SEED's channel names and montage,
    the file's date as ``meas_date`` and one annotation, named after the
    label, spanning the trial. Whether ``eeg_raw_data`` is already filtered
    is not documented; :func:`~mne_hamnet.datasets.describe_dataset` prints
    what a copy holds.

    Some papers train on the first 16 trials of each session and test on the
    last 8; those 8 hold no sad trial in session 1 (labels
    ``3 2 2 3 3 0 3 0 3`` minus the first), so class-wise scores on that
    split are unbalanced.

    References
    ----------
    .. [1] W.-L. Zheng, W. Liu, Y. Lu, B.-L. Lu and A. Cichocki, "EmotionMeter:
       A multimodal framework for recognizing human emotions," IEEE
       Transactions on Cybernetics, vol. 49, no. 3, pp. 1110-1122, 2019.
       doi:10.1109/TCYB.2018.2797176
    """

    _title = "SEED-IV"

    def __init__(self, path=None):
        self.path = path
        self._location = find_folder(path, _CONFIG_KEY, self._title, _HOW_TO_GET, _RAW_FOLDER)
        self._sessions = _find_sessions(self._location)
        super().__init__(
            subjects=list(self._sessions),
            sessions_per_subject=min(len(files) for files in self._sessions.values()),
            events=dict(EVENT_ID),
            code="SEED-IV",
            interval=[0, 1],
            paradigm="emotion",
            doi="10.1109/TCYB.2018.2797176",
        )

    def _subject_files(self, subject):
        return [str(fname) for _, _, fname in self._sessions[subject]]

    def _get_single_subject_data(self, subject):
        self._check_subject(subject)
        montage = make_seed_montage()
        data = {}
        for index, (session, date, fname) in enumerate(self._sessions[subject]):
            labels = SEEDIV_LABELS[session]
            trials = _read_trials(fname)
            meas_date = datetime.datetime.combine(date, datetime.time(), datetime.timezone.utc)
            data[str(index)] = {
                f"{k:02d}": make_trial_raw(
                    x,
                    SEED_CH_NAMES,
                    SFREQ,
                    _LABEL_NAMES[labels[k - 1]],
                    montage,
                    f"SEED-IV session {session} {fname.name} {key}",
                    meas_date=meas_date,
                )
                for k, (key, x) in enumerate(trials, start=1)
            }
            logger.info("read %d trials from %s", len(trials), fname)
        return data


def _find_sessions(folder):
    """Return ``{subject: [(session, date, path), ...]}``, sessions ascending."""
    has_sessions = any((folder / str(s)).is_dir() for s in SEEDIV_LABELS)
    if folder.name == _FEATURE_FOLDER or ((folder / _FEATURE_FOLDER).is_dir() and not has_sessions):
        raise FileNotFoundError(
            f"{folder} is (or holds only) SEED-IV's features folder '{_FEATURE_FOLDER}'; "
            f"this reader reads the raw EEG in '{_RAW_FOLDER}'. {_HOW_TO_GET}"
        )
    session_folders = {s: folder / str(s) for s in SEEDIV_LABELS if (folder / str(s)).is_dir()}
    if not session_folders:
        raise FileNotFoundError(
            f"The SEED-IV folder {folder} has none of the session folders '1', '2', "
            f"'3'. {_HOW_TO_GET}"
        )
    sessions = {}
    for session, session_folder in session_folders.items():
        files = sorted(session_folder.glob("*.mat"))
        if not files:
            raise FileNotFoundError(
                f"The SEED-IV session folder {session_folder} holds no .mat file. {_HOW_TO_GET}"
            )
        for fname in files:
            match = _FILE_PATTERN.match(fname.name)
            try:
                date = datetime.datetime.strptime(match["date"], "%Y%m%d").date()
            except (TypeError, ValueError):
                raise ValueError(
                    f"The file name {fname.name!r} in {session_folder} does not follow "
                    "SEED-IV's '{subject}_{YYYYMMDD}.mat' (a subject number and a valid date)."
                ) from None
            sessions.setdefault(int(match["subject"]), []).append((session, date, fname))
    for subject, files in sessions.items():
        files.sort()
        dates = [date for _, date, _ in files]
        if dates != sorted(dates):
            warn(
                f"SEED-IV subject {subject}'s dates {[str(d) for d in dates]} do not rise "
                "with the session folders 1, 2, 3; sessions follow the folders, whose "
                "labels differ."
            )
    return dict(sorted(sessions.items()))


def _read_trials(fname):
    """Return ``[(key, array), ...]`` for trials 1 ... 24, arrays in µV."""
    contents = load_mat(fname)
    keys = [key for key in contents if not key.startswith("__")]
    if any(_FEATURE_PATTERN.match(key) for key in keys):
        raise ValueError(
            f"{fname} holds features ({', '.join(keys[:3])}, ...): it is from SEED-IV's "
            f"'{_FEATURE_FOLDER}' folder; this reader reads the raw EEG in "
            f"'{_RAW_FOLDER}'."
        )
    trials = {}
    for key in keys:
        match = _TRIAL_PATTERN.fullmatch(key)
        if match is None:
            continue
        k = int(match["k"])
        if k in trials:
            raise ValueError(f"{fname} holds two arrays for trial {k}: {trials[k][0]!r}, {key!r}.")
        trials[k] = (key, contents[key])
    expected = range(1, _N_TRIALS + 1)
    missing = [k for k in expected if k not in trials]
    extra = sorted(set(trials) - set(expected))
    if missing or extra:
        raise ValueError(
            f"{fname} must hold the keys '<initials>_eeg1' ... '<initials>_eeg{_N_TRIALS}', "
            f"but trial(s) {missing} are missing and {extra} are extra; its variables "
            f"are {keys}."
        )
    return [
        (
            trials[k][0],
            check_trial(trials[k][1], len(SEED_CH_NAMES), f"{trials[k][0]!r} in {fname}"),
        )
        for k in expected
    ]
