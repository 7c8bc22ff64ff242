"""DEAP, music videos rated for valence and arousal, read from its Python files."""

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._check import _check_option, _validate_type
from .._logging import logger
from ._reader import (
    EmotionDataset,
    check_trial,
    find_folder,
    load_pickle,
    make_trial_raw,
    montage_for,
    rating_event_id,
    rating_label,
)

SFREQ = 128.0
#: DEAP's 32 EEG channels, the first 32 rows of each trial (Geneva order).
DEAP_CH_NAMES = tuple(
    "Fp1 AF3 F3 F7 FC5 FC1 C3 T7 CP5 CP1 P3 P7 PO3 O1 Oz Pz "
    "Fp2 AF4 Fz F4 F8 FC6 FC2 Cz C4 T8 CP6 CP2 P4 P8 PO4 O2".split()
)
#: The columns of ``labels``: the four self-assessment scales, each 1-9.
DEAP_RATINGS = ("valence", "arousal", "dominance", "liking")
#: What the reader offers as labels: one binary scale or the four
#: valence/arousal quadrants.
TARGETS = (*DEAP_RATINGS, "valence_arousal")
_BASELINE_SECONDS = 3.0
_N_CHANNELS = 40
_N_TRIALS = 40
_CONFIG_KEY = "MNE_DATASETS_DEAP_PATH"
_PYTHON_FOLDER = "data_preprocessed_python"
#: DEAP's file of the ratings given during the experiment, in presentation
#: order, in the full copy's ``metadata_csv`` folder.
RATINGS_FILE = "participant_ratings.csv"
_METADATA_FOLDER = "metadata_csv"
#: The columns of ``participant_ratings.csv`` that give the order.
_ORDER_COLUMNS = ("Participant_id", "Trial", "Experiment_id")
_FILE_PATTERN = re.compile(r"^s(?P<subject>\d{2})\.dat$")
_HOW_TO_GET = (
    "DEAP is not downloaded automatically: sign its EULA on "
    "https://www.eecs.qmul.ac.uk/mmv/datasets/deap/, then pass the "
    f"'{_PYTHON_FOLDER}' folder (or the folder holding it) as path= or set "
    f"{_CONFIG_KEY}. '{_PYTHON_FOLDER}' holds 's01.dat' ... 's32.dat'."
)


