"""The FFT band-power path equals the direct convolution, values and gradients."""

import copy

import numpy as np
import pytest
import torch

import mne_hamnet.hamnet as hamnet_module
from mne_hamnet._band_power import direct_band_power, estimate_cost, fft_band_power
from mne_hamnet.hamnet import HAMNet

RTOL = 1e-4
N_CHANS = 7
MIRROR = np.array([1, 0, 2, 4, 3, 6, 5])  # three pairs and one midline channel
LOW_BANDS = [(4.0, 8.0), (8.0, 13.0), (13.0, 30.0), (30.0, 45.0)]

# (sfreq, n_times, filter_length): n_fft = n_times + filter_length - 1
CASES = [
    pytest.param(200.0, 200, 41, id="seed-even240"),
    pytest.param(250.0, 125, 25, id="odd149"),
    pytest.param(128.0, 128, 32, id="odd159"),
    pytest.param(500.0, 301, 64, id="even364"),
    pytest.param(100.0, 50, 50, id="kernel-as-long-as-window-odd99"),
]


def assert_rel_close(actual, desired, what):
    """Max-norm relative error: gradients cross zero, so elementwise would not do."""
    actual, desired = actual.detach(), desired.detach()
    assert actual.shape == desired.shape, what
    scale = float(desired.abs().max())
    error = float((actual - desired).abs().max())
    assert error <= RTOL * scale, (
        f"{what}: max abs difference {error:.3g} exceeds {RTOL:g} x max |reference| "
        f"{scale:.3g}"
    )


def make_pair(sfreq, n_times, filter_length, n_branches, n_spatial_filters=4, seed=0):
    """A direct and an FFT HAMNet with identical, non-trivial weights and BN state."""
    torch.manual_seed(seed)
    kwargs = dict(
        n_chans=N_CHANS, n_outputs=3, n_times=n_times, sfreq=sfreq,
        mirror_index=MIRROR if n_branches == 2 else None,
        n_spatial_filters=n_spatial_filters,
        # the gamma bank where the rate and filter length resolve its 2 Hz bands
        bands=None if sfreq / 2 > 76 and 2 >= sfreq / filter_length / 4 else LOW_BANDS,
        filter_length=filter_length,
        # the paths get the windows as given: with the window mean removed
        # the band means, and so the running means, would be close to 0,
        # and relative comparisons of them meaningless
        demean=False,
    )
    direct = HAMNet(**kwargs, band_power="direct")
    with torch.no_grad():
        for bn in (direct.bn, direct.bn_mirror):
            if bn is not None:
                bn.weight.uniform_(0.5, 1.5)
                bn.bias.normal_(0.0, 0.3)
                bn.running_mean.normal_(0.0, 0.1)
                bn.running_var.uniform_(0.5, 2.0)
    fft = HAMNet(**kwargs, band_power="fft")
    fft.load_state_dict(direct.state_dict())
    assert (direct.band_power_path_, fft.band_power_path_) == ("direct", "fft")
    return direct, fft


def make_windows(n_times, n_windows=6, offset=0.0, seed=1):
    generator = torch.Generator().manual_seed(seed)
    x = 10.0 * torch.randn(n_windows, N_CHANS, n_times, generator=generator)
    return (x + offset).float()


def assert_batch_norms_close(direct, fft):
    for name in ("bn", "bn_mirror"):
        bn_direct, bn_fft = getattr(direct, name), getattr(fft, name)
        if bn_direct is None:
            continue
        assert_rel_close(bn_fft.running_mean, bn_direct.running_mean, f"{name}.running_mean")
        assert_rel_close(bn_fft.running_var, bn_direct.running_var, f"{name}.running_var")
        assert int(bn_fft.num_batches_tracked) == int(bn_direct.num_batches_tracked)


def check_train_step(direct, fft, x):
    """Band powers, every gradient and the updated running stats agree."""
    x_direct = x.clone().requires_grad_(True)
    x_fft = x.clone().requires_grad_(True)
    direct.train()
    fft.train()
    power_direct = direct.band_powers(x_direct)
    power_fft = fft.band_powers(x_fft)
    assert_rel_close(power_fft, power_direct, "band powers")

    # a random weighting makes every gradient component matter
    weights = torch.randn(power_direct.shape, generator=torch.Generator().manual_seed(2))
    (power_direct * weights).sum().backward()
    (power_fft * weights).sum().backward()
    assert_rel_close(x_fft.grad, x_direct.grad, "d/dx")
    checked = []
    for (name, p_direct), (_, p_fft) in zip(direct.named_parameters(),
                                            fft.named_parameters()):
        if p_direct.grad is None:
            assert p_fft.grad is None, name
            continue
        assert_rel_close(p_fft.grad, p_direct.grad, f"d/d{name}")
        checked.append(name)
    expected = {"spatial.weight", "temporal.weight", "bn.weight", "bn.bias"}
    if direct.n_branches == 2:
        expected |= {"spatial_mirror.weight", "bn_mirror.weight", "bn_mirror.bias"}
    assert expected <= set(checked)
    assert_batch_norms_close(direct, fft)


