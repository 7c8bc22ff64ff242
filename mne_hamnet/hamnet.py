"""HAMNet, the hemispheric asymmetry measurement network, as a torch module."""

import numpy as np
import torch
from torch import nn

from ._band_power import direct_band_power, estimate_cost, fft_band_power
from ._check import _check_option, _check_positive_int, _validate_type
from ._logging import logger
from .fir import (
    auto_filter_length,
    bands_for_bank,
    check_bands,
    check_resolution,
    design_bank,
    resolve_filter_length,
)


class HAMNet(nn.Module):
    """Hemispheric Asymmetry Measurement Network (HAMNet).

    The network of Yan et al. (2022) [1]_.
    A spatial convolution (``n_spatial_filters`` filters over all channels)
    feeds a bank of temporal FIR kernels initialised as band-pass filters.
    Batch norm, squaring and averaging over time give one band power per
    (spatial filter, band). With ``mirror_index=None`` this single branch
    feeds a linear classifier: the pretraining network. With a
    ``mirror_index`` a second branch sees the window with left and right
    channels swapped; both branches share the temporal kernels, and a
    relational layer, a convolution with kernel (2, 1) over the stacked
    branch powers, compares every feature with its mirror twin before the
    linear classifier.

    The module returns logits; apply a softmax for probabilities.

    Parameters
    ----------
    n_chans : int
        Number of EEG channels.
    n_outputs : int
        Number of classes.
    n_times : int
        Number of samples per window.
    sfreq : float
        Sampling frequency in Hz, used to design the FIR bank.
    mirror_index : array-like of int of shape (n_chans,) | None, default=None
        Channel permutation that swaps left and right homologous channels,
        its own inverse (see :class:`~mne_hamnet.HemisphereMirror`). None
        builds the single-branch pretraining network.
    n_spatial_filters : int, default=16
        Number of spatial filters per branch (``K1`` in the paper).
    bands : str | array-like of shape (n_bands, 2) | None, default=None
        Pass bands of the initial FIR bank in Hz (``K2`` = n_bands), or a
        preset name of :data:`mne_hamnet.fir.BAND_PRESETS`: ``"gamma"``
        (the paper's 18 bands of 2 Hz from 40 to 76 Hz, also what None
        gives) or ``"mu-beta"`` (8-30 Hz, for motor tasks).
    filter_length : int | "auto", default="auto"
        Taps per temporal kernel (``N`` in the paper). ``"auto"`` is the
        paper's 41 taps at 200 Hz scaled with ``sfreq`` and kept odd (21 at
        100 Hz, 201 at 1000 Hz; :func:`mne_hamnet.fir.auto_filter_length`);
        the presets ``"mu-beta"`` and ``"alpha-gamma"`` take 0.4 s, which
        resolves their bands, cut to the window if it is shorter. A preset's
        bands whose filters do not close below Nyquist are dropped (e.g.
        ``"gamma"``'s top two at 160 Hz; explicit bands warn instead).
    n_relation_filters : int, default=4
        Number of relational filters in the two-branch network.
    band_power : {"auto", "fft", "direct"}, default="auto"
        How the filter -> batch norm -> power block is computed. ``"direct"``
        convolves explicitly; ``"fft"`` gives the same values through
        Parseval's theorem at a fraction of the cost; ``"auto"`` picks the
        cheaper one from an operation count.
    demean : bool, default=True
        Remove each window's mean, per channel, before the spatial filters.
        The zero-padded FIR kernels see a DC offset as a step at the window's
        edges, so without this a recording with millivolts of electrode
        offset (DC-coupled amplifiers, consumer headsets) gives band powers
        dominated by the offset. Networks pickled by 0.1.0, which had no
        such step, load with False and predict as they did.

    Attributes
    ----------
    spatial : torch.nn.Linear
        Spatial filters of the original branch, weight (K1, n_chans).
    spatial_mirror : torch.nn.Linear | None
        Spatial filters applied to the mirrored window.
    temporal : torch.nn.Conv1d
        Shared temporal kernels, weight (n_bands, 1, filter_length).
    bn, bn_mirror : torch.nn.BatchNorm2d
        Batch norm over the band channels, one per branch.
    relation : torch.nn.Conv2d | None
        The relational metric layer.
    classifier : torch.nn.Linear
        The final linear layer.

    References
    ----------
    .. [1] The HAMNet paper, Yan et al. (2022): see :ref:`bibliography`.
    """

    def __init__(
        self,
        n_chans,
        n_outputs,
        n_times,
        sfreq,
        mirror_index=None,
        n_spatial_filters=16,
        bands=None,
        filter_length="auto",
        n_relation_filters=4,
        band_power="auto",
        demean=True,
    ):
        super().__init__()
        n_chans = _check_positive_int(n_chans, "n_chans")
        n_outputs = _check_positive_int(n_outputs, "n_outputs")
        n_times = _check_positive_int(n_times, "n_times")
        n_spatial_filters = _check_positive_int(n_spatial_filters, "n_spatial_filters")
        n_relation_filters = _check_positive_int(n_relation_filters, "n_relation_filters")
        _check_option("band_power", band_power, ("auto", "fft", "direct"))
        check_bands(bands, sfreq)
        auto = isinstance(filter_length, str) and filter_length == "auto"
        filter_length = resolve_filter_length(filter_length, sfreq, bands)
        shortest = auto_filter_length(sfreq)
        if auto and filter_length > n_times and filter_length > shortest:
            # a preset's longer kernels are cut to the window, down to the paper's 0.2 s
            filter_length = max(shortest, n_times - 1 + n_times % 2)
            logger.info("HAMNet: filter_length='auto' cut to the window: %d taps",
                        filter_length)
        if filter_length > n_times:
            how = f" ('auto' at {sfreq:g} Hz)" if auto else ""
            raise ValueError(
                f"filter_length={filter_length} is longer than the window "
                f"(n_times={n_times} samples){how}; use filter_length <= {n_times} "
                "or longer windows."
            )
        bands = bands_for_bank(bands, sfreq, filter_length)
        check_resolution(bands, sfreq, filter_length)
        self.n_chans, self.n_outputs, self.n_times = n_chans, n_outputs, n_times
        self.sfreq = float(sfreq)
        self.n_spatial_filters = n_spatial_filters
        self.n_bands = len(bands)
        self.filter_length = filter_length
        self.band_power = band_power
        self.demean = _validate_type(demean, bool, "demean")

        self.spatial = nn.Linear(n_chans, n_spatial_filters, bias=False)
        self.temporal = nn.Conv1d(1, self.n_bands, filter_length, bias=False)
        with torch.no_grad():
            bank = design_bank(bands, self.sfreq, filter_length)
            self.temporal.weight.copy_(torch.as_tensor(bank).unsqueeze(1))
        self.bn = nn.BatchNorm2d(self.n_bands)
        n_features = n_spatial_filters * self.n_bands

        if mirror_index is None:
            self.register_buffer("mirror_index", None)
            self.spatial_mirror = self.bn_mirror = self.relation = None
            self.classifier = nn.Linear(n_features, n_outputs)
        else:
            index = _check_mirror_index(mirror_index, n_chans)
            # non-persistent: the permutation is configuration, not state
            self.register_buffer("mirror_index", index, persistent=False)
            self.spatial_mirror = nn.Linear(n_chans, n_spatial_filters, bias=False)
            self.bn_mirror = nn.BatchNorm2d(self.n_bands)
            self.relation = nn.Conv2d(1, n_relation_filters, kernel_size=(2, 1))
            self.classifier = nn.Linear(n_relation_filters * n_features, n_outputs)

        direct, fft = estimate_cost(
            n_chans, n_times, n_spatial_filters, self.n_bands, filter_length, self.n_branches
        )
        self.band_power_path_ = (
            band_power if band_power != "auto" else ("fft" if fft < direct else "direct")
        )
        logger.debug(
            "HAMNet band power path: %s (estimated %.2g direct vs %.2g FFT ops/window)",
            self.band_power_path_, direct, fft,
        )

    def __setstate__(self, state):
        # 0.1.0 fed the windows to the filters as given
        state.setdefault("demean", False)
        super().__setstate__(state)

    @property
    def n_branches(self):
        """1 for the pretraining network, 2 with the mirror branch."""
        return 1 if self.mirror_index is None else 2

    def spatial_weights(self):
        """Effective spatial filters of each branch over the recorded channels.

        Returns
        -------
        weights : list of Tensor of shape (n_spatial_filters, n_chans)
            The original branch, then (two-branch net) the mirror branch's
            weights re-indexed so that ``weights[1] @ x`` equals
            ``spatial_mirror.weight @ x[mirror_index]``.
        """
        weights = [self.spatial.weight]
        if self.mirror_index is not None:
            weights.append(self.spatial_mirror.weight[:, self.mirror_index])
        return weights

    def band_powers(self, x):
        """Power features of each branch.

        Parameters
        ----------
        x : Tensor of shape (n_windows, n_chans, n_times)
            Input windows.

        Returns
        -------
        power : Tensor of shape (n_windows, n_branches, n_spatial_filters, n_bands)
            The batch-normalised band powers (the paper's PSD features).
        """
        if x.ndim != 3 or x.shape[1] != self.n_chans or x.shape[2] != self.n_times:
            raise ValueError(
                f"HAMNet expects input of shape (n_windows, {self.n_chans}, "
                f"{self.n_times}), but got {tuple(x.shape)}."
            )
        if self.demean:
            # in the module, so that both branches and any export see it
            x = x - x.mean(dim=-1, keepdim=True)
        batch_norms = [self.bn] if self.mirror_index is None else [self.bn, self.bn_mirror]
        compute = fft_band_power if self.band_power_path_ == "fft" else direct_band_power
        return compute(x, self.spatial_weights(), self.temporal.weight[:, 0], batch_norms)

    def forward(self, x):
        """Class logits for a batch of windows.

        Parameters
        ----------
        x : Tensor of shape (n_windows, n_chans, n_times)
            Input windows.

        Returns
        -------
        logits : Tensor of shape (n_windows, n_outputs)
            Unnormalised class scores.
        """
        power = self.band_powers(x).flatten(2)  # (B, nb, K1*K2)
        if self.relation is None:
            return self.classifier(power[:, 0])
        # the (2, 1) convolution as an einsum: same parameters and values,
        # without a 2-D convolution's overhead for this degenerate kernel
        weight = self.relation.weight[:, 0, :, 0]  # (R, 2)
        related = torch.einsum("rk,bkj->brj", weight, power) + self.relation.bias[:, None]
        return self.classifier(related.flatten(1))

    @torch.no_grad()
    def load_pretrained(self, pretrained):
        """Start a two-branch network from a trained single-branch one.

        Both spatial convolutions and both batch norms take the pretrained
        values, the temporal kernels are copied and frozen, and the
        relational layer and classifier keep their fresh initialisation.

        Parameters
        ----------
        pretrained : HAMNet
            The trained pretraining network, with the same sizes.

        Returns
        -------
        self : HAMNet
            This network, modified in place.
        """
        if self.mirror_index is None:
            raise ValueError("load_pretrained needs a two-branch HAMNet (mirror_index set).")
        if pretrained.spatial.weight.shape != self.spatial.weight.shape or (
            pretrained.temporal.weight.shape != self.temporal.weight.shape
        ):
            raise ValueError(
                "The pretrained network's sizes differ: spatial "
                f"{tuple(pretrained.spatial.weight.shape)} vs "
                f"{tuple(self.spatial.weight.shape)}, temporal "
                f"{tuple(pretrained.temporal.weight.shape)} vs "
                f"{tuple(self.temporal.weight.shape)}."
            )
        for spatial in (self.spatial, self.spatial_mirror):
            spatial.weight.copy_(pretrained.spatial.weight)
        for bn in (self.bn, self.bn_mirror):
            bn.load_state_dict(pretrained.bn.state_dict())
        self.temporal.weight.copy_(pretrained.temporal.weight)
        self.temporal.weight.requires_grad_(False)
        return self


def _check_mirror_index(mirror_index, n_chans):
    index = np.asarray(mirror_index)
    if index.shape != (n_chans,) or index.dtype.kind not in "iu":
        raise ValueError(
            f"mirror_index must be an int array of shape ({n_chans},), but got "
            f"dtype {index.dtype} and shape {index.shape}."
        )
    if not np.array_equal(np.sort(index), np.arange(n_chans)) or not np.array_equal(
        index[index], np.arange(n_chans)
    ):
        raise ValueError(
            "mirror_index must be a permutation that is its own inverse "
            f"(index[index] == arange), but got {index.tolist()}."
        )
    return torch.as_tensor(index, dtype=torch.long)
