"""Write a small synthetic data set in SEED's ``Preprocessed_EEG`` format."""

import datetime
import json
import numbers
import string
from pathlib import Path

import numpy as np
from scipy.io import savemat

from .._check import _check_positive_int, _validate_type
from .._io import write_atomic
from .._logging import logger
from ._seed_layout import SEED_CH_NAMES, make_seed_montage
from .seed import SIDECAR

# The label of each of SEED's 15 film clips, the same in every session.
SEED_LABELS = np.array([1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1])

_FIRST_DATE = datetime.date(2013, 10, 7)
_LOWPASS_HZ = 75.0
_GAMMA_BAND_HZ = (40.0, 70.0)
# Standard deviations in µV: background of a few tens of µV like scalp EEG.
_BACKGROUND_UV = 20.0
_ALPHA_UV = 10.0
_GAMMA_UV = 6.0
# Width of the Gaussian that mixes sources into neighbouring channels: with
# electrodes about 3.7 cm apart it gives neighbours a correlation of about 0.7.
_MIXING_WIDTH_M = 0.03
# Electrode contact changes between trials scale whole channels; this keeps
# neighbouring windows of one trial more alike than windows of two trials,
# as in real recordings, so leaky protocols look better than trial-wise ones.
_TRIAL_GAIN_SD = 0.2
_FOCUS_WIDTH_M = 0.035


