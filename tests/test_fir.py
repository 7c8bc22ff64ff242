import numpy as np
import pytest
from scipy.signal import freqz

from mne_hamnet import HAMNet, fir_filter_bank
from mne_hamnet.fir import (
    BAND_PRESETS,
    DEFAULT_BANDS,
    MAX_NEIGHBOUR_SIMILARITY,
    auto_filter_length,
    closes_below_nyquist,
    neighbour_similarity,
)


def test_default_bank_shape_and_peaks():
    bank = fir_filter_bank(200.0)
    assert bank.shape == (18, 41)
    assert DEFAULT_BANDS[0] == (40.0, 42.0) and DEFAULT_BANDS[-1] == (74.0, 76.0)
    for kernel, (low, high) in zip(bank, DEFAULT_BANDS):
        freqs, response = freqz(kernel, worN=4096, fs=200.0)
        peak = freqs[np.argmax(np.abs(response))]
        assert low - 0.1 <= peak <= high + 0.1
        # linear phase: symmetric taps
        np.testing.assert_allclose(kernel, kernel[::-1], atol=1e-12)


def test_custom_bands_and_length():
    bank = fir_filter_bank(100.0, bands=[(8, 12), (13, 30)], filter_length=25)
    assert bank.shape == (2, 25)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sfreq": 100.0},
         r"bands=the default 'gamma': band \(48, 50\) Hz has an edge at or above the "
         r"Nyquist frequency 50 Hz"),
        ({"sfreq": 200.0, "bands": [(10, 5)]}, r"0 < low < high, but got \(10.0, 5.0\)"),
        ({"sfreq": 200.0, "bands": [1, 2, 3]}, r"shape \(n_bands, 2\), but got shape \(3,\)"),
        ({"sfreq": -1.0}, "sfreq must be a positive finite number, but got -1.0"),
        ({"sfreq": 200.0, "filter_length": 2},
         "filter_length= must be an int >= 3 or 'auto', but got 2"),
        ({"sfreq": 200.0, "filter_length": 4.5},
         "filter_length= must be an instance of int or 'auto'"),
        ({"sfreq": 200.0, "filter_length": "long"},
         "filter_length= must be an int >= 3 or 'auto', but got 'long'"),
        ({"sfreq": 200.0, "bands": "alpha"},
         r"bands='alpha' is not a preset; the presets are \['gamma', 'mu-beta', 'alpha-gamma'\]"),
        ({"sfreq": 200.0, "bands": [("a", "b")]}, "bands= must be a preset name or"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        fir_filter_bank(**kwargs)


@pytest.mark.parametrize("sfreq, taps", [(100.0, 21), (128.0, 27), (200.0, 41), (250.0, 51),
                                         (1000.0, 201)])
def test_auto_length_keeps_the_duration(sfreq, taps):
    assert auto_filter_length(sfreq) == taps
    assert taps % 2 == 1 and abs((taps - 1) / sfreq - 0.2) <= 0.5 / sfreq + 1e-12
    bank = fir_filter_bank(sfreq, bands=[(8, 10), (10, 12)])
    assert bank.shape == (2, taps)
    np.testing.assert_allclose(bank, bank[:, ::-1], atol=1e-12)
    # the presets of narrow low bands take 0.4 s (see the test below)
    assert fir_filter_bank(sfreq, bands="mu-beta").shape == (6, 2 * taps - 1)


@pytest.mark.parametrize("preset", ["mu-beta", "alpha-gamma"])
@pytest.mark.parametrize("sfreq", [100.0, 128.0, 160.0, 250.0, 1000.0])
def test_presets_resolve_their_own_bands(preset, sfreq):
    if max(high for _, high in BAND_PRESETS[preset]) >= sfreq / 2:
        pytest.skip("the preset does not fit this rate")
    bank = fir_filter_bank(sfreq, bands=preset)
    assert neighbour_similarity(bank).max() <= MAX_NEIGHBOUR_SIMILARITY
    # the 0.2 s kernels these presets had blur 8-10 into 10-12 Hz (cosine 0.93)
    short = fir_filter_bank(sfreq, bands=preset, filter_length=auto_filter_length(sfreq))
    assert neighbour_similarity(short).max() > 0.9
    if preset == "mu-beta":
        # and theta at 5 Hz is 20 dB down in the 8-10 Hz filter (-4.7 dB at 0.2 s)
        def theta_gain(kernel):
            _, response = freqz(kernel, worN=[5.0, 9.0], fs=sfreq)
            return abs(response[0]) / abs(response[1])

        assert theta_gain(bank[0]) <= 0.101 and theta_gain(short[0]) > 0.5


def test_gamma_at_160_hz_drops_the_bands_that_do_not_close():
    bank = fir_filter_bank(160.0, bands="gamma")
    kept = [band for band in BAND_PRESETS["gamma"]
            if closes_below_nyquist(*band, 160.0, auto_filter_length(160.0))]
    # 70-72 Hz is still at -14 dB 2.4 Hz below Nyquist, 74-76 Hz at -1.4 dB
    assert len(bank) == len(kept) == 15 and kept[-1] == (68.0, 70.0)
    net = HAMNet(4, 2, 160, 160.0)
    assert net.n_bands == 15
    # the filter of 74-76 Hz at 160 Hz is still at -1.4 dB near Nyquist
    taps = fir_filter_bank(160.0, bands=[(40, 42)], filter_length=33)
    assert closes_below_nyquist(40.0, 42.0, 160.0, 33)
    with pytest.warns(RuntimeWarning, match=r"74-76 Hz do not close below the Nyquist"):
        taps = fir_filter_bank(160.0, bands=[(40, 42), (74, 76)])
    assert len(taps) == 2  # explicit bands are kept
    # the paper's rate keeps all 18
    assert len(fir_filter_bank(200.0, bands="gamma")) == 18


def test_preset_kernels_are_cut_to_short_windows():
    net = HAMNet(4, 2, 30, 100.0, bands="mu-beta")  # 0.3 s windows, 0.4 s kernels
    assert net.filter_length == 29
    assert HAMNet(4, 2, 50, 100.0, bands="mu-beta").filter_length == 41
    with pytest.raises(ValueError, match="filter_length=21 is longer than the window"):
        HAMNet(4, 2, 20, 100.0, bands="mu-beta")


@pytest.mark.parametrize("sfreq", [200.0, 250.0, 1000.0])
def test_gamma_preset_resolves_its_bands_at_any_rate(sfreq):
    """With 'auto' taps each 2 Hz filter peaks in its band, and its -3 dB width stays
    that of the paper's bank (about 6.5 Hz), not 33 Hz as with 41 taps at 1000 Hz."""
    bank = fir_filter_bank(sfreq, bands="gamma")
    assert bank.shape[0] == 18
    for kernel, (low, high) in zip(bank, BAND_PRESETS["gamma"]):
        freqs, response = freqz(kernel, worN=16384, fs=sfreq)
        amplitude = np.abs(response)
        assert low - 0.1 <= freqs[np.argmax(amplitude)] <= high + 0.1
        passband = freqs[amplitude >= amplitude.max() / np.sqrt(2)]
        assert passband.max() - passband.min() < 7.0


def test_presets():
    assert BAND_PRESETS["gamma"] == DEFAULT_BANDS
    assert BAND_PRESETS["mu-beta"] == ((8, 10), (10, 12), (12, 15), (15, 20), (20, 25),
                                       (25, 30))
    np.testing.assert_array_equal(fir_filter_bank(200.0, bands="gamma"), fir_filter_bank(200.0))


@pytest.mark.parametrize("sfreq", [100.0, 128.0])
def test_gamma_at_low_rates_suggests_a_preset_that_fits(sfreq):
    for make in (lambda: fir_filter_bank(sfreq, bands="gamma"),
                 lambda: HAMNet(4, 2, int(sfreq), sfreq, bands="gamma")):
        with pytest.raises(ValueError, match=r"^bands='gamma': band .* Nyquist .* 'mu-beta'"):
            make()
    # the preset it suggests does fit, network included
    assert HAMNet(4, 2, int(sfreq), sfreq, bands="mu-beta").temporal.weight.shape[0] == 6


def test_narrow_bands_warn_with_too_few_taps():
    with pytest.warns(RuntimeWarning, match=r"filter_length=41 at sfreq=1000 Hz resolves "
                      r"about 24.4 Hz, but 18 band\(s\) of bands= .* at least 125 taps"):
        fir_filter_bank(1000.0, filter_length=41)
    # the paper's own bank (0.41 of the resolution) does not warn
    fir_filter_bank(200.0, filter_length=41)
