"""SEED's channel names and a montage with positions for all of them."""

import mne
import numpy as np

from .._montage import standard_montage

# The order of the rows of every SEED trial array (ESI NeuroScan 62-channel cap).
SEED_CH_NAMES = tuple(
    "FP1 FPZ FP2 AF3 AF4 F7 F5 F3 F1 FZ F2 F4 F6 F8 FT7 FC5 FC3 FC1 FCZ FC2 FC4 FC6 "
    "FT8 T7 C5 C3 C1 CZ C2 C4 C6 T8 TP7 CP5 CP3 CP1 CPZ CP2 CP4 CP6 TP8 P7 P5 P3 P1 "
    "PZ P2 P4 P6 P8 PO7 PO5 PO3 POZ PO4 PO6 PO8 CB1 O1 OZ O2 CB2".split()
)


# Positions in SEED's own electrode file, channel_62_pos.locs (EEGLAB polar
# coordinates: theta in degrees, 0 at the nose and negative to the left;
# radius 0.5 on the ear-nasion-inion circle), of CB1/CB2 and of their
# neighbours on the same ring: CB1 lies halfway between PO7 and O1, CB2
# halfway between O2 and PO8.
SEED_LOCS_POLAR = {
    "PO7": (-135.0, 0.51111), "CB1": (-150.0, 0.51111), "O1": (-165.0, 0.51111),
    "O2": (165.0, 0.51111), "CB2": (150.0, 0.51111), "PO8": (135.0, 0.51111),
}


def _fit_sphere(points):
    """Centre and radius of the least-squares sphere through ``points``."""
    # |p - c|^2 = r^2 is linear in (c, r^2 - |c|^2)
    design = np.column_stack([2 * points, np.ones(len(points))])
    solution = np.linalg.lstsq(design, np.sum(points**2, axis=1), rcond=None)[0]
    centre = solution[:3]
    return centre, float(np.sqrt(solution[3] + centre @ centre))


def _cerebellar_positions(ch_pos):
    """Return the positions of CB1 and CB2, mirror images of each other in x.

    No MNE template has CB1/CB2. SEED's electrode file
    (:data:`SEED_LOCS_POLAR`) puts each on the ring of its neighbours, at
    an angle between theirs. So each is placed on the template's great
    circle through those neighbours, seen from the centre of the sphere that
    best fits SEED's other 60 channels, at the file's fraction of the angle
    between them; CB2 is then CB1 reflected, so that the pair is exactly
    symmetric.
    """
    others = np.array([ch_pos[name] for name in SEED_CH_NAMES if name not in ("CB1", "CB2")])
    centre, _ = _fit_sphere(others)
    placed = {}
    for name, (first, second) in (("CB1", ("PO7", "O1")), ("CB2", ("PO8", "O2"))):
        fraction = (SEED_LOCS_POLAR[name][0] - SEED_LOCS_POLAR[first][0]) / (
            SEED_LOCS_POLAR[second][0] - SEED_LOCS_POLAR[first][0])
        a, b = ch_pos[first] - centre, ch_pos[second] - centre
        placed[name] = centre + _slerp(a, b, fraction)
    reflect = np.array([-1.0, 1.0, 1.0])
    cb1 = (placed["CB1"] + placed["CB2"] * reflect) / 2.0
    return cb1, cb1 * reflect


def _slerp(a, b, fraction):
    """The vector at ``fraction`` of the way from ``a`` to ``b`` on their great
    circle, its length interpolated linearly."""
    unit_a, unit_b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    angle = np.arccos(np.clip(unit_a @ unit_b, -1.0, 1.0))
    direction = (np.sin((1 - fraction) * angle) * unit_a
                 + np.sin(fraction * angle) * unit_b) / np.sin(angle)
    length = (1 - fraction) * np.linalg.norm(a) + fraction * np.linalg.norm(b)
    return direction * length


def make_seed_montage():
    """Make a montage with positions for SEED's 62 channels.

    Positions come from MNE's 10-05 template (``colin27_1005``, called
    ``standard_1005`` before MNE 1.13). CB1 and CB2, which no template has,
    are placed where SEED's own electrode file ``channel_62_pos.locs`` puts
    them: on the ring of PO7, O1, O2 and PO8, halfway between PO7 and O1
    (CB1) and between O2 and PO8 (CB2).

    Returns
    -------
    montage : mne.channels.DigMontage
        Positions and fiducials, named exactly as :data:`SEED_CH_NAMES`.
    """
    template = standard_montage("1005").get_positions()
    # The template writes 'Fp1', 'Cz'; SEED writes 'FP1', 'CZ'.
    by_upper = {name.upper(): pos for name, pos in template["ch_pos"].items()}
    by_upper["CB1"], by_upper["CB2"] = _cerebellar_positions(by_upper)
    ch_pos = {name: by_upper[name] for name in SEED_CH_NAMES}
    return mne.channels.make_dig_montage(
        ch_pos=ch_pos,
        nasion=template["nasion"],
        lpa=template["lpa"],
        rpa=template["rpa"],
        coord_frame=template["coord_frame"],
    )
