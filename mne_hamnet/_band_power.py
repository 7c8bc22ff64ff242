"""Temporal filter bank -> batch norm -> average power, computed two ways.

Both functions take the effective spatial weights of every branch, so the
mirror branch never needs a mirrored copy of the data: ``W_m @ x[mirror]``
equals ``W_m[:, mirror] @ x`` because the mirror permutation is an involution.

The direct path is the reference: a full linear convolution (zero padding of
``N - 1`` on both sides), :class:`torch.nn.BatchNorm2d` over the band
channels, square, and mean over time.

The FFT path uses Parseval's theorem. With an FFT of exactly the full
convolution length ``L = n_times + N - 1`` the circular and linear
convolutions coincide, so for each (window, spatial filter, band)

* the time mean is ``Z(0) H(0) / L``, and
* the centred second moment is ``sum_{f != 0} |Z(f)|^2 |H(f)|^2 / L^2``.

Batch norm needs only these two moments, and so does the power of the
normalised signal. Leaving the DC bin out of the second moment keeps it free
of cancellation when the data carry large offsets.

The spatial filters commute with the FFT, so the FFT path either transforms
the channels and filters their spectra, or filters first and transforms the
filtered rows, whichever transforms fewer rows (counting the backward pass).
Under mixed precision (:func:`torch.autocast`) both paths still compute in
float32: the block is cheap, the Parseval sums lose too much in 16-bit
floats, and the direct path's long convolution sums lose about as much
(a relative error near 7e-3 in bfloat16).
"""

import contextlib
import math

import torch
import torch.nn.functional as F


def direct_band_power(x, spatial_weights, kernels, batch_norms):
    """Band power by explicit convolution, the reference implementation.

    Parameters
    ----------
    x : Tensor of shape (n_windows, n_chans, n_times)
        Input windows.
    spatial_weights : list of Tensor of shape (n_spatial_filters, n_chans)
        Effective spatial weights, one per branch.
    kernels : Tensor of shape (n_bands, filter_length)
        Temporal FIR kernels, shared by all branches.
    batch_norms : list of torch.nn.BatchNorm2d
        One batch norm over the ``n_bands`` channels per branch.

    Returns
    -------
    power : Tensor of shape (n_windows, n_branches, n_spatial_filters, n_bands)
        Mean square of the normalised band signals, in float32 (or the input's
        precision) even under :func:`torch.autocast`.
    """
    with _float32_region(x.device.type):
        return _direct_band_power(x, spatial_weights, kernels, batch_norms)


def _direct_band_power(x, spatial_weights, kernels, batch_norms):
    x, spatial_weights, kernels = _at_least_float32(x, spatial_weights, kernels)
    n_windows, _, n_times = x.shape
    n_bands, filter_length = kernels.shape
    powers = []
    for weight, bn in zip(spatial_weights, batch_norms):
        # bmm over an expanded weight reads x in place (see fft_band_power)
        z = torch.bmm(weight.expand(n_windows, *weight.shape), x)  # (B, K1, T)
        n_filters = z.shape[1]
        y = F.conv1d(
            z.reshape(n_windows * n_filters, 1, n_times),
            kernels.unsqueeze(1),
            padding=filter_length - 1,
        )
        y = y.reshape(n_windows, n_filters, n_bands, -1).transpose(1, 2)
        y = bn(y)  # (B, K2, K1, L)
        powers.append(y.square().mean(-1).transpose(1, 2))
    return torch.stack(powers, dim=1)


def _spectral_weights(n_fft, n_freqs, device, dtype):
    """One-sided weights for Parseval's sum, with the DC bin left out."""
    weights = torch.full((n_freqs,), 2.0, device=device, dtype=dtype)
    weights[0] = 0.0
    if n_fft % 2 == 0:
        weights[-1] = 1.0
    return weights


def fft_band_power(x, spatial_weights, kernels, batch_norms):
    """Band power through the FFT, equal to :func:`direct_band_power`.

    Parameters and return value are those of :func:`direct_band_power`.
    """
    with _float32_region(x.device.type):
        return _fft_band_power(x, spatial_weights, kernels, batch_norms)


def _at_least_float32(x, spatial_weights, kernels):
    """Cast 16-bit inputs (made by autocast upstream) to float32."""
    def up(t):
        return t.float() if t.dtype in (torch.float16, torch.bfloat16) else t

    return up(x), [up(w) for w in spatial_weights], up(kernels)


