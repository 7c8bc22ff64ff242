"""The emotion paradigms: labelled trials (or rated trials) cut into fixed-length windows."""

import mne
import numpy as np
from moabb.datasets.preprocessing import (
    FixedPipeline,
    SetRawAnnotations,
    get_filter_pipeline,
    get_resample_pipeline,
    make_fixed_pipeline,
)
from moabb.paradigms.base import BaseParadigm

from ._check import _check_unique_names, _validate_type
from ._logging import logger
from ._windowing import _RatingsToLabels, _RawToWindowEvents, _RawToWindows, _scales_of


class Emotion(BaseParadigm):
    """MOABB paradigm cutting labelled emotion trials into windows.

    Each annotation whose name is an event of the data set (for
    :class:`~mne_hamnet.datasets.SEED`: ``"negative"``, ``"neutral"``,
    ``"positive"``, each spanning one trial) is cut into windows of exactly
    ``round(window * sfreq)`` samples, every ``window * (1 - overlap)``
    seconds. Windows never straddle two trials: a trial of ``n`` samples gives
    ``floor((n - n_window) / n_step) + 1`` windows, ``floor(n / n_window)``
    without overlap.

    Parameters
    ----------
    window : float, default=1.0
        The window length in seconds.
    overlap : float, default=0.0
        The fraction of a window shared with the next one, in [0, 1). Unlike
        MOABB's ``overlap``, this is a fraction, not a percentage.
    fmin, fmax : float | None, default=None
        Band-pass edges in Hz applied to each trial before windowing (MOABB's
        IIR filter); None leaves that side open, and both None filter nothing.
    events : list of str | None, default=None
        The event names to keep; None keeps all of the data set's events.
    channels : list of str | None, default=None
        The channels to keep, in this order; None keeps all EEG channels.
    resample : float | None, default=None
        A sampling frequency in Hz to resample each trial to before windowing.
    scorer : str | callable | None, default=None
        A scikit-learn scorer; None means ``"accuracy"``.
    reject_by_annotation : bool, default=True
        Whether to drop windows that overlap ``bad`` annotations.

    Notes
    -----
    ``get_data(dataset, subjects)`` returns ``X, labels, metadata``: ``X`` of
    shape (n_windows, n_channels, n_times) in µV, since MOABB multiplies arrays
    by the data set's ``unit_factor`` (1e6, volts to µV); ``labels`` the event
    names, shape (n_windows,); ``metadata`` a DataFrame with columns
    ``subject``, ``session`` and ``run`` (the trial). With
    ``return_epochs=True``, ``X`` is an :class:`mne.Epochs` in volts.

    Examples
    --------
    Trial-wise cross-validation, whole trials on one side of each split:

    >>> from moabb.evaluations import WithinSessionEvaluation
    >>> from sklearn.model_selection import StratifiedGroupKFold
    >>> evaluation = WithinSessionEvaluation(
    ...     paradigm=Emotion(), datasets=[SEED(path)], cv_class=StratifiedGroupKFold,
    ...     groups="run", n_splits=5, random_state=0, overwrite=True,
    ... )  # doctest: +SKIP
    >>> results = evaluation.process({"name": pipeline})  # doctest: +SKIP
    """

    def __init__(
        self,
        window=1.0,
        overlap=0.0,
        fmin=None,
        fmax=None,
        events=None,
        channels=None,
        resample=None,
        scorer=None,
        reject_by_annotation=True,
    ):
        _validate_type(window, "numeric", "window")
        _validate_type(overlap, "numeric", "overlap")
        if not (window > 0 and np.isfinite(window)):
            raise ValueError(f"window must be a positive number of seconds, but got {window}.")
        if not 0 <= overlap < 1:
            raise ValueError(f"overlap must be a fraction in [0, 1), but got {overlap}.")
        _check_names(events, "events")
        _check_names(channels, "channels")
        _check_band(fmin, fmax)
        if resample is not None:
            _validate_type(resample, "numeric", "resample")
            if not (np.isfinite(resample) and resample > 0):
                raise ValueError(
                    f"resample must be a positive sampling frequency in Hz or None, but got "
                    f"{resample}."
                )
        super().__init__(
            filters=[[fmin, fmax]],
            events=events,
            channels=channels,
            resample=resample,
            scorer=scorer,
            reject_by_annotation=reject_by_annotation,
        )
        self.window = window
        # MOABB's own sliding window reads `overlap` only in the hooks
        # overridden below, so the name can carry our fraction.
        self.overlap = overlap

    def get_data(self, dataset, subjects=None, return_epochs=False, return_raws=False,
                 cache_config=None, postprocess_pipeline=None, process_pipelines=None,
                 additional_metadata=None, n_jobs=1):
        """Return the windows of some subjects, as MOABB's ``get_data`` does.

        Before reading anything it checks that ``dataset`` is an emotion data
        set with every event in ``events``, and it says so when no window fits
        in any trial, instead of MOABB's and pandas' bare errors.

        Parameters
        ----------
        dataset : moabb.datasets.base.BaseDataset
            The data set, e.g. :class:`~mne_hamnet.datasets.SEED`.
        subjects : list of int | None, default=None
            The subjects; None for all.
        return_epochs, return_raws : bool, default=False
            Return :class:`mne.Epochs` (in volts) or the raw trials instead
            of arrays.
        cache_config, postprocess_pipeline, process_pipelines : default=None
            As in :meth:`moabb.paradigms.base.BaseParadigm.get_data`.
        additional_metadata : str | list of str | None, default=None
            As in :meth:`moabb.paradigms.base.BaseParadigm.get_data`.
        n_jobs : int, default=1
            The number of subjects read in parallel.

        Returns
        -------
        X : ndarray of shape (n_windows, n_channels, n_times) | mne.Epochs
            The windows.
        labels : ndarray of shape (n_windows,)
            The event name of each window.
        metadata : pandas.DataFrame
            ``subject``, ``session`` and ``run`` of each window.
        """
        self._check_dataset(dataset)
        try:
            return super().get_data(
                dataset, subjects, return_epochs=return_epochs, return_raws=return_raws,
                cache_config=cache_config, postprocess_pipeline=postprocess_pipeline,
                process_pipelines=process_pipelines,
                additional_metadata=additional_metadata, n_jobs=n_jobs,
            )
        except ValueError as err:
            # MOABB skips runs without windows, then pandas finds nothing to join
            if str(err) != "No objects to concatenate":
                raise
            which = "all subjects" if subjects is None else f"subject(s) {list(subjects)}"
            raise ValueError(
                f"Emotion(window={self.window}) cut no window from {which} of "
                f"{dataset.code}: no trial is at least {self.window} s long (or every "
                "window overlaps a 'bad' annotation). Use a shorter window=; SEED's "
                "trials last about 3-4 minutes."
            ) from None

    def _check_dataset(self, dataset):
        if getattr(dataset, "paradigm", None) != "emotion":
            raise ValueError(
                f"Emotion needs an emotion data set such as SEED, but "
                f"{getattr(dataset, 'code', dataset)!r} has paradigm "
                f"{getattr(dataset, 'paradigm', None)!r}."
            )
        unknown = [name for name in self.events or [] if name not in dataset.event_id]
        if unknown:
            raise ValueError(
                f"events={list(self.events)!r} names {unknown}, which {dataset.code} does "
                f"not have; its events are {list(dataset.event_id)}."
            )

    @property
    def datasets(self):
        """The compatible data sets: SEED if its folder is configured."""
        from .datasets import SEED

        if mne.get_config("MNE_DATASETS_SEED_PATH") is None:
            logger.info("MNE_DATASETS_SEED_PATH is not set: no data set found.")
            return []
        return [SEED()]

    @property
    def scoring(self):
        """The scorer: ``scorer`` if given, else ``"accuracy"``."""
        return "accuracy" if self.scorer is None else self.scorer

    def is_valid(self, dataset):
        """Return whether ``dataset`` is an emotion data set with the events used.

        Parameters
        ----------
        dataset : moabb.datasets.base.BaseDataset
            The data set.

        Returns
        -------
        valid : bool
            True when its paradigm is ``"emotion"`` and it has every event in
            ``events``.
        """
        if dataset.paradigm != "emotion":
            return False
        return set(self.events or []) <= set(dataset.event_id)

    def used_events(self, dataset):
        """Return ``{name: code}`` of the events kept from ``dataset``.

        Parameters
        ----------
        dataset : moabb.datasets.base.BaseDataset
            The data set.

        Returns
        -------
        event_id : dict
            The data set's ``event_id`` restricted to ``events``.
        """
        names = dataset.event_id if self.events is None else self.events
        return {name: dataset.event_id[name] for name in names}

    def make_process_pipelines(
        self, dataset, return_epochs=False, return_raws=False, postprocess_pipeline=None
    ):
        """Return MOABB's processing pipelines, one per band.

        As in :class:`moabb.paradigms.base.BaseParadigm`, without the step that
        rebuilds annotations with the data set's fixed ``interval``: each
        label annotation must keep spanning its whole trial.

        Parameters
        ----------
        dataset : moabb.datasets.base.BaseDataset
            The data set.
        return_epochs : bool, default=False
            Whether the pipelines end with :class:`mne.Epochs`.
        return_raws : bool, default=False
            Whether the pipelines end with the (filtered) raw trials.
        postprocess_pipeline : sklearn.pipeline.Pipeline | None, default=None
            A fixed pipeline applied last.

        Returns
        -------
        pipelines : list of moabb.datasets.preprocessing.FixedPipeline
            One pipeline per band of ``filters``.
        """
        pipelines = super().make_process_pipelines(
            dataset, return_epochs, return_raws, postprocess_pipeline
        )
        for pipeline in pipelines:
            pipeline.steps = [
                step for step in pipeline.steps if not isinstance(step[1], SetRawAnnotations)
            ]
        return pipelines

    def _get_raw_pipelines(self):
        # Resample the trial, not the windows, so that a window keeps exactly
        # round(window * sfreq) samples at the new rate.
        pipelines = []
        for fmin, fmax in self.filters:
            steps = [get_filter_pipeline(fmin, fmax)]
            if self.resample is not None:
                steps.append(get_resample_pipeline(self.resample))
            pipelines.append(make_fixed_pipeline(*steps))
        return pipelines

    def _get_events_pipeline(self, dataset):
        return _RawToWindowEvents(self.used_events(dataset), self.window, self.overlap)

    def _get_epochs_pipeline(self, return_epochs, return_raws, dataset):
        if return_raws:
            return None
        return FixedPipeline(
            [
                (
                    "windows",
                    _RawToWindows(
                        self.used_events(dataset),
                        self.window,
                        self.overlap,
                        channels=self.channels,
                        return_all_modalities=dataset.return_all_modalities,
                        reject_by_annotation=self.reject_by_annotation,
                    ),
                )
            ]
        )


