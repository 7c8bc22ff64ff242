"""The band-pass FIR filter bank that initialises HAMNet's temporal convolution."""

import numpy as np
from scipy.signal import firwin

from ._check import _check_positive_int, _validate_type

#: The paper's gamma bank: 18 bands of 2 Hz from 40 to 76 Hz.
DEFAULT_BANDS = tuple((float(lo), float(lo + 2)) for lo in range(40, 76, 2))


def check_bands(bands, sfreq):
    """Return ``bands`` as a float array of shape (n_bands, 2), or raise.

    Parameters
    ----------
    bands : array-like of shape (n_bands, 2) | None
        Pass-band edges in Hz. None means :data:`DEFAULT_BANDS`.
    sfreq : float
        Sampling frequency in Hz.

    Returns
    -------
    bands : ndarray of shape (n_bands, 2)
        The validated band edges.
    """
    _validate_type(sfreq, "numeric", "sfreq")
    if not np.isfinite(sfreq) or sfreq <= 0:
        raise ValueError(f"sfreq must be a positive finite number, but got {sfreq}.")
    if bands is None:
        bands = DEFAULT_BANDS
    arr = np.asarray(bands, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
        raise ValueError(
            "bands must be a sequence of (low, high) pairs of shape (n_bands, 2), "
            f"but got shape {arr.shape}."
        )
    nyquist = sfreq / 2.0
    for low, high in arr:
        if not (np.isfinite(low) and np.isfinite(high)) or not 0 < low < high:
            raise ValueError(
                f"Each band must satisfy 0 < low < high, but got ({low}, {high}) Hz."
            )
        if high >= nyquist:
            raise ValueError(
                f"Band ({low:g}, {high:g}) Hz has an edge at or above the Nyquist "
                f"frequency {nyquist:g} Hz (sfreq={sfreq:g}); every band edge must "
                f"be below {nyquist:g} Hz. Pass bands= suited to this sfreq."
            )
    return arr


def fir_filter_bank(sfreq, bands=None, filter_length=41, window="hamming"):
    """Design a band-pass FIR filter bank by the window method.

    Each filter is the inverse Fourier transform of an ideal band-pass
    response, truncated to ``filter_length`` taps and tapered by ``window``
    (:func:`scipy.signal.firwin`), as in HAMNet [1]_ and KFCNet [2]_.

    Parameters
    ----------
    sfreq : float
        Sampling frequency of the data in Hz.
    bands : array-like of shape (n_bands, 2) | None, default=None
        Pass bands in Hz. None gives the paper's 18 bands of 2 Hz from 40 to
        76 Hz. Every edge must be below the Nyquist frequency.
    filter_length : int, default=41
        Number of taps ``N``.
    window : str | tuple, default="hamming"
        Taper, any window :func:`scipy.signal.get_window` accepts.

    Returns
    -------
    filters : ndarray of shape (n_bands, filter_length)
        One linear-phase filter per row, with unit gain at the centre of its
        pass band.

    References
    ----------
    .. [1] Yan, R., Lu, N., Niu, X., & Yan, Y. (2023). Hemispheric asymmetry
       measurement network for emotion classification. In Neural Information
       Processing (ICONIP 2022), Lecture Notes in Computer Science. Springer.
    .. [2] Niu, X., Lu, N., Kang, J. H., & Cui, Z. Y. (2022). Knowledge-driven
       feature component interpretable network for motor imagery
       classification. Journal of Neural Engineering, 19(1), 016032.
    """
    bands = check_bands(bands, sfreq)
    filter_length = _check_positive_int(filter_length, "filter_length", minimum=3)
    return np.stack(
        [
            firwin(filter_length, [low, high], pass_zero=False, fs=sfreq, window=window)
            for low, high in bands
        ]
    )
