"""
.. _ex-gpu:

Train on a GPU, predict on a CPU
================================

The paper trains HAMNet for 800 + 600 epochs. That takes hours on a laptop's
CPU but minutes on a GPU. A common setup is to train on a GPU machine and to
use the trained classifier elsewhere, on machines without one. This example
trains with ``device="cuda"``, saves the classifier with :mod:`joblib`, and
loads it back in a process that sees no GPU to predict on the CPU.

.. note::
   This example needs a CUDA GPU, so the documentation shows its code
   without running it. Run it yourself with ``python gpu_training.py`` on a
   machine with CUDA; it stops with a message where CUDA is absent.
"""

# License: BSD-3-Clause

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import mne
import numpy as np
import torch

from mne_hamnet import HAMNetClassifier
from mne_hamnet.datasets import SEED, simulate_seed
from mne_hamnet.paradigms import Emotion

if not torch.cuda.is_available():
    raise SystemExit("This example needs a CUDA GPU, but torch.cuda.is_available() is False.")
mne.set_log_level("WARNING")

# %%
# Data
# ----
# One simulated subject and session in SEED's format with 1 minute trials
# (SEED's last about 4 minutes): 900 windows of 1 s. Trials 1-10 train,
# trials 11-15 test. For the real data, pass your copy of SEED to
# :class:`~mne_hamnet.datasets.SEED` instead.
tmp = tempfile.TemporaryDirectory()
folder = Path(tmp.name)
path = simulate_seed(folder / "Preprocessed_EEG", n_subjects=1, n_sessions=1,
                     trial_seconds=60.0, random_state=0)
epochs, labels, metadata = Emotion().get_data(SEED(path), subjects=[1], return_epochs=True)
trial = metadata["run"].astype(int).to_numpy()
train, test = np.flatnonzero(trial <= 10), np.flatnonzero(trial > 10)

# %%
# Train on the GPU
# ----------------
# ``device="cuda"`` trains on the GPU and fails loudly where there is none
# (``device="auto"``, the default, would fall back to the CPU). The windows
# are copied to the GPU once per fit and batches are sliced there. These are
# the paper's settings: 800 epochs of pretraining at a learning rate of 1e-4
# and 600 of finetuning at 5e-5, 16 spatial filters, batches of 100.
clf = HAMNetClassifier(device="cuda", random_state=0, verbose=1)
start = time.perf_counter()
clf.fit(epochs[train], labels[train])
print(f"trained in {time.perf_counter() - start:.0f} s on {torch.cuda.get_device_name()}")
print(f"weights on {next(clf.module_.parameters()).device}")
gpu_predictions = clf.predict(epochs[test])
print(f"test accuracy on the GPU: {np.mean(gpu_predictions == labels[test]):.3f}")

# %%
# Save
# ----
# A classifier pickled with ``device="cuda"`` can be loaded on a machine
# without CUDA: skorch then moves its weights to the CPU and warns that it
# did. Setting ``device="auto"`` before saving avoids the warning: the loaded
# classifier then uses CUDA where the loading machine has it and the CPU
# elsewhere. Changing ``device`` does not move or retrain the network.
clf.set_params(device="auto")
model_file = folder / "hamnet.joblib"
joblib.dump(clf, model_file)
test_file = folder / "test-epo.fif"
epochs[test].save(test_file)
print(f"saved {model_file.stat().st_size / 1e6:.1f} MB")

# %%
# Load and predict on a CPU
# -------------------------
# To show the CPU side on this machine, we run it in a new Python process
# that cannot see the GPU (``CUDA_VISIBLE_DEVICES=""``). On another machine,
# this is all it takes to use the classifier:
cpu_script = f"""
import joblib
import mne
import torch

print("CUDA available:", torch.cuda.is_available())
clf = joblib.load({str(model_file)!r})
print("loaded on", next(clf.module_.parameters()).device)
epochs = mne.read_epochs({str(test_file)!r}, verbose=False)
joblib.dump(clf.predict(epochs), {str(folder / "cpu_predictions.joblib")!r})
"""
print(cpu_script)
subprocess.run(
    [sys.executable, "-c", cpu_script],
    env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    check=True,
)
cpu_predictions = joblib.load(folder / "cpu_predictions.joblib")

# %%
# The CPU and the GPU compute in slightly different orders, so the
# probabilities may differ in their last digits; the predicted labels agree.
print(f"CPU and GPU agree on {np.mean(cpu_predictions == gpu_predictions):.1%} of the windows")

# %%
# Delete the files.
tmp.cleanup()
