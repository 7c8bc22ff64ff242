"""Device-resident data and batching for skorch, and a per-stage progress bar.

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
from skorch.callbacks import Callback
from torch.utils.data import Dataset


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


class StageProgress(Callback):
    """One progress bar per training stage, with the latest training loss.

    The bar is labelled with the net's ``stage_`` and sized by its
    ``stage_epochs_``; nothing is shown when the net's ``verbose`` is 0.

    Parameters
    ----------
    mininterval : float, default=1.0
        Least number of seconds between two redraws, so long fits do not
        flood a log file.
    """

    def __init__(self, mininterval=1.0):
        self.mininterval = mininterval

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm

        self.bar_ = None
        if net.verbose:
            self.bar_ = tqdm(
                total=getattr(net, "stage_epochs_", None),
                desc=getattr(net, "stage_", "train"),
                unit="epoch",
                mininterval=self.mininterval,
            )

    def on_epoch_end(self, net, **kwargs):
        if self.bar_ is not None:
            self.bar_.update(1)
            loss = net.history[-1].get("train_loss")
            if loss is not None and np.isfinite(loss):
                self.bar_.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def on_train_end(self, net, **kwargs):
        if self.bar_ is not None:
            self.bar_.close()
            self.bar_ = None


class _FiniteLoss(Callback):
    """Stop a fit with an error as soon as the training loss is not finite."""

    def on_train_begin(self, net, X=None, **kwargs):
        self._data = X  # only looked at to explain a failure

    def on_train_end(self, net, **kwargs):
        self._data = None

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get("train_loss")
        if loss is None or np.isfinite(loss):
            return
        stage = getattr(net, "stage_", "train")
        scale = ""
        data = getattr(self, "_data", None)
        if isinstance(data, TensorWindows) and len(data):
            # in chunks: the whole data set may fill the GPU already
            largest = max(float(chunk.abs().max()) for chunk in data.X.split(256))
            scale = f" (the largest |X| is {largest:.3g})"
        raise FloatingPointError(
            f"The training loss became {loss} in epoch {len(net.history)} of the "
            f"{stage} stage, and the network's weights are no longer finite. Huge "
            f"values in X{scale} or a learning rate that is too high cause this: "
            f"check the units (Epochs are used in µV), clip or drop artifacts, or "
            f"lower {stage}_lr."
        )

    def __getstate__(self):
        # a checkpoint pickled during training must not carry the data set
        return {key: value for key, value in vars(self).items() if key != "_data"}


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