def simulate_seed(
    path,
    n_subjects=3,
    n_sessions=3,
    n_trials=15,
    trial_seconds=20.0,
    sfreq=200.0,
    random_state=None,
):
    """Write synthetic EEG in the layout of SEED's ``Preprocessed_EEG`` folder.

    The folder gets one file ``{subject}_{YYYYMMDD}.mat`` per subject and
    session (sessions a week apart), each holding ``n_trials`` arrays
    ``<initials>_eeg<k>`` of shape (62, n_samples) in µV, and a ``label.mat``
    whose ``label`` has shape (1, n_trials) and follows SEED's label sequence
    ``1 0 -1 -1 0 1 -1 0 1 1 0 -1 0 1 -1`` (repeated or cut to ``n_trials``).

    The background is spatially correlated 1/f noise with a posterior alpha
    rhythm, low-passed at 75 Hz like SEED. The class shows as a hemispheric
    asymmetry of gamma (40-70 Hz) power over fronto-temporal channels: more on
    the left for positive trials, more on the right for negative ones and none
    for neutral ones. Its size varies across subjects and trials and each
    trial adds a random tilt, so it is clear in gamma power but small in the
    raw amplitude. Each trial also scales every channel by a random gain of
    about 20 %, as electrode contact drifts, so windows of one trial resemble
    each other more than windows of different trials.

    Parameters
    ----------
    path : path-like
        The folder to write; it is created if needed and must hold no
        ``.mat`` file yet.
    n_subjects : int, default=3
        The number of subjects, numbered from 1.
    n_sessions : int, default=3
        The number of sessions (files) per subject.
    n_trials : int, default=15
        The number of trials per session.
    trial_seconds : float, default=20.0
        The length of each trial in seconds (SEED's last about 4 min).
    sfreq : float, default=200.0
        The sampling frequency in Hz, above 150 Hz. SEED itself is at 200 Hz;
        the folder records the rate in ``mne_hamnet_seed.json``, from which
        :class:`~mne_hamnet.datasets.SEED` reads it back.
    random_state : int | numpy.random.Generator | None, default=None
        Seed of the random numbers, a non-negative int; the same value
        writes the same files.

    Returns
    -------
    path : pathlib.Path
        The folder written.
    """
    _validate_type(path, "path-like", "path")
    n_subjects = _check_positive_int(n_subjects, "n_subjects")
    n_sessions = _check_positive_int(n_sessions, "n_sessions")
    n_trials = _check_positive_int(n_trials, "n_trials")
    _validate_type(trial_seconds, "numeric", "trial_seconds")
    _validate_type(sfreq, "numeric", "sfreq")
    if not np.isfinite(trial_seconds) or trial_seconds < 0:
        raise ValueError(
            f"trial_seconds must be a positive, finite number of seconds, but got "
            f"{trial_seconds}."
        )
    if not (sfreq > 2 * _LOWPASS_HZ and np.isfinite(sfreq)):
        raise ValueError(
            f"sfreq must be above {2 * _LOWPASS_HZ:g} Hz, twice SEED's 75 Hz "
            f"low-pass, but got {sfreq}."
        )
    n_samples = int(round(trial_seconds * sfreq))
    if n_samples < 1:
        raise ValueError(
            f"trial_seconds must give at least one sample at {sfreq:g} Hz, but got {trial_seconds}."
        )
    rng = _check_random_state(random_state)
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(
            f"path={str(path)!r} is a file; simulate_seed writes a folder."
        )
    if path.is_dir() and any(path.glob("*.mat")):
        raise FileExistsError(
            f"The folder {path} already holds .mat files; simulate_seed needs "
            "an empty or new folder."
        )
    path.mkdir(parents=True, exist_ok=True)
    # the rate travels with the folder: SEED() reads it back from here
    write_atomic(path / SIDECAR, json.dumps(
        {"sfreq": float(sfreq), "written_by": "mne_hamnet.datasets.simulate_seed"}).encode())

    labels = np.resize(SEED_LABELS, n_trials)
    savemat(path / "label.mat", {"label": labels[np.newaxis].astype(float)})
    head = _Head(sfreq, n_samples)
    initials = _draw_initials(rng, n_subjects)
    for subject in range(1, n_subjects + 1):
        person = _draw_subject(rng)
        first_date = _FIRST_DATE + datetime.timedelta(days=int(rng.integers(60)))
        for session in range(n_sessions):
            date = first_date + datetime.timedelta(weeks=session)
            gains = rng.uniform(0.9, 1.1, size=len(SEED_CH_NAMES))
            trials = {
                f"{initials[subject - 1]}_eeg{k}": gains[:, np.newaxis]
                * head.trial(rng, person, label)
                for k, label in enumerate(labels, start=1)
            }
            fname = path / f"{subject}_{date:%Y%m%d}.mat"
            savemat(fname, trials)
            logger.debug("wrote %s", fname)
    logger.info(
        "simulated %d subject(s) x %d session(s) x %d trial(s) in %s",
        n_subjects,
        n_sessions,
        n_trials,
        path,
    )
    return path


def _check_random_state(random_state):
    """Return a Generator, refusing seeds numpy would reject with a traceback."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(
                f"random_state must be None, a non-negative int or a numpy Generator, "
                f"but got {random_state}."
            )
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, a non-negative int or a numpy Generator, but got "
        f"{type(random_state).__name__}."
    )


def _draw_initials(rng, n_subjects):
    """Return distinct lower-case initials, two letters each while they suffice."""
    n_letters = 2
    while 26**n_letters < n_subjects:
        n_letters += 1
    codes = rng.choice(26**n_letters, size=n_subjects, replace=False)
    digits = np.unravel_index(codes, (26,) * n_letters)
    letters = np.array(list(string.ascii_lowercase))
    return ["".join(word) for word in letters[np.stack(digits, axis=1)]]


def _draw_subject(rng):
    """Return the traits that stay fixed over one subject's sessions."""
    return {
        "exponent": rng.uniform(1.2, 1.8),
        "alpha_hz": rng.uniform(9.0, 11.5),
        "alpha_gain": rng.uniform(0.6, 1.2),
        "effect": rng.uniform(0.5, 0.8),
    }


