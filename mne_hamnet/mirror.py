"""The HemisphereMirror transformer: swap left and right homologous channels."""

import mne
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ._check import _check_finite, _check_layout, _check_option, _check_unique_names, _validate_type
from ._logging import logger, warn
from .pairing import pair_by_names, pair_by_positions, parse_1005

# Channel types that sit on the scalp and may be mirrored.
_SCALP_TYPES = ("eeg",)


class HemisphereMirror(TransformerMixin, BaseEstimator):
    """Swap left and right homologous channels, keeping the midline.

    Pairs are found from the channel names when they follow the 10-05
    system (odd numbers left, even right, ``z`` midline; decorations such as
    ``EEG Fp1-REF`` or ``C3..`` are handled, case does not matter). When some
    names do not (EGI ``E12``, Biosemi ``A1``...), the montage positions are
    used: each position is reflected left-right and mutual nearest
    neighbours closer than ``tol`` are paired. Only scalp EEG channels pair;
    EOG1/EOG2 are not a scalp pair.

    Parameters
    ----------
    ch_names : list of str | None, default=None
        Channel names for array input; ignored for MNE objects, which carry
        their own. An array fitted without names has anonymous channels
        (named ``x0``, ``x1``, ... as scikit-learn names unnamed features):
        none can be paired, so this raises unless ``on_unpaired`` is
        ``"warn"`` or ``"ignore"``, in which case every channel maps to
        itself.
    method : {"auto", "names", "positions"}, default="auto"
        ``"auto"`` uses names when every scalp channel follows 10-05 and
        positions otherwise (falling back to names when positions are
        missing).
    tol : float, default=0.01
        Largest distance in metres between a reflected position and its
        partner, for position-based pairing.
    on_unpaired : {"raise", "warn", "ignore"}, default="raise"
        What to do about channels that are neither paired nor on the
        midline. With ``"warn"`` and ``"ignore"`` they map to themselves.

    Attributes
    ----------
    ch_names_ : list of str
        Channel names seen in :meth:`fit` (``x0``, ``x1``, ... for an array
        fitted without ``ch_names``).
    pairs_ : list of tuple of (str, str)
        (left, right) channel names, in channel order of the left channel.
    midline_ : list of str
        Midline channels, which map to themselves.
    unpaired_ : list of str
        Channels with no partner (empty unless ``on_unpaired`` allows it).
    mirror_index_ : ndarray of int of shape (n_channels,)
        ``X[:, mirror_index_]`` is the mirrored data; the array is its own
        inverse.
    method_ : str
        ``"names"`` or ``"positions"``: how the pairs were found.
    n_features_in_ : int
        Number of channels.

    See Also
    --------
    mne_hamnet.HAMNet : the network that consumes ``mirror_index_``.

    Examples
    --------
    >>> mirror = HemisphereMirror(ch_names=["Fp1", "Fpz", "Fp2"]).fit(np.zeros((1, 3, 10)))
    >>> mirror.pairs_
    [('Fp1', 'Fp2')]
    """

    def __init__(self, ch_names=None, method="auto", tol=0.01, on_unpaired="raise"):
        self.ch_names = ch_names
        self.method = method
        self.tol = tol
        self.on_unpaired = on_unpaired

    def fit(self, X, y=None):
        """Find the channel pairs.

        Parameters
        ----------
        X : mne.Epochs | mne.io.Raw | mne.Info | array-like
            The data or its measurement info. An array has shape
            (n_epochs, n_channels, n_times) or (n_samples, n_channels), holds
            finite real numbers, and needs ``ch_names`` (see there). Only
            the channel layout is used: MNE objects' data are not read.
        y : None
            Not used, present for API consistency.

        Returns
        -------
        self : HemisphereMirror
            The fitted transformer.
        """
        _check_option("method", self.method, ("auto", "names", "positions"))
        _check_option("on_unpaired", self.on_unpaired, ("raise", "warn", "ignore"))
        _validate_type(self.tol, "numeric", "tol")
        if not self.tol > 0:
            raise ValueError(f"tol must be a positive distance in metres, but got {self.tol}.")
        info, anonymous = self._info_from(X)
        ch_names = list(info["ch_names"])
        scalp = [
            i for i, kind in enumerate(info.get_channel_types()) if kind in _SCALP_TYPES
        ]
        pairs, midline, method = self._pair(info, scalp)

        index = np.arange(len(ch_names))
        for left, right in pairs:
            index[left], index[right] = right, left
        placed = {i for pair in pairs for i in pair} | set(midline)
        unpaired = [ch_names[i] for i in range(len(ch_names)) if i not in placed]
        if unpaired:
            msg = (
                f"{len(unpaired)} channel(s) have no left/right partner and are "
                f"not on the midline: {', '.join(unpaired)}. Pick only scalp EEG "
                "channels with homologous partners, or pass "
                "on_unpaired='warn' or 'ignore' to map them to themselves."
            )
            if anonymous:
                msg = (
                    f"X is an array without ch_names, so none of its {len(ch_names)} "
                    "channel(s) can be paired; each maps to itself."
                )
            if self.on_unpaired == "raise":
                raise ValueError(msg)
            if self.on_unpaired == "warn":
                warn(msg)
        self.ch_names_ = ch_names
        self.pairs_ = [(ch_names[a], ch_names[b]) for a, b in pairs]
        self.midline_ = [ch_names[i] for i in sorted(midline)]
        self.unpaired_ = unpaired
        self.mirror_index_ = index
        self.method_ = method
        self.n_features_in_ = len(ch_names)
        logger.info(
            "HemisphereMirror: %d pairs and %d midline channels by %s, %d unpaired",
            len(pairs), len(midline), method, len(unpaired),
        )
        return self

    def transform(self, X):
        """Swap left and right channels.

        Parameters
        ----------
        X : mne.Epochs | ndarray
            Epochs, or an array of shape (n_epochs, n_channels, n_times) or
            (n_samples, n_channels), with the channels seen in :meth:`fit`.

        Returns
        -------
        X_mirrored : ndarray
            The data with channels permuted, same shape and dtype as the
            input data.
        """
        check_is_fitted(self, "mirror_index_")
        if isinstance(X, (mne.BaseEpochs, mne.io.BaseRaw)):
            _check_layout(X.ch_names, self.ch_names_, owner="HemisphereMirror")
            X = X.get_data()
        X = _check_array(X)
        if X.shape[1] != self.n_features_in_:
            # the second sentence is scikit-learn's wording, which its tools expect
            raise ValueError(
                f"X has {X.shape[1]} channels, but HemisphereMirror was fitted "
                f"with {self.n_features_in_} (X has {X.shape[1]} features, but "
                f"HemisphereMirror is expecting {self.n_features_in_} features as "
                "input)."
            )
        return X[:, self.mirror_index_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # a permutation of channels keeps the input's dtype
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _info_from(self, X):
        """Return (info, anonymous): the channels' info, and whether they lack names."""
        if isinstance(X, mne.Info):
            return X, False
        if isinstance(X, (mne.BaseEpochs, mne.io.BaseRaw)):
            return X.info, False
        X = _check_array(X)
        n_channels = X.shape[1]
        if self.ch_names is None:
            if self.on_unpaired == "raise":
                raise ValueError(
                    f"Array input needs channel names: pass ch_names= (a list of "
                    f"{n_channels} names) to HemisphereMirror, or fit it on Epochs, "
                    "Raw or Info."
                )
            # scikit-learn's names for unnamed features; no 10-05 name looks like them
            names = [f"x{i}" for i in range(n_channels)]
            return mne.create_info(names, 1.0, "eeg", verbose=False), True
        _check_unique_names(self.ch_names)
        if len(self.ch_names) != n_channels:
            raise ValueError(
                f"ch_names has {len(self.ch_names)} names, but X has "
                f"{n_channels} channels."
            )
        return mne.create_info(list(self.ch_names), 1.0, "eeg", verbose=False), False

    def _pair(self, info, scalp):
        """Return (pairs, midline, method) in indices of all channels."""
        names = [info["ch_names"][i] for i in scalp]
        positions = np.array([info["chs"][i]["loc"][:3] for i in scalp], dtype=float)
        # MNE marks unknown positions as zeros or NaN
        unknown = ~np.isfinite(positions).all(axis=1) | ~positions.any(axis=1)
        positions[unknown] = np.nan
        method = self.method
        if method == "auto":
            all_named = all(parse_1005(name) is not None for name in names)
            method = "names" if all_named or unknown.all() else "positions"
        if method == "names":
            pairs, midline = pair_by_names(names)
        else:
            if unknown.all() and len(names):
                raise ValueError(
                    "method='positions' needs channel positions, but none of the "
                    f"{len(names)} scalp channels has one; set a montage first "
                    "(e.g. raw.set_montage('standard_1005'))."
                )
            pairs, midline = pair_by_positions(positions, self.tol)
        pairs = [(scalp[a], scalp[b]) for a, b in pairs]
        midline = [scalp[i] for i in midline]
        return pairs, midline, method


def _check_array(X):
    """Return ``X`` as a dense real array of 2 or 3 dimensions, or raise."""
    # scikit-learn's check gives the usual messages for sparse, complex, object
    # and empty input; NaN gets our message, which counts the bad values
    X = check_array(
        X, accept_sparse=False, ensure_2d=False, allow_nd=True, dtype="numeric",
        ensure_all_finite=False,
    )
    if X.ndim not in (2, 3):
        hint = " Reshape your data: X.reshape(1, -1) is one sample." if X.ndim == 1 else ""
        raise ValueError(
            "X must be Epochs, Raw, Info, or an array of shape (n_epochs, "
            f"n_channels, n_times) or (n_samples, n_channels), but got an "
            f"array of shape {X.shape}.{hint}"
        )
    if X.ndim == 3 and 0 in X.shape:
        raise ValueError(f"X is empty: it has shape {X.shape}.")
    return _check_finite(X)
