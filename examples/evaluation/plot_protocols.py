"""
.. _ex-protocols:

The paper's protocol against the trial-wise protocol
====================================================

The HAMNet paper scores each session by 5-fold cross-validation over the 1 s
windows of all its trials, shuffled. A SEED trial lasts about 4 minutes,
and neighbouring seconds of one trial are nearly alike, so every test window
has close relatives in the training set: a classifier can score well by
recognising the trial rather than the emotion. This *leakage* inflates the
accuracy.

The trial-wise protocol keeps all windows of a trial on the same side of
each split (folds grouped by trial, stratified by class), so a test trial is
never seen in training. :func:`mne_hamnet.evaluation.evaluate` runs both
(and the cross-session and cross-subject protocols) through MOABB. The gap
between the two is the leakage.
"""

# License: BSD-3-Clause

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import mne
import numpy as np
from scipy.io import loadmat, savemat

from mne_hamnet.datasets import SEED, simulate_seed
from mne_hamnet.evaluation import evaluate
from mne_hamnet.paradigms import Emotion
from mne_hamnet.pipelines import make_pipelines
from mne_hamnet.report import summary_table

mne.set_log_level("WARNING")

# %%
# Simulated data with trial-specific variation
# --------------------------------------------
# Two simulated subjects with one session each, in SEED's format, with trials
# of 6 s instead of SEED's 4 minutes.
tmp = tempfile.TemporaryDirectory()
path = simulate_seed(
    Path(tmp.name) / "Preprocessed_EEG",
    n_subjects=2,
    n_sessions=1,
    trial_seconds=6.0,
    random_state=7,
)

# %%
# Real trials differ from each other in ways that have nothing to do with
# emotion: electrode contact, vigilance, artefacts. The simulated trials
# differ little, so we add such a difference to the files: a random gain per
# channel and trial, of about 20 %.
rng = np.random.default_rng(7)
for fname in sorted(path.glob("*_*.mat")):  # the session files, not label.mat
    trials = {key: value for key, value in loadmat(fname).items() if "_eeg" in key}
    for data in trials.values():
        data *= np.exp(0.2 * rng.standard_normal((len(data), 1)))
    savemat(fname, trials)

# %%
# Pipelines
# ---------
# :func:`~mne_hamnet.pipelines.make_pipelines` builds the benchmark's
# pipelines by name for windows of SEED's layout. Two of them: HAMNet,
# trained here for 20 + 10 epochs (the paper uses 800 + 600) with 4 spatial
# filters, and the paper's classical baseline, a linear SVM on differential
# entropy (DE) features.
pipelines = make_pipelines(
    ["HAMNet", "DE+SVM"],
    pretrain_epochs=20,
    finetune_epochs=10,
    pretrain_lr=3e-3,
    finetune_lr=1.5e-3,
    random_state=7,
)
pipelines["HAMNet"].set_params(module__n_spatial_filters=4)

# %%
# Evaluate under both protocols
# -----------------------------
# :func:`~mne_hamnet.evaluation.evaluate` returns MOABB's results table with
# one row per fold; each session is cut into 5 folds under both protocols.
dataset = SEED(path)
results = evaluate(
    pipelines,
    dataset,
    protocol=["paper", "trialwise"],
    paradigm=Emotion(window=1.0),
    random_state=7,
)
results[["pipeline", "protocol", "subject", "session", "fold", "score"]].head(10)

# %%
# The leakage gap
# ---------------
# Averaged over folds, each line joins the scores of one subject and session
# under the two protocols.
summary = results.pivot_table(index="pipeline", columns="protocol", values="score")
summary["gap"] = summary["paper"] - summary["trialwise"]
print(summary.round(3))

fig, axes = plt.subplots(1, len(pipelines), sharey=True, figsize=(7, 3.8), layout="constrained")
for ax, (name, scores) in zip(axes, results.groupby("pipeline", sort=False)):
    paired = scores.pivot_table(
        index=["subject", "session"], columns="protocol", values="score"
    )[["paper", "trialwise"]]
    lines = ax.plot([0, 1], paired.to_numpy().T, color="0.6", marker="o", lw=1)
    lines[0].set_label("one subject and session")
    ax.plot([0, 1], paired.mean().to_numpy(), color="C3", marker="D", lw=2, label="mean")
    ax.axhline(1 / 3, color="k", ls=":", lw=0.8, label="chance")
    ax.set(xticks=[0, 1], xticklabels=["paper\n(shuffled windows)", "trial-wise"],
           xlim=(-0.4, 1.4), ylim=(0, 1.05), title=name)
axes[0].set_ylabel("accuracy")
axes[0].legend(loc="lower left")
fig.suptitle("Windows of a test trial seen in training inflate the accuracy")
plt.show()

# %%
# Report the trial-wise (or cross-session) accuracy as the estimate of how
# a classifier does on new recordings; report the paper's protocol only to
# compare with the paper's numbers, and say which one you used.

# %%
# The paper-style table
# ---------------------
# :func:`mne_hamnet.report.summary_table` formats the rows as
# ``mne-hamnet benchmark`` writes them to ``table.md``: the accuracy per
# pipeline and protocol, and the mean time to fit one fold. The
# ``"chronological"`` protocol (the first 9 trials of a session train, the
# last 6 test) is the standard of the SEED literature; on SEED the table
# puts the published numbers under it beside ours.
print(summary_table(results, dataset="simulated"))

# %%
# Delete the simulated files.
tmp.cleanup()
