"""The band-pass FIR filter bank that initialises HAMNet's temporal convolution."""

import math

import numpy as np
from scipy.signal import firwin, freqz

from ._check import _validate_type
from ._logging import logger, warn

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

#: Kernel duration in seconds that ``filter_length="auto"`` gives each preset.
#: "gamma" keeps the paper's 0.2 s (neighbouring 2 Hz filters there have a
#: cosine similarity of 0.93: the paper's choice). The other presets take the
#: shortest duration whose neighbouring filters have a cosine similarity of at
#: most 0.8 (see `neighbour_similarity`): 0.4 s, where 8-10 and 10-12 Hz
#: share 0.76 and theta is 10 dB down at 6 Hz and 20 dB at 5 Hz in the
#: 8-10 Hz filter (at 0.2 s: 0.93, and -2.6 and -4.7 dB).
PRESET_SECONDS = {"gamma": _AUTO_SECONDS, "mu-beta": 0.4, "alpha-gamma": 0.4}
# Largest cosine similarity of neighbouring filters a preset's "auto" allows.
MAX_NEIGHBOUR_SIMILARITY = 0.8
# A filter "closes" below Nyquist when its gain near Nyquist is below this
# fraction of its gain at the band centre (-20 dB): see `closes_below_nyquist`.
_CLOSED_GAIN = 0.1
# A band narrower than this fraction of the filter's resolution sfreq / N is
# blurred by the window: see `check_resolution`.
_MIN_WIDTH_FRACTION = 0.25


def auto_filter_length(sfreq, bands=None):
    """Return the default number of taps: 0.2 s of samples, plus one, kept odd.

    This is the paper's 41 taps at 200 Hz, scaled with the sampling
    frequency so that the filters keep their duration, and with it their
    frequency resolution (21 taps at 100 Hz, 27 at 128 Hz, 51 at 250 Hz,
    201 at 1000 Hz). The presets ``"mu-beta"`` and ``"alpha-gamma"`` take
    0.4 s, which resolves their narrow low-frequency bands (see
    :data:`PRESET_SECONDS`).

    Parameters
    ----------
    sfreq : float
        Sampling frequency in Hz.
    bands : str | array-like | None, default=None
        The bands the filters are for: a preset name takes its own
        duration; anything else takes 0.2 s.

    Returns
    -------
    filter_length : int
        An odd number of taps, at least 3.
    """
    _check_sfreq(sfreq)
    seconds = _AUTO_SECONDS
    if isinstance(bands, str):
        seconds = PRESET_SECONDS.get(bands, _AUTO_SECONDS)
    return max(3, 2 * int(round(seconds * sfreq / 2)) + 1)


