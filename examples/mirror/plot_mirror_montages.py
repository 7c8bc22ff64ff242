"""
.. _ex-mirror-montages:

Left/right channel pairs on different montages
==============================================

HAMNet's second branch sees the EEG with the two hemispheres swapped: every
left channel takes the place of its right homologue and vice versa, and
midline channels stay put. :class:`~mne_hamnet.HemisphereMirror` finds the
pairs. This example fits it on three caps and draws the pairs with
:func:`~mne_hamnet.viz.plot_mirror_pairs`:

1. SEED's 62-channel ESI NeuroScan cap, paired by the 10-05 names;
2. 10-05 subsets whose names carry decorations from file formats, such as
   ``EEG Fp1-REF`` or ``C3..``;
3. an EGI HydroCel net, whose names (``E1``...``E128``) say nothing about
   the side, paired by the electrode positions.
"""

# License: BSD-3-Clause

import matplotlib.pyplot as plt
import mne
import numpy as np

from mne_hamnet import HemisphereMirror
from mne_hamnet.datasets import SEED_CH_NAMES, make_seed_montage
from mne_hamnet.viz import plot_mirror_pairs

# %%
# SEED's 62 channels
# ------------------
# In 10-05 names an odd number is on the left, an even one on the right and
# ``z`` on the midline; ``F3`` pairs with ``F4``. SEED's cap also has CB1 and
# CB2 over the cerebellum, which no MNE template holds:
# :func:`~mne_hamnet.datasets.make_seed_montage` places them where SEED's
# electrode file does, on the ring of PO7, O1, O2 and PO8: CB1 halfway
# between PO7 and O1, CB2 halfway between O2 and PO8.
# The mirror needs only the names; the montage is for the plot.
seed_info = mne.create_info(list(SEED_CH_NAMES), 200.0, "eeg")
seed_info.set_montage(make_seed_montage())
mirror = HemisphereMirror().fit(seed_info)
print(f"{len(mirror.pairs_)} pairs, midline: {' '.join(mirror.midline_)}")
fig = plot_mirror_pairs(mirror, seed_info, show_names=True)

# %%
# Fitting also gives ``mirror_index_``: ``X[:, mirror_index_]`` swaps the
# hemispheres. It is its own inverse, and maps a midline channel to itself.
index = mirror.mirror_index_
for name in ("FP1", "FT7", "CB2", "CZ"):
    print(f"{name:>4} <- {SEED_CH_NAMES[index[SEED_CH_NAMES.index(name)]]}")
print(f"index[index] is the identity: {np.array_equal(index[index], np.arange(len(index)))}")

# %%
# Decorated names
# ---------------
# Channel names come in many forms: EDF files often write ``EEG Fp1-REF``,
# the PhysioNet motor imagery data set pads names with dots to four
# characters (``C3..``, ``Fc5.``), and case varies. The mirror strips such
# decorations before reading the name. Here are the 19 channels of the 10-20
# system as the TUH EEG corpus writes them (with the old names T3-T6 for
# today's T7, T8, P7 and P8), and 32 channels of the 10-10 system in the
# PhysioNet style. :func:`~mne_hamnet.viz.plot_mirror_pairs` places them
# from MNE's 10-05 template when no ``info`` is given.
names_1020 = "Fp1 Fp2 F7 F3 Fz F4 F8 T3 C3 Cz C4 T4 T5 P3 Pz P4 T6 O1 O2".split()
names_1010 = (
    "Fp1 Fpz Fp2 AF7 AF3 AF4 AF8 F7 F3 Fz F4 F8 FC5 FC1 FC2 FC6 T7 C3 Cz C4 T8 "
    "CP5 CP1 CP2 CP6 P7 P3 Pz P4 P8 O1 O2".split()
)
edf_style = [f"EEG {name.upper()}-REF" for name in names_1020]
physionet_style = [name.ljust(4, ".") for name in names_1010]
print(edf_style[:4], physionet_style[:4])

fig, axes = plt.subplots(1, 2, figsize=(11, 5.5), layout="constrained")
for names, ax, style in zip((edf_style, physionet_style), axes, ("EDF", "PhysioNet")):
    decorated = HemisphereMirror(ch_names=names).fit(np.zeros((1, len(names), 1)))
    plot_mirror_pairs(decorated, ax=ax, show_names=True)
    ax.set_title(f"{style} style: {ax.get_title()}")
    print(decorated.pairs_[:3])

# %%
# An EGI HydroCel net, paired by positions
# ----------------------------------------
# EGI numbers its electrodes ``E1`` ... ``E128`` with no hint of the side.
# When names do not follow 10-05, the mirror reflects each electrode's
# position across the midsagittal plane (x to -x in MNE's head frame) and
# pairs mutual nearest neighbours closer than ``tol`` (1 cm by default).
# Electrodes whose reflection lands on themselves are the midline.
egi = mne.channels.make_standard_montage("GSN-HydroCel-128")
egi_info = mne.create_info(egi.ch_names, 250.0, "eeg")
egi_info.set_montage(egi)
egi_mirror = HemisphereMirror().fit(egi_info)
print(
    f"paired by {egi_mirror.method_}: {len(egi_mirror.pairs_)} pairs, "
    f"{len(egi_mirror.midline_)} midline, {len(egi_mirror.unpaired_)} unpaired"
)
fig = plot_mirror_pairs(egi_mirror, egi_info)

# %%
# A cap that is not symmetric leaves channels without a partner. The mirror
# raises an error about them by default; ``on_unpaired="warn"`` or
# ``"ignore"`` maps them to themselves instead. Dropping the right channels
# numbered 4 and 8 from the 10-10 set above shows it:
left_only = [name for name in names_1010 if not name.endswith(("4", "8"))]
lopsided = HemisphereMirror(ch_names=left_only, on_unpaired="ignore")
lopsided.fit(np.zeros((1, len(left_only), 1)))
print(f"unpaired: {lopsided.unpaired_}")
fig = plot_mirror_pairs(lopsided, show_names=True)
