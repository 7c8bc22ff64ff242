"""Turn what users pass (Epochs, lists of Epochs, arrays) into float32 windows."""

from dataclasses import dataclass

import mne
import numpy as np

from ._check import _check_finite, _check_unique_names


@dataclass
class Windows:
    """Windows ready for the network, with what is known about them.

    Attributes
    ----------
    data : ndarray of float32, shape (n_windows, n_chans, n_times)
        The windows; for Epochs in µV.
    sfreq : float
        Sampling frequency in Hz.
    ch_names : list of str
        Channel names.
    info : mne.Info
        Measurement info of the channels (positions when Epochs were given).
    events : ndarray of int | None
        Event codes of each window when Epochs were given.
    """

    data: np.ndarray
    sfreq: float
    ch_names: list
    info: mne.Info
    events: np.ndarray = None


def _epochs_picks(epochs):
    picks = mne.pick_types(epochs.info, eeg=True, exclude="bads")
    if len(picks) == 0:
        raise ValueError(
            "The Epochs hold no good EEG channel; HAMNetClassifier uses the EEG "
            f"channels, but the channel types are {sorted(set(epochs.get_channel_types()))}."
        )
    return picks


def _from_epochs(epochs_list):
    first = epochs_list[0]
    picks = _epochs_picks(first)
    info = mne.pick_info(first.info, picks)
    names = list(info["ch_names"])
    parts, events = [], []
    for k, epochs in enumerate(epochs_list):
        if not isinstance(epochs, mne.BaseEpochs):
            raise TypeError(
                f"A list given as X must hold only Epochs, but item {k} is "
                f"{type(epochs).__name__}."
            )
        if epochs.info["sfreq"] != info["sfreq"]:
            raise ValueError(
                f"Epochs item {k} has sfreq {epochs.info['sfreq']} Hz, but item 0 "
                f"has {info['sfreq']} Hz."
            )
        if [epochs.ch_names[i] for i in _epochs_picks(epochs)] != names:
            raise ValueError(
                f"Epochs item {k} has EEG channels that differ from item 0's."
            )
        # MNE scales EEG to µV here, as braindecode and MOABB do
        parts.append(epochs.get_data(picks=names, units="uV").astype(np.float32))
        events.append(epochs.events[:, 2])
    data = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return Windows(data, float(info["sfreq"]), names, info, np.concatenate(events))


def to_windows(X, sfreq=None, ch_names=None):
    """Convert ``X`` into :class:`Windows`, or raise a clear error.

    Parameters
    ----------
    X : mne.Epochs | list of mne.Epochs | array-like
        Epochs (a list is what scikit-learn's cross-validation hands over
        when X is an Epochs), or an array of shape (n_windows, n_chans,
        n_times).
    sfreq : float | None
        Sampling frequency for array input; must agree with Epochs if given.
    ch_names : list of str | None
        Channel names for array input; must agree with Epochs if given.

    Returns
    -------
    windows : Windows
        The data as float32 with its metadata.
    """
    if isinstance(X, mne.io.BaseRaw):
        raise TypeError(
            "X is a continuous Raw; cut it into windows first, e.g. with "
            "mne.make_fixed_length_epochs(raw, duration=1.0)."
        )
    if isinstance(X, mne.BaseEpochs) or (
        isinstance(X, (list, tuple)) and X and isinstance(X[0], mne.BaseEpochs)
    ):
        windows = _from_epochs([X] if isinstance(X, mne.BaseEpochs) else list(X))
        if sfreq is not None and float(sfreq) != windows.sfreq:
            raise ValueError(
                f"sfreq={sfreq} was given, but the Epochs are sampled at "
                f"{windows.sfreq} Hz. Leave sfreq=None for Epochs."
            )
        if ch_names is not None and list(ch_names) != windows.ch_names:
            raise ValueError(
                "ch_names was given, but differs from the Epochs' EEG channels "
                f"{windows.ch_names}. Leave ch_names=None for Epochs."
            )
        _check_finite(windows.data, "X")
        return windows
    data = _as_float32(X)
    if data.ndim != 3:
        raise ValueError(
            "X must be Epochs or an array of shape (n_windows, n_chans, n_times), "
            f"but got an array with {data.ndim} dimension(s), shape {data.shape}."
        )
    if data.shape[0] == 0:
        raise ValueError(f"X holds no window: shape {data.shape}.")
    if sfreq is None or ch_names is None:
        missing = " and ".join(n for n, v in (("sfreq", sfreq), ("ch_names", ch_names)) if v is None)
        raise ValueError(
            f"Array input needs {missing}: pass them to HAMNetClassifier "
            "(e.g. HAMNetClassifier(sfreq=200.0, ch_names=[...])), or pass Epochs."
        )
    _check_unique_names(ch_names)
    if len(ch_names) != data.shape[1]:
        raise ValueError(
            f"ch_names has {len(ch_names)} names, but X has {data.shape[1]} "
            f"channels (shape {data.shape})."
        )
    _check_finite(data, "X")
    info = mne.create_info(list(ch_names), float(sfreq), "eeg", verbose=False)
    return Windows(data, float(sfreq), list(ch_names), info)


def _as_float32(X):
    if hasattr(X, "detach"):  # a torch tensor
        X = X.detach().cpu().numpy()
    try:
        data = np.asarray(X)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"X must be Epochs or array-like, but got {type(X).__name__}."
        ) from err
    if data.dtype.kind not in "fiu":
        raise TypeError(
            f"X must hold real numbers, but got an array of dtype {data.dtype}."
        )
    # no copy when the caller already holds float32 in C order
    return np.ascontiguousarray(data, dtype=np.float32)
