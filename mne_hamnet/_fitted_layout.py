"""Windows given to a fitted classifier, checked against the layout of its fit.

The channels, their order, the sampling rate and the window length must be
fit's; an error says which differs and how to fix it, in scikit-learn's
words where its tools look for them.
"""

import numpy as np
import torch

from ._check import _check_layout
from ._input import is_epochs, to_windows


def fitted_windows(net, X):
    """The windows of ``X`` as an array, checked against the layout ``net`` was fitted on."""
    if isinstance(X, (np.ndarray, torch.Tensor)) and X.ndim == 3:
        if X.shape[1] != net.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} channels, but HAMNetClassifier was fitted "
                f"with {net.n_features_in_}{_n_features_sentence(net, X.shape[1])}."
            )
    if is_epochs(X):
        # Epochs carry their own layout, checked against fit's below; the
        # sfreq and ch_names parameters describe arrays only
        windows = to_windows(X)
    elif net.sfreq is None and net.ch_names is None:
        # fitted on Epochs: arrays are taken in the layout fit saw
        windows = to_windows(X, net.sfreq_, net.ch_names_)
    else:
        windows = net._to_windows(X)
    check_fitted_layout(net, windows.data, windows.ch_names, windows.sfreq, windows.bads)
    return windows.data


def _n_features_sentence(net, n_chans):
    # scikit-learn's wording, which its tools and checks look for
    if n_chans == net.n_features_in_:
        return ""
    return (
        f" (X has {n_chans} features, but HAMNetClassifier is expecting "
        f"{net.n_features_in_} features as input)"
    )


def check_fitted_layout(net, data, ch_names, sfreq, bads=None):
    """Refuse windows whose channels, rate or length differ from fit's, naming the difference."""
    extra = _n_features_sentence(net, len(ch_names))
    marked = [name for name in bads or () if name in net.ch_names_]
    if marked:
        # the Epochs' bad channels are left out, so a channel marked bad
        # after fit reads as missing
        extra += (
            f"; {marked} {'is' if len(marked) == 1 else 'are'} marked bad in the "
            "Epochs' info['bads'] and so left out, but the fit used "
            f"{'it' if len(marked) == 1 else 'them'}: interpolate "
            "(epochs.interpolate_bads(reset_bads=True)) or unmark "
            f"{'it' if len(marked) == 1 else 'them'}"
        )
    _check_layout(
        ch_names, net.ch_names_, owner="the classifier", sfreq=sfreq,
        fitted_sfreq=net.sfreq_, n_times=data.shape[2], fitted_n_times=net.n_times_,
        extra=extra,
    )


def check_finite_proba(proba, data):
    """Refuse non-finite class probabilities, naming the windows and their largest value."""
    bad = ~np.isfinite(proba).all(axis=1)
    if not bad.any():
        return
    detail = ""
    if isinstance(data, np.ndarray):
        detail = (
            f"; the largest |value| in those windows is "
            f"{float(np.abs(data[bad]).max()):.3g}"
        )
    raise ValueError(
        f"HAMNet's output is not finite for {int(bad.sum())} of {len(bad)} "
        f"window(s) (first: {np.flatnonzero(bad)[:5].tolist()}){detail}. "
        "Values this large overflow the float32 band powers: check the "
        "units (Epochs are used in µV) and remove or clip artifacts."
    )


def bad_partner_hint(windows, message):
    """Name the bad channels whose absence leaves a partner unpaired, or ''."""
    if "no left/right partner" not in message or not windows.bads:
        return ""
    from .pairing import parse_1005

    sites = {}
    for name in windows.bads:
        parts = parse_1005(name)
        if parts is not None and parts[1] is not None:
            sites[parts] = name
    lonely = []
    for name in windows.ch_names:
        parts = parse_1005(name)
        if parts is None or parts[1] is None:
            continue
        prefix, number, half = parts
        partner = sites.get((prefix, number + 1 if number % 2 else number - 1, half))
        if partner is not None:
            lonely.append((name, partner))
    if not lonely:
        return (f" The Epochs' bad channels {windows.bads} (info['bads']) are left out, "
                "which may be why.")
    shown = ", ".join(f"{name} (its partner {partner})" for name, partner in lonely)
    bads = [partner for _, partner in lonely]
    names = [name for name, _ in lonely]
    return (
        f" {shown}: {'these partners are' if len(bads) > 1 else 'the partner is'} "
        f"marked bad in info['bads'] and left out. Interpolate "
        f"{'them' if len(bads) > 1 else 'it'} (epochs.interpolate_bads(), which needs a "
        f"montage), or drop the other side too (epochs.drop_channels({names!r}))."
    )
