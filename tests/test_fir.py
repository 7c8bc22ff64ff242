import numpy as np
import pytest
from scipy.signal import freqz

from mne_hamnet import fir_filter_bank
from mne_hamnet.fir import DEFAULT_BANDS


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
         r"Band \(48, 50\) Hz has an edge at or above the Nyquist frequency 50 Hz"),
        ({"sfreq": 200.0, "bands": [(10, 5)]}, r"0 < low < high, but got \(10.0, 5.0\)"),
        ({"sfreq": 200.0, "bands": [1, 2, 3]}, r"shape \(n_bands, 2\), but got shape \(3,\)"),
        ({"sfreq": -1.0}, "sfreq must be a positive finite number, but got -1.0"),
        ({"sfreq": 200.0, "filter_length": 2}, "filter_length must be an int >= 3, but got 2"),
        ({"sfreq": 200.0, "filter_length": 4.5}, "filter_length must be an instance of int"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        fir_filter_bank(**kwargs)
