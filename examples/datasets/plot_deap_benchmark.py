"""
.. _ex-deap-benchmark:

HAMNet and two peers on a DEAP-format copy
==========================================

DEAP differs from SEED in ways that matter to HAMNet: 32 channels at 128 Hz,
band-passed at 4-45 Hz by its authors, and labels that are self-assessment
ratings (valence, arousal, ... from 1 to 9) rather than the clip's intended
emotion. The paper's temporal filter bank, 2 Hz bands from 40 to 76 Hz,
lies partly above DEAP's 64 Hz Nyquist frequency and wholly outside its
passband, so HAMNet here starts from 2 Hz bands from 8 to 44 Hz instead.

This example writes a small simulated copy in DEAP's layout, reads it with
:class:`~mne_hamnet.datasets.DEAP`, labels 1 s windows by high or low
valence with :class:`~mne_hamnet.paradigms.RatedEmotion`, and compares
HAMNet with two classical peers, linear SVMs on differential entropy (DE)
and on its left-right asymmetry (DASM), using
:func:`~mne_hamnet.evaluation.evaluate`.
"""

# License: BSD-3-Clause

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import mne
import numpy as np

from mne_hamnet.datasets import DEAP, simulate_deap
from mne_hamnet.datasets.deap import DEAP_CH_NAMES
from mne_hamnet.evaluation import evaluate
from mne_hamnet.paradigms import RatedEmotion
from mne_hamnet.pipelines import make_pipelines

mne.set_log_level("WARNING")

# %%
# A simulated copy in DEAP's layout
# ---------------------------------
# :func:`~mne_hamnet.datasets.simulate_deap` writes one ``sNN.dat`` pickle
# per subject, as in DEAP's ``data_preprocessed_python`` folder: ``data``
# of shape (trials, 40 channels, 3 s baseline + trial) and ``labels``, four
# ratings per trial. Three subjects with 16 trials of 6 s (DEAP has 32 with
# 40 of 60 s).
tmp = tempfile.TemporaryDirectory()
path = simulate_deap(
    Path(tmp.name) / "data_preprocessed_python",
    n_subjects=3,
    n_trials=16,
    trial_seconds=6.0,
    random_state=0,
)
deap = DEAP(path)
print(deap.subject_list)

# %%
# The reader drops the baseline and the eight peripheral channels (EOG, EMG,
# GSR, ...), and returns each trial in volts with its ratings:
trial = deap.get_data([1])[1]["0"]["01"]
print(trial)
print(trial.annotations.extras[0])

# %%
# Valence labels
# --------------
# :class:`~mne_hamnet.paradigms.RatedEmotion` labels each trial
# ``"high_valence"`` when its rating is above 5 and ``"low_valence"`` below.
# A rating of exactly 5 counts as high here, as in torcheeg; LibEER counts it
# as low (``at_threshold="low"``).
paradigm = RatedEmotion(scale="valence", window=1.0)
X, y, metadata = paradigm.get_data(deap, subjects=[1])
labels, counts = np.unique(y, return_counts=True)
print(X.shape, dict(zip(labels, counts.tolist())))

# %%
# Pipelines
# ---------
# HAMNet is trained for 20 + 10 epochs (the paper uses 800 + 600) with 4
# spatial filters and an FIR bank of 18 bands of 2 Hz from 8 to 44 Hz. The
# peers take the same windows.
bands = [(8.0 + 2 * i, 10.0 + 2 * i) for i in range(18)]
pipelines = make_pipelines(
    ["HAMNet", "DE+SVM", "DASM+SVM"],
    sfreq=128.0,
    ch_names=DEAP_CH_NAMES,
    pretrain_epochs=20,
    finetune_epochs=10,
    pretrain_lr=3e-3,
    finetune_lr=1.5e-3,
    device="cpu",
    random_state=0,
)
pipelines["HAMNet"].set_params(module__bands=bands, module__n_spatial_filters=4)

# %%
# Evaluation
# ----------
# Two leakage-safe protocols: trial-wise folds within each subject (whole
# trials tested) and leave one subject out, the two most used on DEAP.
results = evaluate(
    pipelines,
    deap,
    protocol=["trialwise", "cross-subject"],
    paradigm=paradigm,
    n_splits=4,
    random_state=0,
)
summary = results.groupby(["protocol", "pipeline"]).score.mean().unstack()
print(summary.round(3))

# %%
# Each bar is the mean accuracy over folds; chance is about 0.5 (the classes
# need not be balanced, as ratings fall where they fall).
ax = summary.plot.bar(rot=0, figsize=(6, 3.5))
ax.axhline(0.5, color="k", linestyle=":", linewidth=1)
ax.set(ylabel="accuracy", ylim=(0, 1), title="Simulated DEAP, valence")
ax.legend(loc="lower right", fontsize="small")
plt.tight_layout()
plt.show()

# %%
# These numbers rank nothing: HAMNet trains for 30 epochs on about 70
# windows per trial-wise fold here, far from converged, while the SVMs on
# hand-made DE features need no training budget; and the class signal of
# simulated data is what the simulator put there. On a real copy of DEAP,
# pass its ``data_preprocessed_python`` folder to
# :class:`~mne_hamnet.datasets.DEAP` and train with the paper's epochs.

tmp.cleanup()
