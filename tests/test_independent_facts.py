"""Features checked against facts derived outside the code under test.

Each test here guards a breakage that once passed the whole suite (see
``benchmarks/mutation_check.py``): the expected value comes from the signal
the test builds, from a published fact, or from a control, never from the
code that is being checked.
"""

import copy
import sys

import matplotlib
import matplotlib.pyplot as plt
import mne
import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_epochs
from scipy.io import savemat
from scipy.signal import periodogram

from mne_hamnet import HAMNetClassifier
from mne_hamnet.datasets import SEED
from mne_hamnet.features import DifferentialEntropy
from mne_hamnet.paradigms import Emotion

matplotlib.use("Agg")

# SEED's published "Channel Order.xlsx", copied here by hand.
SEED62 = (
    "FP1 FPZ FP2 AF3 AF4 F7 F5 F3 F1 FZ F2 F4 F6 F8 FT7 FC5 FC3 FC1 FCZ FC2 FC4 FC6 "
    "FT8 T7 C5 C3 C1 CZ C2 C4 C6 T8 TP7 CP5 CP3 CP1 CPZ CP2 CP4 CP6 TP8 P7 P5 P3 P1 "
    "PZ P2 P4 P6 P8 PO7 PO5 PO3 POZ PO4 PO6 PO8 CB1 O1 OZ O2 CB2"
).split()
SEED_LABELS = [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1]
SFREQ = 200.0


def homologue(name):
    """The 10-05 partner of ``name``: odd k (left) <-> k + 1 (right); z stays."""
    if name[-1] in "zZ":
        return name
    number = int(name[-1])
    return name[:-1] + str(number + 1 if number % 2 else number - 1)


def write_seed_folder(folder, make_trial, n_times=800):
    """One subject, one session of 15 trials, each ``make_trial(k, n_times)`` in µV."""
    trials = {f"zz_eeg{k}": make_trial(k, n_times) for k in range(1, 16)}
    savemat(folder / "1_20140101.mat", trials)
    savemat(folder / "label.mat", {"label": np.atleast_2d(SEED_LABELS)})
    return folder


def band_power(X, low, high, sfreq=SFREQ):
    """Mean periodogram power of the windows between ``low`` and ``high`` Hz."""
    freqs, psd = periodogram(X, fs=sfreq, axis=-1)
    return psd[..., (freqs >= low) & (freqs <= high)].sum(-1).mean()


# ------------------------------------------------------------------ paradigm
def test_emotion_band_pass_removes_power_outside_the_band(tmp_path):
    """fmin/fmax filter the trials: power at 2 and 70 Hz is gone, 15 Hz stays."""
    t = np.arange(2000) / SFREQ
    rng = np.random.default_rng(0)

    def trial(k, n_times):
        phases = rng.uniform(0, 2 * np.pi, size=(3, 62, 1))
        parts = [20 * np.sin(2 * np.pi * f * t[:n_times] + p)
                 for f, p in zip((2.0, 15.0, 70.0), phases)]
        return sum(parts)

    folder = write_seed_folder(tmp_path, trial, n_times=2000)
    dataset = SEED(folder)
    raw_X, _, _ = Emotion(window=2.0).get_data(dataset, [1])
    X, _, _ = Emotion(window=2.0, fmin=8.0, fmax=30.0).get_data(dataset, [1])
    assert X.shape == raw_X.shape
    # the control: without the band-pass each component carries the same power
    low, mid, high = (band_power(raw_X, f - 1, f + 1) for f in (2.0, 15.0, 70.0))
    assert low == pytest.approx(mid, rel=0.1) and high == pytest.approx(mid, rel=0.1)
    kept = band_power(X, 14.0, 16.0)
    assert kept == pytest.approx(mid, rel=0.2)
    assert band_power(X, 1.0, 3.0) < 0.01 * kept  # below fmin
    assert band_power(X, 69.0, 71.0) < 0.01 * kept  # above fmax


def test_emotion_channels_picks_the_named_channels(tmp_path):
    """Each channel carries its own value: the picked columns hold the named ones."""
    def trial(k, n_times):
        # channel i holds 10 (i + 1) µV, so a column tells which channel it is
        return np.repeat(10.0 * np.arange(1, 63)[:, None], n_times, axis=1)

    dataset = SEED(write_seed_folder(tmp_path, trial))
    for names in (["O2", "FP1"], ["CZ", "C4", "C3"], ["CB2"]):
        X, _, _ = Emotion(channels=names).get_data(dataset, [1])
        expected = [10.0 * (SEED62.index(name) + 1) for name in names]
        np.testing.assert_allclose(X.mean(axis=(0, 2)), expected, rtol=1e-6)
        epochs, _, _ = Emotion(channels=names).get_data(dataset, [1], return_epochs=True)
        assert epochs.ch_names == names


