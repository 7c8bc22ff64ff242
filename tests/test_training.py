"""Device-resident batching: every window once per epoch, no per-window work."""

import sys

import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_windows
from skorch.callbacks import Callback

from mne_hamnet import HAMNetClassifier
from mne_hamnet._training import BatchSlicer, TensorWindows
from mne_hamnet.hamnet import HAMNet


def quick_classifier(**kwargs):
    params = dict(pretrain_epochs=2, finetune_epochs=2, pretrain_lr=1e-3, finetune_lr=5e-4,
                  batch_size=32, sfreq=200.0, ch_names=CH_NAMES, device="cpu",
                  random_state=0, verbose=0)
    params.update(kwargs)
    return HAMNetClassifier(**params)


def epoch_orders(slicer, n_epochs):
    """Targets seen in each epoch, batch by batch."""
    return [[yb.tolist() for _, yb in slicer] for _ in range(n_epochs)]


def test_batch_slicer_covers_every_window_once_per_epoch():
    X = torch.arange(23, dtype=torch.float32).reshape(23, 1, 1).expand(23, 2, 3)
    dataset = TensorWindows(X, np.arange(23))
    slicer = BatchSlicer(dataset, batch_size=5, shuffle=True,
                         generator=torch.Generator().manual_seed(0))
    assert len(slicer) == 5
    orders = epoch_orders(slicer, 3)
    for batches in orders:
        assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
        assert sorted(sum(batches, [])) == list(range(23))
    # windows travel with their targets
    for xb, yb in slicer:
        np.testing.assert_array_equal(xb[:, 0, 0].numpy(), yb.numpy())
    assert orders[0] != orders[1] != orders[2]


def test_batch_slicer_order_is_seeded():
    dataset = TensorWindows(np.zeros((40, 2, 3), np.float32), np.arange(40))

    def orders(seed):
        slicer = BatchSlicer(dataset, 7, shuffle=True,
                             generator=torch.Generator().manual_seed(seed))
        return epoch_orders(slicer, 2)

    assert orders(3) == orders(3)
    assert orders(3) != orders(4)


def test_batch_slicer_without_shuffle_yields_views_in_order():
    X = np.random.default_rng(0).normal(size=(10, 2, 3)).astype(np.float32)
    dataset = TensorWindows(X)
    slicer = BatchSlicer(dataset, batch_size=4)
    batches = list(slicer)
    assert [len(xb) for xb, _ in batches] == [4, 4, 2]
    assert all(yb is None for _, yb in batches)
    for k, (xb, _) in enumerate(batches):
        assert xb.data_ptr() == dataset.X[4 * k].data_ptr()  # a view, not a copy
    np.testing.assert_array_equal(torch.cat([xb for xb, _ in batches]).numpy(), X)


def test_tensor_windows_share_float32_memory():
    X = np.random.default_rng(0).normal(size=(5, 3, 4)).astype(np.float32)
    dataset = TensorWindows(X, np.array([0, 1, 0, 1, 1]))
    assert np.shares_memory(dataset.X.numpy(), X)
    assert dataset.y.dtype == torch.long
    assert len(dataset) == 5
    # read-only and memory-mapped arrays are shared too, without a warning
    X.setflags(write=False)
    assert np.shares_memory(TensorWindows(X).X.numpy(), X)
    # other dtypes are converted once, to float32
    converted = TensorWindows(X.astype(np.float64))
    assert converted.X.dtype == torch.float32
    np.testing.assert_array_equal(converted.X.numpy(), X)


def test_tensor_windows_share_memory_mapped_data(tmp_path):
    X = np.random.default_rng(0).normal(size=(4, 3, 5)).astype(np.float32)
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    dataset = TensorWindows(mapped)
    assert np.shares_memory(dataset.X.numpy(), mapped)
    np.testing.assert_array_equal(dataset.X.numpy(), X)


def test_fit_and_predict_never_index_single_windows(monkeypatch):
    def per_window(self, i):
        raise AssertionError("TensorWindows.__getitem__ was called")

    monkeypatch.setattr(TensorWindows, "__getitem__", per_window)
    X, y = simulate_windows(70)
    clf = quick_classifier().fit(X, y)
    assert clf.predict(X).shape == (70,)
    assert [row["train_batch_count"] for row in clf.history_] == [3, 3]


