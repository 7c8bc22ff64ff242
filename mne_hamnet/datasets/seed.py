"""SEED, the SJTU Emotion EEG Dataset, read from a local copy."""

import datetime
import re
from pathlib import Path

import mne
import numpy as np
from moabb.datasets.base import BaseDataset
from moabb.datasets.bids_interface import StepType
from moabb.datasets.preprocessing import FixedPipeline, get_filter_pipeline
from scipy.io import loadmat, whosmat
from scipy.io.matlab import MatReadError

from .._check import _check_finite, _validate_type
from .._io import read_json
from .._logging import logger
from ._seed_layout import SEED_CH_NAMES, make_seed_montage

SFREQ = 200.0
#: A file that :func:`~mne_hamnet.datasets.simulate_seed` writes beside its
#: data: ``{"sfreq": ...}``. Real SEED folders have none and are at 200 Hz.
SIDECAR = "mne_hamnet_seed.json"
# Variables of SEED's ExtractedFeatures files: de_LDS1, psd_movingAve3, ...
_FEATURE_KEY = re.compile(r"^(de|psd|dasm|rasm|asm|dcau)_(LDS|movingAve)\d+$")
EVENT_ID = {"negative": 1, "neutral": 2, "positive": 3}
_LABEL_NAMES = {-1: "negative", 0: "neutral", 1: "positive"}
_CONFIG_KEY = "MNE_DATASETS_SEED_PATH"
_LABEL_FILE = "label.mat"
_FILE_PATTERN = re.compile(r"^(?P<subject>\d+)_(?P<date>\d{8})\.mat$")
_TRIAL_PATTERN = re.compile(r"^(?P<prefix>.+)_eeg(?P<k>\d+)$")
_HOW_TO_GET = (
    "SEED is not downloaded automatically: apply for access on the BCMI lab's "
    "SEED page (https://bcmi.sjtu.edu.cn/home/seed/), then pass the "
    "'Preprocessed_EEG' folder (or the folder holding it) as path= or set "
    f"{_CONFIG_KEY}. The folder must hold one '{{subject}}_{{YYYYMMDD}}.mat' "
    "file per subject and session and 'label.mat'."
)


