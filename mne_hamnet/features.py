"""Differential entropy (DE) and its hemispheric asymmetry (DASM) features."""

import mne
import numpy as np
from scipy.signal import periodogram
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from ._check import _check_layout, _check_option, _validate_type
from ._input import is_epochs, to_windows
from ._lds import LDS_PARAMS
from ._lds import lds_smooth as _lds_smooth
from .mirror import HemisphereMirror

#: The five classical SEED bands in Hz (Zheng & Lu, 2015).
SEED_BANDS = {
    "delta": (1.0, 3.0),
    "theta": (4.0, 7.0),
    "alpha": (8.0, 13.0),
    "beta": (14.0, 30.0),
    "gamma": (31.0, 50.0),
}


class DifferentialEntropy(TransformerMixin, BaseEstimator):
    """Differential entropy per channel and band, optionally with DASM.

    For a band-limited Gaussian signal of variance :math:`\\sigma^2` the
    differential entropy is :math:`\\frac{1}{2}\\log(2\\pi e\\sigma^2)`
    [1]_. The band variance of each window is the integral of its
    Hann-windowed periodogram over the band, taken after removing the
    window's mean, so that a DC offset changes nothing. DASM [2]_ is the DE of each left
    channel minus that of its right homologue, over the pairs a
    :class:`~mne_hamnet.HemisphereMirror` finds.

    Parameters
    ----------
    bands : dict of str to tuple of float | None, default=None
        Named (low, high) bands in Hz. None uses the five classical SEED
        bands (:data:`SEED_BANDS`).
    kind : {"de", "dasm", "de+dasm"}, default="de"
        Which features to return.
    sfreq : float | None, default=None
        Sampling frequency, needed only for array input (at fit; arrays given
        to :meth:`transform` are taken at the rate seen in fit).
    ch_names : list of str | None, default=None
        Channel names, needed for array input with DASM.
    mirror : HemisphereMirror | None, default=None
        Pairing template for DASM, cloned at fit. None uses
        ``HemisphereMirror(on_unpaired="ignore")``.
    smooth : {None, "lds"}, default=None
        ``"lds"`` smooths each feature over the windows given to
        :meth:`transform` with SEED's linear dynamical system [3]_ (a Kalman
        smoother, see :func:`lds_smooth`): the windows must then be the
        consecutive windows of one trial, in time order, and each feature
        depends on every window of that trial, later ones included.
        :func:`~mne_hamnet.evaluation.evaluate` computes such features trial
        by trial.

    Attributes
    ----------
    sfreq_ : float
        Sampling frequency seen in fit.
    ch_names_ : list of str
        Channel names seen in fit (``ch0``, ``ch1``... for an array fitted
        without ``ch_names``). Epochs given to :meth:`transform` must have
        these channels in this order; arrays are taken in this layout.
    mirror_ : HemisphereMirror | None
        The fitted mirror (DASM only).
    n_features_in_ : int
        Number of channels.

    References
    ----------
    .. [1] Duan, R.-N., Zhu, J.-Y., & Lu, B.-L. (2013). Differential entropy
       feature for EEG-based emotion classification. 6th International
       IEEE/EMBS Conference on Neural Engineering, 81-84.
    .. [2] Zheng, W.-L., & Lu, B.-L. (2015). Investigating critical frequency
       bands and channels for EEG-based emotion recognition with deep neural
       networks. IEEE Transactions on Autonomous Mental Development, 7(3),
       162-175.
    .. [3] Shi, L.-C., & Lu, B.-L. (2010). Off-line and on-line vigilance
       estimation based on linear dynamical system and manifold learning.
       32nd Annual International Conference of the IEEE EMBS, 6587-6590.
    """

    def __init__(self, bands=None, kind="de", sfreq=None, ch_names=None, mirror=None,
                 smooth=None):
        self.bands = bands
        self.kind = kind
        self.sfreq = sfreq
        self.ch_names = ch_names
        self.mirror = mirror
        self.smooth = smooth

    def fit(self, X, y=None):
        """Record the layout and, for DASM, find the channel pairs.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | ndarray of shape (n_windows, n_channels, n_times)
            The windows.
        y : None
            Not used, present for API consistency.

        Returns
        -------
        self : DifferentialEntropy
            The fitted transformer.
        """
        _check_option("kind", self.kind, ("de", "dasm", "de+dasm"))
        _check_option("smooth", self.smooth, (None, "lds"))
        self._check_bands()
        windows = self._windows(X, require_names="dasm" in self.kind)
        self._check_bands(windows.sfreq)
        self.sfreq_ = windows.sfreq
        self.ch_names_ = windows.ch_names
        self.n_features_in_ = windows.data.shape[1]
        self.mirror_ = None
        if "dasm" in self.kind:
            mirror = HemisphereMirror(on_unpaired="ignore") if self.mirror is None else clone(
                self.mirror)
            _validate_type(mirror, HemisphereMirror, "mirror")
            info = windows.info or mne.create_info(windows.ch_names, windows.sfreq, "eeg",
                                                   verbose=False)
            self.mirror_ = mirror.fit(info)
            if not self.mirror_.pairs_:
                raise ValueError(
                    "DASM needs left/right channel pairs, but none were found among "
                    f"{windows.ch_names}."
                )
        return self

    def transform(self, X):
        """Compute the features.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | ndarray of shape (n_windows, n_channels, n_times)
            The windows, with the layout seen in fit.

        Returns
        -------
        features : ndarray of shape (n_windows, n_features)
            DE as (channel, band) with bands varying fastest, then DASM as
            (pair, band); smoothed over the windows with ``smooth="lds"``.
        """
        check_is_fitted(self, "sfreq_")
        if is_epochs(X):
            windows = to_windows(X, owner="DifferentialEntropy")
            # Epochs carry their channel names: check them, as the classifier does
            _check_layout(windows.ch_names, self.ch_names_, owner="DifferentialEntropy",
                          sfreq=windows.sfreq, fitted_sfreq=self.sfreq_)
        else:
            data = np.asarray(X)
            if data.ndim == 3 and data.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {data.shape[1]} channels, but DifferentialEntropy was fitted "
                    f"with {self.n_features_in_}."
                )
            # an array carries no names or rate: it is taken in the fitted layout
            windows = to_windows(X, self.sfreq_, self.ch_names_, owner="DifferentialEntropy")
        data = windows.data
        de = self._differential_entropy(data.astype(np.float64))  # (n, C, B)
        parts = []
        if "de" in self.kind.split("+"):
            parts.append(de.reshape(len(de), -1))
        if self.mirror_ is not None:
            index = {name: i for i, name in enumerate(self.mirror_.ch_names_)}
            left = [index[a] for a, _ in self.mirror_.pairs_]
            right = [index[b] for _, b in self.mirror_.pairs_]
            parts.append((de[:, left] - de[:, right]).reshape(len(de), -1))
        features = np.concatenate(parts, axis=1)
        if self.smooth == "lds":
            # linear in the features: smoothing DE then taking DASM is the same
            features = _lds_smooth(features)
        return features

    def get_feature_names_out(self, input_features=None):
        """Names of the output features, e.g. ``"FP1_gamma"`` or ``"FP1-FP2_gamma"``.

        Parameters
        ----------
        input_features : None
            Not used, present for API consistency.

        Returns
        -------
        names : ndarray of str
            One name per output column.
        """
        check_is_fitted(self, "sfreq_")
        bands = list(self._band_dict())
        names = []
        channels = self.ch_names_ or [f"ch{i}" for i in range(self.n_features_in_)]
        if "de" in self.kind.split("+"):
            names += [f"{ch}_{band}" for ch in channels for band in bands]
        if self.mirror_ is not None:
            names += [f"{a}-{b}_{band}" for a, b in self.mirror_.pairs_ for band in bands]
        return np.asarray(names, dtype=object)

    def _windows(self, X, require_names):
        if is_epochs(X):
            return to_windows(X, self.sfreq, self.ch_names, owner="DifferentialEntropy")
        missing = [name for name, value in (("sfreq", self.sfreq), ("ch_names", self.ch_names))
                   if value is None and (name == "sfreq" or require_names)]
        if missing:
            # a finer message than to_windows': it knows which names DE needs
            what = " and ".join(missing)
            example = ", ".join(
                {"sfreq": "sfreq=200.0", "ch_names": "ch_names=[...]"}[m] for m in missing)
            raise ValueError(
                f"Array input needs {what}: pass {'them' if len(missing) > 1 else 'it'} to "
                f"DifferentialEntropy (e.g. DifferentialEntropy({example}"
                f"{', kind=' + repr(self.kind) if require_names else ''})), or pass Epochs."
            )
        names = self.ch_names
        if names is None:
            data = np.asarray(X)
            names = [f"ch{i}" for i in range(data.shape[1])] if data.ndim == 3 else None
        return to_windows(X, self.sfreq, names, owner="DifferentialEntropy")

    def _band_dict(self):
        bands = SEED_BANDS if self.bands is None else self.bands
        _validate_type(bands, dict, "bands", "dict of name -> (low, high)")
        return bands

    def _check_bands(self, sfreq=None):
        bands = self._band_dict()
        if not bands:
            raise ValueError("bands must name at least one (low, high) band, but got {}.")
        for name, edges in bands.items():
            _validate_type(name, str, "Each name in bands", "str")
            try:
                low, high = (float(edge) for edge in edges)
            except (TypeError, ValueError):
                raise ValueError(
                    f"Band {name!r} must be a (low, high) pair of numbers in Hz, but got "
                    f"{edges!r}."
                ) from None
            nyquist = np.inf if sfreq is None else sfreq / 2
            if not (np.isfinite(low) and np.isfinite(high) and 0 <= low < high <= nyquist):
                limit = "" if sfreq is None else f" the Nyquist frequency {sfreq / 2} Hz"
                raise ValueError(
                    f"Band {name!r} ({low}, {high}) Hz must satisfy 0 <= low < high <="
                    f"{limit or ' a finite frequency'}."
                )

    def _differential_entropy(self, data):
        # the window mean goes before the taper, so that a DC offset (millivolts
        # on DC-coupled amplifiers) cannot leak into the low bands
        freqs, psd = periodogram(data, fs=self.sfreq_, window="hann", detrend="constant",
                                 axis=-1)
        step = freqs[1] - freqs[0]
        variances = []
        for name, (low, high) in self._band_dict().items():
            low, high = float(low), float(high)
            mask = (freqs >= low) & (freqs <= high)
            if not mask.any():
                raise ValueError(
                    f"Band {name!r} ({low}, {high}) Hz holds no frequency bin at a "
                    f"resolution of {step:g} Hz; use longer windows or wider bands."
                )
            variances.append(psd[..., mask].sum(-1) * step)
        variance = np.stack(variances, axis=-1)
        # a flat channel has zero power; keep its DE finite
        tiny = np.finfo(np.float64).tiny
        return 0.5 * np.log(2 * np.pi * np.e * np.maximum(variance, tiny))


def lds_smooth(features, Q=LDS_PARAMS["Q"], R=LDS_PARAMS["R"], V0=LDS_PARAMS["V0"]):
    """Smooth a trial's sequence of features with SEED's linear dynamical system.

    Each column is an independent random walk ``s[t] = s[t-1] + w[t]``,
    ``w ~ N(0, Q)``, observed as ``x[t] = s[t] + v[t]``, ``v ~ N(0, R)``,
    with ``s[0] ~ N(mean of x, V0)`` (Shi & Lu, 2010). The result is the
    posterior mean of ``s`` given the whole sequence (a Kalman filter, then
    the Rauch-Tung-Striebel smoother): every row depends on every other row,
    the later ones included.

    Parameters
    ----------
    features : array of shape (n_windows, n_features)
        The features of consecutive windows of one trial, in time order.
    Q, R, V0 : float, default=1e-4, 1 and 0.01
        Step, observation and initial variances: SEED's, as its feature files
        and LibEER use them.

    Returns
    -------
    smoothed : ndarray of float64, shape (n_windows, n_features)
        The smoothed features.
    """
    return _lds_smooth(features, Q=Q, R=R, V0=V0)
