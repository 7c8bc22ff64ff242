"""The band-pass FIR filter bank that initialises HAMNet's temporal convolution."""

import math

import numpy as np
from scipy.signal import firwin

from ._check import _validate_type
from ._logging import warn

#: The paper's gamma bank: 18 bands of 2 Hz from 40 to 76 Hz.
DEFAULT_BANDS = tuple((float(lo), float(lo + 2)) for lo in range(40, 76, 2))

#: Named band sets that ``bands=`` accepts wherever bands go: ``"gamma"``, the
#: paper's 18 bands of 2 Hz from 40 to 76 Hz (emotion, SEED), and
#: ``"mu-beta"``, six bands over 8-30 Hz for lateralised motor tasks (the
#: bands of ``benchmarks/bci_competition_iv.py``), and ``"alpha-gamma"``, 18
#: bands of 2 Hz from 8 to 44 Hz for emotion data recorded or filtered below
#: the paper's gamma range (DEAP's 4-45 Hz, DREAMER and FACED at 128/250 Hz).
BAND_PRESETS = {
    "gamma": DEFAULT_BANDS,
    "mu-beta": ((8.0, 10.0), (10.0, 12.0), (12.0, 15.0), (15.0, 20.0), (20.0, 25.0),
                (25.0, 30.0)),
    "alpha-gamma": tuple((float(lo), float(lo + 2)) for lo in range(8, 44, 2)),
}

# The paper's 41 taps at 200 Hz are 0.2 s; "auto" keeps that duration.
_AUTO_SECONDS = 0.2
# A band narrower than this fraction of the filter's resolution sfreq / N is
# blurred by the window: see `check_resolution`.
_MIN_WIDTH_FRACTION = 0.25


def auto_filter_length(sfreq):
    """Return the default number of taps: 0.2 s of samples, plus one, kept odd.

    This is the paper's 41 taps at 200 Hz, scaled with the sampling
    frequency so that the filters keep their duration, and with it their
    frequency resolution (21 taps at 100 Hz, 27 at 128 Hz, 51 at 250 Hz,
    201 at 1000 Hz).

    Parameters
    ----------
    sfreq : float
        Sampling frequency in Hz.

    Returns
    -------
    filter_length : int
        An odd number of taps, at least 3.
    """
    _check_sfreq(sfreq)
    return max(3, 2 * int(round(_AUTO_SECONDS * sfreq / 2)) + 1)


def resolve_filter_length(filter_length, sfreq):
    """Return ``filter_length`` as an int, ``"auto"`` resolved for ``sfreq``.

    Parameters
    ----------
    filter_length : int | "auto"
        Number of taps, or ``"auto"`` (see :func:`auto_filter_length`).
    sfreq : float
        Sampling frequency in Hz.

    Returns
    -------
    filter_length : int
        The number of taps, at least 3.
    """
    if isinstance(filter_length, str):
        if filter_length != "auto":
            raise ValueError(
                f"filter_length= must be an int >= 3 or 'auto', but got {filter_length!r}."
            )
        return auto_filter_length(sfreq)
    _validate_type(filter_length, "int", "filter_length=", "int or 'auto'")
    if filter_length < 3:
        raise ValueError(
            f"filter_length= must be an int >= 3 or 'auto', but got {filter_length}."
        )
    return int(filter_length)


def _check_sfreq(sfreq):
    _validate_type(sfreq, "numeric", "sfreq")
    if not np.isfinite(sfreq) or sfreq <= 0:
        raise ValueError(f"sfreq must be a positive finite number, but got {sfreq}.")


def _fitting_presets(nyquist):
    return [name for name, bands in BAND_PRESETS.items()
            if max(high for _, high in bands) < nyquist]


def check_bands(bands, sfreq):
    """Return ``bands`` as a float array of shape (n_bands, 2), or raise.

    Parameters
    ----------
    bands : str | array-like of shape (n_bands, 2) | None
        Pass-band edges in Hz, or the name of a preset of
        :data:`BAND_PRESETS`. None means the ``"gamma"`` preset,
        :data:`DEFAULT_BANDS`.
    sfreq : float
        Sampling frequency in Hz.

    Returns
    -------
    bands : ndarray of shape (n_bands, 2)
        The validated band edges.
    """
    _check_sfreq(sfreq)
    nyquist = sfreq / 2.0
    given = "the default 'gamma'" if bands is None else repr(bands)
    if bands is None:
        bands = "gamma"
    if isinstance(bands, str):
        if bands not in BAND_PRESETS:
            raise ValueError(
                f"bands={bands!r} is not a preset; the presets are "
                f"{list(BAND_PRESETS)}, or pass (low, high) pairs in Hz."
            )
        given = repr(bands) if given != "the default 'gamma'" else given
        bands = BAND_PRESETS[bands]
    try:
        arr = np.asarray(bands, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            "bands= must be a preset name or a sequence of (low, high) pairs in Hz, "
            f"but got {given}."
        ) from None
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
        raise ValueError(
            "bands= must be a sequence of (low, high) pairs of shape (n_bands, 2), "
            f"but got shape {arr.shape}."
        )
    for low, high in arr:
        if not (np.isfinite(low) and np.isfinite(high)) or not 0 < low < high:
            raise ValueError(
                f"bands=: each band must satisfy 0 < low < high, but got ({low}, {high}) Hz."
            )
        if high >= nyquist:
            fitting = _fitting_presets(nyquist)
            hint = (f"e.g. the preset {fitting[0]!r}" if fitting
                    else "or a higher sampling frequency")
            raise ValueError(
                f"bands={given}: band ({low:g}, {high:g}) Hz has an edge at or above the "
                f"Nyquist frequency {nyquist:g} Hz (sfreq={sfreq:g}); every band edge "
                f"must be below {nyquist:g} Hz. Pass bands suited to this sfreq, {hint} "
                f"(presets: {list(BAND_PRESETS)})."
            )
    return arr