class SEED(BaseDataset):
    """SEED emotion data set (15 subjects x 3 sessions x 15 film clips).

    Reads a local copy of SEED's ``Preprocessed_EEG`` folder: 62-channel EEG
    at 200 Hz, band-passed 0-75 Hz, recorded while subjects watched film clips
    chosen to evoke negative, neutral and positive emotions. Nothing is
    downloaded; access to SEED must be requested from its authors.

    Parameters
    ----------
    path : path-like | None, default=None
        The ``Preprocessed_EEG`` folder, or a folder holding it. If None, the
        environment variable or MNE config key ``MNE_DATASETS_SEED_PATH``.

    Attributes
    ----------
    sfreq : float
        The sampling frequency: SEED's 200 Hz, or the rate a folder written
        by :func:`~mne_hamnet.datasets.simulate_seed` records in its
        ``mne_hamnet_seed.json``.
    subject_list : list of int
        The subjects whose files are in the folder.
    event_id : dict
        ``{"negative": 1, "neutral": 2, "positive": 3}``, the labels -1, 0
        and 1 of ``label.mat`` plus 2.

    Notes
    -----
    The folder holds ``{subject}_{YYYYMMDD}.mat`` files and ``label.mat``;
    other files, and hidden ones such as macOS's ``._1_20131027.mat``, are
    ignored. SEED's ``ExtractedFeatures`` folder (DE and PSD features, not
    EEG) is refused with an error that says so.
    A subject's sessions are its files in date order, named ``"0"``, ``"1"``,
    ... Each file holds one array of shape (62, n_samples), in µV, per
    trial, under the key ``<initials>_eeg<k>``, matched exactly by the trial
    number ``k``. ``label.mat`` holds ``label``, one value in {-1, 0, 1} per
    trial, the same for every session.

    Each trial is one run, named by its zero-padded number (``"01"`` ...
    ``"15"``, the ``k`` of ``_eeg<k>``), so that folds can be grouped by trial.
    It is an :class:`mne.io.RawArray` in volts with SEED's channel names, the
    montage of :func:`~mne_hamnet.datasets.make_seed_montage`, the file's date
    as ``meas_date`` and one annotation, named after the trial's label,
    spanning the whole trial.

    MOABB needs a fixed task ``interval``, but SEED's trials last about 3-4
    minutes each; this class sets ``interval=[0, 1]`` (the paper's 1 s window)
    and keeps the annotations that span each trial, which
    :class:`~mne_hamnet.paradigms.Emotion` cuts into windows.

    Files are read with :func:`scipy.io.loadmat`; SEED's files are MATLAB v5
    files, and a MATLAB v7.3 (HDF5) file is refused with an error.

    References
    ----------
    .. [1] W.-L. Zheng and B.-L. Lu, "Investigating critical frequency bands and
       channels for EEG-based emotion recognition with deep neural networks,"
       IEEE Transactions on Autonomous Mental Development, vol. 7, no. 3,
       pp. 162-175, 2015. doi:10.1109/TAMD.2015.2431497
    """

    def __init__(self, path=None):
        self.path = path
        self._folder = _find_folder(path)
        self._sessions = _find_sessions(self._folder)
        self.sfreq = _read_sfreq(self._folder)
        super().__init__(
            subjects=list(self._sessions),
            sessions_per_subject=min(len(files) for files in self._sessions.values()),
            events=dict(EVENT_ID),
            code="SEED",
            interval=[0, 1],
            paradigm="emotion",
            doi="10.1109/TAMD.2015.2431497",
        )

    def data_path(self, subject, path=None, force_update=False, update_path=None, verbose=None):
        """Return the paths of a subject's files, one per session.

        Parameters
        ----------
        subject : int
            The subject.
        path : path-like | None, default=None
            A SEED folder to look in instead of the one given at construction.
        force_update : bool, default=False
            Not used: SEED can't be downloaded. Present for API consistency.
        update_path : bool | None, default=None
            Not used, present for API consistency.
        verbose : bool | str | int | None, default=None
            Not used, present for API consistency.

        Returns
        -------
        paths : list of str
            The subject's ``{subject}_{YYYYMMDD}.mat`` files in date order;
            ``label.mat`` lies beside them.
        """
        if path is None:
            folder, sessions = self._folder, self._sessions
        else:
            folder = _find_folder(path)
            sessions = _find_sessions(folder)
        _check_subject(subject, sessions, folder)
        return [str(fname) for _, fname in sessions[subject]]

    def get_data(self, subjects=None, cache_config=None, process_pipeline=None, n_jobs=1):
        """Return the raw trials of some subjects.

        Parameters
        ----------
        subjects : list of int | None, default=None
            The subjects; None for all of ``subject_list``.
        cache_config : dict | moabb.datasets.base.CacheConfig | None
            MOABB's cache settings.
        process_pipeline : sklearn.pipeline.Pipeline | None
            MOABB's processing pipeline; None keeps the trials as read.
        n_jobs : int, default=1
            The number of subjects read in parallel.

        Returns
        -------
        data : dict
            ``data[subject][session][run]`` is one trial, an
            :class:`mne.io.RawArray` of shape (62, n_samples).
        """
        if isinstance(subjects, list):
            for subject in subjects:
                _check_subject(subject, self._sessions, self._folder)
        return super().get_data(subjects, cache_config, process_pipeline, n_jobs)

    def _create_process_pipeline(self):
        # MOABB's default rebuilds the annotations with the fixed `interval`
        # as duration; SEED's labels must keep spanning their whole trial.
        return FixedPipeline([(StepType.RAW, get_filter_pipeline(None, None))])

    def _get_single_subject_data(self, subject):
        _check_subject(subject, self._sessions, self._folder)
        labels = _read_labels(self._folder / _LABEL_FILE)
        montage = make_seed_montage()
        width = len(str(len(labels)))
        data = {}
        for session, (date, fname) in enumerate(self._sessions[subject]):
            trials = _read_trials(fname, len(labels))
            data[str(session)] = {
                f"{k:0{width}d}": _make_raw(x, labels[k - 1], montage, date,
                                            f"{fname.name} {key}", self.sfreq)
                for k, (key, x) in enumerate(trials, start=1)
            }
            logger.info("read %d trials from %s", len(trials), fname)
        return data