class DEAP(EmotionDataset):
    """DEAP emotion data set (32 subjects x 40 one-minute music videos).

    Reads a local copy of DEAP's ``data_preprocessed_python`` folder: 32 EEG
    channels at 128 Hz, band-passed 4-45 Hz, average-referenced and cleaned of
    EOG by the authors, each trial rated by the subject for valence, arousal,
    dominance and liking on 1-9 scales. Nothing is downloaded.

    Parameters
    ----------
    path : path-like | None, default=None
        The ``data_preprocessed_python`` folder, or a folder holding it. If
        None, the environment variable or MNE config key
        ``MNE_DATASETS_DEAP_PATH``.
    target : str, default="valence"
        The labels: ``"valence"``, ``"arousal"``, ``"dominance"`` or
        ``"liking"`` (two classes, ``"low_<target>"`` and
        ``"high_<target>"``), or ``"valence_arousal"`` (four quadrants
        ``"LVLA"``, ``"LVHA"``, ``"HVLA"``, ``"HVHA"``).
    threshold : float, default=5.0
        Ratings above it are high, below it low: 5, the middle of the 1-9
        scale, as torcheeg and LibEER split.
    at_threshold : {"high", "low"}, default="high"
        The class of a rating equal to ``threshold``. The loaders disagree:
        torcheeg counts 5 as high, LibEER as low.
    ratings_file : path-like | None, default=None
        DEAP's ``participant_ratings.csv``, which gives the order in which
        each subject watched the videos (columns ``Participant_id``,
        ``Trial``, ``Experiment_id``). None looks for it as
        ``metadata_csv/participant_ratings.csv`` or ``participant_ratings.csv``
        in the folder and in the folder above it. Without it the trials'
        order in time is unknown, and the ``chronological`` protocol is
        refused.

    Attributes
    ----------
    subject_list : list of int
        The subjects whose files are in the folder (``s01.dat`` is 1).
    event_id : dict
        ``{"low_<target>": 1, "high_<target>": 2}``, or
        ``{"LVLA": 1, "LVHA": 2, "HVLA": 3, "HVHA": 4}``.
    presentation_order : dict | None
        ``{subject: {video: position}}`` read from ``ratings_file`` (both
        numbered from 1), or None when it was not found.
    trial_order_problem : str | None
        Why the runs are not in recording order (no ``ratings_file``), or
        None when they are: :func:`~mne_hamnet.evaluation.evaluate` refuses
        the ``chronological`` protocol with this message.

    Notes
    -----
    ``sNN.dat`` is a Python 2 pickle of a dict: ``data`` of shape
    (40 trials, 40 channels, 8064 samples) and ``labels`` of shape (40, 4).
    Rows 1-32 are EEG (:data:`~mne_hamnet.datasets.deap.DEAP_CH_NAMES`); rows 33-40 (EOG, EMG, GSR,
    respiration, plethysmograph, temperature) are dropped. Each trial starts
    with a 3 s pre-trial baseline (384 samples), which is dropped: a trial
    read is 60 s, 7680 samples. The unit is not stated anywhere; the values
    (tens of units) are taken to be µV. Only NumPy arrays are unpickled:
    a file naming any other class is refused.

    Each subject has one session, ``"0"``; each trial is one run, with one
    annotation spanning it, named after its label, and the four ratings as
    the annotation's ``extras`` (:class:`~mne_hamnet.paradigms.RatedEmotion`
    labels windows from them). The files hold the trials in video order
    (``Experiment_id`` 1-40), not in the order the subject watched them
    (DEAP's readme: "reordered from presentation order to video order"),
    which was randomised per subject. With ``ratings_file``, run ``"01"``
    is the first video the subject watched, ``"02"`` the second, and so on;
    without it, run ``"01"`` is video 1, ``"02"`` video 2, and the runs'
    order says nothing about time.
    The line frequency is 50 Hz (recorded in Twente and
    Geneva).

    References
    ----------
    .. [1] S. Koelstra, C. Muhl, M. Soleymani, J.-S. Lee, A. Yazdani, T.
       Ebrahimi, T. Pun, A. Nijholt and I. Patras, "DEAP: A database for
       emotion analysis using physiological signals," IEEE Transactions on
       Affective Computing, vol. 3, no. 1, pp. 18-31, 2012.
       doi:10.1109/T-AFFC.2011.15
    """

    _title = "DEAP"
    #: Each self-assessment scale and its range, for
    #: :class:`~mne_hamnet.paradigms.RatedEmotion`.
    rating_scales = {name: (1.0, 9.0) for name in DEAP_RATINGS}

    def __init__(self, path=None, target="valence", threshold=5.0, at_threshold="high",
                 ratings_file=None):
        self.path = path
        self.target = _check_option("target", target, TARGETS)
        _validate_type(threshold, "numeric", "threshold")
        self.threshold = threshold
        self.at_threshold = _check_option("at_threshold", at_threshold, ("high", "low"))
        self.ratings_file = ratings_file
        self._location = find_folder(path, _CONFIG_KEY, self._title, _HOW_TO_GET, _PYTHON_FOLDER)
        self._files = _find_files(self._location)
        found = _find_ratings_file(self._location, ratings_file)
        if found is None:
            self.presentation_order = None
            self.trial_order_problem = (
                "DEAP's preprocessed files hold each subject's trials in video order "
                "(Experiment_id 1-40), not in the order the subject watched them, so a "
                "split in time needs the presentation order from DEAP's "
                f"{_METADATA_FOLDER}/{RATINGS_FILE}, which was not found next to "
                f"{self._location}. Pass DEAP(..., ratings_file=...) or put "
                f"{_METADATA_FOLDER} beside {_PYTHON_FOLDER}"
            )
        else:
            self.presentation_order = read_presentation_order(found, list(self._files))
            self.trial_order_problem = None
        super().__init__(
            subjects=list(self._files),
            sessions_per_subject=1,
            events=rating_event_id(target),
            code="DEAP",
            interval=[0, 1],
            paradigm="emotion",
            doi="10.1109/T-AFFC.2011.15",
        )

    def _subject_files(self, subject):
        return [str(self._files[subject])]

    def _get_single_subject_data(self, subject):
        self._check_subject(subject)
        fname = self._files[subject]
        data, ratings = read_deap_file(fname)
        montage = montage_for(DEAP_CH_NAMES)
        n_baseline = int(round(_BASELINE_SECONDS * SFREQ))
        order = None if self.presentation_order is None else self.presentation_order[subject]
        if order is not None and len(order) != len(data):
            raise ValueError(
                f"{fname} holds {len(data)} trials, but {RATINGS_FILE} gives the order of "
                f"{len(order)} videos for subject {subject}."
            )
        runs = {}
        for k, (trial, row) in enumerate(zip(data, ratings), start=1):
            scores = {name: float(value) for name, value in zip(DEAP_RATINGS, row)}
            label = rating_label(scores, self.target, self.threshold, self.at_threshold)
            # the file's k-th trial is video k; its run is its place in time when known
            position = k if order is None else order[k]
            watched = "" if order is None else f", watched {position} of {len(order)}"
            runs[f"{position:02d}"] = make_trial_raw(
                trial[: len(DEAP_CH_NAMES), n_baseline:],
                DEAP_CH_NAMES,
                SFREQ,
                label,
                montage,
                f"DEAP {fname.name} trial {k} (video {k}{watched})",
                extras=scores,
            )
        logger.info("read %d trials from %s", len(runs), fname)
        return {"0": dict(sorted(runs.items()))}


