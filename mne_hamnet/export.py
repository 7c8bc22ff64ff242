"""Export a fitted HAMNet to TorchScript or ONNX, to run it outside Python.

Both files hold the whole fitted network (both branches, the mirror index,
the batch norms' running statistics) followed by a softmax. They take
float32 windows of shape (n_windows, n_chans, n_times) in µV, with the
channels in the order of the classifier's ``ch_names_``, and return class
probabilities whose columns follow ``classes_``: what
:meth:`~mne_hamnet.HAMNetClassifier.predict_proba` returns for the same
windows. The input checks of ``predict_proba`` (channels, rate, units) are
the caller's job. See "Online decoding" in the user guide for loading the
files from C++, C or JavaScript.
"""

import copy
import os
import warnings

import torch
from torch import nn

from ._io import temporary_path

__all__ = ["to_onnx", "to_torchscript"]

_INSTALL = "pip install 'mne-hamnet[export]' (or pip install onnx onnxruntime)"


class _Probabilities(nn.Module):
    """The fitted network followed by the softmax predict_proba applies."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, x):
        return torch.softmax(self.module(x), dim=-1)


def _network(clf, band_power=None):
    """A CPU float32 copy of the fitted network, in evaluation mode, with the softmax."""
    from .classifier import HAMNetClassifier

    if not isinstance(clf, HAMNetClassifier):
        raise TypeError(
            "Only a HAMNetClassifier can be exported, but got "
            f"{type(clf).__name__}; for a pipeline, export its HAMNetClassifier step "
            "and run the other steps yourself."
        )
    clf.check_is_fitted(["module_", "mirror_"])
    if clf.predict_nonlinearity != "auto" or not isinstance(
        clf.criterion_, nn.CrossEntropyLoss
    ):
        raise ValueError(
            "The export ends with a softmax, as predict_proba does with the default "
            f"predict_nonlinearity='auto' and a CrossEntropyLoss criterion; this "
            f"classifier has predict_nonlinearity={clf.predict_nonlinearity!r} and "
            f"criterion {type(clf.criterion_).__name__}."
        )
    module = copy.deepcopy(clf.module_).to("cpu").float().eval()
    for param in module.parameters():
        param.requires_grad_(False)
    if band_power is not None:
        module.band_power_path_ = band_power
    return _Probabilities(module).eval()


def _example(clf, n_windows=2):
    return torch.zeros(n_windows, clf.n_features_in_, clf.n_times_)


def _write(path, save):
    """Write through a temporary file beside ``path``, renamed when complete."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot write the export to {path!r}: it is a folder.")
    tmp = temporary_path(path)  # raises naming the path if its folder is not writable
    try:
        save(tmp)
        os.replace(tmp, path)
    except OSError as err:
        raise OSError(err.errno, f"Cannot write the export to {path!r}: {err.strerror}") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def to_torchscript(clf, path):
    """Save a fitted classifier's network as a TorchScript file.

    Parameters
    ----------
    clf : HAMNetClassifier
        A fitted classifier.
    path : str | path-like
        The file to write (conventionally ``.pt``).

    Returns
    -------
    path : str
        The file written. Load it with ``torch.jit.load(path)`` in Python or
        ``torch::jit::load(path)`` in C++ (libtorch); calling it on a float32
        tensor (n_windows, n_chans, n_times) in µV gives the probabilities.

    Raises
    ------
    TypeError
        If ``clf`` is not a HAMNetClassifier.
    sklearn.exceptions.NotFittedError
        If ``clf`` is not fitted.
    OSError
        If ``path`` cannot be written; the message names it.

    Notes
    -----
    Recent PyTorch versions deprecate TorchScript (``torch.jit``) in favour
    of ``torch.export``; libtorch still loads TorchScript files. For a
    format without that horizon use :func:`to_onnx`.
    """
    network = _network(clf)
    with torch.no_grad(), warnings.catch_warnings():
        # traced, not scripted: the module's Python branches (which band-power
        # path, which branches, the shape check) are fixed by the fitted
        # network, which is what the tracer warns about
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        # recent torch deprecates TorchScript in favour of torch.export, but
        # TorchScript is what libtorch (C++) loads
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="torch")
        warnings.filterwarnings("ignore", message=".*torch.jit.*deprecated",
                                category=DeprecationWarning)
        traced = torch.jit.trace(network, _example(clf), check_trace=False)

    def save(tmp):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*torch.jit.*deprecated",
                                    category=DeprecationWarning)
            torch.jit.save(traced, tmp)

    return _write(path, save)


def to_onnx(clf, path, *, opset_version=17):
    """Save a fitted classifier's network as an ONNX file.

    The file has one input, ``windows`` (float32, shape (n_windows, n_chans,
    n_times), any number of windows), and one output, ``proba`` (n_windows,
    n_classes). ONNX has no real FFT in the opsets exporters target, so the
    band powers are computed by direct convolution: the same values as the
    FFT path up to float32 rounding.

    Parameters
    ----------
    clf : HAMNetClassifier
        A fitted classifier.
    path : str | path-like
        The file to write (conventionally ``.onnx``).
    opset_version : int
        The ONNX opset.

    Returns
    -------
    path : str
        The file written; run it with onnxruntime (Python, C, C++, C#, Java,
        JavaScript).

    Raises
    ------
    ImportError
        If onnx is not installed; the message gives the pip command.
    TypeError, sklearn.exceptions.NotFittedError, OSError
        As for :func:`to_torchscript`.
    """
    # the model first: a wrong or unfitted one is named whatever is installed
    network = _network(clf, band_power="direct")
    try:
        import onnx  # noqa: F401 (torch's exporter needs it)
    except ImportError as err:
        raise ImportError(f"Exporting to ONNX needs onnx ({err}): {_INSTALL}.") from err

    def save(tmp):
        with torch.no_grad(), warnings.catch_warnings():
            # torch's TorchScript-based exporter announces its deprecation
            warnings.simplefilter("ignore")
            torch.onnx.export(
                network, (_example(clf),), tmp, dynamo=False, opset_version=opset_version,
                input_names=["windows"], output_names=["proba"],
                dynamic_axes={"windows": {0: "n_windows"}, "proba": {0: "n_windows"}},
            )

    return _write(path, save)
