"""DEAP, music videos rated for valence and arousal, read from its Python files."""

import re

import numpy as np

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

    Attributes
    ----------
    subject_list : list of int
        The subjects whose files are in the folder (``s01.dat`` is 1).
    event_id : dict
        ``{"low_<target>": 1, "high_<target>": 2}``, or
        ``{"LVLA": 1, "LVHA": 2, "HVLA": 3, "HVHA": 4}``.

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

    Each subject has one session, ``"0"``; each trial is one run, ``"01"``
    ... ``"40"``, in the file's order (the video order of the experiment
    was randomised per subject), with one annotation spanning it, named
    after its label, and the four ratings as the annotation's ``extras``
    (:class:`~mne_hamnet.paradigms.RatedEmotion` labels windows from them).
    The line frequency is 50 Hz (recorded in Twente and
    Geneva).

    References
    ----------
    .. [1] S. Koelstra, C. Muhl, M. Soleymani, J.-S. Lee, A. Yazdani,
       T. Ebrahimi, T. Pun, A. Nijholt and I. Patras, "DEAP: A database for
       emotion analysis using physiological signals," IEEE Transactions on
       Affective Computing, vol. 3, no. 1, pp. 18-31, 2012.
       doi:10.1109/T-AFFC.2011.15
    """

    _title = "DEAP"
    #: Each self-assessment scale and its range, for
    #: :class:`~mne_hamnet.paradigms.RatedEmotion`.
    rating_scales = {name: (1.0, 9.0) for name in DEAP_RATINGS}

    def __init__(self, path=None, target="valence", threshold=5.0, at_threshold="high"):
        self.path = path
        self.target = _check_option("target", target, TARGETS)
        _validate_type(threshold, "numeric", "threshold")
        self.threshold = threshold
        self.at_threshold = _check_option("at_threshold", at_threshold, ("high", "low"))
        self._location = find_folder(path, _CONFIG_KEY, self._title, _HOW_TO_GET, _PYTHON_FOLDER)
        self._files = _find_files(self._location)
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
        runs = {}
        for k, (trial, row) in enumerate(zip(data, ratings), start=1):
            scores = {name: float(value) for name, value in zip(DEAP_RATINGS, row)}
            label = rating_label(scores, self.target, self.threshold, self.at_threshold)
            runs[f"{k:02d}"] = make_trial_raw(
                trial[: len(DEAP_CH_NAMES), n_baseline:],
                DEAP_CH_NAMES,
                SFREQ,
                label,
                montage,
                f"DEAP {fname.name} trial {k}",
                extras=scores,
            )
        logger.info("read %d trials from %s", len(runs), fname)
        return {"0": runs}


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