def test_emotion_windows_keep_the_microvolt_values(tmp_path):
    """SEED's files hold µV; the paradigm's arrays give back the same numbers."""
    def trial(k, n_times):
        return np.full((62, n_times), 37.5 + k)

    X, _, metadata = Emotion().get_data(SEED(write_seed_folder(tmp_path, trial)), [1])
    runs = metadata.run.astype(int).to_numpy()
    np.testing.assert_allclose(X[:, 0, 0], 37.5 + runs, rtol=1e-6)


# ------------------------------------------------------------------ features
def test_de_of_two_bands_of_known_power():
    """A 10 Hz sine of amplitude 4 and a 30 Hz one of amplitude 1: each band sees its own."""
    t = np.arange(2000) / SFREQ
    rng = np.random.default_rng(0)
    phase = rng.uniform(0, 2 * np.pi, size=(2, 3, 2, 1))  # (sine, window, channel)
    X = 4 * np.sin(2 * np.pi * 10 * t + phase[0]) + np.sin(2 * np.pi * 30 * t + phase[1])
    X += 1e-3 * rng.standard_normal(X.shape)
    bands = {"alpha": (8.0, 12.0), "beta": (25.0, 35.0), "empty": (50.0, 70.0)}
    de = DifferentialEntropy(bands=bands, sfreq=SFREQ).fit_transform(X)
    de = de.reshape(3, 2, 3)  # (window, channel, band), bands fastest
    # a sine of amplitude a has variance a^2 / 2
    np.testing.assert_allclose(de[..., 0], 0.5 * np.log(2 * np.pi * np.e * 8.0), atol=0.02)
    np.testing.assert_allclose(de[..., 1], 0.5 * np.log(2 * np.pi * np.e * 0.5), atol=0.02)
    # the noise of 1e-6 µV^2 over 200 Hz: 2e-7 in 20 Hz
    assert (de[..., 2] < 0.5 * np.log(2 * np.pi * np.e * 1e-5)).all()


# ------------------------------------------------------------------ network
@pytest.fixture(scope="module")
def finetuned():
    return HAMNetClassifier(
        pretrain_epochs=2, finetune_epochs=2, pretrain_lr=1e-3, finetune_lr=5e-4,
        random_state=0, verbose=0, module__n_spatial_filters=4,
    ).fit(simulate_epochs(40))


def test_network_mirror_index_swaps_the_homologues(finetuned):
    index = finetuned.module_.mirror_index.cpu().numpy()
    names = finetuned.ch_names_
    assert [names[i] for i in index] == [homologue(name) for name in names]


def test_mirror_branch_sees_the_mirrored_window(finetuned):
    """Give both branches the same weights: swapping the hemispheres of the
    input must swap the two branches' band powers."""
    net = copy.deepcopy(finetuned.module_).eval()
    with torch.no_grad():
        net.spatial_mirror.weight.copy_(net.spatial.weight)
        net.bn_mirror.load_state_dict(net.bn.state_dict())
    swap = [CH_NAMES.index(homologue(name)) for name in CH_NAMES]
    X = torch.as_tensor(simulate_epochs(8).get_data(units="uV"), dtype=torch.float32)
    with torch.no_grad():
        power = net.band_powers(X)
        swapped = net.band_powers(X[:, swap])
    torch.testing.assert_close(swapped[:, 0], power[:, 1], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(swapped[:, 1], power[:, 0], rtol=1e-4, atol=1e-5)
    # the control: the two branches differ on an asymmetric input
    assert not torch.allclose(power[:, 0], power[:, 1], rtol=1e-2)


def test_spatial_filters_mirror_branch_over_physical_channels(finetuned):
    """spatial_filters_[1] @ x is the mirror branch's spatial output on x."""
    weights = finetuned.module_.spatial_mirror.weight.detach().numpy()
    swap = [CH_NAMES.index(homologue(name)) for name in CH_NAMES]
    x = np.random.default_rng(0).standard_normal(len(CH_NAMES))
    np.testing.assert_allclose(finetuned.spatial_filters_[1] @ x, weights @ x[swap],
                               rtol=1e-5, atol=1e-6)


def test_plot_spatial_filters_draws_each_branch_s_maps(finetuned):
    """Read the drawn images back: row b, map k is the topomap of spatial_filters_[b, k]."""
    from mne_hamnet.viz import _info_with_positions, plot_spatial_filters

    fig = plot_spatial_filters(finetuned)
    axes = [ax for ax in fig.axes if ax.get_title().startswith("Filter ")]
    drawn = [ax.images[0].get_array() for ax in axes]
    plot_info, keep = _info_with_positions(finetuned.ch_names_, finetuned.info_, SFREQ)
    n_filters = finetuned.spatial_filters_.shape[1]
    for branch in range(2):
        for k in range(n_filters):
            _, ax = plt.subplots()
            image, _ = mne.viz.plot_topomap(
                finetuned.spatial_filters_[branch, k, keep], plot_info, axes=ax, show=False)
            expected = image.get_array()
            np.testing.assert_allclose(drawn[branch * n_filters + k], expected,
                                       atol=1e-4 * np.abs(expected).max())
    # the control: the two rows differ
    assert not np.allclose(drawn[0], drawn[n_filters])
    plt.close("all")


# ------------------------------------------------------------------ distributed
def test_real_import_distributed_names_the_extra(monkeypatch):
    """With ``distributed`` hidden from the import system, the real import fails clearly."""
    from mne_hamnet import _distributed

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"needs dask\.distributed.*"
                       r"pip install 'mne-hamnet\[distributed\]'"):
        _distributed._import_distributed()
    with pytest.raises(ImportError, match=r"pip install 'mne-hamnet\[distributed\]'"):
        _distributed.check_scheduler("tcp://127.0.0.1:8786")


