"""Tests of the plots of learned filters and of mirror pairs."""

import matplotlib
import matplotlib.pyplot as plt
import mne
import numpy as np
import pytest
from conftest import CH_NAMES, simulate_epochs
from matplotlib.lines import Line2D
from sklearn.exceptions import NotFittedError

from mne_hamnet import HAMNetClassifier, HemisphereMirror
from mne_hamnet._montage import standard_montage
from mne_hamnet.fir import DEFAULT_BANDS
from mne_hamnet.viz import (
    _info_with_positions,
    _patterns,
    plot_mirror_pairs,
    plot_spatial_filters,
    plot_temporal_filters,
)

# Headless, whatever MPLBACKEND says; no figure exists yet, so switching is safe.
matplotlib.use("Agg")

N_SPATIAL = 4
SMALL_BANDS = [(8.0, 12.0), (13.0, 30.0), (30.0, 45.0)]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return simulate_epochs(40)


@pytest.fixture(scope="module")
def finetuned(data):
    return HAMNetClassifier(
        pretrain_epochs=3, finetune_epochs=2, pretrain_lr=1e-3, finetune_lr=5e-4,
        random_state=0, verbose=0, module__n_spatial_filters=N_SPATIAL,
    ).fit(data)


@pytest.fixture(scope="module")
def pretrained(data):
    """One branch only, with three wide bands and short kernels."""
    return HAMNetClassifier(
        pretrain_epochs=2, finetune_epochs=0, random_state=0, verbose=0,
        module__n_spatial_filters=N_SPATIAL, module__bands=SMALL_BANDS,
        module__filter_length=25,
    ).fit(data)


def _topomap_axes(fig, label="Filter"):
    return [ax for ax in fig.axes if ax.get_title().startswith(f"{label} ")]


def _pair_lines(ax):
    return [line for line in ax.get_lines() if line.get_gid() == "mirror-pair"]


def _peak(line):
    return line.get_xdata()[np.argmax(line.get_ydata())]


# ---------------------------------------------------------------- temporal
def test_temporal_grid_contents(finetuned):
    fig = plot_temporal_filters(finetuned)
    assert isinstance(fig, plt.Figure)
    assert len(fig.axes) == len(DEFAULT_BANDS) == 18
    step = finetuned.sfreq_ / 2048
    for ax, (low, high) in zip(fig.axes, DEFAULT_BANDS):
        lines = ax.get_lines()
        assert len(lines) == 2
        initial, learned = lines
        assert initial.get_linestyle() == "--"
        assert learned.get_linestyle() == "-"
        assert ax.get_title() == f"{low:g}–{high:g} Hz"
        # The frequency axis runs in Hz up to the fitted Nyquist frequency.
        assert initial.get_xdata()[-1] == pytest.approx(finetuned.sfreq_ / 2)
        # A 2 Hz band is narrower than a 41-tap filter's resolution: the peak
        # sits at the band centre, where firwin scales the gain to 1.
        assert low - step <= _peak(initial) <= high + step
        assert _peak(initial) == pytest.approx((low + high) / 2, abs=step)
        assert initial.get_ydata().max() == pytest.approx(1.0, abs=1e-3)
        np.testing.assert_allclose(
            learned.get_ydata(),
            np.abs(np.fft.rfft(finetuned.temporal_filters_[fig.axes.index(ax)], n=2048)),
            rtol=1e-5,
        )
    assert fig.axes[0].get_subplotspec().get_gridspec().get_geometry() == (3, 6)


def test_temporal_module_bands_and_pretrain_only(pretrained):
    fig = plot_temporal_filters(pretrained)
    assert len(fig.axes) == len(SMALL_BANDS)
    step = pretrained.sfreq_ / 2048
    for ax, (low, high) in zip(fig.axes, SMALL_BANDS):
        assert len(ax.get_lines()) == 2
        assert low - step <= _peak(ax.get_lines()[0]) <= high + step


