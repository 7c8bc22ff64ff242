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


def _cerebellar_positions(ch_pos):
    """Return the positions of CB1 and CB2, mirror images of each other in x.

    No MNE template has CB1/CB2. On the NeuroScan cap SEED used they sit below
    O1/O2, over the cerebellum; we place them one 10 % row lower than O1/O2,
    on the inion line, where the 10-05 system puts I1/I2. The template's I1
    and I2 are not exact mirror images, so I1 is averaged with I2 reflected.
    """
    reflect = np.array([-1.0, 1.0, 1.0])
    cb1 = (ch_pos["I1"] + ch_pos["I2"] * reflect) / 2.0
    return cb1, cb1 * reflect


def make_seed_montage():
    """Make a montage with positions for SEED's 62 channels.

    Positions come from MNE's 10-05 template (``colin27_1005``, called
    ``standard_1005`` before MNE 1.13); CB1 and CB2, which no template has,
    are placed on the inion line below O1 and O2.

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
