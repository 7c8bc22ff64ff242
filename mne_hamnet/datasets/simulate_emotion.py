"""Write small synthetic copies of SEED-IV, SEED-V, DEAP, DREAMER and FACED in their layouts."""

import datetime
import json
import pickle
import string
from pathlib import Path

import mne
import numpy as np
from scipy.io import savemat

from .._check import _check_positive_int, _validate_type
from .._io import write_atomic
from .._logging import logger
from ..pairing import pair_by_names
from ._seed_layout import SEED_CH_NAMES
from .deap import DEAP_CH_NAMES
from .dreamer import DREAMER_CH_NAMES
from .faced import FACED_CHANNEL_ORDERS, FACED_LABELS
from .seediv import SEEDIV_LABELS
from .seedv import SEEDV_LABELS, TRIAL_TIMES_FILE

_FIRST_DATE = datetime.date(2017, 4, 3)
_BACKGROUND_UV = 15.0
_SIGNAL_UV = 6.0
# How far a class's pattern moves band power, in log units, at most.
_EFFECT = 0.8


class _Signals:
    """Pink background plus a band whose power per hemisphere follows the label.

    Each class (or rating scale) has its own pattern over the left/right
    channel pairs: band power rises on one side of a pair and falls on the
    other, so the class shows as hemispheric asymmetry, which both DE
    features and HAMNet's mirror can learn.
    """

    def __init__(self, ch_names, sfreq, band, passband, n_patterns, rng):
        self.sfreq = float(sfreq)
        pairs, _ = pair_by_names(ch_names)
        self.n_chans = len(ch_names)
        self.patterns = np.zeros((n_patterns, self.n_chans))
        for pattern in self.patterns:
            weights = rng.standard_normal(len(pairs))
            for (left, right), w in zip(pairs, weights):
                pattern[left], pattern[right] = w, -w
        scale = np.abs(self.patterns).max(axis=1, keepdims=True)
        self.patterns *= _EFFECT / np.where(scale > 0, scale, 1.0)
        self.band = band
        self.passband = passband

    def trial(self, rng, n_samples, weights):
        """Return one trial, shape (n_chans, n_samples), in µV.

        ``weights`` (n_patterns,) says how strongly each pattern shows.
        """
        f = np.fft.rfftfreq(n_samples, 1.0 / self.sfreq)
        lo, hi = self.passband
        keep = (f >= lo) & (f <= hi)
        pink = np.where(keep, 1.0 / np.maximum(f, 1.0), 0.0)
        band = np.where((f >= self.band[0]) & (f <= self.band[1]), 1.0, 0.0)
        log_gain = np.asarray(weights) @ self.patterns + 0.1 * rng.standard_normal(self.n_chans)
        spectra = self._noise(rng, pink, _BACKGROUND_UV) + np.exp(log_gain)[:, np.newaxis] * (
            self._noise(rng, band, _SIGNAL_UV)
        )
        x = np.fft.irfft(spectra, n=n_samples, axis=-1)
        # a shared component, as volume conduction gives neighbouring channels
        return x + 0.5 * x.mean(axis=0, keepdims=True)

    def _noise(self, rng, shape, std):
        norm = np.sqrt(2.0 * np.sum(shape**2)) or 1.0
        size = (self.n_chans, len(shape))
        z = rng.standard_normal(size) + 1j * rng.standard_normal(size)
        n_samples = 2 * (len(shape) - 1)
        return z * (std * n_samples / norm * shape / np.sqrt(2.0))


def _one_hot(n, k):
    weights = np.zeros(n)
    weights[k] = 1.0
    return weights


