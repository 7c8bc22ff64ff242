import numpy as np
import pytest
import torch

from mne_hamnet import HAMNet


def _mirror(n_chans):
    index = np.arange(n_chans)
    index[[0, 1]] = [1, 0]
    return index


@pytest.mark.parametrize("mirror", [False, True])
def test_output_shapes(mirror):
    net = HAMNet(6, 3, 100, 200.0, mirror_index=_mirror(6) if mirror else None,
                 n_spatial_filters=4)
    x = torch.randn(5, 6, 100)
    assert net(x).shape == (5, 3)
    assert net.band_powers(x).shape == (5, 2 if mirror else 1, 4, 18)
    assert net.n_branches == (2 if mirror else 1)


def test_sizes_follow_arguments():
    net = HAMNet(8, 2, 128, 128.0, bands=[(8, 12), (13, 30), (30, 45)], filter_length=33,
                 n_spatial_filters=5, mirror_index=_mirror(8), n_relation_filters=3)
    assert net.temporal.weight.shape == (3, 1, 33)
    assert net.spatial.weight.shape == (5, 8)
    assert net.classifier.in_features == 3 * 5 * 3


def test_mirror_branch_sees_swapped_channels():
    net = HAMNet(4, 2, 64, 128.0, mirror_index=_mirror(4), bands=[(20, 30)], filter_length=9)
    x = torch.randn(3, 4, 64)
    effective = net.spatial_weights()[1]
    torch.testing.assert_close(effective @ x, net.spatial_mirror.weight @ x[:, [1, 0, 2, 3]])


def test_load_pretrained_copies_and_freezes():
    pre = HAMNet(4, 2, 64, 128.0, bands=[(20, 30)], filter_length=9)
    with torch.no_grad():
        pre.temporal.weight.add_(0.1)
    full = HAMNet(4, 2, 64, 128.0, mirror_index=_mirror(4), bands=[(20, 30)], filter_length=9)
    full.load_pretrained(pre)
    torch.testing.assert_close(full.spatial.weight, pre.spatial.weight)
    torch.testing.assert_close(full.spatial_mirror.weight, pre.spatial.weight)
    torch.testing.assert_close(full.temporal.weight, pre.temporal.weight)
    assert not full.temporal.weight.requires_grad
    with pytest.raises(ValueError, match="needs a two-branch HAMNet"):
        pre.load_pretrained(pre)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sfreq": 100.0}, "at or above the Nyquist frequency 50 Hz"),
        ({"n_times": 30}, "filter_length=41 is longer than the window \\(n_times=30"),
        ({"mirror_index": [1, 2, 0, 3]}, "permutation that is its own inverse"),
        ({"mirror_index": [0, 1]}, "shape \\(4,\\)"),
        ({"band_power": "fast"}, "Invalid value for the 'band_power' parameter"),
        ({"n_chans": 0}, "n_chans must be an int >= 1, but got 0"),
    ],
)
def test_bad_arguments(kwargs, match):
    args = {"n_chans": 4, "n_outputs": 2, "n_times": 100, "sfreq": 200.0, **kwargs}
    with pytest.raises(ValueError, match=match):
        HAMNet(**args)


def test_forward_rejects_wrong_shape():
    net = HAMNet(4, 2, 100, 200.0)
    with pytest.raises(ValueError, match="expects input of shape \\(n_windows, 4, 100\\)"):
        net(torch.randn(2, 4, 99))


@pytest.mark.parametrize("sfreq, taps", [(200.0, 41), (1000.0, 201)])
def test_filter_length_auto_scales_with_sfreq(sfreq, taps):
    net = HAMNet(n_chans=4, n_outputs=2, n_times=int(sfreq), sfreq=sfreq)
    assert net.filter_length == taps
    assert tuple(net.temporal.weight.shape) == (18, 1, taps)
    with pytest.raises(ValueError, match=rf"filter_length={taps} is longer than the window "
                       rf"\(n_times=40 samples\) \('auto' at {sfreq:g} Hz\)"):
        HAMNet(n_chans=4, n_outputs=2, n_times=40, sfreq=sfreq)
