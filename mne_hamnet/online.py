"""Live decoding of an LSL stream (a headset, or a recording played by MNE-LSL).

:class:`OnlineDecoder` connects a fitted classifier to an MNE-LSL
:class:`~mne_lsl.stream.StreamLSL`, cuts windows of the model's length every
``step`` seconds and predicts each one; :func:`causal_filter` filters
training data with the same causal band-pass the decoder can apply live;
:func:`simulate_recording` makes a recording to play when no headset is at
hand. See the "Online decoding" page of the user guide.
"""

import csv
import math
import os
import time
from collections import deque, namedtuple

import numpy as np

from ._causal import CausalBandpass
from ._check import _check_positive_int, _validate_type
from ._input import VOLTS_THRESHOLD, _median_if_below
from ._logging import logger, warn
from ._online_model import resolve_model
from ._online_simulate import simulate_recording
from ._online_stream import NewSamples, Windower, check_stream, connect, import_mne_lsl

__all__ = ["OnlineDecoder", "Prediction", "causal_filter", "simulate_recording"]

# Time between two looks at the stream's buffer while waiting for samples:
# short against the step, so that it adds little to the latency.
_POLL_S = 0.001


class Prediction(namedtuple("Prediction", ["timestamp", "label", "proba"])):
    """One live prediction: unpacks as ``(timestamp, label, proba)``.

    Parameters
    ----------
    timestamp : float
        LSL time of the window's last sample.
    label : object
        The predicted class (from the model's ``classes_``), the argmax of
        ``proba``.
    proba : ndarray of shape (n_classes,)
        Class probabilities averaged over the last ``smooth`` windows.
    raw_proba : ndarray of shape (n_classes,) | None
        This window's own probabilities.
    latency : float
        Seconds from the window's last sample (``timestamp``) to the
        prediction, on the LSL clock.
    window : ndarray of float32, shape (n_chans, n_times) | None
        The window the model saw (µV, fitted channel order), kept only with
        ``keep_windows=True``.

    Attributes
    ----------
    timestamp, label, proba, raw_proba, latency, window
        The parameters.
    """

    # no __slots__: the fields beyond the three live in the instance's __dict__
    def __new__(cls, timestamp, label, proba, *, raw_proba=None, latency=np.nan, window=None):
        self = super().__new__(cls, timestamp, label, proba)
        self.raw_proba, self.latency, self.window = raw_proba, latency, window
        return self