def _find_files(folder):
    """Return ``{subject: path}`` of the ``sNN.dat`` files, subjects ascending."""
    files = {}
    for fname in sorted(folder.glob("s*.dat")):
        match = _FILE_PATTERN.match(fname.name)
        if match is not None:
            files[int(match["subject"])] = fname
    if files:
        return files
    if any(folder.glob("s*.mat")):
        hint = " It holds sNN.mat files: it is DEAP's 'data_preprocessed_matlab' folder."
    elif any(folder.glob("s*.bdf")):
        hint = " It holds .bdf files: it is DEAP's 'data_original' folder."
    else:
        hint = ""
    raise FileNotFoundError(
        f"The DEAP folder {folder} holds no 'sNN.dat' file.{hint} {_HOW_TO_GET}"
    )


def _find_ratings_file(folder, ratings_file):
    """The ratings file given, or found beside the data; None if there is none."""
    if ratings_file is not None:
        _validate_type(ratings_file, "path-like", "ratings_file")
        path = Path(ratings_file).expanduser()
        if path.is_dir():
            path = path / RATINGS_FILE
        if not path.is_file():
            raise FileNotFoundError(
                f"ratings_file {path} does not exist; it must be DEAP's {RATINGS_FILE} "
                f"(in the {_METADATA_FOLDER} folder of the full copy)."
            )
        return path
    for base in (folder, folder.parent):
        for candidate in (base / _METADATA_FOLDER / RATINGS_FILE, base / RATINGS_FILE):
            if candidate.is_file():
                return candidate
    return None


def read_presentation_order(fname, subjects):
    """Read the order in which each subject watched the videos from ``participant_ratings.csv``.

    Parameters
    ----------
    fname : path-like
        DEAP's ``participant_ratings.csv``: one row per subject and trial,
        with ``Participant_id``, ``Trial`` (the position in the
        presentation, from 1) and ``Experiment_id`` (the video, from 1).
    subjects : list of int
        The subjects whose order is needed.

    Returns
    -------
    order : dict
        ``{subject: {video: position}}``.
    """
    try:
        table = pd.read_csv(fname, skipinitialspace=True)
    except (OSError, ValueError) as err:
        raise ValueError(f"Could not read {fname} as a CSV table: {err}") from None
    table.columns = [str(column).strip() for column in table.columns]
    missing = [column for column in _ORDER_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(
            f"{fname} must have the columns {list(_ORDER_COLUMNS)} of DEAP's {RATINGS_FILE}, "
            f"but lacks {missing} (its columns are {list(table.columns)})."
        )
    order = {}
    for subject in subjects:
        rows = table[table["Participant_id"] == subject]
        if rows.empty:
            raise ValueError(f"{fname} has no row for subject {subject} (Participant_id).")
        videos = rows["Experiment_id"].to_numpy()
        positions = rows["Trial"].to_numpy()
        expected = np.arange(1, len(rows) + 1)
        for name, values in (("Experiment_id", videos), ("Trial", positions)):
            if not np.array_equal(np.sort(values), expected):
                raise ValueError(
                    f"{fname}: the {name} values of subject {subject} must be 1 to "
                    f"{len(rows)}, each once, but are {sorted(values.tolist())}."
                )
        order[subject] = {int(v): int(p) for v, p in zip(videos, positions)}
    return order


def read_deap_file(fname):
    """Return a DEAP file's ``data`` (40, 40, 8064) and ``labels`` (40, 4), checked.

    Parameters
    ----------
    fname : path-like
        An ``sNN.dat`` file of ``data_preprocessed_python``.

    Returns
    -------
    data : ndarray, shape (n_trials, 40, n_samples)
        The trials, all 40 channels, baseline included.
    labels : ndarray, shape (n_trials, 4)
        Valence, arousal, dominance and liking of each trial.
    """
    contents = load_pickle(fname)
    if not isinstance(contents, dict) or not {"data", "labels"} <= set(contents):
        keys = sorted(contents) if isinstance(contents, dict) else type(contents).__name__
        raise ValueError(f"{fname} must hold a dict with 'data' and 'labels', but got {keys}.")
    data, labels = np.asarray(contents["data"]), np.asarray(contents["labels"], dtype=float)
    n_baseline = int(round(_BASELINE_SECONDS * SFREQ))
    if data.ndim != 3 or data.shape[1] != _N_CHANNELS or data.shape[2] <= n_baseline:
        raise ValueError(
            f"'data' in {fname} has shape {data.shape}, but DEAP's is ({_N_TRIALS}, "
            f"{_N_CHANNELS}, 8064): trials, channels (32 EEG + 8 others), samples "
            f"including a {n_baseline}-sample baseline."
        )
    if labels.shape != (len(data), len(DEAP_RATINGS)):
        raise ValueError(
            f"'labels' in {fname} has shape {labels.shape}, but must have shape "
            f"({len(data)}, {len(DEAP_RATINGS)}): one row of {DEAP_RATINGS} per trial."
        )
    if not np.all((labels >= 1) & (labels <= 9)):
        raise ValueError(f"'labels' in {fname} must be ratings from 1 to 9, but got {labels}.")
    for k, trial in enumerate(data, start=1):
        check_trial(trial, _N_CHANNELS, f"trial {k} of {fname}")
    return data, labels
