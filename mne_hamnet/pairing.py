"""Rules that find left/right homologous channels, by name or by position.

In 10-05 naming (which covers 10-10 and 10-20) a name is a site prefix
followed by a number, odd on the left and even on the right, or ``z`` on the
midline; odd ``k`` pairs with ``k + 1`` under the same prefix. Montages
whose names carry no such meaning (EGI ``E12``, Biosemi ``A1``...``D32``)
are paired by reflecting the x coordinate (left-right in MNE's head frame)
and keeping mutual nearest neighbours.
"""

import re

import numpy as np

# Site prefixes of the 10-05 system, the old 10-20 temporal names (T3-T6),
# ears and mastoids (A, M), and the cerebellar CB1/CB2 of the ESI NeuroScan
# 62-channel cap used by SEED.
_PREFIXES = (
    "FP AFP AF AFF F FFC FFT FC FT FCC FTT C T CCP TTP CP TP CPP TPP P PPO "
    "PO POO O OI I CB A M"
).split()
_NAME_RE = re.compile(
    r"^(?P<prefix>" + "|".join(sorted(_PREFIXES, key=len, reverse=True)) + r")"
    r"(?P<site>10|[1-9]|Z)(?P<half>H?)$"
)
# Ear and mastoid sites exist only as 1/2; cerebellar ones only as 1/2.
_ONLY_FIRST_PAIR = {"A", "M", "CB"}
# Reference and montage decorations seen in EDF, BrainVision and EEGLAB files.
_REFERENCE_SUFFIX = re.compile(r"[-_ ](REF|LE|RE|AR|AVG|CAR|A1A2|M1M2|LM|RM)$")
_TYPE_PREFIX = re.compile(r"^(EEG)[ _:-]*")
# Names that say a channel is not on the scalp, whatever type a file reader
# gave it (EEGLAB and EDF files often type EOG channels as EEG).
_NON_SCALP_NAME = re.compile(
    r"^(?:[VHLR]?EOG|E[CK]G|EMG|RESP|STI|STATUS|TRIG|TRIGGER|PHOTO|GSR|EDA|HR|SPO2)"
    r"[LR]?(?![A-Z])"
)


def normalize_name(name):
    """Strip the decoration around a channel name, upper-cased.

    Handles case, an ``EEG`` type prefix, reference suffixes such as
    ``-REF`` or ``-LE``, whitespace, and trailing dots (``C3..``).

    Parameters
    ----------
    name : str
        A channel name as recorded.

    Returns
    -------
    name : str
        The bare name, e.g. ``"FP1"`` for ``"EEG Fp1-REF"``.
    """
    bare = name.strip().upper().rstrip(".").strip()
    bare = _TYPE_PREFIX.sub("", bare)
    bare = _REFERENCE_SUFFIX.sub("", bare)
    return bare.rstrip(".").strip()


def is_non_scalp_name(name):
    """Whether a channel's name says it is not on the scalp (EOG1, ECG, STI 014...).

    Parameters
    ----------
    name : str
        A channel name, decorated or not.

    Returns
    -------
    non_scalp : bool
        True for names starting with EOG, VEOG, HEOG, ECG, EKG, EMG, RESP,
        STI, STATUS, TRIG, PHOTO, GSR, EDA, HR or SPO2.
    """
    return _NON_SCALP_NAME.match(normalize_name(name)) is not None


def parse_1005(name):
    """Split a 10-05 channel name into (prefix, site, half), or None.

    Parameters
    ----------
    name : str
        A channel name, decorated or not.

    Returns
    -------
    parts : tuple of (str, int | None, str) | None
        The site prefix, the number (None for a midline ``z`` site), and
        ``"H"`` for 10-05 half positions or ``""``. None if the name does not
        follow 10-05.
    """
    match = _NAME_RE.match(normalize_name(name))
    if match is None:
        return None
    prefix, site, half = match.group("prefix", "site", "half")
    number = None if site == "Z" else int(site)
    if prefix in _ONLY_FIRST_PAIR and (number is None or number > 2 or half):
        return None
    return prefix, number, half


def pair_by_names(ch_names):
    """Pair channels by their 10-05 names.

    Parameters
    ----------
    ch_names : list of str
        Channel names.

    Returns
    -------
    pairs : list of tuple of (int, int)
        (left, right) channel indices, in the order of the left channels.
    midline : list of int
        Indices of midline (``z``) channels.
    """
    parsed = [parse_1005(name) for name in ch_names]
    index = {}
    for i, parts in enumerate(parsed):
        if parts is not None:
            if parts in index:
                raise ValueError(
                    f"Channels {ch_names[index[parts]]!r} and {ch_names[i]!r} "
                    "name the same 10-05 site."
                )
            index[parts] = i
    pairs, midline = [], []
    for i, parts in enumerate(parsed):
        if parts is None:
            continue
        prefix, number, half = parts
        if number is None:
            midline.append(i)
        elif number % 2 == 1 and (prefix, number + 1, half) in index:
            pairs.append((i, index[(prefix, number + 1, half)]))
    return pairs, midline


def pair_by_positions(positions, tol):
    """Pair channels whose positions mirror each other across the midline.

    Each channel's position is reflected in x (left-right in MNE's head
    frame); its partner is the nearest channel to that reflection, accepted
    only if the match is mutual and closer than ``tol``. A channel within
    ``tol / 2`` of the x = 0 plane whose reflection is nearest to itself is
    on the midline.

    Parameters
    ----------
    positions : ndarray of shape (n_channels, 3)
        Channel positions in metres; rows of NaN mark unknown positions.
    tol : float
        Largest distance in metres between a reflected position and its
        partner.

    Returns
    -------
    pairs : list of tuple of (int, int)
        (left, right) indices, the left one having negative x.
    midline : list of int
        Indices of midline channels.
    """
    positions = np.asarray(positions, dtype=float)
    known = np.flatnonzero(np.isfinite(positions).all(axis=1))
    if known.size == 0:
        return [], []
    pos = positions[known]
    mirrored = pos * np.array([-1.0, 1.0, 1.0])
    dist = np.linalg.norm(mirrored[:, None, :] - pos[None, :, :], axis=-1)
    nearest = dist.argmin(axis=1)
    pairs, midline = [], []
    for a, b in enumerate(nearest):
        if dist[a, b] > tol or nearest[b] != a:
            continue
        if a == b:
            if abs(pos[a, 0]) <= tol / 2:
                midline.append(int(known[a]))
        elif pos[a, 0] < 0:
            pairs.append((int(known[a]), int(known[b])))
    return sorted(pairs), sorted(midline)
