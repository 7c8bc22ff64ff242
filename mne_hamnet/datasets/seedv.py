"""SEED-V, the five-emotion successor of SEED, read from its Neuroscan recordings."""

import datetime
import re

import mne
import numpy as np

from .._io import read_json
from .._logging import logger, warn
from ._reader import EmotionDataset, find_folder, make_trial_raw
from ._seed_layout import SEED_CH_NAMES, make_seed_montage

EVENT_ID = {"disgust": 1, "fear": 2, "sad": 3, "neutral": 4, "happy": 5}
_LABEL_NAMES = {0: "disgust", 1: "fear", 2: "sad", 3: "neutral", 4: "happy"}
#: The label of each of SEED-V's 15 trials per session (0 disgust, 1 fear,
#: 2 sad, 3 neutral, 4 happy).
SEEDV_LABELS = {
    1: (4, 1, 3, 2, 0, 4, 1, 3, 2, 0, 4, 1, 3, 2, 0),
    2: (2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0),
    3: (2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0),
}
#: The start and end of each trial in seconds from the start of the
#: recording, per session: ``{session: (starts, ends)}``.
SEEDV_TRIAL_TIMES = {
    1: (
        (30, 132, 287, 555, 773, 982, 1271, 1628, 1730, 2025, 2227, 2435, 2667, 2932, 3204),
        (102, 228, 524, 742, 920, 1240, 1568, 1697, 1994, 2166, 2401, 2607, 2901, 3172, 3359),
    ),
    2: (
        (30, 299, 548, 646, 836, 1000, 1091, 1392, 1657, 1809, 1966, 2186, 2333, 2490, 2741),
        (267, 488, 614, 773, 967, 1059, 1331, 1622, 1777, 1908, 2153, 2302, 2428, 2709, 2817),
    ),
    3: (
        (30, 353, 478, 674, 825, 908, 1200, 1346, 1451, 1711, 2055, 2307, 2457, 2726, 2888),
        (321, 418, 643, 764, 877, 1147, 1284, 1418, 1679, 1996, 2275, 2425, 2664, 2857, 3066),
    ),
}
#: The name of a file in the folder that replaces
#: :data:`~mne_hamnet.datasets.seedv.SEEDV_TRIAL_TIMES`.
TRIAL_TIMES_FILE = "trial_times.json"
_CONFIG_KEY = "MNE_DATASETS_SEEDV_PATH"
_RAW_FOLDER = "EEG_raw"
_FILE_PATTERN = re.compile(
    r"^(?P<subject>\d+)_(?P<session>\d+)_(?P<date>\d{8})(?P<ext>\.cnt|_raw\.fif)$"
)
_HOW_TO_GET = (
    "SEED-V is not downloaded automatically: apply for access on the BCMI lab's "
    "SEED page (https://bcmi.sjtu.edu.cn/home/seed/), then pass the "
    f"'{_RAW_FOLDER}' folder (or the folder holding it) as path= or set {_CONFIG_KEY}. "
    f"'{_RAW_FOLDER}' holds one '{{subject}}_{{session}}_{{YYYYMMDD}}.cnt' file per "
    "subject and session."
)


