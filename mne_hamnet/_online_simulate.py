"""A small continuous recording with labelled blocks, to try online decoding without a headset."""

import numpy as np

from ._check import _check_positive_int, _validate_type
from ._montage import standard_montage

#: The channels of :func:`simulate_recording`: a 10-20 subset, 7 homologous pairs and Cz.
SIMULATED_CH_NAMES = ["Fp1", "Fp2", "F7", "F8", "F3", "F4", "T7", "T8", "C3", "C4",
                      "P3", "P4", "O1", "O2", "Cz"]


def simulate_recording(duration=60.0, sfreq=200.0, block=5.0, random_state=0):
    """Simulate a continuous EEG recording whose class changes every few seconds.

    Blocks of ``block`` seconds alternate between two classes, annotated
    ``"left"`` and ``"right"``: in a ``"left"`` block the left hemisphere
    carries more 50 Hz (gamma) power, in a ``"right"`` block the right one,
    on top of white noise of 10 µV, the asymmetry HAMNet measures.

    Parameters
    ----------
    duration : float
        Length in seconds.
    sfreq : float
        Sampling frequency in Hz.
    block : float
        Seconds per block.
    random_state : int
        Seed of the noise and phases.

    Returns
    -------
    raw : mne.io.RawArray
        The recording in volts, with a 10-20 montage and one annotation per block.
    """
    import mne

    _validate_type(duration, "numeric", "duration")
    _validate_type(block, "numeric", "block")
    random_state = _check_positive_int(random_state, "random_state", minimum=0)
    if not (duration > 0 and block > 0):
        raise ValueError(
            f"duration and block must be positive, but got {duration} and {block}."
        )
    rng = np.random.default_rng(random_state)
    n_samples = int(round(duration * sfreq))
    n_block = max(1, int(round(block * sfreq)))
    side = np.array([0 if n[-1] == "z" else (-1 if int(n[-1]) % 2 else 1)
                     for n in SIMULATED_CH_NAMES])
    data = rng.normal(scale=10.0, size=(len(SIMULATED_CH_NAMES), n_samples))
    t = np.arange(n_samples) / sfreq
    onsets, descriptions = [], []
    for k, start in enumerate(range(0, n_samples, n_block)):
        stop = min(start + n_block, n_samples)
        label = ("left", "right")[k % 2]
        boost = np.where(side == (-1 if label == "left" else 1), 1.6, 1.0)
        phase = rng.uniform(0, 2 * np.pi, size=(len(side), 1))
        data[:, start:stop] += 8.0 * boost[:, None] * np.sin(
            2 * np.pi * 50.0 * t[start:stop] + phase)
        onsets.append(start / sfreq)
        descriptions.append(label)
    info = mne.create_info(SIMULATED_CH_NAMES, sfreq, "eeg")
    raw = mne.io.RawArray(data * 1e-6, info, verbose=False)
    raw.set_montage(standard_montage("1020"))
    durations = np.diff(onsets + [n_samples / sfreq])
    raw.set_annotations(mne.Annotations(onsets, durations, descriptions))
    return raw