class RecordingHAMNet(HAMNet):
    """HAMNet that remembers the first sample of every window it is given."""

    seen = []

    def forward(self, x):
        RecordingHAMNet.seen.append((self.n_branches, x[:, :, 0].detach().clone()))
        return super().forward(x)


def test_network_sees_original_windows_in_both_stages():
    """The mirror branch works on weights: no mirrored copy of the data is made."""
    X, y = simulate_windows(50)
    RecordingHAMNet.seen = []
    quick_classifier(module=RecordingHAMNet, batch_size=20).fit(X, y)
    assert {n for n, _ in RecordingHAMNet.seen} == {1, 2}
    first_samples = X[:, :, 0]
    for _, batch in RecordingHAMNet.seen:
        assert len(batch) <= 20
        for row in batch.numpy():
            assert (first_samples == row).all(axis=1).any()


def _peak_rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _reset_peak_rss():
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self")
def test_fit_holds_no_copy_of_the_data():
    """Peak memory during fit stays well below one more copy of the data.

    What fit may add is transient: a boolean finiteness mask (a quarter of
    the float32 data) and per-batch work space that does not grow with the
    data; allocator reuse makes the latter vary by some tens of MB.
    """
    try:
        _reset_peak_rss()
    except OSError as err:
        pytest.skip(f"cannot reset the peak RSS: {err}")
    # 10,000 windows of 17 x 200 float32: 136 MB, large next to the fixed costs
    X = np.random.default_rng(0).standard_normal((10_000, len(CH_NAMES), 200),
                                                 dtype=np.float32)
    y = np.arange(len(X)) % 2
    clf = quick_classifier(pretrain_epochs=1, finetune_epochs=1, batch_size=200)
    # one thread: fast on a shared machine, and no per-thread allocator arenas
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        clf.fit(X[:200], y[:200])  # loads and initialises everything once
        _reset_peak_rss()
        baseline = _peak_rss_bytes()
        clf.fit(X, y)
        extra = _peak_rss_bytes() - baseline
    finally:
        torch.set_num_threads(n_threads)
    # a mirrored, float64 or transposed copy would each add >= X.nbytes
    assert extra < 0.5 * X.nbytes + 48e6, (
        f"fit used {extra / 1e6:.0f} MB above the {X.nbytes / 1e6:.0f} MB of data"
    )


class _EpochCounter(Callback):
    """Count finished epochs per stage into a dict shared with the test."""

    def __init__(self, counts):
        self.counts = counts

    def on_epoch_end(self, net, **kwargs):
        self.counts[net.stage_] = self.counts.get(net.stage_, 0) + 1


def test_each_stage_trains_the_epochs_asked_for(windows):
    X, y = windows
    counts = {}
    clf = quick_classifier(pretrain_epochs=3, finetune_epochs=2,
                           callbacks=[("count", _EpochCounter(counts))]).fit(X[:40], y[:40])
    assert counts == {"pretrain": 3, "finetune": 2}
    assert len(clf.history_pretrain_) == 3 and len(clf.history_) == 2
    clf.partial_fit(X[:40], y[:40])
    assert counts == {"pretrain": 3, "finetune": 3}
    assert len(clf.history_) == 3


def test_stage_state_is_one_record(windows, caplog):
    from mne_hamnet._logging import PROGRESS_LOGGER
    from mne_hamnet._stages import StageRun

    X, y = windows
    caplog.set_level("INFO", logger=PROGRESS_LOGGER)
    clf = quick_classifier(pretrain_epochs=2, finetune_epochs=1).fit(X[:40], y[:40])
    assert isinstance(clf._stage_run, StageRun)
    assert clf._stage_run.fingerprint and not clf._stage_run.training
    for loose in ("_stage_training", "_keyboard_interrupt", "_fingerprint"):
        assert not hasattr(clf, loose)
    lines = [r.getMessage() for r in caplog.records if r.name == PROGRESS_LOGGER]
    assert len(lines) == 2
    assert lines[0].startswith("pretrain: 2 epoch(s) run, 2 of 2 done")
    assert lines[1].startswith("finetune: 1 epoch(s) run, 1 of 1 done")
