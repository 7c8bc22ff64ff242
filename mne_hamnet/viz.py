"""Plots of what HAMNet learned: its temporal and spatial filters, and mirror pairs.

The temporal plot is the paper's Fig. 4 (amplitude responses of the FIR bank
before and after training), the spatial plot its Fig. 5 (scalp maps of the
spatial filters of both branches).
"""

import mne
import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._check import _check_layout, _check_option, _check_positive_int, _validate_type
from ._logging import logger, warn
from .fir import DEFAULT_BANDS, check_bands
from .pairing import normalize_name

# The old 10-20 names of four temporal sites, absent from the 10-05 template.
_OLD_1020_NAMES = {"T3": "T7", "T4": "T8", "T5": "P7", "T6": "P8"}
# Zero padding of the frequency responses: about 0.1 Hz per point at 200 Hz.
_N_FFT = 2048
# Amplitudes below this (-80 dB) are drawn at it in decibel plots.
_DB_FLOOR = 1e-4
# At most this many scalp maps per row of plot_spatial_filters.
_MAX_COLS = 8
_BRANCH_NAMES = ("Original", "Mirror")


# ---------------------------------------------------------------- temporal
def plot_temporal_filters(clf, bands=None, ax=None, *, dB=False, fmin=None, fmax=None):
    """Plot the amplitude responses of the initial and learned temporal filters.

    Each of HAMNet's temporal kernels starts as a band-pass FIR filter and is
    then trained. This draws the amplitude of each kernel's frequency
    response at the sampling frequency seen in fit: the initial FIR filter as
    a dashed line and the learned kernel as a solid line, as in Fig. 4 of
    the HAMNet paper [1]_.

    Parameters
    ----------
    clf : HAMNetClassifier
        A fitted classifier (pretrained only or finetuned; the temporal
        kernels do not change during finetuning).
    bands : array-like of shape (n_bands, 2) | None, default=None
        The pass bands in Hz, used for titles and shading. None takes the
        classifier's ``module__bands``, else
        :data:`mne_hamnet.fir.DEFAULT_BANDS`.
    ax : matplotlib.axes.Axes | array-like of Axes | None, default=None
        None draws a grid with one filter per axis (3 x 6 for 18 filters).
        One Axes draws all filters on it, one colour per band. An array of
        ``n_bands`` Axes draws filter ``k`` on the ``k``-th one.
    dB : bool, default=False
        Whether to draw the amplitude in decibels (``20 log10``, floored at
        -80 dB) instead of linearly.
    fmin, fmax : float | None, default=None
        The frequency axis's range in Hz. None fits it to the bands: from
        the lowest band edge to the highest, widened on each side by twice
        the filters' resolution ``sfreq / filter_length`` (within 0 and the
        Nyquist frequency), so that the bands fill the plot at any
        sampling frequency.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding the axes.

    See Also
    --------
    mne_hamnet.fir_filter_bank : the initial FIR bank.
    plot_spatial_filters : the spatial filters as scalp maps.

    Notes
    -----
    The responses are computed with an FFT zero-padded to 2048 points, so
    the frequency grid is ``sfreq_ / 2048`` Hz (finer for longer filters).
    A filter designed by :func:`~mne_hamnet.fir_filter_bank` has unit gain
    (0 dB) at the centre of its band. With 41 taps at 200 Hz the main lobe
    is about 10 Hz wide, so neighbouring 2 Hz filters overlap heavily.

    References
    ----------
    .. [1] The HAMNet paper, Yan et al. (2022): see :ref:`bibliography`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    check_is_fitted(clf, ["initial_temporal_filters_", "temporal_filters_", "sfreq_"])
    _validate_type(dB, bool, "dB")
    initial = np.asarray(clf.initial_temporal_filters_, dtype=float)
    learned = np.asarray(clf.temporal_filters_, dtype=float)
    sfreq = float(clf.sfreq_)
    n_bands = len(initial)
    if bands is None:
        bands = clf.get_params().get("module__bands")
    bands = check_bands(DEFAULT_BANDS if bands is None else bands, sfreq)
    if len(bands) != n_bands:
        raise ValueError(
            f"bands has {len(bands)} bands, but the classifier has {n_bands} "
            "temporal filters."
        )
    n_fft = max(_N_FFT, 8 * initial.shape[1])
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sfreq)
    responses = [np.abs(np.fft.rfft(h, n=n_fft, axis=-1)) for h in (initial, learned)]
    if dB:
        responses = [20 * np.log10(np.maximum(r, _DB_FLOOR)) for r in responses]
    xlim = _frequency_range(bands, sfreq, initial.shape[1], fmin, fmax)
    ylabel = "Amplitude (dB)" if dB else "Amplitude"
    logger.debug("temporal responses on %d frequencies up to %g Hz", len(freqs), freqs[-1])

    if ax is None:
        n_cols = min(6, n_bands)
        n_rows = int(np.ceil(n_bands / n_cols))
        fig, axes = plt.subplots(
            n_rows, n_cols, sharex=True, sharey=True, squeeze=False,
            figsize=(2.2 * n_cols + 0.6, 1.9 * n_rows + 0.8), layout="constrained",
        )
        for extra in axes.flat[n_bands:]:
            fig.delaxes(extra)
        axes = axes.flat[:n_bands]
        for row in range(n_rows):
            axes[row * n_cols].set_ylabel(ylabel)
        for k in range(max(0, n_bands - n_cols), n_bands):
            axes[k].set_xlabel("Frequency (Hz)")
    else:
        axes = _as_axes(ax, n_bands)
        fig = axes[0].get_figure()

    single = len(axes) == 1 and n_bands > 1
    colors = (
        plt.get_cmap("viridis")(np.linspace(0.0, 0.9, n_bands)) if single
        else ["C0", "C3"]
    )
    for k, (low, high) in enumerate(bands):
        axis = axes[0] if single else axes[k]
        initial_color, learned_color = (colors[k], colors[k]) if single else colors
        axis.plot(freqs, responses[0][k], color=initial_color, linestyle="--", lw=1.0,
                  label="initial" if not single else None)
        axis.plot(freqs, responses[1][k], color=learned_color, linestyle="-", lw=1.2,
                  label="learned" if not single else None)
        if not single:
            axis.axvspan(low, high, color="0.85", zorder=0, lw=0)
            axis.set_title(f"{low:g}–{high:g} Hz", fontsize="medium")
            axis.set_xlim(*xlim)
            axis.grid(True, color="0.92", lw=0.5)
    if single:
        axis = axes[0]
        axis.set(xlim=xlim, xlabel="Frequency (Hz)", ylabel=ylabel, title="Temporal filters")
        handles = [Line2D([], [], color="0.3", linestyle="--"),
                   Line2D([], [], color="0.3", linestyle="-")]
        axis.legend(handles, ["initial FIR", "learned"], loc="upper left",
                    fontsize="small")
    elif ax is None:
        handles = [Line2D([], [], color=colors[0], linestyle="--"),
                   Line2D([], [], color=colors[1], linestyle="-")]
        fig.legend(handles, ["initial FIR", "learned"], loc="outside upper right",
                   ncols=2, frameon=False)
        fig.suptitle("Temporal filters: amplitude responses")
    return fig


def _frequency_range(bands, sfreq, n_taps, fmin, fmax):
    """The x range: given, or the bands' range widened by twice the resolution."""
    nyquist = sfreq / 2
    margin = 2 * sfreq / n_taps
    auto = (max(0.0, float(bands.min()) - margin), min(nyquist, float(bands.max()) + margin))
    limits = []
    for name, value, default in (("fmin", fmin, auto[0]), ("fmax", fmax, auto[1])):
        if value is None:
            limits.append(default)
            continue
        _validate_type(value, "numeric", name)
        if not 0 <= value <= nyquist:
            raise ValueError(
                f"{name} must be in [0, {nyquist:g}] Hz (the Nyquist frequency), but got "
                f"{value}."
            )
        limits.append(float(value))
    if not limits[0] < limits[1]:
        raise ValueError(f"fmin must be below fmax, but got {limits[0]} and {limits[1]}.")
    return tuple(limits)


