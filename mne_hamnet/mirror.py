"""The HemisphereMirror transformer: swap left and right homologous channels."""

import difflib

import mne
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ._check import _check_finite, _check_layout, _check_option, _check_unique_names, _validate_type
from ._logging import logger, warn
from ._montage import builtin_montage_name, make_montage
from .pairing import is_non_scalp_name, pair_by_names, pair_by_positions, parse_1005

# Channel types that sit on the scalp and may be mirrored.
_SCALP_TYPES = ("eeg",)


class HemisphereMirror(TransformerMixin, BaseEstimator):
    """Swap left and right homologous channels, keeping the midline.

    Pairs are found from the channel names when they follow the 10-05
    system (odd numbers left, even right, ``z`` midline; decorations such as
    ``EEG Fp1-REF`` or ``C3..`` are handled, case does not matter). When some
    names do not (EGI ``E12``, Biosemi ``A1``...), the channel positions are
    used: each position is reflected left-right and mutual nearest
    neighbours closer than ``tol`` are paired. Only EEG channels pair; other
    channels (EOG, ECG, misc, stim...) map to themselves, as in
    :class:`~mne_hamnet.HAMNetClassifier`, which uses the EEG channels only.
    So do EEG-typed channels whose names say they are off the scalp
    (``EOG1``, ``VEOG``, ``ECG``...: see
    :func:`~mne_hamnet.pairing.is_non_scalp_name`), which file readers such
    as EEGLAB's often type as EEG.

    Parameters
    ----------
    ch_names : list of str | None, default=None
        Channel names for array input; ignored for MNE objects, which carry
        their own. An array fitted without names has anonymous channels
        (named ``x0``, ``x1``, ... as scikit-learn names unnamed features):
        none can be paired, so this raises unless ``on_unpaired`` is
        ``"warn"`` or ``"ignore"``, in which case every channel maps to
        itself.
    method : {"auto", "names", "positions"}, default="auto"
        ``"auto"`` uses names when every EEG channel follows 10-05 and
        positions otherwise (falling back to names when positions are
        missing).
    tol : float, default=0.01
        Largest distance in metres between a reflected position and its
        partner, for position-based pairing; at most 0.05 (a head's radius
        is about 0.09 m).
    on_unpaired : {"raise", "warn", "ignore"}, default="raise"
        What to do about EEG channels that are neither paired nor on the
        midline. With ``"warn"`` and ``"ignore"`` they map to themselves.
    montage : str | mne.channels.DigMontage | None, default=None
        Channel positions for data that carry none, above all arrays of
        EGI or Biosemi nets, whose names say nothing about left and right:
        a montage, or the name of one of MNE's standard montages (e.g.
        ``"GSN-HydroCel-128"``, ``"biosemi128"``; ``"standard_1005"`` and
        ``"colin27_1005"``, its name since MNE 1.13, both work). Matched to the channels
        by name; it replaces the positions the data carry.
    info : mne.Info | None, default=None
        Channel positions taken, by channel name, from an Info (e.g. the
        ``epochs.info`` the arrays came from), as an alternative to
        ``montage``.

    Attributes
    ----------
    ch_names_ : list of str
        Channel names seen in :meth:`fit` (``x0``, ``x1``, ... for an array
        fitted without ``ch_names``).
    pairs_ : list of tuple of (str, str)
        (left, right) channel names, in channel order of the left channel.
    midline_ : list of str
        Midline channels, which map to themselves.
    unpaired_ : list of str
        EEG channels with no partner (empty unless ``on_unpaired`` allows
        it).
    mirror_index_ : ndarray of int of shape (n_channels,)
        ``X[:, mirror_index_]`` is the mirrored data; the array is its own
        inverse.
    method_ : str
        ``"names"`` or ``"positions"``: how the pairs were found.
    info_ : mne.Info | None
        The channels seen in fit with the positions known then (from the
        data, ``montage`` or ``info``), which
        :func:`~mne_hamnet.viz.plot_mirror_pairs` draws; None when no
        channel had a position.
    n_features_in_ : int
        Number of channels.

    See Also
    --------
    mne_hamnet.HAMNet : the network that consumes ``mirror_index_``.

    Examples
    --------
    >>> mirror = HemisphereMirror(ch_names=["Fp1", "Fpz", "Fp2"]).fit(np.zeros((1, 3, 10)))
    >>> mirror.pairs_
    [('Fp1', 'Fp2')]

    EGI data as arrays pair by the positions of their net:

    >>> mirror = HemisphereMirror(ch_names=egi_names, montage="GSN-HydroCel-128")  # doctest: +SKIP
    """

    def __init__(self, ch_names=None, method="auto", tol=0.01, on_unpaired="raise",
                 montage=None, info=None):
        self.ch_names = ch_names
        self.method = method
        self.tol = tol
        self.on_unpaired = on_unpaired
        self.montage = montage
        self.info = info

    def fit(self, X, y=None):
        """Find the channel pairs.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | mne.io.Raw | mne.Evoked | mne.Info | array-like
            The data or its measurement info; a list of Epochs (what
            scikit-learn's cross-validation hands over when X is an Epochs)
            is fitted on its first item's channels. An array has shape
            (n_epochs, n_channels, n_times) or (n_samples, n_channels), holds
            finite real numbers, and needs ``ch_names`` (see there). Only
            the channel layout is used: MNE objects' data are not read.
        y : None
            Not used, present for API consistency.

        Returns
        -------
        self : HemisphereMirror
            The fitted transformer.
        """
        self._check_params()
        info, anonymous, source = self._info_from(X)
        info = self._with_positions(info)
        ch_names = list(info["ch_names"])
        kinds = info.get_channel_types()
        scalp = [
            i for i, kind in enumerate(kinds)
            if kind in _SCALP_TYPES and not is_non_scalp_name(ch_names[i])
        ]
        named_off_scalp = [ch_names[i] for i, kind in enumerate(kinds)
                           if kind in _SCALP_TYPES and i not in scalp]
        if named_off_scalp:
            logger.info(
                "HemisphereMirror: %s are typed EEG but named as off-scalp channels; "
                "they map to themselves", ", ".join(named_off_scalp),
            )
        pairs, midline, method = self._pair(info, scalp, source)

        index = np.arange(len(ch_names))
        for left, right in pairs:
            index[left], index[right] = right, left
        placed = {i for pair in pairs for i in pair} | set(midline)
        unpaired = [ch_names[i] for i in scalp if i not in placed]
        if unpaired:
            if anonymous:
                msg = (
                    f"X is an array without ch_names, so none of its {len(ch_names)} "
                    "channel(s) can be paired; each maps to itself."
                )
            else:
                msg = self._unpaired_message(info, unpaired, source)
            if self.on_unpaired == "raise":
                raise ValueError(msg)
            if self.on_unpaired == "warn":
                warn(msg)
        others = len(ch_names) - len(scalp)
        self.ch_names_ = ch_names
        self.pairs_ = [(ch_names[a], ch_names[b]) for a, b in pairs]
        self.midline_ = [ch_names[i] for i in sorted(midline)]
        self.unpaired_ = unpaired
        self.mirror_index_ = index
        self.method_ = method
        self.info_ = None if anonymous else _positions_info(info)
        self.n_features_in_ = len(ch_names)
        logger.info(
            "HemisphereMirror: %d pairs and %d midline channels by %s, %d unpaired, "
            "%d non-EEG channel(s) kept in place",
            len(pairs), len(midline), method, len(unpaired), others,
        )
        return self

    def transform(self, X):
        """Swap left and right channels.

        MNE data come back as MNE data of the same kind, so that the next
        step of a pipeline reads them in their own units (a
        :class:`~mne_hamnet.HAMNetClassifier` converts Epochs to µV): each
        channel keeps its name, type and position and carries the data of
        its partner. A list of Epochs comes back as one Epochs.

        Parameters
        ----------
        X : mne.Epochs | list of mne.Epochs | mne.io.Raw | mne.Evoked | ndarray
            MNE data, or an array of shape (n_epochs, n_channels, n_times) or
            (n_samples, n_channels), with the channels seen in :meth:`fit`.

        Returns
        -------
        X_mirrored : mne.Epochs | mne.io.Raw | mne.Evoked | ndarray
            The data with channels permuted: an array of the input's shape
            and dtype for an array, an object of the input's kind (held in
            memory) for MNE data.
        """
        check_is_fitted(self, "mirror_index_")
        if _is_mne_data(X):
            return self._mirror_mne(X)
        X = _check_array(X)
        if X.shape[1] != self.n_features_in_:
            # the second sentence is scikit-learn's wording, which its tools expect
            raise ValueError(
                f"X has {X.shape[1]} channels, but HemisphereMirror was fitted "
                f"with {self.n_features_in_} (X has {X.shape[1]} features, but "
                f"HemisphereMirror is expecting {self.n_features_in_} features as "
                "input)."
            )
        return X[:, self.mirror_index_]

    def _mirror_mne(self, X):
        """Epochs, list of Epochs, Raw or Evoked with each channel's data swapped."""
        items = list(X) if isinstance(X, (list, tuple)) else [X]
        for k, item in enumerate(items):
            if not isinstance(item, mne.BaseEpochs) and len(items) > 1:
                raise TypeError(
                    f"A list given as X must hold only Epochs, but item {k} is "
                    f"{type(item).__name__}."
                )
            _check_layout(item.ch_names, self.ch_names_, owner="HemisphereMirror")
        first = items[0]
        index = self.mirror_index_
        if isinstance(first, mne.io.BaseRaw):
            return mne.io.RawArray(first.get_data()[index], first.info,
                                   first_samp=first.first_samp, verbose=False)
        if isinstance(first, mne.Evoked):
            return mne.EvokedArray(first.data[index], first.info, tmin=first.tmin,
                                   comment=first.comment, nave=first.nave,
                                   kind=first.kind, verbose=False)
        lengths = {len(item.times) for item in items}
        if len(lengths) > 1 or len({item.info["sfreq"] for item in items}) > 1:
            raise ValueError(
                "The Epochs in the list differ in window length or sampling frequency; "
                "HemisphereMirror returns them as one Epochs."
            )
        data = np.concatenate([item.get_data() for item in items])
        events = np.concatenate([item.events for item in items])
        if len(np.unique(events[:, 0])) < len(events):
            # Epochs of several recordings may share event times, which one
            # Epochs refuses; the codes, the labels, are what is kept
            events = events.copy()
            events[:, 0] = np.arange(len(events)) * len(first.times)
        event_id = {}
        for item in items:
            event_id.update(item.event_id)
        metadata = None
        if all(item.metadata is not None for item in items):
            import pandas as pd

            metadata = pd.concat([item.metadata for item in items], ignore_index=True)
        return mne.EpochsArray(data[:, index], first.info, events=events,
                               tmin=first.tmin, event_id=event_id or None,
                               metadata=metadata, verbose=False)

    def get_fitted_state(self):
        """Return the parameters and fitted state as a JSON-serialisable dict.

        The format is the one :meth:`HAMNetClassifier.save_params
        <mne_hamnet.HAMNetClassifier.save_params>` writes under ``"mirror"``.
        A ``montage`` or ``info`` parameter that is an MNE object is stored
        as None; the positions it gave are kept in ``"positions"``.

        Returns
        -------
        state : dict
            Keys ``"params"``, ``"ch_names_"``, ``"pairs_"``, ``"midline_"``,
            ``"unpaired_"``, ``"mirror_index_"``, ``"method_"``,
            ``"n_features_in_"`` and ``"positions"`` (per channel: its type
            and its position in metres, or None).
        """
        check_is_fitted(self, "mirror_index_")
        params = self.get_params()
        if params.get("ch_names") is not None:
            params["ch_names"] = [str(name) for name in params["ch_names"]]
        if not isinstance(params.get("montage"), (str, type(None))):
            params["montage"] = None
        params["info"] = None
        info = getattr(self, "info_", None)
        positions = None
        if info is not None:
            positions = [
                [kind, _known_position(ch["loc"])]
                for kind, ch in zip(info.get_channel_types(), info["chs"])
            ]
        return {
            "params": params,
            "ch_names_": list(self.ch_names_),
            "pairs_": [list(pair) for pair in self.pairs_],
            "midline_": list(self.midline_),
            "unpaired_": list(self.unpaired_),
            "mirror_index_": self.mirror_index_.tolist(),
            "method_": self.method_,
            "n_features_in_": int(self.n_features_in_),
            "positions": positions,
        }

    @classmethod
    def from_fitted_state(cls, state):
        """Rebuild a fitted mirror from :meth:`get_fitted_state`'s dict.

        Parameters
        ----------
        state : dict
            What :meth:`get_fitted_state` returned, possibly through JSON;
            states written before ``"positions"`` existed load with
            ``info_`` None.

        Returns
        -------
        mirror : HemisphereMirror
            A fitted mirror, without refitting.
        """
        _validate_type(state, dict, "state")
        mirror = cls(**state["params"])
        mirror.ch_names_ = list(state["ch_names_"])
        mirror.pairs_ = [tuple(pair) for pair in state["pairs_"]]
        mirror.midline_ = list(state["midline_"])
        mirror.unpaired_ = list(state["unpaired_"])
        mirror.mirror_index_ = np.asarray(state["mirror_index_"], dtype=np.int64)
        mirror.method_ = state["method_"]
        mirror.n_features_in_ = int(state["n_features_in_"])
        positions = state.get("positions")
        mirror.info_ = None
        if positions is not None:
            kinds = [kind for kind, _ in positions]
            info = mne.create_info(mirror.ch_names_, 1000.0, kinds, verbose=False)
            for ch, (_, pos) in zip(info["chs"], positions):
                ch["loc"][:3] = np.nan if pos is None else pos
            mirror.info_ = info
        return mirror

    def __setstate__(self, state):
        # mirrors pickled by 0.1.0 predate montage, info and info_
        state = {"montage": None, "info": None, **state}
        if "mirror_index_" in state:
            state.setdefault("info_", None)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # a permutation of channels keeps the input's dtype
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _check_params(self):
        _check_option("method", self.method, ("auto", "names", "positions"))
        _check_option("on_unpaired", self.on_unpaired, ("raise", "warn", "ignore"))
        _validate_type(self.tol, "numeric", "tol")
        if not 0 < self.tol <= _MAX_TOL:
            raise ValueError(
                f"tol must be a positive distance in metres, at most {_MAX_TOL} (a head's "
                f"radius is about 0.09 m), but got {self.tol}."
            )
        _validate_type(self.montage, (str, mne.channels.DigMontage, None), "montage",
                       "str, DigMontage or None")
        _validate_type(self.info, (mne.Info, None), "info", "mne.Info or None")
        if self.montage is not None and self.info is not None:
            raise ValueError(
                "Pass the channel positions once: montage= or info=, not both."
            )
        if isinstance(self.montage, str):
            builtin = mne.channels.get_builtin_montages()
            if builtin_montage_name(self.montage) is None:
                close = difflib.get_close_matches(self.montage, builtin, n=3, cutoff=0.5)
                raise ValueError(
                    f"montage={self.montage!r} is not one of MNE's standard montages"
                    + (f"; did you mean {' or '.join(map(repr, close))}?" if close else ".")
                    + " See mne.channels.get_builtin_montages(), or pass a DigMontage."
                )

    def _info_from(self, X):
        """Return (info, anonymous, source): the channels of ``X``, whether they
        lack names, and ``"array"``, ``"info"`` or ``"data"`` (Epochs, Raw,
        Evoked), which decides how a message says to add positions."""
        if isinstance(X, mne.Info):
            # an Info may come from data (set_montage applies) or from an array
            # (HAMNetClassifier builds one for arrays): the hints name both
            return X, False, "info"
        if _is_mne_data(X):
            return (X[0] if isinstance(X, (list, tuple)) else X).info, False, "data"
        X = _check_array(X)
        n_channels = X.shape[1]
        if self.ch_names is None:
            if self.on_unpaired == "raise":
                raise ValueError(
                    f"Array input needs channel names: pass ch_names= (a list of "
                    f"{n_channels} names) to HemisphereMirror, or fit it on Epochs, "
                    "Raw or Info."
                )
            # scikit-learn's names for unnamed features; no 10-05 name looks like them
            names = [f"x{i}" for i in range(n_channels)]
            return mne.create_info(names, 1.0, "eeg", verbose=False), True, "array"
        _check_unique_names(self.ch_names)
        if len(self.ch_names) != n_channels:
            raise ValueError(
                f"ch_names has {len(self.ch_names)} names, but X has "
                f"{n_channels} channels."
            )
        info = mne.create_info([str(c) for c in self.ch_names], 1.0, "eeg", verbose=False)
        return info, False, "array"

    def _with_positions(self, info):
        """Return ``info`` with the positions of ``montage`` or ``info`` set."""
        if self.montage is None and self.info is None:
            return info
        info = info.copy()
        eeg = mne.pick_types(info, eeg=True, exclude=())
        if self.montage is not None:
            montage = self.montage
            if isinstance(montage, str):
                montage = make_montage(montage)
            names = montage.ch_names
            what = f"montage={self.montage!r}" if isinstance(self.montage, str) else "montage"
            # set_montage moves the positions into MNE's head frame by the fiducials
            info.set_montage(montage, on_missing="ignore", verbose=False)
        else:
            names = list(self.info["ch_names"])
            what = "info"
            source = dict(zip(names, (ch["loc"][:3] for ch in self.info["chs"])))
            for i in eeg:
                pos = source.get(info["ch_names"][i])
                info["chs"][i]["loc"][:3] = np.nan if pos is None else pos
        placed = sum(_known_position(info["chs"][i]["loc"][:3]) is not None for i in eeg)
        if len(eeg) and not placed:
            raise ValueError(
                f"{what} places none of the {len(eeg)} EEG channels: it names "
                f"{_short(names)}, the data {_short([info['ch_names'][i] for i in eeg])}."
            )
        return info

    def _pair(self, info, scalp, source):
        """Return (pairs, midline, method) in indices of all channels."""
        names = [info["ch_names"][i] for i in scalp]
        positions = np.array([info["chs"][i]["loc"][:3] for i in scalp],
                             dtype=float).reshape(-1, 3)
        unknown = np.array([_known_position(p) is None for p in positions], dtype=bool)
        positions[unknown] = np.nan
        method = self.method
        if method == "auto":
            all_named = all(parse_1005(name) is not None for name in names)
            method = "names" if all_named or unknown.all() else "positions"
        if method == "names":
            pairs, midline = pair_by_names(names)
        else:
            if unknown.all() and len(names):
                raise ValueError(
                    "method='positions' needs channel positions, but none of the "
                    f"{len(names)} EEG channels has one; {_position_hint(source)}."
                )
            pairs, midline = pair_by_positions(positions, self.tol)
        pairs = [(scalp[a], scalp[b]) for a, b in pairs]
        midline = [scalp[i] for i in midline]
        return pairs, midline, method

    def _unpaired_message(self, info, unpaired, source):
        msg = (
            f"{len(unpaired)} channel(s) have no left/right partner and are "
            f"not on the midline: {_short(unpaired, sep=', ')}."
        )
        index = {name: i for i, name in enumerate(info["ch_names"])}
        blind = [
            name for name in unpaired
            if parse_1005(name) is None
            and _known_position(info["chs"][index[name]]["loc"][:3]) is None
        ]
        if blind:
            which = "They" if len(blind) == len(unpaired) else (
                f"{len(blind)} of them ({_short(blind, sep=', ')})")
            msg += (
                f" {which} have no 10-05 names and no positions, so nothing tells left "
                f"from right: {_position_hint(source)}."
            )
        return msg + (
            " Otherwise pick only EEG channels with homologous partners, or map the "
            "others to themselves with HemisphereMirror(on_unpaired='warn') (or "
            "'ignore'); with HAMNetClassifier, pass "
            "mirror=HemisphereMirror(on_unpaired='warn')."
        )


