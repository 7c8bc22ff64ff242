"""Connect to an LSL stream, check it against a model once, and read its new samples."""

import numpy as np

from ._logging import logger

# FIFF's code for volts (mne.io.constants.FIFF.FIFF_UNIT_V)
_FIFF_UNIT_V = 107
_INSTALL = "pip install 'mne-hamnet[online]' (or pip install mne-lsl)"


def import_mne_lsl():
    """Import mne_lsl, or say how to install it."""
    try:
        import mne_lsl  # noqa: F401
        from mne_lsl.lsl import local_clock  # noqa: F401 (loads liblsl)
    except ImportError as err:
        raise ImportError(
            f"Online decoding needs MNE-LSL, which could not be imported ({err}): "
            f"{_INSTALL}."
        ) from err
    except RuntimeError as err:  # liblsl missing or unloadable
        raise ImportError(
            f"MNE-LSL could not load liblsl ({err}); reinstall mne-lsl, whose wheels "
            "bundle liblsl, or set MNE_LSL_LIB to a liblsl library."
        ) from err
    import mne_lsl

    return mne_lsl


def running_streams(timeout=0.5):
    """(name, source_id) of the LSL streams visible now."""
    from mne_lsl.lsl import resolve_streams

    return [(s.name, s.source_id) for s in resolve_streams(timeout=timeout)]


def connect(stream, bufsize, timeout):
    """A connected StreamLSL, and whether the caller connected it (and so disconnects it).

    ``stream`` is a StreamLSL (connected or not), a stream name, or a tuple
    (name, source_id).
    """
    from mne_lsl.stream import StreamLSL

    if isinstance(stream, StreamLSL):
        if stream.connected:
            return stream, False
        return stream.connect(timeout=timeout), True
    if isinstance(stream, str):
        name, source_id = stream, None
    elif isinstance(stream, (tuple, list)) and len(stream) == 2:
        name, source_id = stream
    else:
        raise TypeError(
            "stream must be an mne_lsl.stream.StreamLSL, a stream name, or a tuple "
            f"(name, source_id), but got {type(stream).__name__}."
        )
    what = f"named {name!r}" + ("" if source_id is None else f" with source id {source_id!r}")
    try:
        connected = StreamLSL(bufsize, name=name, source_id=source_id).connect(
            acquisition_delay=0.001, timeout=timeout)
    except (RuntimeError, TimeoutError) as err:
        found = running_streams()
        raise RuntimeError(
            f"Could not connect to an LSL stream {what} within {timeout} s ({err}). "
            f"Streams visible now (name, source id): {found or 'none'}."
        ) from None
    return connected, True


def check_stream(stream, spec):
    """Check a connected stream against the model; return picks and µV scales.

    Returns
    -------
    picks : ndarray of int
        The stream's indices of the fitted channels, in the fitted order.
    scales : ndarray of float64, shape (n_chans, 1)
        What turns each picked channel's values into µV.
    """
    sfreq = float(stream.info["sfreq"])
    if sfreq != spec.sfreq:
        how = "an irregular rate" if sfreq == 0 else f"{sfreq:g} Hz"
        raise ValueError(
            f"The stream {stream.name!r} is sampled at {how}, but the model was "
            f"fitted at {spec.sfreq:g} Hz. Resample the training data to the stream's "
            "rate and fit again, or set the device to the model's rate."
        )
    names = list(stream.ch_names)
    missing = [ch for ch in spec.ch_names if ch not in names]
    if missing:
        raise ValueError(
            f"The stream {stream.name!r} lacks {len(missing)} of the model's "
            f"{len(spec.ch_names)} channels: {missing}. The stream has {names}. "
            "Rename the stream's channels to the montage's names (or fit on the "
            "channels the device records)."
        )
    if stream.n_buffer < spec.n_times:
        raise ValueError(
            f"The stream {stream.name!r} buffers {stream.n_buffer} samples, fewer than "
            f"the model's window of {spec.n_times}: connect a StreamLSL with a larger "
            "bufsize (in seconds)."
        )
    picks = np.array([names.index(ch) for ch in spec.ch_names])
    scales = np.empty((len(picks), 1))
    for k, pick in enumerate(picks):
        ch = stream.info["chs"][pick]
        if int(ch["unit"]) != _FIFF_UNIT_V:
            raise ValueError(
                f"Channel {ch['ch_name']!r} of the stream {stream.name!r} is not in "
                f"volts (its FIFF unit code is {int(ch['unit'])}); the model takes "
                "EEG in µV. Set its type or unit on the stream, e.g. "
                "stream.set_channel_types({name: 'eeg'}) or set_channel_units."
            )
        # as Epochs.get_data(units="uV"): values in volts times 1e6; a
        # stream that declares µV (unit_mul -6) is used as it is
        scales[k] = 10.0 ** (int(ch["unit_mul"]) + 6)
    logger.debug("stream %s: picks %s, scales %s", stream.name, picks, np.unique(scales))
    return picks, scales


