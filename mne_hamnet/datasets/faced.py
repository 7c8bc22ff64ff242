"""FACED, 28 film clips of nine emotions watched by 123 subjects, read per subject."""

import re

import numpy as np

from .._check import _check_option, _check_unique_names, _validate_type
from .._logging import logger
from ._reader import (
    EmotionDataset,
    check_trial,
    find_folder,
    load_pickle,
    make_trial_raw,
    montage_for,
)

SFREQ = 250.0
_SCALP = (
    "Fp1 Fp2 Fz F3 F4 F7 F8 FC1 FC2 FC5 FC6 Cz C3 C4 T7 T8 "
    "CP1 CP2 CP5 CP6 Pz P3 P4 P7 P8 PO3 PO4 Oz O1 O2".split()
)
_T8 = _SCALP.index("T8") + 1
#: The two channel orders the public sources give for FACED's 32 rows.
FACED_CHANNEL_ORDERS = {
    "A1A2-after-T8": tuple(_SCALP[:_T8] + ["A1", "A2"] + _SCALP[_T8:]),
    "A2A1-last": tuple(_SCALP + ["A2", "A1"]),
}
#: The nine emotions, in the order of their labels 0-8.
FACED_EMOTIONS = (
    "anger",
    "disgust",
    "fear",
    "sadness",
    "neutral",
    "amusement",
    "inspiration",
    "joy",
    "tenderness",
)
#: The emotion label (0-8) of clips 1-28, the same for every subject.
FACED_LABELS = (0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8)
_VALENCE = ("negative",) * 12 + ("neutral",) * 4 + ("positive",) * 12
_N_CLIPS = len(FACED_LABELS)
_CONFIG_KEY = "MNE_DATASETS_FACED_PATH"
_PROCESSED_FOLDER = "Processed_data"
_FILE_PATTERN = re.compile(r"^sub(?P<subject>\d{3})\.pkl$")
_HOW_TO_GET = (
    "FACED is not downloaded automatically: get it from Synapse "
    "(doi:10.7303/syn50614194), then pass the "
    f"'{_PROCESSED_FOLDER}' folder (or the folder holding it) as path= or set "
    f"{_CONFIG_KEY}. '{_PROCESSED_FOLDER}' holds 'sub000.pkl' ... 'sub122.pkl'."
)


