"""
.. _ex-online-decoding:

Decode a stream live, then export the network
=============================================

A headset that publishes on the Lab Streaming Layer (LSL) can be decoded
live with :class:`mne_hamnet.online.OnlineDecoder`. Here MNE-LSL's
``PlayerLSL`` plays a simulated recording as such a stream, on this machine,
and a classifier trained on the same kind of recording decodes it: a window
of 1 s every 0.1 s, probabilities averaged over the last 3 windows. Then the
fitted network goes to an ONNX file, to run outside Python.

See :ref:`online` for units, channel order, causal filtering and latency.
"""

# License: BSD-3-Clause

import tempfile
import uuid
from pathlib import Path

import matplotlib.pyplot as plt
import mne
import numpy as np
from mne_lsl.player import PlayerLSL

from mne_hamnet import HAMNetClassifier
from mne_hamnet.online import OnlineDecoder, simulate_recording

mne.set_log_level("WARNING")

# %%
# A recording to train on
# -----------------------
# :func:`~mne_hamnet.online.simulate_recording` gives a continuous Raw in
# volts whose class changes every 3 s: "left" blocks carry more gamma power
# on the left hemisphere, "right" blocks on the right. Fixed-length epochs of
# 1 s are cut inside the annotated blocks.

sfreq = 200.0
train = simulate_recording(duration=60.0, sfreq=sfreq, block=3.0, random_state=0)
events, event_id = mne.events_from_annotations(train, chunk_duration=1.0)
epochs = mne.Epochs(train, events, event_id, tmin=0, tmax=1 - 1 / sfreq, baseline=None,
                    preload=True)
clf = HAMNetClassifier(pretrain_epochs=15, finetune_epochs=5, pretrain_lr=3e-3,
                       finetune_lr=1e-3, batch_size=20, device="cpu", random_state=0,
                       verbose=0).fit(epochs)
print(event_id, "->", clf.classes_)

# %%
# Play a new recording as an LSL stream, and decode it
# ----------------------------------------------------
# A new recording (another seed) is played once, in real time. The decoder
# connects by the stream's name, checks its rate, channels and units once,
# and stops by itself half a second after the stream ends. A unique name
# keeps this stream apart from any other on the network.

test = simulate_recording(duration=6.0, sfreq=sfreq, block=3.0, random_state=1)
name = f"hamnet-example-{uuid.uuid4().hex[:8]}"
player = PlayerLSL(test, chunk_size=1, n_repeat=1, name=name, source_id=name,
                   annotations=False).start()
decoder = OnlineDecoder(clf, name, step=0.1, smooth=3)
predictions = decoder.run()
if player.running:
    player.stop()
p50, p99 = decoder.latency_percentiles()
print(f"{len(predictions)} predictions, stopped by: {decoder.stop_reason}; "
      f"latency p50 {p50 * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms")

# %%
# The latency runs from the LSL timestamp of a window's last sample to its
# prediction. ``PlayerLSL`` stamps each chunk (here one sample) with the time
# it is due, 5 ms before it pushes it, so with a player the figure reads up
# to one chunk short, and may even be negative.

# %%
# The stream started when the player did: the first sample the decoder read
# was the recording's first sample (give or take the connection time), so
# the time of each window's end in the recording is its timestamp minus the
# first timestamp, plus 1 s.

stamps = np.array([p.timestamp for p in predictions])
ends = stamps - stamps[0] + 1.0
left = np.array([p.proba[list(clf.classes_).index(event_id["left"])] for p in predictions])
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
for onset, duration, description in zip(test.annotations.onset, test.annotations.duration,
                                        test.annotations.description):
    if description == "left":
        ax.axvspan(onset, onset + duration, color="0.9", label="left block")
ax.plot(ends, left, marker=".", label='P("left"), mean of the last 3 windows')
ax.set(xlabel="end of window in the recording (s)", ylabel="probability", ylim=(0, 1))
handles, labels = ax.get_legend_handles_labels()
ax.legend(dict(zip(labels, handles)).values(), dict(zip(labels, handles)).keys(),
          loc="lower right", fontsize=8)

# %%
# Export for use outside Python
# -----------------------------
# The ONNX file holds both branches, the mirror index and the softmax; it
# takes windows in µV in the order of ``clf.ch_names_``. onnxruntime runs it
# from Python, C, C++, C#, Java or JavaScript; here it agrees with
# ``predict_proba``.

try:
    import onnxruntime
except ImportError:
    onnxruntime = None

if onnxruntime is not None:
    from mne_hamnet.export import to_onnx

    windows = epochs.get_data(picks=clf.ch_names_, units="uV")[:8].astype(np.float32)
    with tempfile.TemporaryDirectory() as folder:
        path = to_onnx(clf, Path(folder) / "hamnet.onnx")
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        (proba,) = session.run(None, {"windows": windows})
    print("largest difference from predict_proba:",
          float(np.abs(proba - clf.predict_proba(windows)).max()))
