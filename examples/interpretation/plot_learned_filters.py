"""
.. _ex-learned-filters:

What the network learned: temporal and spatial filters
======================================================

HAMNet is built to be read. Its temporal convolution starts as a bank of
band-pass FIR filters (18 bands of 2 Hz from 40 to 76 Hz) and its spatial
convolutions are linear combinations of channels, so both can be drawn:

* :func:`~mne_hamnet.viz.plot_temporal_filters` draws the amplitude response
  of each temporal filter before and after training (the paper's Fig. 4);
* :func:`~mne_hamnet.viz.plot_spatial_filters` draws the spatial filters of
  the original and mirror branches as scalp maps (the paper's Fig. 5), or the
  activation patterns that explain them.
"""

# License: BSD-3-Clause

import tempfile
from pathlib import Path

import mne
import numpy as np

from mne_hamnet import HAMNetClassifier
from mne_hamnet.datasets import SEED, simulate_seed
from mne_hamnet.paradigms import Emotion
from mne_hamnet.viz import plot_spatial_filters, plot_temporal_filters

mne.set_log_level("WARNING")

# %%
# Fit HAMNet on simulated data
# ----------------------------
# One simulated subject and session in SEED's format. In the simulation the
# emotion shifts gamma power (40-70 Hz) between the left and right
# fronto-temporal regions (around F7/FT7/T7 and F8/FT8/T8). The paper trains
# for 800 + 600 epochs with 16 spatial filters; 40 + 30 epochs and 6 filters
# keep this example short.
tmp = tempfile.TemporaryDirectory()
path = simulate_seed(
    Path(tmp.name) / "Preprocessed_EEG",
    n_subjects=1,
    n_sessions=1,
    trial_seconds=20.0,
    random_state=1,
)
dataset = SEED(path)
epochs, labels, _ = Emotion().get_data(dataset, subjects=[1], return_epochs=True)
clf = HAMNetClassifier(
    pretrain_epochs=40,
    finetune_epochs=30,
    pretrain_lr=3e-3,
    finetune_lr=1.5e-3,
    module__n_spatial_filters=6,
    random_state=1,
    verbose=0,
)
clf.fit(epochs, labels)

# %%
# Temporal filters (Fig. 4)
# -------------------------
# Dashed: the initial FIR filter of each band, with unit gain at the band's
# centre (shaded). Solid: the learned kernel. With 41 taps at 200 Hz a filter
# cannot resolve 2 Hz: its main lobe is about 10 Hz wide, so neighbouring
# filters overlap. Training moves and reshapes the responses; the paper
# reports larger main lobes and smaller side lobes after 800 epochs. After
# a few tens of epochs, as here, expect smaller changes and some new
# low-frequency side lobes.
fig = plot_temporal_filters(clf)

# %%
# The responses are computed at the sampling frequency seen in fit
# (``clf.sfreq_``); the kernels themselves are ``clf.initial_temporal_filters_``
# and ``clf.temporal_filters_``, of shape (n_bands, n_taps).
print(clf.sfreq_, clf.initial_temporal_filters_.shape)

# %%
# Spatial filters (Fig. 5)
# ------------------------
# One row per branch, one column per spatial filter, on a colour scale
# symmetric around zero per row. The mirror branch multiplies the swapped
# EEG; its weights are drawn over the electrodes they end up multiplying,
# so a filter that weighs the left frontal region in the original branch
# weighs the right frontal region in the mirror branch. Both branches start
# from the pretrained filters, and the rows stay close to mirror images of
# each other. The channel positions come from ``epochs.info`` (CB1 and CB2,
# which no MNE template has, are placed by
# :func:`~mne_hamnet.datasets.make_seed_montage`). The paper leaves CB1 and
# CB2 out of its maps; in general, channels without a known position are
# left out with a warning.
fig = plot_spatial_filters(clf, info=epochs.info)

# %%
# How close to mirror images are the two rows? Swap the mirror branch's
# weights back across the midline and correlate them with the original
# branch's weights, filter by filter.
original, mirror = clf.spatial_filters_
swapped_back = mirror[:, clf.mirror_.mirror_index_]
correlation = [np.corrcoef(a, b)[0, 1] for a, b in zip(original, swapped_back)]
print(np.round(correlation, 3))

# %%
# Activation patterns
# -------------------
# Filter weights are not maps of where the signal is: a filter also gives
# weights to channels only to cancel noise. Activation patterns (Haufe et
# al., 2014) are: they give, for each component, how its activity shows on
# each channel, computed from the data's covariance. The network only uses
# its spatial components through gamma-band filters, so we compute the
# patterns from the data band-passed to 40-76 Hz. In the simulation the
# class-dependent gamma sits over the fronto-temporal regions; components
# that use it have patterns with weight there. After a few tens of epochs on
# a few hundred windows, as here, expect noisier maps than from a network
# trained as long as the paper's.
gamma_epochs, _, _ = Emotion(fmin=40.0, fmax=76.0).get_data(
    dataset, subjects=[1], return_epochs=True
)
fig = plot_spatial_filters(clf, info=epochs.info, kind="patterns", X=gamma_epochs)

# %%
# Delete the simulated files.
tmp.cleanup()