def _fft_band_power(x, spatial_weights, kernels, batch_norms):
    x, spatial_weights, kernels = _at_least_float32(x, spatial_weights, kernels)
    n_windows, n_chans, n_times = x.shape
    n_bands, filter_length = kernels.shape
    n_fft = n_times + filter_length - 1
    n_branches = len(spatial_weights)
    n_filters = spatial_weights[0].shape[0]
    weight = torch.cat(spatial_weights, dim=0)  # (nb*K1, C)
    n_rows = weight.shape[0]
    # bmm over an expanded weight reads the data in place; matmul would
    # transpose a copy of every batch first
    batched_weight = weight.expand(n_windows, n_rows, n_chans)
    backward = torch.is_grad_enabled() and (weight.requires_grad or x.requires_grad)
    # a row transformed in training costs a forward and a backward FFT
    if (3 if backward else 1) * n_rows < n_chans:
        z = torch.bmm(batched_weight, x)  # (B, nb*K1, T)
        z_sum = z.sum(-1)  # Z(0)
        z = torch.view_as_real(torch.fft.rfft(z, n=n_fft))  # (B, nb*K1, F, 2)
        n_freqs = z.shape[2]
    else:
        spectrum = torch.view_as_real(torch.fft.rfft(x, n=n_fft))  # (B, C, F, 2)
        n_freqs = spectrum.shape[2]
        z = torch.bmm(batched_weight, spectrum.reshape(n_windows, n_chans, 2 * n_freqs))
        z = z.reshape(n_windows, n_rows, n_freqs, 2)
        z_sum = z[:, :, 0, 0]
    z_power = z.square().sum(-1)  # |Z(f)|^2, (B, nb*K1, F)

    h = torch.fft.rfft(kernels, n=n_fft)
    h_power = h.real.square() + h.imag.square()  # (K2, F)
    h_power = h_power * _spectral_weights(n_fft, n_freqs, x.device, h_power.dtype)

    centred = torch.matmul(z_power, h_power.T) / n_fft**2  # (B, nb*K1, K2)
    mean = z_sum.unsqueeze(-1) * kernels.sum(1) / n_fft
    centred = centred.reshape(n_windows, n_branches, n_filters, n_bands)
    mean = mean.reshape(n_windows, n_branches, n_filters, n_bands)

    n_values = n_windows * n_filters * n_fft
    powers = [
        _normalised_power(mean[:, i], centred[:, i], bn, n_values)
        for i, bn in enumerate(batch_norms)
    ]
    return torch.stack(powers, dim=1)


def _float32_region(device_type):
    """Switch autocast off, where it is on, for the FFT path's sums."""
    try:
        enabled = torch.is_autocast_enabled(device_type)
    except TypeError:  # torch < 2.4 asks per device kind
        enabled = (torch.is_autocast_enabled() if device_type == "cuda"
                   else torch.is_autocast_cpu_enabled())
    if not enabled:
        return contextlib.nullcontext()
    return torch.autocast(device_type, enabled=False)


def _normalised_power(mean, centred, bn, n_values):
    """Mean square of ``bn(y)`` from the per-sequence mean and centred moment.

    ``mean`` and ``centred`` have shape (B, K1, K2); statistics are over the
    batch, the spatial filters and time, per band, as BatchNorm2d computes
    them, and the running buffers are updated the same way.
    """
    use_batch_stats = bn.training or bn.running_mean is None
    if use_batch_stats:
        batch_mean = mean.mean(dim=(0, 1))
        # law of total variance: within-sequence plus between-sequence parts
        batch_var = (centred + (mean - batch_mean).square()).mean(dim=(0, 1))
        if bn.training and bn.track_running_stats:
            _update_running_stats(bn, batch_mean, batch_var, n_values)
    else:
        batch_mean, batch_var = bn.running_mean, bn.running_var
    inv_std = torch.rsqrt(batch_var + bn.eps)
    offset = mean - batch_mean
    if bn.affine:
        gain = bn.weight * inv_std
        return (
            gain.square() * (centred + offset.square())
            + 2 * gain * bn.bias * offset
            + bn.bias.square()
        )
    return inv_std.square() * (centred + offset.square())


@torch.no_grad()
def _update_running_stats(bn, batch_mean, batch_var, n_values):
    bn.num_batches_tracked.add_(1)
    if bn.momentum is None:
        factor = 1.0 / float(bn.num_batches_tracked)
    else:
        factor = bn.momentum
    unbiased = batch_var * (n_values / max(n_values - 1, 1))
    bn.running_mean.mul_(1 - factor).add_(factor * batch_mean)
    bn.running_var.mul_(1 - factor).add_(factor * unbiased)


def estimate_cost(n_chans, n_times, n_spatial_filters, n_bands, filter_length, n_branches):
    """Rough multiply-add counts per window of the two paths, for ``"auto"``.

    Returns
    -------
    direct, fft : float
        Estimated operations of :func:`direct_band_power` and
        :func:`fft_band_power`.
    """
    n_fft = n_times + filter_length - 1
    n_freqs = n_fft // 2 + 1
    n_rows = n_branches * n_spatial_filters
    spatial = n_rows * n_chans * n_times
    direct = spatial + n_rows * n_bands * filter_length * n_fft
    fft = (
        2.5 * min(n_chans, n_rows) * n_fft * math.log2(max(n_fft, 2))
        + n_rows * n_chans * 2 * n_freqs
        + n_rows * n_freqs * n_bands
    )
    return direct, fft
