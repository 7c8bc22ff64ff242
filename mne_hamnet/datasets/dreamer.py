"""DREAMER, film clips rated on 1-5 scales and recorded with an Emotiv headset."""

import numpy as np

from .._check import _check_option, _validate_type
from .._logging import logger
from ._mat_peek import cell_size
from ._reader import (
    EmotionDataset,
    check_trial,
    find_file,
    load_mat,
    make_trial_raw,
    montage_for,
    rating_event_id,
    rating_label,
)

SFREQ = 128.0
#: The 14 Emotiv EPOC channels, in the order of ``EEG_Electrodes``.
DREAMER_CH_NAMES = tuple("AF3 F7 F3 FC5 T7 P7 O1 O2 P8 T8 FC6 F4 F8 AF4".split())
#: The self-assessment scales of each trial, each an integer 1-5.
DREAMER_RATINGS = ("valence", "arousal", "dominance")
TARGETS = (*DREAMER_RATINGS, "valence_arousal")
_FILE = "DREAMER.mat"
_CONFIG_KEY = "MNE_DATASETS_DREAMER_PATH"
_HOW_TO_GET = (
    "DREAMER is not downloaded automatically: request it on Zenodo "
    "(doi:10.5281/zenodo.546113), then pass 'DREAMER.mat' (or the folder holding "
    f"it) as path= or set {_CONFIG_KEY}."
)