def _as_axes(ax, n_bands):
    """Return ``ax`` as a list of Axes: one, or one per band."""
    from matplotlib.axes import Axes

    if isinstance(ax, Axes):
        return [ax]
    axes = list(np.ravel(np.asarray(ax, dtype=object)))
    for axis in axes:
        _validate_type(axis, Axes, "ax", "matplotlib Axes or an array of Axes")
    if len(axes) != n_bands:
        raise ValueError(
            f"ax must be one Axes or {n_bands} Axes (one per temporal filter), "
            f"but got {len(axes)} Axes."
        )
    return axes


# ----------------------------------------------------------------- spatial
def plot_spatial_filters(clf, info=None, kind="filters", X=None, *, components=None,
                         cmap="RdBu_r", sensors=True, contours=6, ncols=None):
    """Plot the spatial filters (or patterns) of both branches as scalp maps.

    One block of rows per branch (the original, then after finetuning the
    mirror), the spatial filters side by side and wrapped after ``ncols``
    maps, as in Fig. 5 of the HAMNet paper [1]_.
    The mirror branch's weights are shown over the physical electrodes they
    multiply, so a network that measures hemispheric asymmetry shows two
    rows that are near mirror images of each other.

    Parameters
    ----------
    clf : HAMNetClassifier
        A fitted classifier. A pretrain-only classifier has one branch.
    info : mne.Info | mne.Epochs | mne.io.Raw | mne.Evoked | None, default=None
        Where the channels are: an Info (or an object holding one) with a
        montage and every channel seen in fit. None uses the positions the
        classifier saw in fit (its ``info_``, for Epochs, or those of its
        fitted mirror, e.g. from ``HemisphereMirror(montage=...)``); failing
        those (arrays, or Epochs without a montage), it looks the fitted
        channel names up in MNE's 10-05 template
        (decorations such as ``EEG Fp1-REF`` and case are ignored) and, for
        SEED's CB1/CB2, in :func:`mne_hamnet.datasets.make_seed_montage`.
        Channels that still have no position are left out of the maps with a
        warning.
    kind : {"filters", "patterns"}, default="filters"
        ``"filters"`` shows the weights of the spatial convolutions.
        ``"patterns"`` shows activation patterns [2]_ computed from ``X``,
        which, unlike filter weights, can be read as where the components'
        activity projects on the scalp.
    X : mne.Epochs | array-like of shape (n_windows, n_chans, n_times) | None
        Data for ``kind="patterns"``, in the form given to fit (Epochs are
        converted to µV as in fit; arrays, with the fitted channels in order,
        are used as given). Ignored for ``kind="filters"``.
    components : array-like of int | None, default=None
        Which spatial filters to show (0-based indices); None shows all.
    cmap : str | matplotlib.colors.Colormap, default="RdBu_r"
        Colour map, centred on 0.
    sensors : bool, default=True
        Whether to mark the electrodes.
    contours : int, default=6
        Number of contour lines, as in :func:`mne.viz.plot_topomap`.
    ncols : int | None, default=None
        Maps per row; None puts up to 8 per row (the default 16 filters make
        two rows per branch).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure: for each branch, rows of maps titled ``Filter k`` (or
        ``Pattern k``) and one colour bar.

    See Also
    --------
    plot_temporal_filters : the temporal filters.
    plot_mirror_pairs : the channel pairs behind the mirror branch.

    Notes
    -----
    The colour scale of each row is symmetric around 0 and shared by its
    maps. Filter signs are arbitrary (band power ignores them), but both
    branches start from the same pretrained weights, so their signs agree.

    Patterns follow Haufe et al. [2]_: with ``W`` the weights of a branch,
    of shape (n_filters, n_chans), and ``C`` the channel covariance of ``X``
    (each window's channel means removed), ``A = C W^T (W C W^T)^-1``.
    The network only uses the filters' output through narrow gamma bands; to
    get the patterns of that band, band-pass ``X`` first (e.g.
    ``epochs.copy().filter(40, 76)``).

    References
    ----------
    .. [1] The HAMNet paper, Yan et al. (2022): see :ref:`bibliography`.
    .. [2] Haufe, S., Meinecke, F., Görgen, K., Dähne, S., Haynes, J.-D.,
       Blankertz, B., & Bießmann, F. (2014). On the interpretation of weight
       vectors of linear models in multivariate neuroimaging. NeuroImage, 87,
       96-110. doi:10.1016/j.neuroimage.2013.10.067
    """
    import matplotlib.pyplot as plt

    _check_option("kind", kind, ("filters", "patterns"))
    check_is_fitted(clf, ["spatial_filters_", "ch_names_", "sfreq_"])
    contours = _check_positive_int(contours, "contours", minimum=0)
    weights = np.asarray(clf.spatial_filters_, dtype=float)
    n_branches, n_filters, n_chans = weights.shape
    if components is None:
        components = np.arange(n_filters)
    else:
        components = np.atleast_1d(np.asarray(components))
        if components.dtype.kind not in "iu" or components.ndim != 1 or not len(components):
            raise ValueError(
                "components must be a non-empty list of int filter indices, but got "
                f"{components.tolist()!r}."
            )
        bad = components[(components < 0) | (components >= n_filters)]
        if len(bad):
            raise ValueError(
                f"components must be in [0, {n_filters - 1}], but got {bad.tolist()}."
            )

    if kind == "patterns":
        if X is None:
            raise ValueError(
                "kind='patterns' needs the data: pass X= (the Epochs or array "
                "given to fit, or held-out data of the same layout)."
            )
        maps = _patterns(clf, X, weights)
        label = "Pattern"
    else:
        maps = weights
        label = "Filter"

    if info is None:
        info = _fitted_info(clf)
    plot_info, keep = _info_with_positions(clf.ch_names_, info, clf.sfreq_)
    maps = maps[:, components][:, :, keep]

    n_maps = len(components)
    ncols = _MAX_COLS if ncols is None else _check_positive_int(ncols, "ncols")
    ncols = min(ncols, n_maps)
    rows_per_branch = int(np.ceil(n_maps / ncols))
    fig, axes = plt.subplots(
        n_branches * rows_per_branch, ncols, squeeze=False, layout="constrained",
        figsize=(1.5 * ncols + 1.3, 1.65 * n_branches * rows_per_branch + 0.5),
    )
    for branch in range(n_branches):
        block = axes[branch * rows_per_branch:(branch + 1) * rows_per_branch].ravel()
        for extra in block[n_maps:]:
            fig.delaxes(extra)
        limit = float(np.max(np.abs(maps[branch]))) or 1.0
        for col, k in enumerate(components):
            axis = block[col]
            image, _ = mne.viz.plot_topomap(
                maps[branch, col], plot_info, axes=axis, cmap=cmap,
                vlim=(-limit, limit), sensors=sensors, contours=contours, show=False,
            )
            axis.set_title(f"{label} {k}", fontsize="medium")
        block[0].text(
            -0.12, 0.5, _BRANCH_NAMES[branch], transform=block[0].transAxes,
            rotation=90, ha="right", va="center", fontsize="large",
        )
        colorbar = fig.colorbar(image, ax=block[:n_maps].tolist(), shrink=0.8,
                                aspect=10 * rows_per_branch, pad=0.01)
        colorbar.set_label("a.u.")
    return fig