def _check_names(names, what):
    """Raise unless ``names`` is None or a non-empty list of distinct str."""
    if names is None:
        return
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise TypeError(
            f"{what} must be a list of str or None, but got {names!r}"
            + (f"; for one name write [{names!r}]." if isinstance(names, str) else ".")
        )
    if not len(names):
        raise ValueError(f"{what} must name at least one, or be None, but got {names!r}.")
    _check_unique_names(names, what)


def _check_band(fmin, fmax):
    """Raise unless the band-pass edges are None or 0 <= fmin < fmax."""
    for name, value in (("fmin", fmin), ("fmax", fmax)):
        if value is not None:
            _validate_type(value, "numeric", name)
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(
                    f"{name} must be a non-negative frequency in Hz or None, but got {value}."
                )
    if fmin is not None and fmax is not None and not fmin < fmax:
        raise ValueError(f"fmin must be below fmax, but got fmin={fmin}, fmax={fmax}.")


class RatedEmotion(Emotion):
    """MOABB paradigm labelling windows from self-assessment ratings.

    For data sets whose trials carry ratings rather than classes
    (:class:`~mne_hamnet.datasets.DEAP`, :class:`~mne_hamnet.datasets.DREAMER`):
    each trial is labelled ``"low_<scale>"`` or ``"high_<scale>"`` from its
    rating on ``scale`` (or one of the four valence/arousal quadrants), then
    cut into windows as by :class:`Emotion`. The data set's own ``target``
    is ignored: one data set serves a valence and an arousal paradigm alike.

    Parameters
    ----------
    scale : str, default="valence"
        ``"valence"``, ``"arousal"``, ``"dominance"``, ``"liking"`` (DEAP
        only) for two classes, or ``"valence_arousal"`` for the four
        quadrants ``"LVLA"``, ``"LVHA"``, ``"HVLA"``, ``"HVHA"``.
    threshold : float | None, default=None
        Ratings above it are high, below it low. None takes the middle of the
        data set's scale: 5 on DEAP's 1-9, 3 on DREAMER's 1-5.
    at_threshold : {"high", "low"}, default="high"
        The class of a rating equal to ``threshold``. Loaders disagree:
        torcheeg counts DEAP's 5 as high, LibEER as low.
    window : float, default=1.0
        The window length in seconds.
    overlap : float, default=0.0
        The fraction of a window shared with the next one, in [0, 1).
    fmin, fmax : float | None, default=None
        Band-pass edges in Hz applied to each trial before windowing.
    channels : list of str | None, default=None
        The channels to keep, in this order; None keeps all EEG channels.
    resample : float | None, default=None
        A sampling frequency in Hz to resample each trial to.
    scorer : str | callable | None, default=None
        A scikit-learn scorer; None means ``"accuracy"``.
    reject_by_annotation : bool, default=True
        Whether to drop windows that overlap ``bad`` annotations.

    Notes
    -----
    The ratings travel with each trial's annotation
    (:attr:`mne.Annotations.extras`), as the data set readers store them; a
    data set is valid when its ``rating_scales`` has every scale used.
    """

    def __init__(
        self,
        scale="valence",
        threshold=None,
        at_threshold="high",
        window=1.0,
        overlap=0.0,
        fmin=None,
        fmax=None,
        channels=None,
        resample=None,
        scorer=None,
        reject_by_annotation=True,
    ):
        from ._check import _check_option

        super().__init__(
            window=window,
            overlap=overlap,
            fmin=fmin,
            fmax=fmax,
            channels=channels,
            resample=resample,
            scorer=scorer,
            reject_by_annotation=reject_by_annotation,
        )
        _check_option(
            "scale", scale, ("valence", "arousal", "dominance", "liking", "valence_arousal")
        )
        if threshold is not None:
            _validate_type(threshold, "numeric", "threshold")
        self.scale = scale
        self.threshold = threshold
        self.at_threshold = _check_option("at_threshold", at_threshold, ("high", "low"))

    @property
    def datasets(self):
        """No data set is configured by default: pass DEAP or DREAMER explicitly."""
        return []

    def _scales(self):
        return _scales_of(self.scale)

    def is_valid(self, dataset):
        """Return whether ``dataset`` carries ratings on every scale used.

        Parameters
        ----------
        dataset : moabb.datasets.base.BaseDataset
            The data set.

        Returns
        -------
        valid : bool
            True for an emotion data set whose ``rating_scales`` holds the
            scale(s) used.
        """
        scales = getattr(dataset, "rating_scales", {})
        return dataset.paradigm == "emotion" and all(s in scales for s in self._scales())

    def _check_valid(self, dataset):
        if not self.is_valid(dataset):
            raise ValueError(
                f"RatedEmotion(scale={self.scale!r}) needs a data set with ratings on "
                f"{list(self._scales())}, but {dataset.code} has rating_scales "
                f"{getattr(dataset, 'rating_scales', None)}."
            )

    def get_data(self, dataset, subjects=None, *args, **kwargs):
        """Return the windows of some subjects, labelled from their ratings.

        Parameters
        ----------
        dataset : moabb.datasets.base.BaseDataset
            A data set with ratings, e.g. :class:`~mne_hamnet.datasets.DEAP`.
        subjects : list of int | None, default=None
            The subjects; None for all.
        *args, **kwargs
            As for :meth:`moabb.paradigms.base.BaseParadigm.get_data`.

        Returns
        -------
        X : ndarray | mne.Epochs
            The windows, shape (n_windows, n_channels, n_times), in µV.
        labels : ndarray of str
            ``"low_<scale>"``, ``"high_<scale>"`` or a quadrant per window.
        metadata : pandas.DataFrame
            ``subject``, ``session`` and ``run`` of each window.
        """
        self._check_valid(dataset)
        return super().get_data(dataset, subjects, *args, **kwargs)

    def used_events(self, dataset):
        """Return ``{name: code}`` of the classes made from the ratings.

        Parameters
        ----------
        dataset : moabb.datasets.base.BaseDataset
            The data set (not used: the classes follow ``scale``).

        Returns
        -------
        event_id : dict
            ``{"low_<scale>": 1, "high_<scale>": 2}`` or the four quadrants.
        """
        from .datasets._reader import rating_event_id

        return rating_event_id(self.scale)

    def make_process_pipelines(
        self, dataset, return_epochs=False, return_raws=False, postprocess_pipeline=None
    ):
        """Return MOABB's processing pipelines, first relabelling each trial.

        Parameters
        ----------
        dataset : moabb.datasets.base.BaseDataset
            A data set with ratings.
        return_epochs : bool, default=False
            Whether the pipelines end with :class:`mne.Epochs`.
        return_raws : bool, default=False
            Whether the pipelines end with the (filtered) raw trials.
        postprocess_pipeline : sklearn.pipeline.Pipeline | None, default=None
            A fixed pipeline applied last.

        Returns
        -------
        pipelines : list of moabb.datasets.preprocessing.FixedPipeline
            One pipeline per band of ``filters``.
        """
        from moabb.datasets.bids_interface import StepType

        self._check_valid(dataset)
        threshold = self.threshold
        if threshold is None:
            low, high = dataset.rating_scales[self._scales()[0]]
            threshold = (low + high) / 2.0
        relabel = _RatingsToLabels(self.scale, threshold, self.at_threshold)
        pipelines = super().make_process_pipelines(
            dataset, return_epochs, return_raws, postprocess_pipeline
        )
        for pipeline in pipelines:
            pipeline.steps.insert(0, (StepType.RAW, relabel))
        return pipelines