def _position_hint(source):
    """How to give positions, for data of the given source (see ``_info_from``)."""
    montage = ("pass montage= (a DigMontage, or a standard montage name such as "
               "'GSN-HydroCel-128' or 'biosemi128'")
    classifier = "; for HAMNetClassifier, mirror=HemisphereMirror(montage=...)"
    if source == "array":
        return f"{montage}) or info= (an Info with their positions){classifier}"
    if source == "data":
        return ("set their montage on the data (e.g. epochs.set_montage("
                f"'GSN-HydroCel-128')) or {montage})")
    return (f"{montage}){classifier}, or set the montage of the Epochs or Raw they "
            "come from")


# Larger tolerances pair channels that are not homologous (or a tol meant in mm).
_MAX_TOL = 0.05


def _known_position(pos):
    """``pos`` as a list of 3 floats, or None where MNE marks it unknown (NaN or 0)."""
    pos = np.asarray(pos, dtype=float)[:3]
    if not np.isfinite(pos).all() or not pos.any():
        return None
    return [float(v) for v in pos]


def _positions_info(info):
    """A copy of ``info``'s channels with positions, or None if none has one."""
    if not any(_known_position(ch["loc"][:3]) is not None for ch in info["chs"]):
        return None
    return mne.pick_info(info, np.arange(len(info["ch_names"])), verbose=False)