# With 7 channels the FFT path transforms the channels for 4 spatial filters
# per branch and the spatially filtered rows for 1: both layouts are tested.
LAYOUTS = [pytest.param(4, id="fft-of-channels"), pytest.param(1, id="fft-of-filtered")]


@pytest.mark.parametrize("n_spatial_filters", LAYOUTS)
@pytest.mark.parametrize("n_branches", [1, 2])
@pytest.mark.parametrize("sfreq, n_times, filter_length", CASES)
def test_fft_matches_direct_in_training(sfreq, n_times, filter_length, n_branches,
                                        n_spatial_filters):
    direct, fft = make_pair(sfreq, n_times, filter_length, n_branches, n_spatial_filters)
    check_train_step(direct, fft, make_windows(n_times))


@pytest.mark.parametrize("offset", [1e3, 1e5])
@pytest.mark.parametrize("n_branches", [1, 2])
def test_fft_matches_direct_with_large_offset(offset, n_branches):
    """Recorded EEG can sit on a DC offset far above its fluctuations.

    20 channels and 4 filters per branch: the single-branch net transforms
    the filtered rows, the two-branch net the channels. (With a single
    spatial filter the float32 gradients of both paths drift from float64
    at such offsets, so that case would test float32, not the FFT.) HAMNet
    removes the window mean by default; demean=False hands the offset to
    both paths, as networks pickled by 0.1.0 do.
    """
    n_chans = 20
    mirror = np.arange(n_chans).reshape(-1, 2)[:, ::-1].ravel()
    kwargs = dict(n_chans=n_chans, n_outputs=3, n_times=200, sfreq=200.0,
                  mirror_index=mirror if n_branches == 2 else None, n_spatial_filters=4,
                  demean=False)
    torch.manual_seed(0)
    direct = HAMNet(**kwargs, band_power="direct")
    fft = HAMNet(**kwargs, band_power="fft")
    fft.load_state_dict(direct.state_dict())
    generator = torch.Generator().manual_seed(1)
    x = 10.0 * torch.randn(6, n_chans, 200, generator=generator) + offset
    check_train_step(direct, fft, x)


@pytest.mark.parametrize("n_spatial_filters", LAYOUTS)
@pytest.mark.parametrize("n_branches", [1, 2])
@pytest.mark.parametrize("sfreq, n_times, filter_length", CASES[:2])
def test_fft_matches_direct_in_eval_mode(sfreq, n_times, filter_length, n_branches,
                                         n_spatial_filters):
    direct, fft = make_pair(sfreq, n_times, filter_length, n_branches, n_spatial_filters)
    x = make_windows(n_times)
    check_train_step(direct, fft, x)  # moves the running stats off their start
    direct.eval()
    fft.eval()
    x_new = make_windows(n_times, n_windows=3, seed=5)
    assert_rel_close(fft.band_powers(x_new), direct.band_powers(x_new), "eval band powers")
    assert_rel_close(fft(x_new), direct(x_new), "eval logits")
    # eval mode must leave the running stats alone
    assert_batch_norms_close(direct, fft)


@pytest.mark.parametrize("n_branches", [1, 2])
def test_cumulative_batch_norm_momentum_none(n_branches):
    direct, fft = make_pair(250.0, 125, 25, n_branches)
    for net in (direct, fft):
        for bn in (net.bn, net.bn_mirror):
            if bn is not None:
                bn.momentum = None
                bn.reset_running_stats()
    with torch.no_grad():
        for seed in range(3):
            x = make_windows(125, n_windows=4, seed=10 + seed)
            assert_rel_close(fft.band_powers(x), direct.band_powers(x), f"batch {seed}")
    assert_batch_norms_close(direct, fft)
    assert int(direct.bn.num_batches_tracked) == 3


