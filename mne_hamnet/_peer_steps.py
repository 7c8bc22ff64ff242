"""The preprocessing steps of the peer pipelines: band-pass, channel order and scaling."""

import numpy as np
from scipy.signal import butter, sosfiltfilt
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._check import _check_positive_int, _validate_type
from ._input import is_epochs, to_windows
from .pairing import pair_by_names


def _check_windows(X, n_chans=None):
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(
            f"X must be an array of shape (n_windows, n_channels, n_times), but got "
            f"shape {X.shape}."
        )
    if n_chans is not None and X.shape[1] != n_chans:
        raise ValueError(
            f"X must have {n_chans} channels, as at fit, but got {X.shape[1]}."
        )
    return X


def _unknown(owner, name):
    """The message of a step left without the windows' ``sfreq`` or ``ch_names``."""
    return (
        f"{owner} needs the windows' {name}, which arrays do not carry, but {name} is "
        f"None. Build the pipeline with make_pipelines(..., {name}=...); evaluate() "
        "sets it from the paradigm's data."
    )


class BandPass(TransformerMixin, BaseEstimator):
    """Zero-phase Butterworth band-pass of each window, learning nothing.

    Each window is filtered on its own (forward and backward, so without a
    phase shift), so a fold's test windows never reach the training side.
    As a pipeline's first step under :func:`~mne_hamnet.evaluation.evaluate`
    it runs on each continuous trial instead, before windowing (the edges of
    a window filtered alone change 4-6 % of its energy).

    Parameters
    ----------
    sfreq : float | None
        Sampling frequency of the windows in Hz. None takes it from Epochs;
        arrays need it (:func:`~mne_hamnet.evaluation.evaluate` sets it from
        the paradigm's data).
    l_freq, h_freq : float
        Pass band edges in Hz, ``0 < l_freq < h_freq < sfreq / 2``.
    order : int, default=4
        Order of the Butterworth design (doubled by the forward-backward pass).
    """

    def __init__(self, sfreq, l_freq, h_freq, order=4):
        self.sfreq = sfreq
        self.l_freq = l_freq
        self.h_freq = h_freq
        self.order = order

    def fit(self, X, y=None):
        """Check the parameters; nothing is learned.

        Parameters
        ----------
        X : mne.Epochs | array of shape (n_windows, n_channels, n_times)
            Windows (Epochs are used in µV, their EEG channels).
        y : None
            Not used, present for API consistency.

        Returns
        -------
        self : BandPass
            The transformer.
        """
        data, sfreq = self._windows(X)
        self._sos(sfreq)
        return self

    def transform(self, X):
        """Band-pass every window.

        Parameters
        ----------
        X : mne.Epochs | array of shape (n_windows, n_channels, n_times)
            Windows (Epochs are used in µV, their EEG channels).

        Returns
        -------
        X_new : ndarray of float64, shape (n_windows, n_channels, n_times)
            The filtered windows.
        """
        data, sfreq = self._windows(X)
        sos = self._sos(sfreq)
        try:
            return sosfiltfilt(sos, np.asarray(data, dtype=np.float64), axis=-1)
        except ValueError as err:
            if "padlen" not in str(err):
                raise
            raise ValueError(
                f"BandPass: windows of {np.shape(data)[-1]} samples are too short for a "
                f"zero-phase order-{self.order} band-pass of {self.l_freq:g}-"
                f"{self.h_freq:g} Hz ({err}); use longer windows."
            ) from err

    def _windows(self, X):
        """The windows as an array (Epochs in µV) and their rate."""
        if is_epochs(X):
            # Epochs carry their rate: sfreq=None takes it, a given one must agree
            windows = to_windows(X, self.sfreq, owner="BandPass")
            return windows.data, windows.sfreq
        return _check_windows(X), self.sfreq

    def _sos(self, sfreq):
        if sfreq is None:
            raise ValueError(_unknown("BandPass", "sfreq"))
        for name, value in (("sfreq", sfreq), ("l_freq", self.l_freq), ("h_freq", self.h_freq)):
            _validate_type(value, "numeric", name)
        order = _check_positive_int(self.order, "order")
        nyquist = sfreq / 2
        if not 0 < self.l_freq < self.h_freq < nyquist:
            raise ValueError(
                f"The band must satisfy 0 < l_freq < h_freq < sfreq / 2 = {nyquist:g} Hz, "
                f"but got l_freq={self.l_freq:g} and h_freq={self.h_freq:g}."
            )
        return butter(order, [self.l_freq, self.h_freq], btype="bandpass", fs=sfreq,
                      output="sos")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