def _find_folder(path):
    """Return the SEED folder named by ``path`` or the config, checking it exists."""
    if path is None:
        path = mne.get_config(_CONFIG_KEY)
        if path is None:
            raise ValueError(f"No SEED folder given and {_CONFIG_KEY} is not set. {_HOW_TO_GET}")
    _validate_type(path, "path-like", "path")
    folder = Path(path).expanduser()
    if folder.is_file():
        hint = (f" Pass the folder that holds it: path={str(folder.parent)!r}."
                if folder.suffix == ".mat" else "")
        raise NotADirectoryError(
            f"path={str(folder)!r} is a file, but SEED reads a folder.{hint} {_HOW_TO_GET}"
        )
    if not folder.is_dir():
        raise FileNotFoundError(f"The SEED folder {folder} does not exist. {_HOW_TO_GET}")
    if (folder / "Preprocessed_EEG").is_dir():
        folder = folder / "Preprocessed_EEG"
    elif (folder / "ExtractedFeatures").is_dir() and not any(_data_files(folder)):
        raise FileNotFoundError(
            f"The SEED folder {folder} holds 'ExtractedFeatures' (SEED's DE and PSD "
            "features) but no 'Preprocessed_EEG', the EEG this reader needs. "
            + _HOW_TO_GET
        )
    if folder.name == "ExtractedFeatures":
        raise ValueError(_features_message(folder))
    return folder


def _features_message(folder, detail=""):
    preprocessed = folder.parent / "Preprocessed_EEG"
    instead = (f" Use path={str(preprocessed)!r}." if preprocessed.is_dir()
               else " Pass the 'Preprocessed_EEG' folder beside it.")
    return (
        f"{folder} is SEED's 'ExtractedFeatures' folder{detail}: it holds DE and PSD "
        "features, not EEG; SEED() reads the 'Preprocessed_EEG' folder." + instead
    )


def _data_files(folder):
    """The visible ``.mat`` files of ``folder`` (macOS writes hidden ``._*`` twins)."""
    return sorted(p for p in folder.glob("*.mat") if not p.name.startswith("."))


def _read_sfreq(folder):
    """SEED's 200 Hz, or the rate a simulated folder's sidecar records."""
    sidecar = folder / SIDECAR
    if not sidecar.is_file():
        return SFREQ
    try:
        sfreq = read_json(sidecar)["sfreq"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f"Could not read the sampling frequency from {sidecar}: {err!r}") from err
    if isinstance(sfreq, bool) or not isinstance(sfreq, (int, float)) or not (
            np.isfinite(sfreq) and sfreq > 0):
        raise ValueError(f"{sidecar} gives sfreq={sfreq!r}; it must be a positive number.")
    return float(sfreq)


def _find_sessions(folder):
    """Return ``{subject: [(date, path), ...]}``, subjects sorted, dates ascending."""
    mat_files = _data_files(folder)
    if not mat_files:
        raise FileNotFoundError(f"The SEED folder {folder} holds no .mat file. {_HOW_TO_GET}")
    if not (folder / _LABEL_FILE).is_file():
        raise FileNotFoundError(f"The SEED folder {folder} has no {_LABEL_FILE}. {_HOW_TO_GET}")
    sessions = {}
    for fname in mat_files:
        if fname.name == _LABEL_FILE:
            continue
        match = _FILE_PATTERN.match(fname.name)
        try:
            date = datetime.datetime.strptime(match["date"], "%Y%m%d").date()
        except (TypeError, ValueError):
            raise ValueError(
                f"The file name {fname.name!r} in {folder} does not follow SEED's "
                "'{subject}_{YYYYMMDD}.mat' (a subject number and a valid date)."
            ) from None
        sessions.setdefault(int(match["subject"]), []).append((date, fname))
    if not sessions:
        raise FileNotFoundError(
            f"The SEED folder {folder} holds {_LABEL_FILE} but no "
            f"'{{subject}}_{{YYYYMMDD}}.mat' file. {_HOW_TO_GET}"
        )
    _check_not_features(sessions)
    for subject, dated in sessions.items():
        dated.sort()
        dates = [date for date, _ in dated]
        if len(set(dates)) < len(dates):
            names = [fname.name for _, fname in dated]
            raise ValueError(
                f"Subject {subject} has two files with the same date in {folder}, "
                f"so their session order is unknown: {names}."
            )
    return dict(sorted(sessions.items()))


def _check_not_features(sessions):
    """Refuse early a folder of ExtractedFeatures files, named like EEG files."""
    fname = min(dated for files in sessions.values() for dated in files)[1]
    try:
        names = [name for name, _, _ in whosmat(fname)]
    except (MatReadError, NotImplementedError, OSError, ValueError):
        return  # an unreadable file is reported, with its name, when it is read
    features = [name for name in names if _FEATURE_KEY.match(name)]
    if features:
        raise ValueError(_features_message(
            fname.parent, f" ({fname.name} holds {', '.join(features[:3])}, ...)"))