def resolve_filter_length(filter_length, sfreq, bands=None):
    """Return ``filter_length`` as an int, ``"auto"`` resolved for ``sfreq``.

    Parameters
    ----------
    filter_length : int | "auto"
        Number of taps, or ``"auto"`` (see :func:`auto_filter_length`).
    sfreq : float
        Sampling frequency in Hz.
    bands : str | array-like | None, default=None
        The bands, whose preset name sets the ``"auto"`` duration.

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
        return auto_filter_length(sfreq, bands)
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


def closes_below_nyquist(low, high, sfreq, filter_length, window="hamming"):
    """Whether the band's filter has fallen to -20 dB within reach of Nyquist.

    A band-pass filter of ``N`` taps needs about ``1.65 * sfreq / N`` Hz
    beyond its upper edge to fall (a Hamming taper's half main lobe); a
    band closer to Nyquist than that is cut off by Nyquist instead, and
    passes its upper neighbourhood up to it ("gamma" at 160 Hz: the 74-76 Hz
    filter is still at -1.4 dB at 79.9 Hz). The rule: over the last
    ``sfreq / (2 N)`` Hz below Nyquist, the gain stays below a tenth of the
    gain at the band's centre.

    Parameters
    ----------
    low, high : float
        Band edges in Hz.
    sfreq : float
        Sampling frequency in Hz.
    filter_length : int
        Number of taps.
    window : str | tuple, default="hamming"
        The taper of the design.

    Returns
    -------
    closes : bool
        True when the filter closes below Nyquist.
    """
    nyquist = sfreq / 2.0
    taps = firwin(filter_length, [low, high], pass_zero=False, fs=sfreq, window=window)
    edge = np.linspace(nyquist - sfreq / (2.0 * filter_length), nyquist, 16)
    _, response = freqz(taps, worN=np.r_[(low + high) / 2.0, edge], fs=sfreq)
    gain = np.abs(response)
    return bool(gain[1:].max() <= _CLOSED_GAIN * gain[0])


def _closes_away_from_nyquist(low, high, sfreq, filter_length, window):
    """Whether a band of the same width, centred at sfreq / 4, closes.

    Kernels too short to close any band of this width (3 taps) are a matter
    of resolution (see `check_resolution`), not of the band's place.
    """
    centre, half = sfreq / 4.0, (high - low) / 2.0
    if centre - half <= 0:
        return False
    return closes_below_nyquist(centre - half, centre + half, sfreq, filter_length, window)


def neighbour_similarity(bank):
    """Cosine similarity of each filter with the next one in the bank.

    Two filters whose taps have a cosine near 1 pass nearly the same
    frequencies (by Parseval's theorem the cosine of the taps is that of
    their frequency responses): the bank does not resolve those bands.

    Parameters
    ----------
    bank : ndarray of shape (n_bands, filter_length)
        Filters, as :func:`fir_filter_bank` returns them.

    Returns
    -------
    similarity : ndarray of shape (n_bands - 1,)
        ``cos(bank[k], bank[k + 1])``.
    """
    unit = bank / np.linalg.norm(bank, axis=1, keepdims=True)
    return np.einsum("kn,kn->k", unit[:-1], unit[1:])


def bands_for_bank(bands, sfreq, filter_length, window="hamming"):
    """The bands to design, after checking that each filter closes below Nyquist.

    A preset's bands whose filters do not close (see
    :func:`closes_below_nyquist`) are dropped, with a log message: the
    preset fits itself to the rate. Bands given explicitly are kept, with a
    warning. Kernels too short to close a band of that width anywhere (a few
    taps) are left alone here: that is a matter of resolution
    (:func:`check_resolution`), not of the band's place.

    Parameters
    ----------
    bands : str | array-like of shape (n_bands, 2) | None
        As for :func:`check_bands`.
    sfreq : float
        Sampling frequency in Hz.
    filter_length : int
        Number of taps.
    window : str | tuple, default="hamming"
        The taper of the design.

    Returns
    -------
    bands : ndarray of shape (n_bands, 2)
        The bands to design.
    """
    preset = "gamma" if bands is None else bands if isinstance(bands, str) else None
    arr = check_bands(bands, sfreq)
    open_ = [k for k, (low, high) in enumerate(arr)
             if not closes_below_nyquist(low, high, sfreq, filter_length, window)
             and _closes_away_from_nyquist(low, high, sfreq, filter_length, window)]
    if not open_:
        return arr
    shown = ", ".join(f"{arr[k][0]:g}-{arr[k][1]:g}" for k in open_)
    if preset is None:
        warn(
            f"The filter(s) of band(s) {shown} Hz do not close below the Nyquist "
            f"frequency {sfreq / 2:g} Hz with {filter_length} taps: they still pass "
            "frequencies up to Nyquist. Lower their upper edges (by about "
            f"{1.65 * sfreq / filter_length:.2g} Hz below Nyquist) or use more taps."
        )
        return arr
    if len(open_) == len(arr):
        raise ValueError(
            f"No band of the preset {preset!r} closes below the Nyquist frequency "
            f"{sfreq / 2:g} Hz with {filter_length} taps; pass bands suited to "
            f"sfreq={sfreq:g}."
        )
    logger.info(
        "bands=%r at %g Hz: dropping %d band(s) (%s Hz) whose filters do not close "
        "below Nyquist", preset, sfreq, len(open_), shown,
    )
    return np.delete(arr, open_, axis=0)


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
        200 Hz) at any sampling frequency, kept odd, and 0.4 s for the
        presets ``"mu-beta"`` and ``"alpha-gamma"`` (see
        :func:`~mne_hamnet.fir.auto_filter_length`). A band narrower than a
        quarter of ``sfreq / N`` gives a warning (see
        :func:`~mne_hamnet.fir.check_resolution`); so does a band whose
        filter does not close below Nyquist, which a preset drops instead
        (see :func:`~mne_hamnet.fir.bands_for_bank`).
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
    filter_length = resolve_filter_length(filter_length, sfreq, bands)
    bands = bands_for_bank(bands, sfreq, filter_length, window)
    check_resolution(bands, sfreq, filter_length)
    return design_bank(bands, sfreq, filter_length, window)


def design_bank(bands, sfreq, filter_length, window="hamming"):
    """Design the filters of bands already checked, without further checks.

    :func:`fir_filter_bank` checks the bands and the length, then calls this.

    Parameters
    ----------
    bands : ndarray of shape (n_bands, 2)
        Band edges in Hz, below Nyquist.
    sfreq : float
        Sampling frequency in Hz.
    filter_length : int
        Number of taps.
    window : str | tuple, default="hamming"
        Taper, any window :func:`scipy.signal.get_window` accepts.

    Returns
    -------
    filters : ndarray of shape (n_bands, filter_length)
        One linear-phase filter per row.
    """
    return np.stack(
        [
            firwin(filter_length, [low, high], pass_zero=False, fs=sfreq, window=window)
            for low, high in bands
        ]
    )