def _fitted_info(estimator):
    """The Info with positions an estimator kept from fit, or None."""
    for source in (estimator, getattr(estimator, "mirror_", None)):
        info = getattr(source, "info_", None)
        # Epochs without a montage leave an Info without positions: the
        # template then places their names, as it does for arrays
        if isinstance(info, mne.Info) and _has_positions(info):
            return info
    return None


def _has_positions(info):
    locs = np.array([ch["loc"][:3] for ch in info["chs"]], dtype=float).reshape(-1, 3)
    return bool((np.isfinite(locs).all(axis=1) & locs.any(axis=1)).any())


def _patterns(clf, X, weights):
    """Activation patterns of each branch, shape (n_branches, n_filters, n_chans)."""
    from ._input import is_epochs, to_windows

    epochs = is_epochs(X)
    # Arrays take the fitted layout, whatever the classifier was fitted on.
    windows = to_windows(X) if epochs else to_windows(X, clf.sfreq_, clf.ch_names_)
    _check_layout(windows.ch_names, clf.ch_names_, owner="the classifier")
    data = np.asarray(windows.data, dtype=float)
    data = data - data.mean(axis=-1, keepdims=True)
    # Sum of per-window outer products: the covariance without copying X.
    cov = np.einsum("nct,ndt->cd", data, data) / (data.shape[0] * data.shape[2])
    patterns = []
    for w in weights:
        source_cov = w @ cov @ w.T
        patterns.append((cov @ w.T @ np.linalg.pinv(source_cov)).T)
    return np.stack(patterns)


