"""
.. _ex-quickstart:

Quickstart: HAMNet on simulated SEED data
=========================================

This example goes from EEG files to a cross-validated accuracy in a few
steps: simulate a small data set in the format of SEED's
``Preprocessed_EEG`` folder, read it with the :class:`~mne_hamnet.datasets.SEED`
data set, cut the trials into 1 s windows with the
:class:`~mne_hamnet.paradigms.Emotion` paradigm, and score
:class:`~mne_hamnet.HAMNetClassifier` with scikit-learn's
:func:`~sklearn.model_selection.cross_val_score`.
"""

# License: BSD-3-Clause

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import mne
import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score

from mne_hamnet import HAMNetClassifier
from mne_hamnet.datasets import SEED, simulate_seed
from mne_hamnet.paradigms import Emotion

mne.set_log_level("WARNING")

# %%
# Simulate a data set in SEED's format
# ------------------------------------
# SEED is not freely downloadable, so the examples use a simulated copy with
# the same layout: one ``{subject}_{YYYYMMDD}.mat`` file per subject and
# session, each holding 15 trials of 62 channels at 200 Hz, and a
# ``label.mat`` with SEED's label sequence. The class shows as a hemispheric
# asymmetry of gamma power over fronto-temporal channels. We write one
# subject, one session, and trials of 15 s instead of SEED's 4 minutes.
tmp = tempfile.TemporaryDirectory()
path = simulate_seed(
    Path(tmp.name) / "Preprocessed_EEG",
    n_subjects=1,
    n_sessions=1,
    trial_seconds=15.0,
    random_state=42,
)
sorted(fname.name for fname in path.iterdir())

# %%
# Read it and cut it into windows
# -------------------------------
# :class:`~mne_hamnet.datasets.SEED` reads the folder as a MOABB data set (pass
# the path of your own copy of SEED to use the real data).
# :class:`~mne_hamnet.paradigms.Emotion` cuts each trial into non-overlapping
# 1 s windows, as the paper does, and returns :class:`mne.Epochs`, the labels,
# and metadata telling which subject, session and trial (``run``) each
# window comes from.
dataset = SEED(path)
paradigm = Emotion(window=1.0)
epochs, labels, metadata = paradigm.get_data(dataset, subjects=[1], return_epochs=True)
print(epochs)
metadata.head()

# %%
# What the network has to find
# ----------------------------
# The simulated emotions differ in how gamma power (40-70 Hz) is split
# between the hemispheres. The log-ratio of gamma power between two
# homologous fronto-temporal channels, FT7 and FT8, shows it: higher on the
# left for positive windows, on the right for negative ones. HAMNet is
# built to learn such a comparison: its mirror branch sees every channel in
# its homologue's place.
psd = epochs.compute_psd(fmin=40.0, fmax=70.0, picks=["FT7", "FT8"])
gamma = psd.get_data().mean(axis=-1)
asymmetry = np.log10(gamma[:, 0] / gamma[:, 1])
classes = ["negative", "neutral", "positive"]
fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
ax.boxplot([asymmetry[labels == name] for name in classes])
ax.set_xticks([1, 2, 3], classes)
ax.axhline(0.0, color="0.6", lw=0.8)
ax.set(ylabel="log10 gamma power FT7 / FT8", title="Hemispheric gamma asymmetry")
plt.show()

# %%
# Cross-validate HAMNet
# ---------------------
# :class:`~mne_hamnet.HAMNetClassifier` takes Epochs directly (it uses their
# EEG channels in µV) and infers the channel count, window length, sampling
# frequency and mirror pairs from them. It trains in two stages: the paper
# runs 800 epochs of pretraining and 600 of finetuning with learning rates of
# 1e-4 and 5e-5. To run in seconds on a CPU we train for 30 + 20 epochs with
# larger learning rates and 4 spatial filters instead of 16.
#
# Neighbouring seconds of one trial are nearly alike, so the folds are
# grouped by trial: no trial has windows on both sides of a split. (The
# paper shuffles windows instead; :ref:`ex-protocols` shows how much that
# inflates the accuracy.)
clf = HAMNetClassifier(
    pretrain_epochs=30,
    finetune_epochs=20,
    pretrain_lr=3e-3,
    finetune_lr=1.5e-3,
    module__n_spatial_filters=4,
    random_state=42,
    verbose=0,
)
cv = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=42)
scores = cross_val_score(clf, epochs, labels, groups=metadata["run"], cv=cv)
print(f"Accuracy per fold: {np.round(scores, 3)}")
print(f"Mean accuracy: {scores.mean():.3f} (chance: {1 / 3:.3f})")

# %%
# The final classifier
# --------------------
# Cross-validation estimates how well the recipe does; the classifier to
# keep is then fitted on all windows. Its fitted attributes tell what it
# inferred from the data, and it predicts labels in their original form.
clf.fit(epochs, labels)
print(f"{clf.n_features_in_} channels, {clf.n_times_} samples at {clf.sfreq_:g} Hz")
print(f"{len(clf.mirror_.pairs_)} mirror pairs, {len(clf.mirror_.midline_)} midline channels")
print(f"classes: {clf.classes_}")
clf.predict(epochs[:5])

# %%
# Delete the simulated files.
tmp.cleanup()