class FACED(EmotionDataset):
    """FACED emotion data set (123 subjects x 28 film clips, nine emotions).

    Reads a local copy of FACED's ``Processed_data`` folder: 32-channel EEG
    at 250 Hz, 30 s per clip, from the Finer-grained Affective Computing EEG
    Dataset. Nothing is downloaded.

    Parameters
    ----------
    path : path-like | None, default=None
        The ``Processed_data`` folder, or a folder holding it. If None, the
        environment variable or MNE config key ``MNE_DATASETS_FACED_PATH``.
    target : {"emotion", "valence"}, default="emotion"
        The labels: the nine emotions of
        :data:`~mne_hamnet.datasets.faced.FACED_EMOTIONS`, or valence (clips
        1-12 ``"negative"``, 13-16 ``"neutral"``, 17-28 ``"positive"``).
    channel_order : str | list of str, default="A1A2-after-T8"
        The names of the 32 rows. The sources disagree: most put the mastoids
        A1, A2 after T8 (``"A1A2-after-T8"``), one puts A2, A1 last
        (``"A2A1-last"``, see
        :data:`~mne_hamnet.datasets.faced.FACED_CHANNEL_ORDERS`), and one says
        the two recording cohorts (sub000-060 and the rest) differ. A list gives
        the 32 names explicitly.

    Attributes
    ----------
    subject_list : list of int
        The subjects whose files are in the folder, by their file number
        (``sub000.pkl`` is 0).
    event_id : dict
        ``{"anger": 1, ..., "tenderness": 9}`` or
        ``{"negative": 1, "neutral": 2, "positive": 3}``.

    Notes
    -----
    ``subNNN.pkl`` is a pickled array of shape (28 clips, 32 channels, 7500
    samples), clips in the order of
    :data:`~mne_hamnet.datasets.faced.FACED_LABELS` (the data set sorts them
    by clip, not by the order they were shown). The unit is not stated;
    the values are taken to be µV. The processed data are reported to be
    low-passed below 50 Hz (0.05-47 Hz in our reading of the FACED paper,
    not checked against the files); the benchmark uses a HAMNet band bank
    below 45 Hz. Only NumPy arrays are unpickled: a
    file naming any other class is refused. A1 and A2 are kept as EEG
    channels; pick channels in the paradigm to leave them out.

    Each subject has one session, ``"0"``; each clip is one run, ``"01"``
    ... ``"28"``, with one annotation spanning it, named after its label.

    References
    ----------
    .. [1] J. Chen, X. Wang, C. Huang, X. Hu, X. Shen and D. Zhang, "A large
       finer-grained affective computing EEG dataset," Scientific Data,
       vol. 10, 740, 2023. doi:10.1038/s41597-023-02650-w
    """

    _title = "FACED"

    def __init__(self, path=None, target="emotion", channel_order="A1A2-after-T8"):
        self.path = path
        self.target = _check_option("target", target, ("emotion", "valence"))
        self.channel_order = channel_order
        self._ch_names = _check_channel_order(channel_order)
        self._location = find_folder(path, _CONFIG_KEY, self._title, _HOW_TO_GET, _PROCESSED_FOLDER)
        self._files = _find_files(self._location)
        if target == "emotion":
            events = {name: code for code, name in enumerate(FACED_EMOTIONS, start=1)}
        else:
            events = {"negative": 1, "neutral": 2, "positive": 3}
        super().__init__(
            subjects=list(self._files),
            sessions_per_subject=1,
            events=events,
            code="FACED",
            interval=[0, 1],
            paradigm="emotion",
            doi="10.1038/s41597-023-02650-w",
        )

    @property
    def ch_names(self):
        """The names of the 32 rows, in order, as ``channel_order`` gives them."""
        return list(self._ch_names)

    def _subject_files(self, subject):
        return [str(self._files[subject])]

    def _get_single_subject_data(self, subject):
        self._check_subject(subject)
        fname = self._files[subject]
        clips = load_pickle(fname)
        if (
            not isinstance(clips, np.ndarray)
            or clips.ndim != 3
            or clips.shape[:2]
            != (
                _N_CLIPS,
                len(self._ch_names),
            )
        ):
            shape = getattr(clips, "shape", type(clips).__name__)
            raise ValueError(
                f"{fname} holds {shape}, but a FACED file holds an array of shape "
                f"({_N_CLIPS} clips, {len(self._ch_names)} channels, n_samples)."
            )
        montage = montage_for(self._ch_names)
        runs = {}
        for k, clip in enumerate(clips, start=1):
            trial = check_trial(clip, len(self._ch_names), f"clip {k} of {fname}")
            if self.target == "emotion":
                label = FACED_EMOTIONS[FACED_LABELS[k - 1]]
            else:
                label = _VALENCE[k - 1]
            runs[f"{k:02d}"] = make_trial_raw(
                trial, self._ch_names, SFREQ, label, montage, f"FACED {fname.name} clip {k}"
            )
        logger.info("read %d clips from %s", len(runs), fname)
        return {"0": runs}


def _check_channel_order(channel_order):
    """Return the 32 channel names ``channel_order`` stands for."""
    if isinstance(channel_order, str):
        return FACED_CHANNEL_ORDERS[
            _check_option("channel_order", channel_order, tuple(FACED_CHANNEL_ORDERS))
        ]
    _validate_type(channel_order, (list, tuple), "channel_order", "str or list of str")
    names = [str(name) for name in channel_order]
    if len(names) != 32:
        raise ValueError(f"channel_order must name 32 channels, but got {len(names)}: {names}.")
    _check_unique_names(names, "channel_order")
    return tuple(names)


def _find_files(folder):
    """Return ``{subject: path}`` of the ``subNNN.pkl`` files, subjects ascending."""
    files = {}
    for fname in sorted(folder.glob("sub*.pkl")):
        match = _FILE_PATTERN.match(fname.name)
        if match is not None:
            files[int(match["subject"])] = fname
    if files:
        return files
    if (
        "feature" in folder.name.lower()
        or any(folder.glob("sub*.pkl.pkl"))
        or any(folder.glob("*.npy"))
    ):
        hint = (
            " It looks like FACED's features folder (EEG_Features); this reader "
            "reads 'Processed_data'."
        )
    elif any(folder.glob("sub*")):
        hint = (
            " It holds 'sub*' folders: it looks like FACED's raw 'Data' folder (.bdf per subject)."
        )
    else:
        hint = ""
    raise FileNotFoundError(
        f"The FACED folder {folder} holds no 'subNNN.pkl' file.{hint} {_HOW_TO_GET}"
    )
