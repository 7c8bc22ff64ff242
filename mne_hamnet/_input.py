"""Turn what users pass (Epochs, lists of Epochs, arrays) into float32 windows."""

from dataclasses import dataclass

import mne
import numpy as np
from scipy import sparse
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import assert_all_finite, column_or_1d

from ._check import _check_finite, _check_unique_names, _validate_type
from ._logging import warn

# Largest magnitude float32 holds; the network computes in float32.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


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
    info : mne.Info | None
        Measurement info of the channels when Epochs were given (with their
        positions); None for arrays.
    events : ndarray of int | None
        Event codes of each window when Epochs were given.
    bads : list of str | None
        The EEG channels of the Epochs marked bad, and so left out.
    """

    data: np.ndarray
    sfreq: float
    ch_names: list
    info: mne.Info
    events: np.ndarray = None
    bads: list = None


def _epochs_picks(epochs, owner="HAMNetClassifier"):
    picks = mne.pick_types(epochs.info, eeg=True, exclude="bads")
    if len(picks) == 0:
        raise ValueError(
            f"The Epochs hold no good EEG channel; {owner} uses the EEG "
            f"channels, but the channel types are {sorted(set(epochs.get_channel_types()))}."
        )
    return picks


def _readable(epochs):
    """``epochs``, or a copy whose bad epochs are dropped, so that its length is known.

    Epochs read lazily (``preload=False``, MNE's default) do not know how many
    epochs survive rejection until each one has been read; MNE then refuses
    ``len()``. Dropping them on a copy reads the file once, epoch by epoch,
    and leaves the user's object as it was.
    """
    if epochs.preload:
        return epochs
    try:
        len(epochs)
    except RuntimeError:
        epochs = epochs.copy().drop_bad(verbose=False)
    return epochs


def _from_epochs(epochs_list, owner="HAMNetClassifier"):
    for k, epochs in enumerate(epochs_list):
        if not isinstance(epochs, mne.BaseEpochs):
            raise TypeError(
                f"A list given as X must hold only Epochs, but item {k} is "
                f"{type(epochs).__name__}."
            )
    epochs_list = [_readable(epochs) for epochs in epochs_list]
    first = epochs_list[0]
    picks = _epochs_picks(first, owner)
    info = mne.pick_info(first.info, picks)
    names = list(info["ch_names"])
    lengths = [len(epochs.times) for epochs in epochs_list]
    if len(set(lengths)) > 1:
        bad = next(k for k, n in enumerate(lengths) if n != lengths[0])
        raise ValueError(
            f"The Epochs in the list have windows of different lengths: {lengths} "
            f"samples (item {bad} has {lengths[bad]}, item 0 has {lengths[0]}). "
            "Cut them all with the same tmin and tmax (e.g. epochs.crop(0, 1 - 1 / "
            "sfreq)) before passing them together."
        )
    parts, events = [], []
    for k, epochs in enumerate(epochs_list):
        if epochs.info["sfreq"] != info["sfreq"]:
            raise ValueError(
                f"Epochs item {k} has sfreq {epochs.info['sfreq']} Hz, but item 0 "
                f"has {info['sfreq']} Hz."
            )
        item_names = [epochs.ch_names[i] for i in _epochs_picks(epochs, owner)]
        if item_names != names:
            missing = [c for c in names if c not in item_names]
            unexpected = [c for c in item_names if c not in names]
            detail = (
                f"missing {missing}, unexpected {unexpected}" if missing or unexpected
                else "the same channels in a different order"
            )
            raise ValueError(
                f"Epochs item {k} has EEG channels that differ from item 0's ({detail}). "
                "Pick and order them alike, e.g. epochs.reorder_channels(names)."
            )
        if len(epochs.events) == 0:
            raise ValueError(
                f"Epochs item {k} holds no epoch (all were dropped?); "
                f"{owner} needs at least one window."
            )
        # MNE scales EEG to µV here, as braindecode and MOABB do
        parts.append(_epochs_float32(epochs, names))
        events.append(epochs.events[:, 2])
    data = parts[0] if len(parts) == 1 else np.concatenate(parts)
    if len(data) == 0:
        raise ValueError(
            f"The Epochs hold no epoch (all were dropped?); {owner} needs "
            "at least one window."
        )
    if data.shape[2] == 0:
        raise ValueError(f"The Epochs' windows hold no sample: shape {data.shape}.")
    _warn_if_microvolts_as_volts(data)
    eeg = {first.ch_names[i] for i in mne.pick_types(first.info, eeg=True, exclude=[])}
    bads = [name for name in first.info["bads"] if name in eeg]
    return Windows(data, float(info["sfreq"]), names, info, np.concatenate(events), bads)


def is_epochs(X):
    """Whether ``X`` is Epochs, or the list of Epochs scikit-learn's CV hands over."""
    return isinstance(X, mne.BaseEpochs) or (
        isinstance(X, (list, tuple)) and len(X) > 0 and isinstance(X[0], mne.BaseEpochs)
    )


def to_windows(X, sfreq=None, ch_names=None, owner="HAMNetClassifier"):
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
    owner : str
        The estimator that asks, named in the messages (e.g. where a
        missing ``sfreq`` is to be passed).

    Returns
    -------
    windows : Windows
        The data as float32 with its metadata.

    Raises
    ------
    TypeError
        For Raw, sparse matrices, or values that are not real numbers.
    ValueError
        For NaN or infinite values, values beyond float32's range, a shape
        other than 3-D, empty windows, or ``sfreq``/``ch_names`` that are
        missing or disagree with the data.
    """
    if isinstance(X, mne.io.BaseRaw):
        raise TypeError(
            "X is a continuous Raw; cut it into windows first, e.g. with "
            "mne.make_fixed_length_epochs(raw, duration=1.0)."
        )
    if isinstance(X, mne.Evoked) or (
            isinstance(X, (list, tuple)) and len(X) and isinstance(X[0], mne.Evoked)):
        raise TypeError(
            f"X is an Evoked (an average of epochs); {owner} classifies single "
            "windows: pass the Epochs themselves. To use averages as windows, stack "
            "them into Epochs, e.g. mne.EpochsArray(np.stack([e.data for e in "
            "evokeds]), evokeds[0].info)."
        )
    if is_epochs(X):
        windows = _from_epochs([X] if isinstance(X, mne.BaseEpochs) else list(X), owner)
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
        return windows
    data = _as_real_array(X)
    if data.ndim != 3:
        hint = (
            " Reshape your data: one window of shape (n_chans, n_times) is "
            "X[np.newaxis]." if data.ndim < 3 else ""
        )
        raise ValueError(
            "X must be Epochs or an array of shape (n_windows, n_chans, n_times), "
            f"but got an array with {data.ndim} dimension(s), shape {data.shape}.{hint}"
        )
    if data.shape[0] == 0:
        raise ValueError(f"X holds no window: shape {data.shape}.")
    if data.shape[1] == 0 or data.shape[2] == 0:
        what = "channel" if data.shape[1] == 0 else "sample"
        raise ValueError(f"X's windows hold no {what}: shape {data.shape}.")
    if sfreq is None or ch_names is None:
        given = (("sfreq", sfreq), ("ch_names", ch_names))
        missing = " and ".join(name for name, value in given if value is None)
        raise ValueError(
            f"Array input needs {missing}: pass them to {owner} "
            f"(e.g. {owner}(sfreq=200.0, ch_names=[...])), or pass Epochs."
        )
    _check_sfreq(sfreq)
    _check_unique_names(ch_names)
    if len(ch_names) != data.shape[1]:
        raise ValueError(
            f"ch_names has {len(ch_names)} names, but X has {data.shape[1]} "
            f"channels (shape {data.shape})."
        )
    data = _finite_float32(data, "X")
    _warn_if_volts(data)
    # no Info: building one costs most of a single window's prediction time,
    # and fit builds it when it needs the channel positions
    return Windows(data, float(sfreq), list(ch_names), None)


# Arrays whose typical magnitude is below this look like volts, not µV.
VOLTS_THRESHOLD = 1e-3


def _warn_if_volts(data, name="X"):
    """Warn when an array's amplitudes look like volts rather than µV.

    EEG in µV has typical magnitudes of 1 to 100; in volts, 1e-6 to 1e-4;
    in mV, 1e-3 to 0.1. The rule looks at the median of the non-zero
    magnitudes of up to 32 windows spread over the array: the median
    ignores artifacts and outliers, leaving out zeros keeps flat or padded
    channels from lowering it, and sampling windows keeps the cost the same
    for any number of windows. Its threshold, 1e-3, sits ten times above
    the largest typical value in volts and below anything plausible in µV.
    """
    sample = data[:: max(1, len(data) // 32)]
    typical = _median_if_below(sample, VOLTS_THRESHOLD)
    if typical is not None:
        warn(
            f"{name} looks like it is in volts: its median |value| is {typical:.3g}, "
            f"far below 1 µV, while EEG in µV typically lies between 1 and 100. Arrays "
            f"are used as given, and HAMNet learns nothing from signals this small: "
            f"multiply by 1e6 ({name} * 1e6, or epochs.get_data(units='uV')), or pass "
            "the Epochs themselves, which are converted to µV."
        )


# Epochs whose typical deviation in µV is above this hold µV labelled as volts.
MICROVOLTS_AS_VOLTS_THRESHOLD = 1e4


def _warn_if_microvolts_as_volts(data):
    """Warn when Epochs, read in µV, look like µV stored as if they were volts.

    MNE keeps EEG in volts. Data in µV given to ``mne.io.RawArray`` or
    ``mne.EpochsArray`` without ``* 1e-6`` come out a million times too large
    (about 1e7 "µV"). The rule looks at the median of the magnitudes after
    removing each window's channel means, so that the millivolt DC offsets of
    DC-coupled amplifiers do not count, over up to 32 windows; its threshold,
    1e4 µV (10 mV), is far above any EEG and far below 1e6 times it.
    """
    sample = data[:: max(1, len(data) // 32)].astype(np.float64)
    deviation = np.abs(sample - sample.mean(axis=-1, keepdims=True))
    deviation = deviation[deviation != 0]
    if deviation.size == 0:
        return
    typical = float(np.median(deviation))
    if typical > MICROVOLTS_AS_VOLTS_THRESHOLD:
        warn(
            f"The Epochs' EEG looks about a million times too large: its median "
            f"|deviation| is {typical:.3g} µV, while EEG typically lies between 1 and "
            "100 µV. MNE stores EEG in volts; if the data were in µV when the Raw or "
            "Epochs were made, scale them, e.g. mne.io.RawArray(data * 1e-6, info)."
        )


def _median_if_below(values, threshold):
    """The median of the non-zero ``|values|`` when it is below ``threshold``, else None.

    Decides exactly as ``np.median(np.abs(values[values != 0])) < threshold``
    (in float64) would, by counting instead of sorting: the median of n
    sorted magnitudes is below the threshold when more than half of them
    are (n odd: the middle one is), or, for n even, when the two middle ones
    average below it. Counting costs a few passes over the data; a median
    partitions a float64 copy, which took half of a single window's
    prediction time. The median itself, for the message, is computed only
    when the answer is yes.
    """
    magnitudes = np.abs(values)
    n = int(np.count_nonzero(magnitudes))
    if n == 0:
        return None
    # |x| < threshold in float64 for float32 |x|: compare in float64 only
    # when the data are not float32, else with the float32 bound that gives
    # the same answer (the smallest float32 above the threshold)
    if magnitudes.dtype == np.float32:
        bound = np.float32(threshold)
        if float(bound) <= threshold:
            bound = np.nextafter(bound, np.float32(np.inf))
        small = magnitudes < bound
    else:
        small = magnitudes < np.float64(threshold)
    n_small = int(np.count_nonzero(small)) - (magnitudes.size - n)  # zeros are not counted
    half = n // 2
    if n_small <= half - (n % 2 == 0):
        return None  # the middle value (or the upper of the middle two) is not small
    if n % 2 == 0 and n_small == half:
        # the lower middle value is small, the upper one is not: their mean decides
        lower = float(magnitudes[small & (magnitudes != 0)].max())
        upper = float(magnitudes[~small].min())
        if (lower + upper) / 2 >= threshold:
            return None
    return float(np.median(magnitudes[magnitudes != 0].astype(np.float64)))


def _check_sfreq(sfreq):
    _validate_type(sfreq, "numeric", "sfreq")
    if not (np.isfinite(sfreq) and sfreq > 0):
        raise ValueError(f"sfreq must be a positive finite number, but got {sfreq}.")


def _as_real_array(X):
    """Return ``X`` as a numpy array of real numbers, without casting yet."""
    if hasattr(X, "detach"):  # a torch tensor
        X = X.detach().cpu().numpy()
    if sparse.issparse(X):
        raise TypeError(
            f"X is a sparse {type(X).__name__}, but sparse input is not supported: "
            "HAMNet needs dense windows (X.toarray())."
        )
    try:
        data = np.asarray(X)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"X must be Epochs or array-like, but got {type(X).__name__}."
        ) from err
    if data.dtype.kind == "c":
        raise ValueError(
            f"Complex data not supported: X must hold real numbers, but got an array "
            f"of dtype {data.dtype}."
        )
    if data.dtype.kind == "O":
        # as scikit-learn does: object arrays of numbers are accepted
        try:
            data = data.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"X must hold real numbers, but its object array holds other "
                f"values: {err}"
            ) from err
    if data.dtype.kind not in "fiu":
        raise TypeError(
            f"X must hold real numbers, but got an array of dtype {data.dtype}."
        )
    return data


def _finite_float32(data, name="X"):
    """Check ``data`` for NaN, inf and float32 overflow, and return it as float32.

    The common case allocates nothing but the float32 result: the cast turns
    an overflow into inf, and a float64 sum of float32 values is finite
    exactly when all of them are (numpy accumulates it in small buffers).
    Only bad data pay for the detailed checks and messages.
    """
    with np.errstate(over="ignore"):
        out = np.ascontiguousarray(data, dtype=np.float32)  # no copy for float32
    if out.size == 0 or np.isfinite(np.sum(out, dtype=np.float64)):
        return out
    _check_finite(data, name)
    largest = float(max(np.nanmax(data), -np.nanmin(data)))
    raise ValueError(
        f"{name} holds values up to {largest:.3g}, beyond the float32 range "
        f"(±{_FLOAT32_MAX:.3g}) the network computes in; check the units "
        "(Epochs are used in µV)."
    )


def _epochs_float32(epochs, picks, chunk=256):
    """Epochs' data in µV as float32, converted a chunk of epochs at a time.

    ``get_data`` of all epochs at once would make a float64 copy twice the
    size of the float32 result.
    """
    out = np.empty((len(epochs), len(picks), len(epochs.times)), np.float32)
    for start in range(0, len(epochs), chunk):
        part = epochs.get_data(picks=picks, units="uV", item=slice(start, start + chunk),
                               verbose=False)
        with np.errstate(over="ignore"):
            out[start : start + chunk] = part
        if not np.isfinite(np.sum(out[start : start + chunk], dtype=np.float64)):
            _finite_float32(part, "X")  # raises, naming what is wrong
    return out


def check_targets(windows, y):
    """Check the labels ``y`` of ``windows``; None takes Epochs' event codes.

    Returns
    -------
    y : ndarray of shape (n_windows,)
        The labels, as given (any type scikit-learn accepts for classes).
    """
    n = len(windows.data)
    if y is None:
        if windows.events is None:
            raise ValueError(
                "HAMNetClassifier requires y to be passed, but the target y is "
                "None; y is taken from the events only when X is Epochs."
            )
        y = windows.events
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional, but got shape {y.shape}.")
    if len(y) != n:
        raise ValueError(f"y has {len(y)} labels, but X has {n} windows.")
    if y.dtype.kind in "fc":
        assert_all_finite(y, input_name="y")
    if y.dtype.kind == "O":
        kinds = {"string" if isinstance(v, (str, np.str_)) else "number"
                 for v in y if not isinstance(v, bool)}
        if len(kinds) > 1:
            examples = [y[np.flatnonzero([isinstance(v, (str, np.str_)) == want for v in y])[0]]
                        for want in (True, False)]
            raise ValueError(
                f"y mixes strings and numbers (e.g. {examples[0]!r} and {examples[1]!r}); "
                "the labels of one fit must be all strings or all numbers, which "
                "scikit-learn can sort. Convert them, e.g. y = np.asarray(y, dtype=str)."
            )
    check_classification_targets(y)
    return y


def event_codes(X):
    """The event codes of Epochs (or a list of them), one per window, or None."""
    if not is_epochs(X):
        return None
    items = [X] if isinstance(X, mne.BaseEpochs) else list(X)
    return np.concatenate([_readable(epochs).events[:, 2] for epochs in items])


def encode_labels(y, classes):
    """Indices of ``y``'s labels in ``classes``, or an error naming the unknown ones."""
    sorter = np.argsort(classes)
    position = np.clip(np.searchsorted(classes, y, sorter=sorter), 0, len(classes) - 1)
    encoded = sorter[position]
    unknown = classes[encoded] != y
    if unknown.any():
        raise ValueError(
            f"y holds labels {np.unique(y[unknown]).tolist()} that are not "
            f"among classes {classes.tolist()}."
        )
    return encoded.astype(np.int64)