def test_temporal_one_axis(finetuned):
    fig, ax = plt.subplots()
    assert plot_temporal_filters(finetuned, ax=ax) is fig
    lines = ax.get_lines()
    assert len(lines) == 2 * 18
    assert [line.get_linestyle() for line in lines[:4]] == ["--", "-", "--", "-"]
    # each band keeps one colour for its two lines
    assert lines[0].get_color() == pytest.approx(lines[1].get_color())


def test_temporal_axes_per_band(pretrained):
    fig, axes = plt.subplots(1, 3)
    assert plot_temporal_filters(pretrained, ax=axes) is fig
    assert [len(ax.get_lines()) for ax in axes] == [2, 2, 2]
    with pytest.raises(ValueError, match="one Axes or 3 Axes"):
        plot_temporal_filters(pretrained, ax=axes[:2])
    with pytest.raises(TypeError, match="ax must be an instance of matplotlib Axes"):
        plot_temporal_filters(pretrained, ax=["a", "b", "c"])


def test_temporal_bands_checked(finetuned):
    with pytest.raises(ValueError, match="bands has 3 bands, but the classifier has 18"):
        plot_temporal_filters(finetuned, bands=SMALL_BANDS)
    with pytest.raises(ValueError, match="at or above the Nyquist"):
        plot_temporal_filters(finetuned, bands=[(90.0, 110.0)] * 18)


# ----------------------------------------------------------------- spatial
def test_spatial_filters_two_rows(finetuned):
    fig = plot_spatial_filters(finetuned)
    maps = _topomap_axes(fig)
    assert len(maps) == 2 * N_SPATIAL
    assert [ax.get_title() for ax in maps[:N_SPATIAL]] == [
        f"Filter {k}" for k in range(N_SPATIAL)
    ]
    # one colour bar per row besides the maps
    assert len(fig.axes) == 2 * N_SPATIAL + 2
    row_labels = [t.get_text() for ax in maps for t in ax.texts]
    assert row_labels == ["Original", "Mirror"]
    # each row's scale is symmetric and shared
    images = [ax.images[0] for ax in maps]
    for row in (images[:N_SPATIAL], images[N_SPATIAL:]):
        vmin, vmax = row[0].get_clim()
        assert vmin == pytest.approx(-vmax)
        assert all(image.get_clim() == (vmin, vmax) for image in row)
        assert row[0].get_cmap().name == "RdBu_r"


def test_spatial_filters_pretrain_only(pretrained):
    fig = plot_spatial_filters(pretrained)
    maps = _topomap_axes(fig)
    assert len(maps) == N_SPATIAL
    assert [t.get_text() for ax in maps for t in ax.texts] == ["Original"]


def test_spatial_components(finetuned):
    fig = plot_spatial_filters(finetuned, components=[1, 3])
    assert [ax.get_title() for ax in _topomap_axes(fig)] == ["Filter 1", "Filter 3"] * 2
    with pytest.raises(ValueError, match=r"components must be in \[0, 3\], but got \[4\]"):
        plot_spatial_filters(finetuned, components=[0, 4])
    with pytest.raises(ValueError, match="components must be a non-empty list of int"):
        plot_spatial_filters(finetuned, components=[])


def test_spatial_patterns(finetuned, data):
    with pytest.raises(ValueError, match="kind='patterns' needs the data"):
        plot_spatial_filters(finetuned, kind="patterns")
    fig = plot_spatial_filters(finetuned, kind="patterns", X=data)
    assert len(_topomap_axes(fig, "Pattern")) == 2 * N_SPATIAL


def test_patterns_invert_filters(finetuned, data):
    """Haufe patterns satisfy W A = I: each filter recovers its own pattern."""
    weights = finetuned.spatial_filters_.astype(float)
    patterns = _patterns(finetuned, data, weights)
    assert patterns.shape == weights.shape
    for w, a in zip(weights, patterns):
        np.testing.assert_allclose(w @ a.T, np.eye(N_SPATIAL), atol=1e-6)
    # Epochs are used in µV, as in fit, so arrays in µV give the same patterns
    from_array = _patterns(finetuned, data.get_data() * 1e6, weights)
    np.testing.assert_allclose(from_array, patterns, rtol=1e-4)


