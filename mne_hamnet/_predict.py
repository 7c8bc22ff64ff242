"""Class probabilities of checked windows, without skorch's per-call machinery.

skorch's ``predict_proba`` wraps the windows in a Dataset, builds an
iterator, and sets the network to evaluation mode module by module on every
call. For one short window that bookkeeping costs as much as the network
itself; in a live loop it is paid ten times a second. This path computes the
same values (same batches, same ``infer``, same non-linearity, same device
and denormal handling), for windows that have already been checked.
"""

import warnings

import numpy as np
import torch

from ._device import resolve_device
from ._training import denormals_flushed


def valid_batch_size(net, n_windows):
    """The batch size skorch's prediction would use for ``n_windows`` windows."""
    # skorch keeps ``iterator_valid__batch_size`` as an attribute when it is set
    batch_size = getattr(net, "iterator_valid__batch_size", net.batch_size)
    return n_windows if batch_size in (-1, None) else int(batch_size)


def predict_proba_windows(net, data):
    """Class probabilities of windows already checked against the fitted layout.

    Parameters
    ----------
    net : HAMNetClassifier
        A fitted classifier.
    data : ndarray of float32, shape (n_windows, n_chans, n_times)
        Windows in µV in the fitted channel order; not checked here.

    Returns
    -------
    proba : ndarray of shape (n_windows, n_classes)
        What skorch's ``predict_proba`` returns for the same windows.
    """
    device = resolve_device(net.device)
    with warnings.catch_warnings():
        # read-only windows are only read
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        x = torch.as_tensor(data, dtype=torch.float32)
    batch_size = valid_batch_size(net, len(x))
    nonlinearity = net._get_predict_nonlinearity()
    parts = []
    requested = net.device
    # skorch's infer reads net.device, which may be "auto"; the classifier's
    # _on_device does the same through skorch's __setattr__, whose checks
    # cost a tenth of a window's prediction
    vars(net)["device"] = device
    try:
        with denormals_flushed(), torch.no_grad():
            if net.module_.training:
                net._set_training(False)
            for start in range(0, len(x), batch_size):
                logits = net.infer(x[start : start + batch_size].to(device))
                logits = logits[0] if isinstance(logits, tuple) else logits
                parts.append(nonlinearity(logits.to("cpu")).numpy())
    finally:
        vars(net)["device"] = requested
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