class SEEDV(EmotionDataset):
    """SEED-V emotion data set (16 subjects x 3 sessions x 15 film clips).

    Reads a local copy of SEED-V's ``EEG_raw`` folder: continuous Neuroscan
    recordings at 1000 Hz, cut into the 15 trials of each session by the
    published trial time table, on SEED's 62 channels, while subjects watched
    clips chosen to evoke disgust, fear, sadness, neutral and happy emotions.
    Nothing is downloaded.

    Parameters
    ----------
    path : path-like | None, default=None
        The ``EEG_raw`` folder, or a folder holding it. If None, the
        environment variable or MNE config key ``MNE_DATASETS_SEEDV_PATH``.
    trial_times : dict | None, default=None
        ``{session: (starts, ends)}`` in seconds, sessions 1-3, 15 trials
        each. None reads ``trial_times.json`` from the folder if there is one
        (the simulator writes one, its recordings being short), else uses the
        published table :data:`~mne_hamnet.datasets.seedv.SEEDV_TRIAL_TIMES`.

    Attributes
    ----------
    subject_list : list of int
        The subjects whose files are in the folder.
    event_id : dict
        ``{"disgust": 1, "fear": 2, "sad": 3, "neutral": 4, "happy": 5}``,
        the labels 0-4 plus 1.

    Notes
    -----
    Files ``{subject}_{session}_{YYYYMMDD}.cnt`` are read with
    :func:`mne.io.read_raw_cnt`, in volts; a ``_raw.fif`` file with the same
    stem (e.g. a conversion saved by MNE) is read instead of a ``.cnt``.
    ``M1``, ``M2``, ``VEO`` and ``HEO`` are dropped, and SEED's 62 channels are
    picked by name (any case) and put in SEED's order; a missing one is an
    error. Sessions are named ``"0"``, ``"1"``, ``"2"`` after the session
    number of the file name, which chooses the labels and the time table; a
    warning says when the dates do not rise with it.

    Trial ``k`` spans the samples from ``round(start * sfreq)`` up to, not
    including, ``round(end * sfreq)``. Only those samples are read from the
    file. The data keep their 1000 Hz; the literature resamples to 200 Hz,
    which :class:`~mne_hamnet.paradigms.Emotion` does with ``resample=200``.

    References
    ----------
    .. [1] W. Liu, J.-L. Qiu, W.-L. Zheng and B.-L. Lu, "Comparing recognition
       performance and robustness of multimodal deep learning models for
       multimodal emotion recognition," IEEE Transactions on Cognitive and
       Developmental Systems, vol. 14, no. 2, pp. 715-729, 2022.
       doi:10.1109/TCDS.2021.3071170
    """

    _title = "SEED-V"

    def __init__(self, path=None, trial_times=None):
        self.path = path
        self.trial_times = trial_times
        self._location = find_folder(path, _CONFIG_KEY, self._title, _HOW_TO_GET, _RAW_FOLDER)
        self._sessions = _find_sessions(self._location)
        self._times = _check_trial_times(trial_times, self._location)
        super().__init__(
            subjects=list(self._sessions),
            sessions_per_subject=min(len(files) for files in self._sessions.values()),
            events=dict(EVENT_ID),
            code="SEED-V",
            interval=[0, 1],
            paradigm="emotion",
            doi="10.1109/TCDS.2021.3071170",
        )

    def _subject_files(self, subject):
        return [str(fname) for _, _, fname in self._sessions[subject]]

    def _get_single_subject_data(self, subject):
        self._check_subject(subject)
        montage = make_seed_montage()
        data = {}
        for index, (session, date, fname) in enumerate(self._sessions[subject]):
            raw = _read_recording(fname)
            data[str(index)] = cut_trials(raw, session, self._times[session], montage, fname.name)
            data_date = datetime.datetime.combine(date, datetime.time(), datetime.timezone.utc)
            for trial in data[str(index)].values():
                trial.set_meas_date(data_date)
            logger.info("cut %d trials from %s", len(data[str(index)]), fname)
        return data


def _find_sessions(folder):
    """Return ``{subject: [(session, date, path), ...]}``, sessions ascending."""
    files = [f for f in sorted(folder.iterdir()) if _FILE_PATTERN.match(f.name)]
    if not files:
        if any(folder.glob("*.npz")) or "feature" in folder.name.lower():
            raise FileNotFoundError(
                f"{folder} looks like SEED-V's features folder (EEG_DE_features); this "
                f"reader reads the raw recordings in '{_RAW_FOLDER}'. {_HOW_TO_GET}"
            )
        raise FileNotFoundError(
            f"The SEED-V folder {folder} holds no '{{subject}}_{{session}}_{{YYYYMMDD}}.cnt' "
            f"file. {_HOW_TO_GET}"
        )
    sessions = {}
    for fname in files:
        match = _FILE_PATTERN.match(fname.name)
        session = int(match["session"])
        try:
            date = datetime.datetime.strptime(match["date"], "%Y%m%d").date()
        except ValueError:
            raise ValueError(
                f"The file name {fname.name!r} in {folder} has no valid date."
            ) from None
        if session not in SEEDV_LABELS:
            raise ValueError(
                f"The file {fname.name!r} in {folder} names session {session}, but SEED-V "
                "has sessions 1, 2 and 3."
            )
        stem = fname.name[: -len(match["ext"])]
        sessions.setdefault(int(match["subject"]), {}).setdefault(session, {})[match["ext"]] = (
            date,
            fname,
            stem,
        )
    result = {}
    for subject, by_session in sorted(sessions.items()):
        result[subject] = []
        for session, by_ext in sorted(by_session.items()):
            date, fname, _ = by_ext.get("_raw.fif", by_ext.get(".cnt"))
            result[subject].append((session, date, fname))
        dates = [date for _, date, _ in result[subject]]
        if dates != sorted(dates):
            warn(
                f"SEED-V subject {subject}'s dates {[str(d) for d in dates]} do not rise "
                "with the session numbers of the file names; sessions follow the numbers."
            )
    return result