def _check_subject(subject, sessions, folder):
    if subject not in sessions:
        raise ValueError(
            f"Subject {subject!r} is not in the SEED folder {folder}, which holds "
            f"subjects {list(sessions)}."
        )


def _load_mat(fname):
    try:
        return loadmat(fname)
    except NotImplementedError:
        # scipy raises this for MATLAB v7.3 (HDF5) files.
        raise ValueError(
            f"{fname} is a MATLAB v7.3 (HDF5) file, which this reader does not "
            "read; SEED's files are MATLAB v5 files. Re-save it in MATLAB with "
            "save(name, '-v7')."
        ) from None
    except (MatReadError, ValueError, OSError) as err:
        # scipy names no file; a truncated download raises OSError here
        raise ValueError(
            f"Could not read {fname} as a MATLAB file ({type(err).__name__}: {err}); "
            "it may be truncated or damaged: compare its size with the original."
        ) from err


def _read_labels(fname):
    """Return the trial labels of ``label.mat``, shape (n_trials,), ints in {-1, 0, 1}."""
    contents = _load_mat(fname)
    if "label" not in contents:
        keys = [key for key in contents if not key.startswith("__")]
        raise ValueError(f"{fname} has no variable 'label'; its variables are {keys}.")
    labels = np.asarray(contents["label"]).ravel()
    if labels.dtype.kind not in "iuf" or labels.size == 0:
        raise ValueError(
            f"'label' in {fname} must hold numbers, but got {labels.size} value(s) "
            f"of type {labels.dtype}."
        )
    bad = ~np.isin(labels, list(_LABEL_NAMES))
    if bad.any():
        raise ValueError(
            f"'label' in {fname} must hold only -1, 0 and 1, but got "
            f"{np.unique(labels[bad]).tolist()}."
        )
    return labels.astype(int)


def _read_trials(fname, n_trials):
    """Return ``[(key, array), ...]`` for trials 1 ... n_trials, arrays in µV."""
    trials = {}
    for key, value in _load_mat(fname).items():
        match = _TRIAL_PATTERN.fullmatch(key)
        if key.startswith("__") or match is None:
            continue
        k = int(match["k"])
        if k in trials:
            raise ValueError(
                f"{fname} holds two arrays for trial {k}: {trials[k][0]!r} and {key!r}."
            )
        trials[k] = (key, value)
    expected = range(1, n_trials + 1)
    missing = [k for k in expected if k not in trials]
    extra = sorted(set(trials) - set(expected))
    if missing or extra:
        raise ValueError(
            f"{fname} must hold the keys '<initials>_eeg1' ... '<initials>_eeg"
            f"{n_trials}' ({_LABEL_FILE} lists {n_trials} trials), but trial(s) "
            f"{missing} are missing and {extra} are extra; its trial keys are "
            f"{[trials[k][0] for k in sorted(trials)]}."
        )
    for k in expected:
        key, value = trials[k]
        shape = np.shape(value)
        if len(shape) != 2 or shape[0] != len(SEED_CH_NAMES) or shape[1] == 0:
            raise ValueError(
                f"{key!r} in {fname} has shape {shape}, but a SEED trial must have "
                f"shape ({len(SEED_CH_NAMES)}, n_samples)."
            )
        _check_finite(value, f"{key!r} in {fname}")
    return [trials[k] for k in expected]


def _make_raw(data_uv, label, montage, date, description, sfreq=SFREQ):
    """Return one trial as a RawArray in volts with its label as an annotation."""
    info = mne.create_info(list(SEED_CH_NAMES), sfreq, "eeg")
    raw = mne.io.RawArray(np.asarray(data_uv, dtype=float) * 1e-6, info, verbose=False)
    raw.set_montage(montage)
    raw.set_meas_date(datetime.datetime.combine(date, datetime.time(), datetime.timezone.utc))
    raw.info["description"] = f"SEED {description}"
    # Power lines run at 50 Hz in China, where SEED was recorded.
    raw.info["line_freq"] = 50.0
    duration = raw.n_times / sfreq
    raw.set_annotations(mne.Annotations([0.0], [duration], [_LABEL_NAMES[label]]))
    return raw
