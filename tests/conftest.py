"""Shared fixtures: small simulated EEG with a left/right gamma asymmetry."""

import mne
import numpy as np
import pytest

from mne_hamnet._montage import standard_montage

# A 10-20 subset: 7 homologous pairs and 3 midline channels.
CH_NAMES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz",
            "C4", "T8", "P3", "Pz", "P4", "O1", "O2"]


def simulate_windows(n_windows=120, sfreq=200.0, n_times=200, ch_names=CH_NAMES,
                     gamma_hz=50.0, gain=1.5, random_state=0):
    """Windows in µV whose class sets which hemisphere carries more gamma.

    Class 0 has stronger gamma on left channels, class 1 on right ones, with
    random phases, so only band power (not the waveform) tells them apart.
    """
    rng = np.random.default_rng(random_state)
    n_chans = len(ch_names)
    y = np.arange(n_windows) % 2
    t = np.arange(n_times) / sfreq
    X = rng.normal(scale=10.0, size=(n_windows, n_chans, n_times))
    side = np.array([
        0 if n[-1] in "z" else (-1 if int(n[-1]) % 2 else 1) for n in ch_names
    ])
    for i in range(n_windows):
        boost = np.where(side == (-1 if y[i] == 0 else 1), gain, 1.0)
        phase = rng.uniform(0, 2 * np.pi, size=(n_chans, 1))
        X[i] += 8.0 * boost[:, None] * np.sin(2 * np.pi * gamma_hz * t + phase)
    return X.astype(np.float32), y


def simulate_epochs(n_windows=120, sfreq=200.0, n_times=200, random_state=0, **kwargs):
    """:func:`simulate_windows` as Epochs in volts with a 10-20 montage."""
    X, y = simulate_windows(n_windows, sfreq, n_times, random_state=random_state, **kwargs)
    info = mne.create_info(CH_NAMES, sfreq, "eeg")
    info.set_montage(standard_montage("1020"))
    events = np.column_stack([np.arange(n_windows) * n_times, np.zeros(n_windows, int), y + 1])
    return mne.EpochsArray(X * 1e-6, info, events=events, event_id={"left": 1, "right": 2},
                           verbose=False)


@pytest.fixture(autouse=True, scope="session")
def _ctrl_c_raises():
    """Let the Ctrl-C tests' SIGINT raise KeyboardInterrupt, however pytest was started.

    A shell without job control starts background commands (``cmd &`` in a
    script) with SIGINT ignored, and Python then keeps it ignored.
    """
    import signal
    import threading

    ignored = (threading.current_thread() is threading.main_thread()
               and signal.getsignal(signal.SIGINT) == signal.SIG_IGN)
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    if ignored:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny fits run faster on one thread, and so do parallel test sessions."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def windows():
    return simulate_windows()


@pytest.fixture
def epochs():
    return simulate_epochs()