class OnlineDecoder:
    """Decode a live LSL stream with a fitted classifier.

    The decoder picks the channels the model was fitted on, by name, and
    puts them in the fitted order (MNE-LSL's own ``pick`` keeps the stream's
    order); converts the values to µV as fitting on Epochs does (volts times
    1e6; channels the stream declares in µV are taken as they are); cuts a
    window of the model's length every ``step`` seconds; optionally filters
    with a causal band-pass; and predicts. The probabilities of the last
    ``smooth`` windows are averaged. The stream is checked once, when the
    decoder connects (rate, channels, units); after that a
    :class:`~mne_hamnet.HAMNetClassifier` predicts without per-call checks.

    Parameters
    ----------
    model : HAMNetClassifier | sklearn.pipeline.Pipeline
        A fitted classifier. Besides :class:`~mne_hamnet.HAMNetClassifier`,
        any model with ``predict_proba`` and ``classes_`` works when it (or,
        for a pipeline, one of its steps, looked for from the last) has the
        fitted attributes ``ch_names_`` and ``sfreq_``, or ``info_``: these
        describe the input it takes, windows in µV. Its window length is that
        step's ``n_times_`` or the ``n_times`` parameter.
    stream : mne_lsl.stream.StreamLSL | str | tuple of (str, str)
        A StreamLSL (connected or not; it is left as it is, connected, at the
        end), a stream name, or a (name, source_id) pair to connect to.
    step : float
        Seconds between two windows (rounded to whole samples).
    smooth : int
        Average the probabilities of the last ``smooth`` windows (1: none).
    l_freq, h_freq : float | None
        A causal band-pass applied to the stream before windowing
        (:func:`causal_filter` is the same filter for training data). None
        for both: no filter.
    callbacks : list of callable
        Each is called with every :class:`Prediction`.
    outlet : str | bool
        Publish the (smoothed) probabilities on an LSL outlet of this name
        (True: the stream's name plus ``"-hamnet"``), one channel per class
        named after it, each sample stamped with its window's last timestamp.
    n_times : int | None
        Window length in samples, for models that do not record it.
    timeout : float
        Seconds without a new sample after which the stream counts as gone
        and the decoder stops (connecting waits at least 5 s).
    keep_windows : bool
        Keep each window on its :class:`Prediction` (``window``).

    Attributes
    ----------
    predictions : list of Prediction
        Every prediction made so far (kept after the decoder stops).
    stop_reason : str | None
        Why the last run ended: ``"duration"``, ``"interrupted"`` (Ctrl-C),
        ``"stream stopped"`` (no sample for ``timeout`` s) or
        ``"disconnected"``.
    n_skipped : int
        Windows whose probabilities were not finite (e.g. an artifact
        overflowing float32), skipped with a warning.
    """

    def __init__(self, model, stream, *, step=0.1, smooth=1, l_freq=None, h_freq=None,
                 callbacks=(), outlet=False, n_times=None, timeout=0.5, keep_windows=False):
        _validate_type(step, "numeric", "step")
        _validate_type(timeout, "numeric", "timeout")
        if not (math.isfinite(step) and step > 0):
            raise ValueError(f"step must be a positive number of seconds, but got {step}.")
        if not (math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, but got {timeout}.")
        self.smooth = _check_positive_int(smooth, "smooth")
        callbacks = list(callbacks)
        for callback in callbacks:
            if not callable(callback):
                raise TypeError(
                    f"callbacks must be callables, but got {type(callback).__name__}."
                )
        _validate_type(outlet, (bool, str), "outlet")
        self.spec = resolve_model(model, n_times)
        self.model, self.step, self.timeout = model, float(step), float(timeout)
        self.l_freq, self.h_freq = l_freq, h_freq
        self.callbacks, self.outlet, self.keep_windows = callbacks, outlet, keep_windows
        self.hop = max(1, int(round(self.step * self.spec.sfreq)))
        self._filter = (
            None if l_freq is None and h_freq is None
            else CausalBandpass(self.spec.sfreq, l_freq, h_freq)
        )
        self._stream_arg = stream
        self.stream = None
        self._owns_stream = False
        self._outlet = None
        self.predictions = []
        self.stop_reason = None
        self.n_skipped = 0

    # ------------------------------------------------------------ connect
    def connect(self):
        """Connect to the stream and check it against the model, once.

        Returns
        -------
        self : OnlineDecoder
            The connected decoder.

        Raises
        ------
        ValueError
            If the stream's rate differs from the model's, or it lacks
            fitted channels (named in the message), or a channel is not in volts.
        """
        if self.stream is not None:
            return self
        import_mne_lsl()
        bufsize = max(4.0, 4 * self.spec.n_times / self.spec.sfreq)
        # resolving and measuring the clock offset may take a few seconds on a
        # busy machine, longer than a gap that means the stream stopped
        stream, owns = connect(self._stream_arg, bufsize, max(self.timeout, 5.0))
        try:
            self._picks, self._scales = check_stream(stream, self.spec)
        except Exception:
            if owns:
                stream.disconnect()
            raise
        self.stream, self._owns_stream = stream, owns
        if self.outlet:
            self._outlet = _make_outlet(self.outlet, stream, self.spec.classes)
        if self.spec.unchecked:
            # the first call allocates and plans the FFTs: not in a live window's latency
            self.spec.predict_proba(
                np.zeros((1, len(self._picks), self.spec.n_times), np.float32))
        logger.info(
            "decoding %s: %d channels at %g Hz, windows of %d samples every %d",
            stream.name, len(self._picks), self.spec.sfreq, self.spec.n_times, self.hop,
        )
        return self

    def close(self):
        """Disconnect the stream if the decoder connected it, and close the outlet."""
        if self._outlet is not None:
            self._outlet = None  # MNE-LSL closes an outlet when it is deleted
        if self.stream is not None and self._owns_stream and self.stream.connected:
            self.stream.disconnect()
        self.stream = None

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc):
        self.close()

    # --------------------------------------------------------------- run
    def iter_predictions(self, duration=None, out=None):
        """Yield predictions as windows complete, until the stream or ``duration`` ends.

        Parameters
        ----------
        duration : float | None
            Seconds to decode; None decodes until the stream stops or Ctrl-C.
        out : str | path-like | None
            A CSV file written as predictions come (``timestamp``, ``label``,
            ``latency``, then ``proba_<class>`` per class), so that the
            predictions made so far are on disk whatever stops the decoder.

        Yields
        ------
        prediction : Prediction
            ``(timestamp, label, proba)``, with ``latency`` and ``raw_proba``.
        """
        if duration is not None:
            _validate_type(duration, "numeric", "duration")
            if not duration > 0:
                raise ValueError(f"duration must be positive seconds, but got {duration}.")
        self.connect()
        from mne_lsl.lsl import local_clock

        writer = _CsvWriter(out, self.spec.classes) if out is not None else None
        reader = NewSamples(self.stream, self._picks, self._scales)
        windower = Windower(len(self._picks), self.spec.n_times, self.hop)
        recent = deque(maxlen=self.smooth)
        if self._filter is not None:
            self._filter.reset()
        start = last_arrival = local_clock()
        # the first samples may take a moment to come after connecting
        patience = max(self.timeout, 2.0)
        self.stop_reason = None
        units_checked, first_read = False, True
        try:
            while True:
                now = local_clock()
                if duration is not None and now - start >= duration:
                    self.stop_reason = "duration"
                    break
                chunk = reader.read()
                if chunk is None:
                    self.stop_reason = "disconnected"
                    break
                data, timestamps = chunk
                if len(timestamps) == 0:
                    if now - last_arrival > patience:
                        self.stop_reason = "stream stopped"
                        break
                    time.sleep(_POLL_S)
                    continue
                last_arrival, patience = now, self.timeout
                if self._filter is not None:
                    data = self._filter(data)
                windows = windower.push(data, timestamps)
                if first_read:
                    # samples buffered since connecting: predict only the latest
                    # window, not a backlog whose latency says nothing of the loop
                    windows, first_read = windows[-1:], not windows
                for window, timestamp in windows:
                    if not units_checked:
                        _check_units(window, self.stream.name)
                        units_checked = True
                    prediction = self._predict(window, timestamp, recent, local_clock)
                    if prediction is None:
                        continue
                    self.predictions.append(prediction)
                    if writer is not None:
                        writer.write(prediction)
                    if self._outlet is not None:
                        self._outlet.push_sample(
                            prediction.proba.astype(np.float32), timestamp=timestamp)
                    for callback in self.callbacks:
                        callback(prediction)
                    yield prediction
        except KeyboardInterrupt:
            self.stop_reason = "interrupted"
        finally:
            if writer is not None:
                writer.close()
            if reader.n_lost:
                warn(
                    f"The decoder fell behind the stream {reader.n_lost} time(s) and "
                    "skipped samples; use a longer step or a faster model."
                )
        logger.info("decoder stopped (%s) after %d predictions",
                    self.stop_reason, len(self.predictions))

    def run(self, duration=None, out=None):
        """Decode until the stream stops, ``duration`` passes, or Ctrl-C.

        Parameters
        ----------
        duration : float | None
            Seconds to decode; None decodes until the stream stops or Ctrl-C.
        out : str | path-like | None
            A CSV file of the predictions (see :meth:`iter_predictions`).

        Returns
        -------
        predictions : list of Prediction
            The predictions of this run; ``stop_reason`` says why it ended.
        """
        n_before = len(self.predictions)
        try:
            for _ in self.iter_predictions(duration, out):
                pass
        except KeyboardInterrupt:  # pressed in a callback
            self.stop_reason = "interrupted"
        return self.predictions[n_before:]

    def latency_percentiles(self, q=(50, 99)):
        """Percentiles of the latency of the predictions so far, in seconds.

        Parameters
        ----------
        q : sequence of float
            The percentiles.

        Returns
        -------
        values : ndarray
            One per ``q``; NaN before the first prediction.
        """
        latencies = [p.latency for p in self.predictions]
        if not latencies:
            return np.full(len(q), np.nan)
        return np.percentile(latencies, q)

    def _predict(self, window, timestamp, recent, clock):
        window = np.ascontiguousarray(window, dtype=np.float32)[np.newaxis]
        proba = self.spec.predict_proba(window)[0]
        latency = clock() - timestamp
        if not np.isfinite(proba).all():
            self.n_skipped += 1
            warn(
                f"Skipped a window ending at {timestamp:.3f}: the model's output is not "
                f"finite (largest |value| in the window {np.abs(window).max():.3g} µV)."
            )
            return None
        recent.append(proba)
        smoothed = proba if len(recent) == 1 else np.mean(recent, axis=0)
        label = self.spec.classes[int(np.argmax(smoothed))]
        return Prediction(timestamp, label, smoothed, raw_proba=proba, latency=latency,
                          window=window[0] if self.keep_windows else None)


