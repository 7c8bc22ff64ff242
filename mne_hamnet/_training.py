"""Device-resident data and batching for skorch, and fast CPU arithmetic while training.

skorch's default path builds every batch window by window through a
Dataset's ``__getitem__`` and a DataLoader's collate. For short EEG windows
that per-window Python work costs more than the network itself, so here the
whole training set is one tensor on the training device and a batch is one
indexing operation.
"""

import warnings
from contextlib import contextmanager

import numpy as np
import torch
from torch.utils.data import Dataset

# 0.1.0 defined these here; pickles of that version refer to them by these names.
from .callbacks import FiniteLoss as _FiniteLoss  # noqa: F401
from .callbacks import StageProgress  # noqa: F401


class TensorWindows(Dataset):
    """Windows and targets held as tensors on one device.

    Parameters
    ----------
    X : ndarray or Tensor of shape (n_windows, n_chans, n_times)
        The windows. A float32 CPU array, read-only or memory-mapped ones
        included, is shared, not copied, when the device is the CPU.
    y : ndarray or Tensor of shape (n_windows,) | None
        Encoded targets.
    device : str or torch.device
        Where the tensors live.
    """

    # the held-out part of early stopping, set by HAMNetClassifier's fit
    valid = None

    def __init__(self, X, y=None, device="cpu"):
        with warnings.catch_warnings():
            # a read-only array (np.load(..., mmap_mode="r")) is shared too:
            # batches only ever read from it
            warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
            self.X = torch.as_tensor(X, dtype=torch.float32).to(device)
        self.y = None if y is None else torch.as_tensor(y, dtype=torch.long).to(device)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        y = torch.zeros((), dtype=torch.long) if self.y is None else self.y[i]
        return self.X[i], y


class BatchSlicer:
    """Iterate over mini-batches of a :class:`TensorWindows` without collating.

    Parameters
    ----------
    dataset : TensorWindows
        The data.
    batch_size : int
        Windows per batch; the last batch may be smaller.
    shuffle : bool, default=False
        Draw a fresh permutation for every pass.
    generator : torch.Generator | None
        Seeded generator for the permutations, on the dataset's device.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None):
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n = len(X)
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator, device=X.device)
            for start in range(0, n, self.batch_size):
                index = order[start : start + self.batch_size]
                yield X[index], (None if y is None else y[index])
        else:
            for start in range(0, n, self.batch_size):
                stop = start + self.batch_size
                yield X[start:stop], (None if y is None else y[start:stop])


@contextmanager
def denormals_flushed():
    """Treat denormal floats as zero on the CPU while HAMNet trains or predicts.

    EEG low-passed well below Nyquist (SEED: 0-75 Hz at 200 Hz) has almost no
    power in its top frequency bins; squared in float32 these give denormal
    numbers, which the CPU handles many times more slowly. Flushing them to
    zero changes no score here and made HAMNet's fits about 8 times faster on
    SEED-like data. PyTorch can't report the previous mode, so the default
    (off) is restored.
    """
    import torch

    changed = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if changed:
            torch.set_flush_denormal(False)


def as_tensor_windows(dataset):
    """Return a TensorWindows for skorch's Subset splits too."""
    from torch.utils.data import Subset

    if isinstance(dataset, TensorWindows):
        return dataset
    if isinstance(dataset, Subset) and isinstance(dataset.dataset, TensorWindows):
        base = dataset.dataset
        index = torch.as_tensor(np.asarray(dataset.indices), device=base.X.device)
        view = TensorWindows.__new__(TensorWindows)
        view.X = base.X[index]
        view.y = None if base.y is None else base.y[index]
        return view
    raise TypeError(
        "HAMNetClassifier batches from device-resident tensors; got a dataset of "
        f"type {type(dataset).__name__}."
    )