# ----------------------------------------------------------------- mirror
def plot_mirror_pairs(mirror, info=None, ax=None, *, show_names=False):
    """Draw the left/right pairs of a fitted HemisphereMirror on the sensors.

    Each pair is joined by a line; left channels are blue, right ones red,
    midline channels black squares and unpaired channels orange crosses.

    Parameters
    ----------
    mirror : HemisphereMirror
        A fitted mirror.
    info : mne.Info | mne.Epochs | mne.io.Raw | mne.Evoked | None, default=None
        Where the channels are, with a montage and every channel the mirror
        was fitted on. None uses the positions the mirror saw in fit (its
        ``info_``) and, failing those, looks the names up in MNE's 10-05
        template, as :func:`plot_spatial_filters` does; channels without a
        position are left out with a warning.
    ax : matplotlib.axes.Axes | None, default=None
        The axes to draw on; None makes a new figure.
    show_names : bool, default=False
        Whether to write the channel names beside the sensors.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure. The axes hold one line per drawn pair, with the gid
        ``"mirror-pair"`` (the head outline is made of lines too).
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    from .mirror import HemisphereMirror

    _validate_type(mirror, HemisphereMirror, "mirror")
    check_is_fitted(mirror, ["pairs_", "midline_", "ch_names_"])
    _validate_type(ax, (Axes, None), "ax", "matplotlib Axes or None")
    _validate_type(show_names, bool, "show_names")
    if info is None:
        info = _fitted_info(mirror)
    plot_info, keep = _info_with_positions(mirror.ch_names_, info, sfreq=1000.0)
    names = [mirror.ch_names_[i] for i in keep]
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 5.5), layout="constrained")
    else:
        fig = ax.get_figure()
    n_collections = len(ax.collections)
    mne.viz.plot_sensors(plot_info, kind="topomap", axes=ax, show=False, pointsize=1,
                         linewidth=0)
    # plot_sensors' scatter holds the 2D positions it drew, in channel order.
    pos = dict(zip(names, np.asarray(ax.collections[n_collections].get_offsets())))
    ax.collections[n_collections].set_visible(False)

    pairs = [(a, b) for a, b in mirror.pairs_ if a in pos and b in pos]
    for left, right in pairs:
        xy = _arc(pos[left], pos[right])
        ax.plot(xy[:, 0], xy[:, 1], color="0.55", lw=0.8, zorder=2, gid="mirror-pair")

    groups = (
        ([a for a, _ in pairs], dict(color="C0", marker="o", label="left")),
        ([b for _, b in pairs], dict(color="C3", marker="o", label="right")),
        ([c for c in mirror.midline_ if c in pos], dict(color="k", marker="s",
                                                        label="midline")),
        ([c for c in mirror.unpaired_ if c in pos], dict(color="C1", marker="x",
                                                         label="unpaired")),
    )
    for members, style in groups:
        if members:
            xy = np.array([pos[c] for c in members])
            ax.scatter(xy[:, 0], xy[:, 1], s=22, zorder=3, **style)
    if show_names:
        for name, (x, y) in pos.items():
            ax.annotate(name, (x, y), xytext=(0, 3.5), textcoords="offset points",
                        ha="center", va="bottom", fontsize=6, zorder=4)
    ax.legend(loc="lower left", bbox_to_anchor=(-0.02, -0.02), fontsize="small",
              frameon=False, markerscale=1.0)
    ax.set_title(
        f"{len(mirror.pairs_)} pairs, {len(mirror.midline_)} midline, "
        f"{len(mirror.unpaired_)} unpaired (by {mirror.method_})",
        fontsize="medium",
    )
    return fig


def _arc(start, end, bulge=0.12, n_points=25):
    """Points of a shallow arc from ``start`` to ``end``, bowed towards the nose.

    Straight lines would overlap when several pairs share a row (F7-F8 over
    F3-F4); arcs whose height grows with their span stay apart.
    """
    start, end = np.asarray(start, float), np.asarray(end, float)
    span = end - start
    normal = np.array([-span[1], span[0]])
    if normal[1] < 0:
        normal = -normal
    t = np.linspace(0.0, 1.0, n_points)[:, np.newaxis]
    return start + t * span + 4 * bulge * t * (1 - t) * normal


# --------------------------------------------------------------- positions
def _info_with_positions(ch_names, info, sfreq):
    """Return an Info of ``ch_names`` that have positions and their indices.

    Parameters
    ----------
    ch_names : list of str
        The channels, in order.
    info : mne.Info | object with an ``info`` | None
        Where the positions come from; None uses the template montages.
    sfreq : float
        The sampling frequency of a new Info.

    Returns
    -------
    info : mne.Info
        EEG channels with positions, in the order of ``ch_names``.
    keep : ndarray of int
        Indices into ``ch_names`` of the channels kept.
    """
    ch_names = list(ch_names)
    if info is not None:
        if not isinstance(info, mne.Info) and isinstance(getattr(info, "info", None),
                                                          mne.Info):
            info = info.info
        _validate_type(info, mne.Info, "info", "mne.Info, an MNE object or None")
    if info is None:
        logger.info("Placing the channels by their names in MNE's 10-05 template")
        info = mne.create_info(ch_names, float(sfreq), "eeg", verbose=False)
        montage = _template_montage(ch_names)
        found = 0 if montage is None else len(montage.ch_names)
        if found < len(ch_names) / 2:
            # EGI's E12 or Biosemi's A1...D32 are no 10-05 names: a few of
            # them (Cz, C1, A1) would be drawn at 10-05 sites they are not at
            raise ValueError(
                f"Only {found} of the {len(ch_names)} fitted channel names are in MNE's "
                "10-05 template, so their positions are unknown (EGI or Biosemi names?). "
                "Pass info= with their montage, e.g. the Epochs' info, or fit on Epochs "
                "with a montage (or, for arrays, HemisphereMirror(montage=...))."
            )
        info.set_montage(montage, on_missing="ignore", verbose=False)
    else:
        missing = [name for name in ch_names if name not in info["ch_names"]]
        if missing:
            raise ValueError(
                f"info lacks {len(missing)} of the fitted channels: {missing}. Pass "
                "the Info of the data the estimator was fitted on, or None."
            )
        info = mne.pick_info(info, [info["ch_names"].index(name) for name in ch_names],
                             verbose=False)
    locs = np.array([ch["loc"][:3] for ch in info["chs"]], dtype=float)
    # MNE marks unknown positions as zeros or NaN.
    known = np.isfinite(locs).all(axis=1) & locs.any(axis=1)
    if not known.any():
        raise ValueError(
            f"None of the {len(ch_names)} channels has a known position. Pass an "
            "info= with a montage (see mne.Info.set_montage), or info=None to place "
            "10-05 names by MNE's template."
        )
    if not known.all():
        dropped = [name for name, ok in zip(ch_names, known) if not ok]
        warn(
            f"{len(dropped)} channel(s) have no known position and are left out of "
            f"the plot: {', '.join(dropped)}. Pass an info= with a montage that "
            "places them."
        )
    keep = np.flatnonzero(known)
    info = mne.pick_info(info, keep, verbose=False)
    # Every fitted channel has a value to draw, bad or not.
    info["bads"] = []
    # Sensor plots and topomaps read EEG positions only.
    info.set_channel_types(dict.fromkeys(info["ch_names"], "eeg"), on_unit_change="ignore",
                           verbose=False)
    return info, keep


def _template_montage(ch_names):
    """A montage placing those of ``ch_names`` found in the template montages."""
    from ._montage import standard_montage

    template = standard_montage("1005").get_positions()
    lookup = {name.upper(): pos for name, pos in template["ch_pos"].items()}
    bare = {name: normalize_name(name) for name in ch_names}
    bare = {name: _OLD_1020_NAMES.get(b, b) for name, b in bare.items()}
    if any(b not in lookup for b in bare.values()):
        try:  # SEED's CB1/CB2; the datasets subpackage needs MOABB
            from .datasets import make_seed_montage
        except ImportError:
            logger.debug("mne_hamnet.datasets unavailable: no positions for CB1/CB2")
        else:
            seed = make_seed_montage().get_positions()["ch_pos"]
            lookup.update({name.upper(): pos for name, pos in seed.items()
                           if name.upper() not in lookup})
    ch_pos = {name: lookup[b] for name, b in bare.items() if b in lookup}
    if not ch_pos:
        return None
    return mne.channels.make_dig_montage(
        ch_pos=ch_pos, nasion=template["nasion"], lpa=template["lpa"],
        rpa=template["rpa"], coord_frame=template["coord_frame"],
    )