def _check_units(window, name):
    """Warn when the first window, converted to µV, still looks like volts."""
    typical = _median_if_below(window, VOLTS_THRESHOLD)
    if typical is not None:
        warn(
            f"The stream {name!r} looks like it sends volts while declaring µV: its "
            f"first window's median |value| is {typical:.3g} µV, far below the 1 to "
            "100 µV of EEG. Fix the stream's channel units (the decoder multiplies "
            "values declared in volts by 1e6)."
        )


class _CsvWriter:
    """The predictions file, one row per prediction, flushed as it goes."""

    def __init__(self, path, classes):
        path = os.fspath(path)
        try:
            self._file = open(path, "w", newline="")
        except OSError as err:
            raise OSError(err.errno, f"Cannot write the predictions to {path!r}: "
                          f"{err.strerror}") from None
        self._writer = csv.writer(self._file)
        self._writer.writerow(["timestamp", "label", "latency"]
                              + [f"proba_{c}" for c in classes])
        self._file.flush()

    def write(self, p):
        self._writer.writerow([repr(float(p.timestamp)), p.label, f"{p.latency:.6f}"]
                              + [f"{v:.6g}" for v in p.proba])
        self._file.flush()

    def close(self):
        self._file.close()


def _make_outlet(outlet, stream, classes):
    from mne_lsl.lsl import StreamInfo, StreamOutlet

    name = f"{stream.name}-hamnet" if outlet is True else outlet
    info = StreamInfo(name, "Predictions", len(classes), 0.0, "float32",
                      f"mne-hamnet-{stream.source_id or stream.name}")
    info.set_channel_names([str(c) for c in classes])
    return StreamOutlet(info)


