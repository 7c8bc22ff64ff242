"""HAMNet at any sampling rate: 'auto' filter length and named band presets."""

import numpy as np
import pytest
from conftest import simulate_epochs

from mne_hamnet import HAMNetClassifier
from mne_hamnet.fir import BAND_PRESETS

TINY = dict(pretrain_epochs=1, finetune_epochs=1, verbose=0, random_state=0,
            module__n_spatial_filters=2)


@pytest.mark.parametrize("sfreq, preset, taps", [
    # "mu-beta" takes 0.4 s kernels, "gamma" the paper's 0.2 s
    (100.0, "mu-beta", 41), (128.0, "mu-beta", 53), (200.0, "gamma", 41),
    (250.0, "gamma", 51), (1000.0, "gamma", 201),
])
def test_classifier_fits_at_any_rate_with_a_preset(sfreq, preset, taps):
    n_times = max(int(sfreq // 2), taps)
    epochs = simulate_epochs(8, sfreq=sfreq, n_times=n_times, gamma_hz=min(50.0, sfreq / 4))
    clf = HAMNetClassifier(module__bands=preset, **TINY).fit(epochs)
    assert clf.initial_temporal_filters_.shape == (len(BAND_PRESETS[preset]), taps)
    assert np.isfinite(clf.predict_proba(epochs)).all()


@pytest.mark.parametrize("sfreq", [100.0, 128.0])
@pytest.mark.parametrize("bands", [None, "gamma"])
def test_gamma_at_low_rates_fails_with_a_hint(sfreq, bands):
    epochs = simulate_epochs(4, sfreq=sfreq, n_times=int(sfreq), gamma_hz=20.0)
    params = {} if bands is None else {"module__bands": bands}
    # the classifier may name the parameter module__bands=; both end in bands=
    with pytest.raises(ValueError, match=r"bands=(the default )?'gamma': band .* Nyquist "
                       r"frequency .* e.g. the preset 'mu-beta'"):
        HAMNetClassifier(**params, **TINY).fit(epochs)