class NewSamples:
    """Read the samples of a connected stream that arrived since the last read.

    Samples are told apart by their timestamps, so that samples arriving
    between reading ``n_new_samples`` and reading the buffer are neither lost
    nor read twice.
    """

    def __init__(self, stream, picks, scales):
        self.stream, self.picks, self.scales = stream, picks, scales
        self.sfreq = float(stream.info["sfreq"])
        self.last_timestamp = 0.0  # the buffer's unfilled slots have timestamp 0
        self.n_lost = 0

    def read(self):
        """New samples in µV (float64, fitted order) and their timestamps.

        Returns None when the stream is no longer connected.
        """
        stream = self.stream
        if not stream.connected:
            return None
        try:
            n_new = stream.n_new_samples
            if n_new == 0:
                return np.empty((len(self.picks), 0)), np.empty(0)
            # a margin for samples that arrive between the two calls
            margin = max(n_new, int(self.sfreq * 0.5))
            n_read = min(n_new + margin, stream.n_buffer)
            data, timestamps = stream.get_data(winsize=n_read / self.sfreq, picks=self.picks)
        except RuntimeError:  # disconnected between the check and the read
            if not stream.connected:
                return None
            raise
        new = timestamps > self.last_timestamp
        if self.last_timestamp > 0 and new.all():
            # none of the samples read was old: more arrived than were read
            # (the loop fell behind and the buffer rolled past unread samples)
            self.n_lost += 1
        data, timestamps = data[:, new], timestamps[new]
        if len(timestamps):
            self.last_timestamp = timestamps[-1]
        return data * self.scales, timestamps


class Windower:
    """Cut windows of ``n_times`` samples every ``hop`` samples from chunks of a stream."""

    def __init__(self, n_chans, n_times, hop):
        self.n_times, self.hop = n_times, hop
        self.data = np.empty((n_chans, 0))
        self.timestamps = np.empty(0)
        self.n_seen = 0  # samples pushed so far

    def push(self, data, timestamps):
        """Add samples; return the windows completed, as (window, last timestamp)."""
        self.data = np.concatenate([self.data, data], axis=1)
        self.timestamps = np.concatenate([self.timestamps, timestamps])
        first = self.n_seen
        self.n_seen += data.shape[1]
        # window ends (counts of samples) n_times, n_times + hop, ... within this chunk
        start = max(first + 1, self.n_times)
        offset = (start - self.n_times) % self.hop
        end = start if offset == 0 else start + self.hop - offset
        kept_from = self.n_seen - self.data.shape[1]  # sample count of data[:, 0]
        windows = []
        while end <= self.n_seen:
            stop = end - kept_from
            windows.append((self.data[:, stop - self.n_times : stop],
                            self.timestamps[stop - 1]))
            end += self.hop
        keep = self.n_times - 1 + self.hop
        if self.data.shape[1] > keep:
            self.data = self.data[:, -keep:]
            self.timestamps = self.timestamps[-keep:]
        return windows