class HemisphereOrder(TransformerMixin, BaseEstimator):
    """Keep the paired channels, left ones first, then their right twins.

    TSception's hemisphere kernel spans half the channel axis with stride
    half, so it expects the left hemisphere's channels in the first half and
    their right homologues, in the same order, in the second (Ding et al.,
    2022). Midline and unpaired channels are dropped, as the authors do.

    Parameters
    ----------
    ch_names : list of str
        Channel names of the windows, in order, in 10-05 naming.
    """

    def __init__(self, ch_names):
        self.ch_names = ch_names

    def fit(self, X, y=None):
        """Find the left/right pairs of ``ch_names``.

        Parameters
        ----------
        X : array of shape (n_windows, n_channels, n_times)
            Windows.
        y : None
            Not used, present for API consistency.

        Returns
        -------
        self : HemisphereOrder
            The transformer, with ``order_`` the channel indices to keep.
        """
        if self.ch_names is None:
            raise ValueError(_unknown("HemisphereOrder", "ch_names"))
        names = [str(name) for name in self.ch_names]
        _check_windows(X, len(names))
        pairs, _ = pair_by_names(names)
        if not pairs:
            raise ValueError(
                "HemisphereOrder found no left/right channel pairs in ch_names "
                f"{names[:6]}...; it needs 10-05 names such as C3 and C4."
            )
        self.order_ = np.array([left for left, _ in pairs] + [right for _, right in pairs])
        self.n_features_in_ = len(names)
        return self

    def transform(self, X):
        """Reorder the channels of every window.

        Parameters
        ----------
        X : array of shape (n_windows, n_channels, n_times)
            Windows.

        Returns
        -------
        X_new : ndarray of shape (n_windows, 2 * n_pairs, n_times)
            Left channels of the pairs, then their right twins.
        """
        check_is_fitted(self)
        return _check_windows(X, self.n_features_in_)[:, self.order_]


class ChannelStandardizer(TransformerMixin, BaseEstimator):
    """Scale each channel by the mean and spread of the training windows.

    EEG Conformer standardises with the training data's statistics (Song et
    al., 2023); braindecode's networks are trained on inputs of about unit
    variance. One mean and one standard deviation per channel, over the
    training windows and their samples, keeps differences of power between
    windows, which a per-window z-score would erase.

    Parameters
    ----------
    eps : float, default=1e-8
        Added to the standard deviation, so a flat channel stays finite.
    per_channel : bool, default=True
        False uses one mean and one standard deviation over all channels,
        as EEG Conformer's SEED script does.
    """

    def __init__(self, eps=1e-8, per_channel=True):
        self.eps = eps
        self.per_channel = per_channel

    def fit(self, X, y=None):
        """Learn each channel's mean and standard deviation.

        Parameters
        ----------
        X : array of shape (n_windows, n_channels, n_times)
            Training windows.
        y : None
            Not used, present for API consistency.

        Returns
        -------
        self : ChannelStandardizer
            The transformer, with ``mean_`` and ``scale_`` of shape
            (n_channels,), or (1,) when not ``per_channel``.
        """
        X = _check_windows(X)
        axis = (0, 2) if self.per_channel else None
        self.mean_ = np.atleast_1d(X.mean(axis=axis, dtype=np.float64))
        self.scale_ = np.atleast_1d(X.std(axis=axis, dtype=np.float64)) + self.eps
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """Standardise every channel, as float32 for the networks.

        Parameters
        ----------
        X : array of shape (n_windows, n_channels, n_times)
            Windows.

        Returns
        -------
        X_new : ndarray of float32, shape (n_windows, n_channels, n_times)
            The scaled windows.
        """
        check_is_fitted(self)
        X = _check_windows(X, self.n_features_in_)
        out = (X - self.mean_[:, None]) / self.scale_[:, None]
        return out.astype(np.float32)


def _quiet_csp():
    """Return ``QuietCSP``, defining it on first use (mne.decoding is slow to import)."""
    cls = globals().get("QuietCSP")
    if cls is not None:
        return cls
    import mne
    from mne.decoding import CSP

    class QuietCSP(CSP):
        """MNE's CSP that logs only warnings while it fits and transforms.

        CSP logs its rank estimate and each class's covariance at INFO level
        (15 lines a fit), which MNE shows by default; a benchmark runs it once
        per fold. The parameters are CSP's own.
        """

        def fit(self, X, y):
            with mne.utils.use_log_level("WARNING"):
                return super().fit(X, y)

        def transform(self, X):
            with mne.utils.use_log_level("WARNING"):
                return super().transform(X)

    QuietCSP.__module__ = __name__
    QuietCSP.__qualname__ = "QuietCSP"
    globals()["QuietCSP"] = QuietCSP
    return QuietCSP


def __getattr__(name):
    # pickle (joblib, dask) finds the class by name, possibly before anything built it
    if name == "QuietCSP":
        return _quiet_csp()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