def test_patterns_check_channels(finetuned, data):
    with pytest.raises(ValueError, match="channels differ from those the classifier saw in fit"):
        plot_spatial_filters(finetuned, kind="patterns", X=data.copy().drop_channels(["O2"]))


def test_spatial_bad_kind(finetuned):
    with pytest.raises(ValueError, match="Invalid value for the 'kind' parameter. "
                       "Allowed values are 'filters', 'patterns', but got 'weights'"):
        plot_spatial_filters(finetuned, kind="weights")


def test_spatial_drops_channels_without_positions(finetuned):
    info = mne.create_info(CH_NAMES, 200.0, "eeg")
    montage = standard_montage("1020")
    positions = montage.get_positions()["ch_pos"]
    partial = mne.channels.make_dig_montage(
        {name: positions[name] for name in CH_NAMES if name not in ("O1", "O2")},
        coord_frame="head",
    )
    info.set_montage(partial, on_missing="ignore")
    with pytest.warns(RuntimeWarning, match=r"2 channel\(s\) have no known position.*O1, O2"):
        fig = plot_spatial_filters(finetuned, info=info, components=[0])
    assert len(_topomap_axes(fig)) == 2
    # the maps interpolate over the 15 placed channels only
    assert len(_topomap_axes(fig)[0].collections[-1].get_offsets()) == 15


def test_spatial_info_checked(finetuned, data):
    # an MNE object stands for its Info
    assert len(_topomap_axes(plot_spatial_filters(finetuned, info=data, components=[0]))) == 2
    marked = data.info.copy()
    marked["bads"] = ["O2"]  # marked bad after fit: still drawn
    fig = plot_spatial_filters(finetuned, info=marked, components=[0])
    assert len(_topomap_axes(fig)) == 2
    assert len(_topomap_axes(fig)[0].collections[-1].get_offsets()) == 17
    with pytest.raises(ValueError, match=r"info lacks 1 of the fitted channels: \['O2'\]"):
        plot_spatial_filters(finetuned, info=data.copy().drop_channels(["O2"]).info)
    with pytest.raises(ValueError, match="None of the 17 channels has a known position"):
        plot_spatial_filters(finetuned, info=mne.create_info(CH_NAMES, 200.0, "eeg"))
    with pytest.raises(TypeError, match="info must be an instance of mne.Info"):
        plot_spatial_filters(finetuned, info="montage")


@pytest.mark.parametrize("plot", [plot_temporal_filters, plot_spatial_filters])
def test_unfitted_raises(plot):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        plot(HAMNetClassifier())


# -------------------------------------------------------------- positions
def test_template_positions_for_decorated_names():
    names = ["EEG Fp1-REF", "FP2", "C3..", "c4", "T3", "T7", "Cz"]
    info, keep = _info_with_positions(names, None, 200.0)
    assert info["ch_names"] == names
    np.testing.assert_array_equal(keep, np.arange(len(names)))
    locs = np.array([ch["loc"][:3] for ch in info["chs"]])
    # left channels have x < 0, right ones x > 0, midline x = 0
    assert locs[0, 0] < 0 < locs[1, 0]
    assert locs[2, 0] < 0 < locs[3, 0]
    # the old 10-20 name T3 is today's T7
    np.testing.assert_allclose(locs[4], locs[5])
    reference = mne.create_info(["Fp1", "C4"], 200.0, "eeg")
    reference.set_montage(standard_montage("1005"))
    np.testing.assert_allclose(locs[[0, 3]], [ch["loc"][:3] for ch in reference["chs"]])