class DREAMER(EmotionDataset):
    """DREAMER emotion data set (23 subjects x 18 film clips, Emotiv EPOC).

    Reads a local copy of ``DREAMER.mat``: 14-channel EEG at 128 Hz recorded
    with a consumer headset while subjects watched film clips, each rated
    for valence, arousal and dominance on 1-5 scales. Nothing is downloaded.

    Parameters
    ----------
    path : path-like | None, default=None
        ``DREAMER.mat`` or the folder holding it. If None, the environment
        variable or MNE config key ``MNE_DATASETS_DREAMER_PATH``.
    target : str, default="valence"
        The labels: ``"valence"``, ``"arousal"`` or ``"dominance"`` (two
        classes, ``"low_<target>"`` and ``"high_<target>"``), or
        ``"valence_arousal"`` (four quadrants ``"LVLA"`` ... ``"HVHA"``).
    threshold : float, default=3.0
        Ratings above it are high, below it low: 3, the middle of the 1-5
        scale.
    at_threshold : {"high", "low"}, default="high"
        The class of a rating equal to ``threshold``; published splits differ
        (``>= 3`` and ``> 3`` are both used), and with integer ratings the
        choice moves every trial rated 3.

    Attributes
    ----------
    subject_list : list of int
        ``1`` ... the number of cells of ``DREAMER.Data``.
    event_id : dict
        ``{"low_<target>": 1, "high_<target>": 2}``, or
        ``{"LVLA": 1, "LVHA": 2, "HVLA": 3, "HVHA": 4}``.

    Notes
    -----
    ``DREAMER.mat`` holds one struct ``DREAMER`` with ``Data`` (a 1 x 23 cell
    of subjects), ``EEG_SamplingRate`` (128), ``EEG_Electrodes`` (14 names)
    and the numbers of subjects and clips. Each subject has
    ``EEG.stimuli`` and ``EEG.baseline``, 18 x 1 cells of (n_samples, 14)
    arrays, and ``ScoreValence``, ``ScoreArousal``, ``ScoreDominance``
    (18 x 1, 1-5). A trial is the transposed ``EEG.stimuli`` array; the 61 s
    ``EEG.baseline`` recordings and the ECG are not read. The unit is not
    stated; the values are taken to be µV. The Emotiv amplifier is
    DC-coupled, so a trial may sit on a large offset:
    :func:`~mne_hamnet.datasets.describe_dataset` prints the values, and the
    benchmark's paradigm band-passes 4-45 Hz.

    **Memory.** :func:`scipy.io.loadmat` cannot read part of a MATLAB
    variable, and the whole data set is one variable, so reading any subject
    loads the whole file (about 1-2 GB in memory for the real one) for a
    moment. ``get_data`` loads it at most once per call, keeps only the
    asked subjects' trials, and lets it go before returning; ``n_jobs > 1``
    loads it once per worker. The subject list is read from the file's
    headers alone (:func:`scipy.io.whosmat` does not reach inside the struct).

    Each subject has one session, ``"0"``; each clip is one run, ``"01"``
    ... ``"18"``, with one annotation spanning it, named after its label,
    with the three ratings as its ``extras``
    (:class:`~mne_hamnet.paradigms.RatedEmotion` labels windows from them).

    References
    ----------
    .. [1] S. Katsigiannis and N. Ramzan, "DREAMER: A database for emotion
       recognition through EEG and ECG signals from wireless low-cost
       off-the-shelf devices," IEEE Journal of Biomedical and Health
       Informatics, vol. 22, no. 1, pp. 98-107, 2018.
       doi:10.1109/JBHI.2017.2688239
    """

    _title = "DREAMER"
    #: Each self-assessment scale and its range, for
    #: :class:`~mne_hamnet.paradigms.RatedEmotion`.
    rating_scales = {name: (1.0, 5.0) for name in DREAMER_RATINGS}

    def __init__(self, path=None, target="valence", threshold=3.0, at_threshold="high"):
        self.path = path
        self.target = _check_option("target", target, TARGETS)
        _validate_type(threshold, "numeric", "threshold")
        self.threshold = threshold
        self.at_threshold = _check_option("at_threshold", at_threshold, ("high", "low"))
        self._location = find_file(path, _CONFIG_KEY, self._title, _HOW_TO_GET, _FILE)
        self._contents = None
        try:
            n_subjects = cell_size(self._location, "DREAMER", "Data")
        except (ValueError, EOFError, OSError) as err:
            raise ValueError(
                f"Could not find the cell DREAMER.Data in {self._location}: {err}. {_HOW_TO_GET}"
            ) from err
        if n_subjects < 1:
            raise ValueError(f"DREAMER.Data in {self._location} holds no subject.")
        super().__init__(
            subjects=list(range(1, n_subjects + 1)),
            sessions_per_subject=1,
            events=rating_event_id(target),
            code="DREAMER",
            interval=[0, 1],
            paradigm="emotion",
            doi="10.1109/JBHI.2017.2688239",
        )

    def _subject_files(self, subject):
        return [str(self._location)]

    def get_data(self, subjects=None, cache_config=None, process_pipeline=None, n_jobs=1):
        """Return the raw trials of some subjects, reading the file at most once.

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
            ``data[subject]["0"][run]`` is one clip, an
            :class:`mne.io.RawArray` of shape (14, n_samples) in volts.
        """
        try:
            return super().get_data(subjects, cache_config, process_pipeline, n_jobs)
        finally:
            self._contents = None

    def _load(self):
        if self._contents is None:
            contents = load_mat(self._location, squeeze_me=True, struct_as_record=False)
            if "DREAMER" not in contents:
                keys = [key for key in contents if not key.startswith("__")]
                raise ValueError(f"{self._location} has no variable 'DREAMER'; it holds {keys}.")
            self._contents = contents["DREAMER"]
            logger.info("loaded %s", self._location)
        return self._contents

    def _get_single_subject_data(self, subject):
        self._check_subject(subject)
        dreamer = self._load()
        sfreq = float(getattr(dreamer, "EEG_SamplingRate", SFREQ))
        electrodes = [str(e) for e in np.atleast_1d(getattr(dreamer, "EEG_Electrodes", []))]
        if electrodes != list(DREAMER_CH_NAMES) or sfreq != SFREQ:
            raise ValueError(
                f"{self._location} has EEG_Electrodes {electrodes} at {sfreq:g} Hz, but "
                f"DREAMER's are {list(DREAMER_CH_NAMES)} at {SFREQ:g} Hz."
            )
        record = np.atleast_1d(dreamer.Data)[subject - 1]
        stimuli = np.atleast_1d(record.EEG.stimuli)
        ratings = {
            name: np.atleast_1d(getattr(record, f"Score{name.capitalize()}")).astype(float)
            for name in DREAMER_RATINGS
        }
        for name, values in ratings.items():
            if values.shape != (len(stimuli),) or not np.all((values >= 1) & (values <= 5)):
                raise ValueError(
                    f"Score{name.capitalize()} of subject {subject} in {self._location} must "
                    f"hold one rating 1-5 per clip ({len(stimuli)}), but got {values}."
                )
        montage = montage_for(DREAMER_CH_NAMES)
        runs = {}
        for k, samples in enumerate(stimuli, start=1):
            name = f"subject {subject} clip {k} of {self._location.name}"
            trial = check_trial(np.asarray(samples).T, len(DREAMER_CH_NAMES), name)
            scores = {r: float(ratings[r][k - 1]) for r in DREAMER_RATINGS}
            label = rating_label(scores, self.target, self.threshold, self.at_threshold)
            runs[f"{k:02d}"] = make_trial_raw(
                trial, DREAMER_CH_NAMES, SFREQ, label, montage, f"DREAMER {name}", extras=scores
            )
        logger.info("read %d clips of subject %d", len(runs), subject)
        return {"0": runs}