def _short(names, limit=12, sep=" "):
    """``names`` joined, cut after ``limit`` with a count of the rest."""
    names = [str(n) for n in names]
    shown = sep.join(names[:limit])
    if len(names) > limit:
        shown += f"{sep}... ({len(names) - limit} more)"
    return shown


def _is_mne_data(X):
    """Whether ``X`` is Epochs, Raw, Evoked, or a list of Epochs (from cross-validation)."""
    if isinstance(X, (list, tuple)):
        return len(X) > 0 and isinstance(X[0], mne.BaseEpochs)
    return isinstance(X, (mne.BaseEpochs, mne.io.BaseRaw, mne.Evoked))


def _check_array(X):
    """Return ``X`` as a dense real array of 2 or 3 dimensions, or raise."""
    # scikit-learn's check gives the usual messages for sparse, complex, object
    # and empty input; NaN gets our message, which counts the bad values
    X = check_array(
        X, accept_sparse=False, ensure_2d=False, allow_nd=True, dtype="numeric",
        ensure_all_finite=False,
    )
    if X.ndim not in (2, 3):
        hint = " Reshape your data: X.reshape(1, -1) is one sample." if X.ndim == 1 else ""
        raise ValueError(
            "X must be Epochs, Raw, Info, or an array of shape (n_epochs, "
            f"n_channels, n_times) or (n_samples, n_channels), but got an "
            f"array of shape {X.shape}.{hint}"
        )
    if X.ndim == 3 and 0 in X.shape:
        raise ValueError(f"X is empty: it has shape {X.shape}.")
    return _check_finite(X)