def test_template_positions_seed_cerebellum():
    pytest.importorskip("moabb")
    from mne_hamnet.datasets import SEED_CH_NAMES, make_seed_montage

    info, keep = _info_with_positions(list(SEED_CH_NAMES), None, 200.0)
    assert len(keep) == 62
    reference = mne.create_info(list(SEED_CH_NAMES), 200.0, "eeg")
    reference.set_montage(make_seed_montage())
    np.testing.assert_allclose(
        [ch["loc"][:3] for ch in info["chs"]], [ch["loc"][:3] for ch in reference["chs"]]
    )


def test_unknown_names_dropped_with_warning():
    with pytest.warns(RuntimeWarning, match=r"1 channel\(s\) have no known position.*E12"):
        _, keep = _info_with_positions(["Fp1", "E12", "Fp2"], None, 200.0)
    np.testing.assert_array_equal(keep, [0, 2])


# ----------------------------------------------------------------- mirror
def test_mirror_pairs_by_names(data):
    mirror = HemisphereMirror().fit(data)
    fig = plot_mirror_pairs(mirror, show_names=True)
    ax = fig.axes[0]
    assert len(_pair_lines(ax)) == len(mirror.pairs_) == 7
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["left", "right", "midline"]
    assert {t.get_text() for t in ax.texts} >= set(CH_NAMES)


def test_mirror_pairs_by_positions_on_given_axes():
    montage = mne.channels.make_standard_montage("GSN-HydroCel-32")
    info = mne.create_info(montage.ch_names, 250.0, "eeg")
    info.set_montage(montage)
    mirror = HemisphereMirror(tol=0.02, on_unpaired="ignore").fit(info)
    assert mirror.method_ == "positions"
    fig, ax = plt.subplots()
    assert plot_mirror_pairs(mirror, info, ax=ax) is fig
    assert len(_pair_lines(ax)) == len(mirror.pairs_) > 0
    # without an info the mirror draws the positions it saw in fit; it used
    # to look the EGI names up in the 10-05 template and draw only Cz
    fig = plot_mirror_pairs(mirror)
    assert len(_pair_lines(fig.axes[0])) == len(mirror.pairs_)
    # a mirror that kept no positions refuses to guess from the template
    mirror.info_ = None
    with pytest.raises(ValueError, match=r"Only 1 of the 33 fitted channel names are in "
                       r"MNE's 10-05 template.*Pass info="):
        plot_mirror_pairs(mirror)
    with pytest.raises(ValueError, match="None of the 33 channels has a known position"):
        plot_mirror_pairs(mirror, mne.create_info(montage.ch_names, 250.0, "eeg"))


def test_mirror_pairs_checks():
    with pytest.raises(NotFittedError):
        plot_mirror_pairs(HemisphereMirror())
    with pytest.raises(TypeError, match="mirror must be an instance of HemisphereMirror"):
        plot_mirror_pairs("Fp1")


def test_legend_proxies_not_counted(finetuned):
    """The figure legend's handles are not lines of any axes."""
    fig = plot_temporal_filters(finetuned)
    handles = fig.legends[0].legend_handles
    assert all(isinstance(h, Line2D) for h in handles)
    assert [h.get_linestyle() for h in handles] == ["--", "-"]


# ------------------------------------------------- issue 12: plots without info
def _net_epochs(montage_name, n_windows=12, n_times=100):
    montage = mne.channels.make_standard_montage(montage_name)
    rng = np.random.default_rng(0)
    info = mne.create_info(montage.ch_names, 200.0, "eeg")
    info.set_montage(montage)
    X = 1e-5 * rng.standard_normal((n_windows, len(montage.ch_names), n_times))
    events = np.column_stack([np.arange(n_windows) * n_times, np.zeros(n_windows, int),
                              np.arange(n_windows) % 2 + 1])
    return mne.EpochsArray(X, info, events=events, verbose=False)