def _check_trial_times(trial_times, folder):
    """Return ``{session: (starts, ends)}`` as float arrays, checked."""
    if trial_times is None:
        table_file = folder / TRIAL_TIMES_FILE
        if table_file.is_file():
            logger.info("SEED-V trial times read from %s", table_file)
            trial_times = {int(k): v for k, v in read_json(table_file).items()}
        else:
            trial_times = SEEDV_TRIAL_TIMES
    if not isinstance(trial_times, dict) or set(trial_times) != set(SEEDV_LABELS):
        raise ValueError(
            "trial_times must be a dict {session: (starts, ends)} for sessions 1, 2 "
            f"and 3, but got {trial_times!r}."
        )
    times = {}
    for session, pair in trial_times.items():
        starts, ends = (np.asarray(v, dtype=float) for v in pair)
        n = len(SEEDV_LABELS[session])
        if starts.shape != (n,) or ends.shape != (n,) or not np.all(ends > starts):
            raise ValueError(
                f"trial_times[{session}] must hold {n} starts and {n} later ends in "
                f"seconds, but got starts {starts.tolist()} and ends {ends.tolist()}."
            )
        times[session] = (starts, ends)
    return times


def _read_recording(fname):
    """Return the recording, not preloaded, as MNE reads it (volts)."""
    if fname.name.endswith(".cnt"):
        return mne.io.read_raw_cnt(fname, preload=False, verbose=False)
    return mne.io.read_raw_fif(fname, preload=False, verbose=False)


def cut_trials(raw, session, times, montage, name):
    """Cut a SEED-V recording into its labelled trials on SEED's 62 channels.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        One session's recording, in volts, holding SEED's 62 channels by name
        (any case) and possibly others (``M1``, ``M2``, ``VEO``, ``HEO``).
    session : int
        The session, 1-3: it chooses the labels.
    times : tuple of ndarray
        ``(starts, ends)`` of the 15 trials in seconds.
    montage : mne.channels.DigMontage
        Positions of SEED's channels.
    name : str
        The recording's name, for messages.

    Returns
    -------
    trials : dict of str to mne.io.RawArray
        ``{"01": raw, ...}``, each of shape (62, n_samples) in volts.
    """
    by_upper = {ch.upper(): ch for ch in raw.ch_names}
    missing = [ch for ch in SEED_CH_NAMES if ch not in by_upper]
    if missing:
        raise ValueError(
            f"{name} lacks SEED's channel(s) {missing}; its channels are {raw.ch_names}."
        )
    picks = [raw.ch_names.index(by_upper[ch]) for ch in SEED_CH_NAMES]
    sfreq = raw.info["sfreq"]
    starts, ends = times
    trials = {}
    for k, (start, end, label) in enumerate(zip(starts, ends, SEEDV_LABELS[session]), start=1):
        first, stop = int(round(start * sfreq)), int(round(end * sfreq))
        if stop > raw.n_times:
            raise ValueError(
                f"Trial {k} of session {session} ends at {end:g} s, but {name} lasts "
                f"{raw.n_times / sfreq:g} s: is this a SEED-V recording of session {session}?"
            )
        data = raw.get_data(picks=picks, start=first, stop=stop)
        trials[f"{k:02d}"] = make_trial_raw(
            data,
            SEED_CH_NAMES,
            sfreq,
            _LABEL_NAMES[label],
            montage,
            f"SEED-V session {session} {name} trial {k}",
            scale=1.0,
        )
    return trials