def check_resolution(bands, sfreq, filter_length):
    """Warn when a band is narrower than the filter can resolve.

    An ``N``-tap filter resolves about ``sfreq / N`` Hz: a narrower band
    still gets a filter whose pass band (about ``1.3 * sfreq / N`` at -3 dB
    with a Hamming taper) is set by the filter length, not by the band. The
    paper's bank, 2 Hz bands with 41 taps at 200 Hz, sits at 0.41 of that
    resolution (-3 dB widths of 6.5 Hz): neighbouring filters overlap but
    peak 2 Hz apart. Below a quarter of the resolution the pass band is
    more than five times the band, and neighbouring filters become nearly
    the same filter (2 Hz bands with 41 taps at 1000 Hz pass about 25-57 Hz
    each), so this warns there.

    Parameters
    ----------
    bands : ndarray of shape (n_bands, 2)
        Validated band edges in Hz.
    sfreq : float
        Sampling frequency in Hz.
    filter_length : int
        Number of taps.

    Returns
    -------
    narrow : list of tuple of (float, float)
        The bands warned about.
    """
    resolution = sfreq / filter_length
    narrow = [(float(low), float(high)) for low, high in bands
              if high - low < _MIN_WIDTH_FRACTION * resolution]
    if narrow:
        width = min(high - low for low, high in narrow)
        needed = math.ceil(_MIN_WIDTH_FRACTION * sfreq / width)
        needed += 1 - needed % 2
        warn(
            f"filter_length={filter_length} at sfreq={sfreq:g} Hz resolves about "
            f"{resolution:.3g} Hz, but {len(narrow)} band(s) of bands= are narrower "
            f"than a quarter of that (e.g. {narrow[0][0]:g}-{narrow[0][1]:g} Hz), so "
            "their filters are nearly identical. Use filter_length='auto' or at least "
            f"{needed} taps, or wider bands."
        )
    return narrow


def fir_filter_bank(sfreq, bands=None, filter_length="auto", window="hamming"):
    """Design a band-pass FIR filter bank by the window method.

    Each filter is the inverse Fourier transform of an ideal band-pass
    response, truncated to ``filter_length`` taps and tapered by ``window``
    (:func:`scipy.signal.firwin`), as in HAMNet [1]_ and KFCNet [2]_.

    Parameters
    ----------
    sfreq : float
        Sampling frequency of the data in Hz.
    bands : str | array-like of shape (n_bands, 2) | None, default=None
        Pass bands in Hz, or a preset name of :data:`BAND_PRESETS`
        (``"gamma"``, ``"mu-beta"``). None gives the paper's 18 bands of 2 Hz
        from 40 to 76 Hz (``"gamma"``). Every edge must be below the Nyquist
        frequency.
    filter_length : int | "auto", default="auto"
        Number of taps ``N``. ``"auto"`` keeps the paper's 0.2 s (41 taps at
        200 Hz) at any sampling frequency, kept odd (see
        :func:`~mne_hamnet.fir.auto_filter_length`). A band narrower than a
        quarter of ``sfreq / N`` gives a warning (see
        :func:`~mne_hamnet.fir.check_resolution`).
    window : str | tuple, default="hamming"
        Taper, any window :func:`scipy.signal.get_window` accepts.

    Returns
    -------
    filters : ndarray of shape (n_bands, filter_length)
        One linear-phase filter per row, with unit gain at the centre of its
        pass band.

    References
    ----------
    .. [1] The HAMNet paper, Yan et al. (2022): see :ref:`bibliography`.
    .. [2] Niu, X., Lu, N., Kang, J. H., & Cui, Z. Y. (2022). Knowledge-driven
       feature component interpretable network for motor imagery
       classification. Journal of Neural Engineering, 19(1), 016032.
    """
    bands = check_bands(bands, sfreq)
    filter_length = resolve_filter_length(filter_length, sfreq)
    check_resolution(bands, sfreq, filter_length)
    return np.stack(
        [
            firwin(filter_length, [low, high], pass_zero=False, fs=sfreq, window=window)
            for low, high in bands
        ]
    )