def causal_filter(inst, l_freq, h_freq, *, sfreq=None, order=4):
    """Band-pass training data with the causal filter the decoder applies live.

    A zero-phase filter (MNE's default, ``raw.filter``) runs forwards and
    backwards, so each sample depends on later ones too: it cannot run live.
    A causal filter delays and distorts each band differently, so a model
    trained on zero-phase filtered data sees different windows live. Filter
    the continuous training recording with this function, then cut epochs,
    and decode with the same ``l_freq`` and ``h_freq``.

    Parameters
    ----------
    inst : mne.io.BaseRaw | ndarray of shape (n_channels, n_samples)
        A continuous recording (not epochs: the filter must run over the
        recording as the stream runs through it).
    l_freq, h_freq : float | None
        Band edges in Hz, as for :class:`OnlineDecoder`.
    sfreq : float | None
        Sampling frequency, for arrays.
    order : int
        Butterworth order, 4 as in the decoder and MNE-LSL.

    Returns
    -------
    filtered : mne.io.BaseRaw | ndarray
        A filtered copy (for Raw: its data channels, the others unchanged).
    """
    import mne

    if isinstance(inst, mne.BaseEpochs):
        raise TypeError(
            "causal_filter needs the continuous recording (Raw), as the stream runs "
            "through it; filter the Raw, then cut epochs."
        )
    if isinstance(inst, mne.io.BaseRaw):
        raw = inst.copy().load_data(verbose=False)
        picks = mne.pick_types(raw.info, eeg=True, meg=True, seeg=True, ecog=True,
                               dbs=True, misc=False, exclude=())
        bandpass = CausalBandpass(raw.info["sfreq"], l_freq, h_freq, order)
        raw._data[picks] = bandpass(raw._data[picks])
        return raw
    if sfreq is None:
        raise ValueError("causal_filter needs sfreq for an array.")
    data = np.asarray(inst)
    if data.ndim != 2:
        raise ValueError(
            f"causal_filter takes a recording of shape (n_channels, n_samples), but "
            f"got shape {data.shape}."
        )
    return CausalBandpass(sfreq, l_freq, h_freq, order)(data)


