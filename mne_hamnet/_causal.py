"""A causal IIR band-pass that filters a stream chunk by chunk, or a whole recording at once."""

import numpy as np
from scipy.signal import sosfilt, sosfilt_zi


class CausalBandpass:
    """Butterworth band-pass in second-order sections, carrying its state across chunks.

    The design is MNE-LSL's ``StreamLSL.filter`` (MNE's
    :func:`mne.filter.create_filter` with ``method="iir"``,
    ``phase="forward"``): a forward-only IIR filter, so each output sample
    depends only on the samples up to it. The filter starts in the steady
    state of each channel's first sample, so a DC offset gives no start-up
    transient. Filtering a recording in one call and the same samples chunk
    by chunk give the same values.

    Parameters
    ----------
    sfreq : float
        Sampling frequency in Hz.
    l_freq, h_freq : float | None
        Band edges in Hz; None leaves that side open (a low- or high-pass).
    order : int
        Butterworth order (of each side).
    """

    def __init__(self, sfreq, l_freq, h_freq, order=4):
        import mne

        if l_freq is None and h_freq is None:
            raise ValueError("l_freq and h_freq are both None: there is nothing to filter.")
        params = mne.filter.create_filter(
            None, sfreq, l_freq, h_freq, method="iir", phase="forward",
            iir_params=dict(order=order, ftype="butter", output="sos"), verbose=False,
        )
        self.sos = params["sos"]
        self.sfreq, self.l_freq, self.h_freq, self.order = float(sfreq), l_freq, h_freq, order
        self._zi_unit = sosfilt_zi(self.sos)  # (n_sections, 2)
        self._zi = None

    def reset(self):
        """Forget the state: the next chunk starts the filter afresh."""
        self._zi = None

    def __call__(self, data):
        """Filter the next chunk.

        Parameters
        ----------
        data : ndarray of shape (n_channels, n_samples)
            The next samples of every channel.

        Returns
        -------
        filtered : ndarray of float64, shape (n_channels, n_samples)
            The filtered samples.
        """
        data = np.asarray(data, dtype=np.float64)
        if data.shape[-1] == 0:
            return data
        if self._zi is None:
            self._zi = self._zi_unit[:, None, :] * data[:, :1][None]
        out, self._zi = sosfilt(self.sos, data, axis=-1, zi=self._zi)
        return out
