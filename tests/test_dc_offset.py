"""A DC offset of a few millivolts changes neither HAMNet's nor DE's output.

DC-coupled amplifiers (BioSemi, Emotiv, many research systems) record
electrode offsets of millivolts, thousands of µV above the EEG itself.
"""

import io
import pickle

import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_windows

from mne_hamnet import HAMNetClassifier
from mne_hamnet.features import DifferentialEntropy
from mne_hamnet.hamnet import HAMNet

FAST = dict(pretrain_epochs=4, finetune_epochs=3, verbose=0, random_state=0,
            module__n_spatial_filters=4, sfreq=200.0, ch_names=CH_NAMES)


def _offsets(n_chans, seed=0):
    """3-5 mV per channel, in µV, of either sign."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(3000.0, 5000.0, n_chans) * rng.choice([-1, 1], n_chans)).astype(
        np.float32)


@pytest.mark.parametrize("band_power", ["direct", "fft"])
@pytest.mark.parametrize("two_branches", [False, True])
def test_module_output_does_not_see_the_offset(band_power, two_branches):
    X, _ = simulate_windows(8)
    n_chans = X.shape[1]
    mirror = np.arange(n_chans) if two_branches else None
    torch.manual_seed(0)
    net = HAMNet(n_chans, 2, X.shape[2], 200.0, mirror_index=mirror, n_spatial_filters=4,
                 band_power=band_power).eval()
    x = torch.as_tensor(X)
    shifted = x + torch.as_tensor(_offsets(n_chans))[:, None]
    with torch.no_grad():
        plain, offset = net(x), net(shifted)
        # float32 holds 5 mV to about 5e-4 µV: equal up to that rounding
        torch.testing.assert_close(offset, plain, rtol=1e-4, atol=1e-4)
        # a constant per window and channel, whatever its value, is removed
        torch.testing.assert_close(net(x + 1e4 * torch.rand(8, n_chans, 1)), plain,
                                   rtol=1e-3, atol=1e-3)
        net.demean = False
        assert not torch.allclose(net(shifted), plain, rtol=1e-2, atol=1e-2)


def test_classifier_predicts_the_same_with_an_offset():
    X, y = simulate_windows(60)
    shifted = X + _offsets(X.shape[1])[:, None]
    plain = HAMNetClassifier(**FAST).fit(X, y)
    offset = HAMNetClassifier(**FAST).fit(shifted, y)
    X_test, _ = simulate_windows(40, random_state=1)
    np.testing.assert_array_equal(offset.predict(X_test + _offsets(X.shape[1], 1)[:, None]),
                                  plain.predict(X_test))
    np.testing.assert_allclose(offset.predict_proba(X_test), plain.predict_proba(X_test),
                               atol=1e-3)


def test_differential_entropy_does_not_see_the_offset():
    X, _ = simulate_windows(10)
    de = DifferentialEntropy(sfreq=200.0, ch_names=CH_NAMES, kind="de+dasm").fit(X)
    shifted = X + _offsets(X.shape[1])[:, None]
    np.testing.assert_allclose(de.transform(shifted), de.transform(X), atol=1e-3)


def test_demean_is_saved_and_old_networks_keep_their_behaviour(tmp_path):
    X, y = simulate_windows(20)
    clf = HAMNetClassifier(**{**FAST, "pretrain_epochs": 1, "finetune_epochs": 1}).fit(X, y)
    assert clf.module_.demean is True
    clf.save_params(f_params=tmp_path / "p.pt", f_fitted=tmp_path / "f.json")
    again = HAMNetClassifier(**{**FAST, "pretrain_epochs": 1, "finetune_epochs": 1})
    again.load_params(f_params=tmp_path / "p.pt", f_fitted=tmp_path / "f.json")
    assert again.module_.demean is True
    np.testing.assert_allclose(again.predict_proba(X), clf.predict_proba(X), rtol=1e-6)
    # a network pickled before the parameter existed has no such attribute
    module = clf.module_
    state = dict(vars(module))
    del state["demean"]
    old = HAMNet.__new__(HAMNet)
    old.__setstate__(state)
    assert old.demean is False
    assert pickle.loads(pickle.dumps(module)).demean is True
    buffer = io.BytesIO()
    torch.save(module.state_dict(), buffer)  # the flag is configuration, not state
    assert not any("demean" in key for key in module.state_dict())


def test_demean_must_be_a_bool():
    with pytest.raises(TypeError, match="demean must be an instance of bool"):
        HAMNet(4, 2, 200, 200.0, demean="yes")