def _new_folder(path, pattern, name):
    _validate_type(path, "path-like", "path")
    path = Path(path)
    if path.is_dir() and any(path.glob(pattern)):
        raise FileExistsError(
            f"The folder {path} already holds {pattern} files; {name} needs an empty or new folder."
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


def _n_samples(seconds, sfreq, name="trial_seconds"):
    _validate_type(seconds, "numeric", name)
    n = int(round(seconds * sfreq))
    if n < 1:
        raise ValueError(
            f"{name} must give at least one sample at {sfreq:g} Hz, but got {seconds}."
        )
    return n


def _initials(rng, n):
    codes = rng.choice(26**3, size=n, replace=False)
    letters = np.array(list(string.ascii_lowercase))
    return ["".join(letters[list(np.unravel_index(c, (26, 26, 26)))]) for c in codes]


def simulate_seediv(path, n_subjects=3, n_sessions=3, trial_seconds=4.0, random_state=None):
    """Write synthetic EEG in the layout of SEED-IV's ``eeg_raw_data`` folder.

    ``path/{1,2,3}/{subject}_{YYYYMMDD}.mat``, one folder per session (a
    week apart), each file holding 24 arrays ``<initials>_eeg1`` ...
    ``<initials>_eeg24`` of shape (62, n_samples) at 200 Hz in µV, labelled
    as in :data:`~mne_hamnet.datasets.seediv.SEEDIV_LABELS`. Each of the four
    classes raises gamma (40-70 Hz) power on one side of its own set of
    channel pairs.

    Parameters
    ----------
    path : path-like
        The folder to write, the one :class:`~mne_hamnet.datasets.SEEDIV`
        reads; created if needed, it must hold no session folder yet.
    n_subjects : int, default=3
        Subjects, numbered from 1.
    n_sessions : int, default=3
        Sessions, 1 to 3.
    trial_seconds : float, default=4.0
        The length of each trial (SEED-IV's last about 2 minutes).
    random_state : int | numpy.random.Generator | None, default=None
        Seed: the same value writes the same files.

    Returns
    -------
    path : pathlib.Path
        The folder written.
    """
    n_subjects = _check_positive_int(n_subjects, "n_subjects")
    n_sessions = _check_positive_int(n_sessions, "n_sessions")
    if n_sessions > 3:
        raise ValueError(f"n_sessions must be 1, 2 or 3, but got {n_sessions}.")
    path = _new_folder(path, "[123]", "simulate_seediv")
    n_samples = _n_samples(trial_seconds, 200.0)
    rng = np.random.default_rng(random_state)
    signals = _Signals(SEED_CH_NAMES, 200.0, (40.0, 70.0), (0.5, 75.0), 4, rng)
    initials = _initials(rng, n_subjects)
    for subject in range(1, n_subjects + 1):
        first = _FIRST_DATE + datetime.timedelta(days=int(rng.integers(60)))
        for session in range(1, n_sessions + 1):
            folder = path / str(session)
            folder.mkdir(exist_ok=True)
            date = first + datetime.timedelta(weeks=session - 1)
            trials = {
                f"{initials[subject - 1]}_eeg{k}": signals.trial(rng, n_samples, _one_hot(4, label))
                for k, label in enumerate(SEEDIV_LABELS[session], start=1)
            }
            savemat(folder / f"{subject}_{date:%Y%m%d}.mat", trials)
    logger.info(
        "simulated SEED-IV: %d subject(s) x %d session(s) in %s", n_subjects, n_sessions, path
    )
    return path


def simulate_seedv(
    path,
    n_subjects=3,
    n_sessions=3,
    trial_seconds=4.0,
    gap_seconds=1.0,
    sfreq=1000.0,
    random_state=None,
):
    """Write synthetic recordings in the layout of SEED-V's ``EEG_raw`` folder.

    MNE cannot write Neuroscan ``.cnt`` files, so each recording is a FIF
    file ``{subject}_{session}_{YYYYMMDD}_raw.fif``, which
    :class:`~mne_hamnet.datasets.SEEDV` reads in place of the ``.cnt``. It
    holds SEED's 62 channels and ``M1``, ``M2``, ``VEO``, ``HEO``, in volts,
    with 15 trials separated by gaps. The published time table spans about
    an hour per recording, so the folder also gets ``trial_times.json``,
    the table of these short recordings, which the reader uses instead.
    Each of the five classes raises gamma (40-70 Hz) power on one side of
    its own set of channel pairs.

    Parameters
    ----------
    path : path-like
        The folder to write; created if needed, it must hold no ``.fif`` yet.
    n_subjects : int, default=3
        Subjects, numbered from 1.
    n_sessions : int, default=3
        Sessions, 1 to 3.
    trial_seconds : float, default=4.0
        The length of each trial.
    gap_seconds : float, default=1.0
        The time before each trial.
    sfreq : float, default=1000.0
        The sampling frequency in Hz, SEED-V's by default; it must exceed
        150 Hz (gamma up to 75 Hz).
    random_state : int | numpy.random.Generator | None, default=None
        Seed: the same value writes the same files.

    Returns
    -------
    path : pathlib.Path
        The folder written.
    """
    n_subjects = _check_positive_int(n_subjects, "n_subjects")
    n_sessions = _check_positive_int(n_sessions, "n_sessions")
    if n_sessions > 3:
        raise ValueError(f"n_sessions must be 1, 2 or 3, but got {n_sessions}.")
    _validate_type(sfreq, "numeric", "sfreq")
    if not sfreq > 150:
        raise ValueError(f"sfreq must be above 150 Hz, but got {sfreq}.")
    path = _new_folder(path, "*.fif", "simulate_seedv")
    n_trial = _n_samples(trial_seconds, sfreq)
    n_gap = _n_samples(gap_seconds, sfreq, "gap_seconds")
    n_trials = len(SEEDV_LABELS[1])
    starts = [(n_gap + k * (n_gap + n_trial)) / sfreq for k in range(n_trials)]
    ends = [start + n_trial / sfreq for start in starts]
    table = {str(session): [starts, ends] for session in SEEDV_LABELS}
    write_atomic(path / TRIAL_TIMES_FILE, _json_bytes(table))
    rng = np.random.default_rng(random_state)
    signals = _Signals(SEED_CH_NAMES, sfreq, (40.0, 70.0), (0.5, 75.0), 5, rng)
    extra = ["M1", "M2", "VEO", "HEO"]
    ch_names = list(SEED_CH_NAMES[:32]) + extra[:2] + list(SEED_CH_NAMES[32:]) + extra[2:]
    order = [ch_names.index(name) for name in SEED_CH_NAMES]
    n_total = n_trials * (n_gap + n_trial) + n_gap
    for subject in range(1, n_subjects + 1):
        first = _FIRST_DATE + datetime.timedelta(days=int(rng.integers(60)))
        for session in range(1, n_sessions + 1):
            data = 10.0 * rng.standard_normal((len(ch_names), n_total))
            for k, label in enumerate(SEEDV_LABELS[session]):
                start = n_gap + k * (n_gap + n_trial)
                data[order, start : start + n_trial] = signals.trial(
                    rng, n_trial, _one_hot(5, label)
                )
            info = mne.create_info(ch_names, float(sfreq), "eeg")
            raw = mne.io.RawArray(data * 1e-6, info, verbose=False)
            date = first + datetime.timedelta(weeks=session - 1)
            fname = path / f"{subject}_{session}_{date:%Y%m%d}_raw.fif"
            raw.save(fname, fmt="single", verbose=False)
    logger.info(
        "simulated SEED-V: %d subject(s) x %d session(s) in %s", n_subjects, n_sessions, path
    )
    return path


def _json_bytes(obj):
    return json.dumps(obj, indent=1).encode()


def _balanced_ratings(rng, n_trials, n_scales, low, high):
    """Ratings, shape (n_trials, n_scales): each scale half low, half high, shuffled.

    Integer bounds draw integers. No rating falls on the scale's middle, so
    the simulated labels do not depend on the tie rule, and every class has
    trials even in a tiny copy.
    """
    ratings = np.empty((n_trials, n_scales))
    for j in range(n_scales):
        is_high = rng.permutation(np.arange(n_trials) % 2 == 0)
        for k, side in enumerate(is_high):
            lo, hi = high if side else low
            if isinstance(lo, int):
                ratings[k, j] = rng.integers(lo, hi + 1)
            else:
                ratings[k, j] = np.round(rng.uniform(lo, hi), 2)
    return ratings


def _rating_weights(ratings, middle, half_range):
    """Map ratings (valence, arousal, ...) to pattern weights in [-1, 1]."""
    return (np.asarray(ratings, dtype=float) - middle) / half_range


def simulate_deap(path, n_subjects=3, n_trials=40, trial_seconds=60.0, random_state=None,
                  ratings_file=True):
    """Write synthetic EEG in the layout of DEAP's ``data_preprocessed_python`` folder.

    One file ``sNN.dat`` per subject: a pickle (protocol 2) of
    ``{"data": (n_trials, 40, 384 + n_samples), "labels": (n_trials, 4)}``
    at 128 Hz, each trial starting with a 3 s baseline. Rows 1-32 are EEG in
    µV band-passed 4-45 Hz; rows 33-40 stand for DEAP's peripheral channels
    (larger, unrelated values). Ratings (valence, arousal, dominance,
    liking) are drawn with two decimals, half of each scale's trials from
    1-4.9 and half from 5.1-9, so that no rating falls on 5; the distance of valence
    from 5 sets the hemispheric asymmetry of gamma (30-45 Hz) power on one
    pattern of channel pairs and arousal's on another, so both scales can be
    learned.

    As in DEAP, the files hold the trials in video order; each subject
    watched them in an order of their own, drawn at random and written to
    ``participant_ratings.csv`` in the folder (DEAP's columns
    ``Participant_id``, ``Trial``, ``Experiment_id``, ``Start_time``,
    ``Valence``, ``Arousal``, ``Dominance``, ``Liking``, ``Familiarity``).

    Parameters
    ----------
    path : path-like
        The folder to write; created if needed, it must hold no ``.dat`` yet.
    n_subjects : int, default=3
        Subjects, numbered from 1 (at most 99: ``s01`` ... ``s99``).
    n_trials : int, default=40
        Trials per subject (DEAP has 40).
    trial_seconds : float, default=60.0
        The length of each trial after the baseline (DEAP's is 60 s).
    random_state : int | numpy.random.Generator | None, default=None
        Seed: the same value writes the same files.
    ratings_file : bool, default=True
        Whether to write ``participant_ratings.csv``, the presentation
        order; without it a reader cannot split the trials in time.

    Returns
    -------
    path : pathlib.Path
        The folder written.
    """
    n_subjects = _check_positive_int(n_subjects, "n_subjects")
    if n_subjects > 99:
        raise ValueError(f"n_subjects must be at most 99, but got {n_subjects}.")
    n_trials = _check_positive_int(n_trials, "n_trials")
    _validate_type(ratings_file, bool, "ratings_file")
    path = _new_folder(path, "*.dat", "simulate_deap")
    sfreq, n_baseline = 128.0, 384
    n_samples = _n_samples(trial_seconds, sfreq)
    rng = np.random.default_rng(random_state)
    signals = _Signals(DEAP_CH_NAMES, sfreq, (30.0, 45.0), (4.0, 45.0), 2, rng)
    rows = []
    for subject in range(1, n_subjects + 1):
        ratings = _balanced_ratings(rng, n_trials, 4, low=(1.0, 4.9), high=(5.1, 9.0))
        rows.append(ratings)
        data = np.empty((n_trials, 40, n_baseline + n_samples))
        for k, row in enumerate(ratings):
            weights = _rating_weights(row[:2], 5.0, 4.0)
            eeg = signals.trial(rng, n_baseline + n_samples, weights)
            # the baseline carries no label
            eeg[:, :n_baseline] = signals.trial(rng, n_baseline, np.zeros(2))
            data[k, :32] = eeg
            data[k, 32:] = 1000.0 + 100.0 * rng.standard_normal((8, n_baseline + n_samples))
        write_atomic(
            path / f"s{subject:02d}.dat",
            pickle.dumps({"labels": ratings, "data": data}, protocol=2),
        )
    if ratings_file:
        # drawn after the signals, so that the files are those of a seed
        # before the order was written
        _write_participant_ratings(path / "participant_ratings.csv", rows, rng)
    logger.info("simulated DEAP: %d subject(s) x %d trial(s) in %s", n_subjects, n_trials, path)
    return path


def _write_participant_ratings(fname, ratings_per_subject, rng):
    """Write each subject's presentation order and ratings as DEAP's CSV does."""
    lines = ["Participant_id,Trial,Experiment_id,Start_time,Valence,Arousal,Dominance,"
             "Liking,Familiarity"]
    for subject, ratings in enumerate(ratings_per_subject, start=1):
        # positions[v] is when video v + 1 was watched
        positions = rng.permutation(len(ratings)) + 1
        by_position = sorted(range(len(ratings)), key=lambda v: positions[v])
        for video in by_position:
            position = positions[video]
            start = int(position * 90_000_000)  # µs, a trial every 90 s
            values = ",".join(f"{value:.2f}" for value in ratings[video])
            familiarity = int(rng.integers(1, 5, endpoint=True))
            lines.append(f"{subject},{position},{video + 1},{start},{values},{familiarity}")
    write_atomic(fname, ("\n".join(lines) + "\n").encode())


def simulate_dreamer(path, n_subjects=3, n_trials=18, trial_seconds=60.0, random_state=None):
    """Write a synthetic ``DREAMER.mat`` in DREAMER's layout.

    One MATLAB file with the struct ``DREAMER``: ``Data`` (a 1 x n_subjects
    cell), ``EEG_SamplingRate`` 128, ``ECG_SamplingRate`` 256,
    ``EEG_Electrodes`` (the 14 Emotiv names), ``noOfSubjects`` and
    ``noOfVideoSequences``. Each subject has ``EEG.stimuli`` and
    ``EEG.baseline`` (n_trials x 1 cells of (n_samples, 14) arrays; the
    baselines last 2 s here, 61 s in DREAMER), an ECG struct and integer ``ScoreValence``,
    ``ScoreArousal``, ``ScoreDominance``, half of each scale's trials 1 or 2
    and half 4 or 5 (never 3, the threshold). EEG values sit on a
    4,200 µV offset, as a DC-coupled Emotiv's do; the distance of valence
    and arousal from 3 sets the hemispheric asymmetry of 30-45 Hz power.

    Parameters
    ----------
    path : path-like
        The folder to write ``DREAMER.mat`` in; created if needed.
    n_subjects : int, default=3
        Subjects.
    n_trials : int, default=18
        Clips per subject (DREAMER has 18).
    trial_seconds : float, default=60.0
        The length of each clip (DREAMER's last 65-393 s).
    random_state : int | numpy.random.Generator | None, default=None
        Seed: the same value writes the same file.

    Returns
    -------
    path : pathlib.Path
        The folder written.
    """
    n_subjects = _check_positive_int(n_subjects, "n_subjects")
    n_trials = _check_positive_int(n_trials, "n_trials")
    path = _new_folder(path, "DREAMER.mat", "simulate_dreamer")
    sfreq = 128.0
    n_samples = _n_samples(trial_seconds, sfreq)
    rng = np.random.default_rng(random_state)
    signals = _Signals(DREAMER_CH_NAMES, sfreq, (30.0, 45.0), (0.5, 60.0), 2, rng)
    subjects = np.empty((1, n_subjects), dtype=object)
    for i in range(n_subjects):
        scores = _balanced_ratings(rng, n_trials, 3, low=(1, 2), high=(4, 5))
        stimuli = np.empty((n_trials, 1), dtype=object)
        baseline = np.empty((n_trials, 1), dtype=object)
        for k, row in enumerate(scores):
            weights = _rating_weights(row[:2], 3.0, 2.0)
            stimuli[k, 0] = 4200.0 + signals.trial(rng, n_samples, weights).T
            baseline[k, 0] = 4200.0 + signals.trial(rng, int(2 * sfreq), np.zeros(2)).T
        subjects[0, i] = {
            "Age": float(rng.integers(22, 34)),
            "Gender": "male" if rng.random() < 0.5 else "female",
            "EEG": {"baseline": baseline, "stimuli": stimuli},
            "ECG": {"baseline": baseline.copy(), "stimuli": stimuli.copy()},
            "ScoreValence": scores[:, :1].astype(float),
            "ScoreArousal": scores[:, 1:2].astype(float),
            "ScoreDominance": scores[:, 2:3].astype(float),
        }
    electrodes = np.empty((1, len(DREAMER_CH_NAMES)), dtype=object)
    electrodes[0, :] = list(DREAMER_CH_NAMES)
    dreamer = {
        "Data": subjects,
        "EEG_SamplingRate": 128.0,
        "ECG_SamplingRate": 256.0,
        "EEG_Electrodes": electrodes,
        "noOfSubjects": float(n_subjects),
        "noOfVideoSequences": float(n_trials),
    }
    savemat(path / "DREAMER.mat", {"DREAMER": dreamer}, do_compression=True)
    logger.info("simulated DREAMER: %d subject(s) x %d clip(s) in %s", n_subjects, n_trials, path)
    return path


def simulate_faced(
    path,
    n_subjects=3,
    trial_seconds=30.0,
    channel_order="A1A2-after-T8",
    random_state=None,
):
    """Write synthetic EEG in the layout of FACED's ``Processed_data`` folder.

    One pickle ``subNNN.pkl`` per subject (from ``sub000``) of an array of
    shape (28 clips, 32 channels, n_samples) at 250 Hz in µV, clips labelled
    as in :data:`~mne_hamnet.datasets.faced.FACED_LABELS`. Each of the nine
    emotions raises 30-45 Hz power on one side of its own set of channel
    pairs, below the low-pass (under 50 Hz) reported for FACED's processing.

    Parameters
    ----------
    path : path-like
        The folder to write; created if needed, it must hold no ``.pkl`` yet.
    n_subjects : int, default=3
        Subjects, numbered from 0.
    trial_seconds : float, default=30.0
        The length of each clip (FACED's are 30 s).
    channel_order : str, default="A1A2-after-T8"
        The order of the 32 rows, a key of
        :data:`~mne_hamnet.datasets.faced.FACED_CHANNEL_ORDERS`.
    random_state : int | numpy.random.Generator | None, default=None
        Seed: the same value writes the same files.

    Returns
    -------
    path : pathlib.Path
        The folder written.
    """
    n_subjects = _check_positive_int(n_subjects, "n_subjects")
    if channel_order not in FACED_CHANNEL_ORDERS:
        raise ValueError(
            f"Invalid value for the 'channel_order' parameter. Allowed values are "
            f"{list(FACED_CHANNEL_ORDERS)}, but got {channel_order!r} instead."
        )
    path = _new_folder(path, "*.pkl", "simulate_faced")
    sfreq = 250.0
    n_samples = _n_samples(trial_seconds, sfreq)
    rng = np.random.default_rng(random_state)
    signals = _Signals(
        FACED_CHANNEL_ORDERS[channel_order], sfreq, (30.0, 45.0), (0.5, 47.0), 9, rng
    )
    for subject in range(n_subjects):
        clips = np.stack(
            [signals.trial(rng, n_samples, _one_hot(9, label)) for label in FACED_LABELS]
        )
        write_atomic(path / f"sub{subject:03d}.pkl", pickle.dumps(clips, protocol=4))
    logger.info("simulated FACED: %d subject(s) in %s", n_subjects, path)
    return path