def test_batch_norm_without_affine_or_running_stats():
    x = make_windows(200)
    kernels = torch.randn(5, 41, generator=torch.Generator().manual_seed(3))
    weights = [torch.randn(4, N_CHANS, generator=torch.Generator().manual_seed(4))]
    for kwargs in ({"affine": False}, {"track_running_stats": False}):
        bn = torch.nn.BatchNorm2d(5, **kwargs)
        expected = direct_band_power(x, weights, kernels, [bn])
        actual = fft_band_power(x, weights, kernels, [copy.deepcopy(bn)])
        assert_rel_close(actual, expected, str(kwargs))


@pytest.mark.parametrize("path", ["direct", "fft"])
@pytest.mark.parametrize("n_spatial_filters", LAYOUTS)
def test_band_power_stays_float32_under_autocast(n_spatial_filters, path):
    """Mixed precision leaves the band-power block in float32, on both paths."""
    net = make_pair(200.0, 200, 41, 2, n_spatial_filters)[path == "fft"]
    net.eval()
    x = make_windows(200, offset=1e3)
    expected = net.band_powers(x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        actual = net.band_powers(x)
        # the layers after the block still run in bfloat16
        assert net(x).dtype == torch.bfloat16
    assert actual.dtype == torch.float32
    assert_rel_close(actual, expected, f"{path} band powers under autocast")


def test_full_module_train_step_agrees():
    """Logits, loss and one Adam step agree through the whole network."""
    direct, fft = make_pair(200.0, 200, 41, n_branches=2)
    x = make_windows(200, n_windows=8)
    y = torch.arange(8) % 3
    losses = []
    for net in (direct, fft):
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
        loss = torch.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert abs(losses[1] - losses[0]) <= RTOL * abs(losses[0])
    for (name, p_direct), (_, p_fft) in zip(direct.named_parameters(), fft.named_parameters()):
        assert_rel_close(p_fft, p_direct, name)


@pytest.mark.parametrize("path", ["direct", "fft"])
def test_mirror_branch_needs_no_mirrored_copy(path):
    """Branch 2 equals the mirror branch's own weights run on x[:, mirror_index]."""
    torch.manual_seed(0)
    net = HAMNet(N_CHANS, 2, 125, 250.0, mirror_index=MIRROR, n_spatial_filters=4,
                 filter_length=25, band_power=path, bands=LOW_BANDS)
    with torch.no_grad():
        net.spatial_mirror.weight.normal_()  # differs from the original branch
    x = make_windows(125)
    bn_mirror = copy.deepcopy(net.bn_mirror)
    powers = net.band_powers(x)
    # the network removes each window's mean, in both branches
    centred = x - x.mean(-1, keepdim=True)
    expected = direct_band_power(
        centred[:, MIRROR], [net.spatial_mirror.weight], net.temporal.weight[:, 0], [bn_mirror]
    )
    assert_rel_close(powers[:, 1], expected[:, 0], "mirror branch")
    assert_rel_close(net.bn_mirror.running_var, bn_mirror.running_var, "running_var")


@pytest.mark.parametrize("band_power", ["direct", "fft"])
def test_band_power_argument_forces_the_path(band_power, monkeypatch):
    other = "fft_band_power" if band_power == "direct" else "direct_band_power"

    def forbidden(*args, **kwargs):
        raise AssertionError(f"{other} was called with band_power={band_power!r}")

    monkeypatch.setattr(hamnet_module, other, forbidden)
    net = HAMNet(N_CHANS, 2, 125, 250.0, mirror_index=MIRROR, filter_length=25, bands=LOW_BANDS,
                 band_power=band_power)
    assert net.band_power_path_ == band_power
    assert net(make_windows(125)).shape == (6, 2)


@pytest.mark.parametrize("mirror_index", [None, np.arange(62)[::-1].copy()])
def test_auto_picks_fft_for_seed_windows(mirror_index):
    net = HAMNet(62, 3, 200, 200.0, mirror_index=mirror_index)
    assert net.band_power == "auto"
    assert net.band_power_path_ == "fft"
    direct, fft = estimate_cost(62, 200, 16, 18, 41, net.n_branches)
    assert fft < direct / 3


def test_auto_keeps_direct_when_it_is_cheaper():
    # one band and a 3-tap kernel: the convolution is cheaper than the FFTs
    with pytest.warns(RuntimeWarning, match="filter_length=3 at sfreq=250 Hz resolves"):
        net = HAMNet(N_CHANS, 2, 64, 250.0, n_spatial_filters=1, bands=[(30.0, 45.0)],
                     filter_length=3)
    assert net.band_power_path_ == "direct"


def test_bad_band_power_value():
    with pytest.raises(ValueError, match="Invalid value for the 'band_power' parameter"):
        HAMNet(N_CHANS, 2, 125, 250.0, band_power="fastest")