# ------------------------------------------------------------------ training
def test_each_stage_steps_with_its_own_learning_rate():
    """Adam's first step moves every trained weight by the learning rate, so
    one step per stage reads each stage's rate back from the weights."""
    from conftest import simulate_windows

    X, y = simulate_windows(40)
    params = dict(sfreq=SFREQ, ch_names=CH_NAMES, pretrain_epochs=1, pretrain_lr=1e-2,
                  finetune_lr=1e-4, batch_size=len(X), random_state=0, verbose=0,
                  module__n_spatial_filters=4)
    pretrained = HAMNetClassifier(finetune_epochs=0, **params).fit(X, y)
    step = np.abs(pretrained.temporal_filters_ - pretrained.initial_temporal_filters_)
    # (a weight whose gradient is near Adam's eps moves a little less)
    assert step.max() == pytest.approx(1e-2, rel=1e-3)
    assert np.median(step) == pytest.approx(1e-2, rel=1e-3)
    finetuned = HAMNetClassifier(finetune_epochs=1, **params).fit(X, y)
    # the same pretraining, then one finetuning step of the original branch
    step = np.abs(finetuned.spatial_filters_[0] - pretrained.spatial_filters_[0])
    assert step.max() == pytest.approx(1e-4, rel=1e-3)
    assert np.median(step) == pytest.approx(1e-4, rel=1e-3)
    # the FIR kernels stay frozen in stage 2
    np.testing.assert_array_equal(finetuned.temporal_filters_, pretrained.temporal_filters_)


# ------------------------------------------------------------------ fold cache
def test_fold_cache_keys_on_the_pipeline_s_parameters(tmp_path, caplog):
    """A pipeline of the same name with other parameters runs its folds again."""
    import logging

    from sklearn.dummy import DummyClassifier

    from mne_hamnet.datasets import simulate_seed
    from mne_hamnet.evaluation import evaluate

    folder = simulate_seed(tmp_path / "data", n_subjects=1, n_sessions=1, trial_seconds=1.0,
                           random_state=0)
    cache = tmp_path / "cache"

    def run(constant):
        # the paradigm's labels reach the pipeline encoded as 0, 1, 2
        pipeline = DummyClassifier(strategy="constant", constant=constant)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="mne_hamnet"):
            return evaluate({"dummy": pipeline}, SEED(folder), "trialwise", n_splits=3,
                            random_state=0, cache_dir=cache)

    run(0)
    assert len(list(cache.glob("*.json"))) == 3
    # the control: the same pipeline again is read from the cache
    run(0)
    assert "Skipping 3 of 3 folds already finished" in caplog.text
    run(2)
    assert "Skipping" not in caplog.text
    assert len(list(cache.glob("*.json"))) == 6


def test_a_pretrained_network_starts_stage_2_mirror_symmetric():
    """After load_pretrained both branches compute the same thing, batch norm
    included: the mirror branch on x is the original branch on mirrored x."""
    from mne_hamnet.hamnet import HAMNet

    swap = [CH_NAMES.index(homologue(name)) for name in CH_NAMES]
    X = torch.as_tensor(simulate_epochs(16).get_data(units="uV"), dtype=torch.float32)
    pretrained = HAMNet(len(CH_NAMES), 2, 200, SFREQ, n_spatial_filters=4)
    pretrained.train()
    with torch.no_grad():
        pretrained.band_powers(X)  # batch statistics move the running ones off 0 and 1
    assert not torch.allclose(pretrained.bn.running_var, torch.ones(pretrained.n_bands))
    net = HAMNet(len(CH_NAMES), 2, 200, SFREQ, mirror_index=swap, n_spatial_filters=4)
    net.load_pretrained(pretrained).eval()
    with torch.no_grad():
        power, swapped = net.band_powers(X), net.band_powers(X[:, swap])
    torch.testing.assert_close(power[:, 1], swapped[:, 0], rtol=1e-4, atol=1e-5)