class _Head:
    """Spatial and spectral shapes shared by every simulated trial."""

    def __init__(self, sfreq, n_samples):
        positions = make_seed_montage().get_positions()["ch_pos"]
        pos = np.array([positions[name] for name in SEED_CH_NAMES])
        self.n_samples = n_samples
        self.freqs = np.fft.rfftfreq(n_samples, 1.0 / sfreq)
        distance = np.linalg.norm(pos[:, np.newaxis] - pos[np.newaxis], axis=-1)
        mixing = np.exp(-(distance**2) / (2 * _MIXING_WIDTH_M**2))
        # Unit-norm rows keep each channel's variance that of one source.
        self.mixing = mixing / np.linalg.norm(mixing, axis=1, keepdims=True)

        def focus(names):
            centre = np.mean([positions[name] for name in names], axis=0)
            return np.exp(-np.sum((pos - centre) ** 2, axis=1) / (2 * _FOCUS_WIDTH_M**2))

        self.alpha_topo = np.stack(
            [focus(["PO3", "O1", "PO5"]), focus(["PO4", "O2", "PO6"])], axis=1
        )
        # Left minus right fronto-temporal weight: the gamma asymmetry pattern.
        self.asymmetry = focus(["F7", "F5", "FT7", "FC5", "T7"]) - focus(
            ["F8", "F6", "FT8", "FC6", "T8"]
        )
        f = self.freqs
        self.lowpass = 1.0 / np.sqrt(1.0 + (f / _LOWPASS_HZ) ** 16)
        lo, hi = _GAMMA_BAND_HZ
        self.gamma_shape = 1.0 / np.sqrt(
            (1.0 + (lo / np.maximum(f, 1e-12)) ** 16) * (1.0 + (f / hi) ** 16)
        )

    def _noise(self, rng, n_rows, shape, std):
        """Random spectra, shape (n_rows, n_freqs), whose inverse FFT has about ``std``."""
        shape = np.where(self.freqs > 0, shape, 0.0)
        # Parseval: a real signal's variance is 2/n² times the summed |X_k|².
        scale = std * self.n_samples / np.sqrt(2.0 * np.sum(shape**2))
        size = (n_rows, len(self.freqs))
        z = rng.standard_normal(size) + 1j * rng.standard_normal(size)
        return z * (scale * shape / np.sqrt(2.0))

    def trial(self, rng, person, label):
        """Return one trial, shape (n_channels, n_samples), in µV."""
        f = self.freqs
        n_chans = len(SEED_CH_NAMES)
        effect = person["effect"] * (1.0 + 0.3 * rng.standard_normal())
        tilt = 0.1 * rng.standard_normal()
        level = 0.2 * rng.standard_normal()
        gamma_gain = np.exp(level + (effect * label + tilt) * self.asymmetry)
        pink = 1.0 / (1.0 + f**2) ** (person["exponent"] / 4.0)
        background = self._noise(rng, n_chans, pink, _BACKGROUND_UV)
        gamma = self._noise(rng, n_chans, self.gamma_shape, _GAMMA_UV)
        # One source under each electrode, spread to its neighbours by mixing;
        # mixing after the inverse FFT is the same and a cheaper, real product.
        sources = self._to_time(background + gamma_gain[:, np.newaxis] * gamma)

        alpha_shape = np.exp(-((f - person["alpha_hz"]) ** 2) / (2 * 0.8**2))
        left, right = self._noise(rng, 2, alpha_shape, _ALPHA_UV * person["alpha_gain"])
        # The two occipital alpha generators are correlated but not identical.
        right = 0.7 * left + np.sqrt(1 - 0.7**2) * right
        alpha = self._to_time(np.stack([left, right]))
        gains = np.exp(_TRIAL_GAIN_SD * rng.standard_normal((n_chans, 1)))
        return gains * (self.mixing @ sources + self.alpha_topo @ alpha)

    def _to_time(self, spectra):
        """Low-pass and inverse-transform spectra, shape (n_rows, n_freqs)."""
        return np.fft.irfft(spectra * self.lowpass, n=self.n_samples, axis=-1)