@pytest.mark.parametrize("montage_name", ["GSN-HydroCel-128", "biosemi128"])
def test_plots_of_egi_and_biosemi_fits_need_no_info(montage_name):
    """An IndexError inside MNE's topomap and an almost empty head, before."""
    epochs = _net_epochs(montage_name)
    clf = HAMNetClassifier(pretrain_epochs=1, finetune_epochs=1, verbose=0, random_state=0,
                           module__n_spatial_filters=2).fit(epochs)
    fig = plot_spatial_filters(clf, components=[1], contours=0)
    maps = _topomap_axes(fig)
    assert len(maps) == 2
    # every channel is drawn where the montage puts it
    assert len(maps[0].collections[-1].get_offsets()) == 128
    fig = plot_mirror_pairs(clf.mirror_)
    assert len(_pair_lines(fig.axes[0])) == len(clf.mirror_.pairs_) > 50


def test_template_refuses_names_of_another_system():
    names = mne.channels.make_standard_montage("biosemi128").ch_names
    # A1, A2 and C1...C6 are 10-05 names too, but not these channels' sites
    with pytest.raises(ValueError, match=r"Only 8 of the 128 fitted channel names are in "
                       r"MNE's 10-05 template.*EGI or Biosemi"):
        _info_with_positions(names, None, 200.0)


def test_spatial_filters_wrap_into_rows(data):
    clf = HAMNetClassifier(pretrain_epochs=1, finetune_epochs=0, verbose=0,
                           random_state=0).fit(data)
    fig = plot_spatial_filters(clf, contours=0)  # the default 16 filters
    maps = _topomap_axes(fig)
    assert len(maps) == 16
    assert maps[0].get_subplotspec().get_gridspec().get_geometry() == (2, 8)
    width, height = fig.get_size_inches()
    assert width < 14 and height < width


def test_spatial_filters_ncols(finetuned):
    fig = plot_spatial_filters(finetuned, components=[0, 1, 2], ncols=2, contours=0)
    maps = _topomap_axes(fig)
    assert len(maps) == 6  # a blank slot in each branch's block is removed
    assert maps[0].get_subplotspec().get_gridspec().get_geometry() == (4, 2)
    assert len(fig.axes) == 6 + 2
    assert [t.get_text() for ax in maps for t in ax.texts] == ["Original", "Mirror"]
    with pytest.raises(ValueError, match="ncols must be an int >= 1"):
        plot_spatial_filters(finetuned, ncols=0)


def test_temporal_axis_fits_the_bands_and_db(finetuned):
    fig = plot_temporal_filters(finetuned, dB=True)
    margin = 2 * 200.0 / 41
    assert fig.axes[0].get_xlim() == pytest.approx((40 - margin, 76 + margin))
    initial = fig.axes[0].get_lines()[0]
    assert initial.get_ydata().max() == pytest.approx(0.0, abs=0.01)  # unit gain
    assert initial.get_ydata().min() >= -80.0
    assert fig.axes[0].get_ylabel() == "Amplitude (dB)"
    fig = plot_temporal_filters(finetuned, fmin=0, fmax=100)
    assert fig.axes[0].get_xlim() == (0.0, 100.0)
    with pytest.raises(ValueError, match=r"fmax must be in \[0, 100\] Hz"):
        plot_temporal_filters(finetuned, fmax=500)
    with pytest.raises(ValueError, match="fmin must be below fmax"):
        plot_temporal_filters(finetuned, fmin=60, fmax=50)
    with pytest.raises(TypeError, match="dB must be an instance of bool"):
        plot_temporal_filters(finetuned, dB="yes")


def test_temporal_axis_at_1000_hz():
    epochs = simulate_epochs(8, sfreq=1000.0, n_times=250)
    clf = HAMNetClassifier(pretrain_epochs=1, finetune_epochs=0, verbose=0, random_state=0,
                           module__n_spatial_filters=2).fit(epochs)
    assert clf.initial_temporal_filters_.shape == (18, 201)  # 'auto' taps
    ax = plot_temporal_filters(clf).axes[0]
    low, high = ax.get_xlim()
    assert 25 < low < 40 and 76 < high < 90  # not 0-500 Hz
