"""MOABB pipeline steps of the emotion paradigms: label rated trials, cut trials into windows."""

import mne
import numpy as np
from moabb.datasets.preprocessing import FixedTransformer

from ._moabb import pick_channels_for_modalities


def _window_events(raw, event_id, window, overlap):
    """Return the events of the windows of ``raw``'s labelled annotations.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        Continuous data whose annotations label trials.
    event_id : dict
        ``{name: code}`` of the annotations to cut.
    window : float
        The window length in seconds.
    overlap : float
        The fraction of a window shared with the next one.

    Returns
    -------
    events : ndarray of int, shape (n_windows, 3)
        Window onsets in samples (counting ``first_samp``), 0, event code.
    """
    sfreq = raw.info["sfreq"]
    n_window = int(round(window * sfreq))
    n_step = int(round(window * (1 - overlap) * sfreq))
    if n_window < 1 or n_step < 1:
        raise ValueError(
            f"window={window} s with overlap={overlap} gives windows of {n_window} "
            f"and steps of {n_step} sample(s) at {sfreq:g} Hz; both must be at least 1."
        )
    annotations = raw.annotations
    onsets = raw.time_as_index(annotations.onset, use_rounding=True, origin=annotations.orig_time)
    # As in mne.events_from_annotations: without orig_time the onsets already
    # count the samples before first_samp.
    if annotations.orig_time is not None:
        onsets += raw.first_samp
    trials = zip(onsets, annotations.duration, annotations.description, strict=True)
    events = []
    for onset, duration, name in trials:
        if name not in event_id:
            continue
        start = onset - raw.first_samp
        n_samples = min(int(round(duration * sfreq)), raw.n_times - start)
        n_windows = max(0, (n_samples - n_window) // n_step + 1)
        window_onsets = onset + n_step * np.arange(n_windows)
        codes = np.full(n_windows, event_id[name])
        events.append(np.column_stack([window_onsets, np.zeros(n_windows), codes]))
    if not events:
        return np.zeros((0, 3), dtype=int)
    return np.concatenate(events).astype(int)


class _RawToWindowEvents(FixedTransformer):
    """Turn a raw trial into the events of its windows, shape (n_windows, 3)."""

    def __init__(self, event_id, window, overlap):
        super().__init__()
        self.event_id = event_id
        self.window = window
        self.overlap = overlap

    def transform(self, raw, y=None):
        return _window_events(raw, self.event_id, self.window, self.overlap)


class _RawToWindows(FixedTransformer):
    """Cut a raw trial into :class:`mne.Epochs` of exactly one window each."""

    def __init__(
        self,
        event_id,
        window,
        overlap,
        channels=None,
        return_all_modalities=False,
        reject_by_annotation=True,
    ):
        super().__init__()
        self.event_id = event_id
        self.window = window
        self.overlap = overlap
        self.channels = channels
        self.return_all_modalities = return_all_modalities
        self.reject_by_annotation = reject_by_annotation

    def transform(self, raw, y=None):
        events = _window_events(raw, self.event_id, self.window, self.overlap)
        if len(events) == 0:
            # MOABB skips a run when a step raises exactly this.
            raise ValueError("No events found")
        if self.channels is None:
            picks = pick_channels_for_modalities(raw.info, self.return_all_modalities)
        else:
            missing = [name for name in self.channels if name not in raw.ch_names]
            if missing:
                raise ValueError(
                    f"channels={list(self.channels)!r} names {missing}, which the data set's "
                    f"recordings do not have; their channels are {raw.ch_names}."
                )
            picks = mne.pick_channels(raw.ch_names, include=list(self.channels), ordered=True)
        sfreq = raw.info["sfreq"]
        n_window = int(round(self.window * sfreq))
        return mne.Epochs(
            raw,
            events,
            event_id=self.event_id,
            tmin=0.0,
            tmax=(n_window - 1) / sfreq,
            baseline=None,
            picks=picks,
            preload=True,
            proj=False,
            reject_by_annotation=self.reject_by_annotation,
            on_missing="ignore",
            verbose=False,
        )


class _RatingsToLabels(FixedTransformer):
    """Rename each rated trial's annotation after the class of its ratings."""

    def __init__(self, scale, threshold, at_threshold):
        super().__init__()
        self.scale = scale
        self.threshold = threshold
        self.at_threshold = at_threshold

    def transform(self, raw, y=None):
        from .datasets._reader import rating_label

        annotations = raw.annotations
        extras = annotations.extras
        names = []
        for k, name in enumerate(annotations.description):
            ratings = extras[k] if extras else None
            if ratings and all(s in ratings for s in _scales_of(self.scale)):
                name = rating_label(ratings, self.scale, self.threshold, self.at_threshold)
            names.append(name)
        relabelled = mne.Annotations(
            annotations.onset,
            annotations.duration,
            names,
            orig_time=annotations.orig_time,
            extras=extras,
        )
        return raw.copy().set_annotations(relabelled)


def _scales_of(scale):
    return ("valence", "arousal") if scale == "valence_arousal" else (scale,)


class _TrialBandPass(FixedTransformer):
    """Band-pass a continuous recording before it is cut into windows.

    The same zero-phase Butterworth design as a pipeline's
    :class:`~mne_hamnet._peer_steps.BandPass`, applied to each run (a trial of
    the emotion data sets, a run of trials in MOABB's) at the raw's own rate,
    as the peers' recipes filter the recording before cutting it.
    """

    def __init__(self, l_freq, h_freq, order=4):
        super().__init__()
        self.l_freq = l_freq
        self.h_freq = h_freq
        self.order = order

    def transform(self, raw, y=None):
        from scipy.signal import sosfiltfilt

        from ._peer_steps import BandPass

        sfreq = raw.info["sfreq"]
        sos = BandPass(sfreq, self.l_freq, self.h_freq, self.order)._sos(sfreq)
        raw = raw.copy().load_data(verbose=False)
        return raw.apply_function(
            lambda data: sosfiltfilt(sos, data, axis=-1), picks="data", channel_wise=False,
            verbose=False,
        )


class _TrialTransform(FixedTransformer):
    """Apply a fit-free transformer to the windows of one run, as a whole.

    MOABB runs its ``postprocess_pipeline`` on each run's array of windows,
    in time order; in the emotion data sets a run is one trial.
    """

    def __init__(self, transformer):
        super().__init__()
        self.transformer = transformer

    def transform(self, X, y=None):
        from sklearn.base import clone

        return clone(self.transformer).fit_transform(X)


def with_trial_band_pass(process_pipeline, l_freq, h_freq, order=4):
    """Return a copy of a MOABB process pipeline that band-passes each run.

    The filter comes after the paradigm's own raw steps (its filter and
    resampling), so it runs at the windows' rate, and before the windows
    are cut.

    Parameters
    ----------
    process_pipeline : moabb.datasets.preprocessing.FixedPipeline
        One of the paradigm's ``make_process_pipelines``.
    l_freq, h_freq : float
        The pass band in Hz.
    order : int, default=4
        The Butterworth order (doubled by the forward-backward pass).

    Returns
    -------
    process_pipeline : moabb.datasets.preprocessing.FixedPipeline
        The copy, with the band-pass as its last raw step.
    """
    import copy

    from moabb.datasets.bids_interface import StepType

    pipeline = copy.deepcopy(process_pipeline)
    last_raw = max(
        (k for k, (kind, _) in enumerate(pipeline.steps) if kind == StepType.RAW), default=-1
    )
    pipeline.steps.insert(last_raw + 1, (StepType.RAW, _TrialBandPass(l_freq, h_freq, order)))
    return pipeline
