"""Online decoding through a real LSL stream: latency, sustained rate, single-window cost.

Plays a SEED-shaped recording (62 channels at 200 Hz) with MNE-LSL's
PlayerLSL and decodes it live with :class:`mne_hamnet.online.OnlineDecoder`
at 1-s windows and 0.1-s steps, then once more with a window every sample
(200 windows/s asked) to see what rate the loop sustains. Beside it, the
single-window cost of ``predict_proba`` (one thread), of the decoder's
no-check path and of the network's forward, interleaved call by call, and
the path ``predict_proba`` took before this change (skorch's
``NeuralNet.predict_proba`` after the input checks with a median volts
check), for comparison with 0.1.0's 0.58 ms.

Usage::

    python benchmarks/online_latency.py [--seconds 30] [--out benchmarks/results]
"""

import argparse
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import torch
from _common import (
    SFREQ,
    log,
    machine_description,
    make_classifier,
    seed_ch_names,
    simulate_seed_like,
)

V010_P50_MS = 0.58  # predict_proba(X[i:i+1]) in 0.1.0 (benchmarks/results/cpu-2026-11-22.md)


def percentiles_interleaved(fns, n_calls, warmup=50):
    """p50 and p99 (ms) of each function, called in turn so that load hits all alike."""
    times = {name: [] for name in fns}
    for i in range(warmup + n_calls):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn(i % 200)
            if i >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: (np.percentile(t, 50) * 1e3, np.percentile(t, 99) * 1e3)
            for name, t in times.items()}


def single_window(clf, X, n_calls):
    from skorch import NeuralNet

    from mne_hamnet._input import _warn_if_volts
    from mne_hamnet._predict import predict_proba_windows

    module = clf.module_.eval()
    x = torch.as_tensor(X[:200])

    def forward(i):
        with torch.inference_mode():
            module(x[i:i + 1]).softmax(-1).numpy()

    def before(i):
        # the checks as they were: the same conversion, plus a median over the window
        window = clf._predict_windows(X[i:i + 1])
        magnitudes = np.abs(window[window != 0], dtype=np.float64)
        float(np.median(magnitudes))
        with clf._on_device("cpu"):
            NeuralNet.predict_proba(clf, window)

    assert _warn_if_volts  # the check predict_proba runs now, inside _predict_windows
    return percentiles_interleaved({
        "predict_proba(X[i:i+1]), now": lambda i: clf.predict_proba(X[i:i + 1]),
        "the same checks, then skorch's NeuralNet.predict_proba (the path before)": before,
        "the decoder's no-check path (predict_proba_windows)":
            lambda i: predict_proba_windows(clf, X[i:i + 1]),
        "module forward + softmax": forward,
    }, n_calls)


def recording(X):
    """The windows laid end to end as a continuous Raw in volts."""
    import mne

    info = mne.create_info(seed_ch_names(), SFREQ, "eeg")
    data = np.concatenate(list(X), axis=1).astype(np.float64) * 1e-6
    return mne.io.RawArray(data, info, verbose=False)


def live(clf, raw, seconds, step, chunk_size):
    from mne_lsl.player import PlayerLSL

    from mne_hamnet.online import OnlineDecoder

    name = f"hamnet-bench-{uuid.uuid4().hex[:8]}"
    player = PlayerLSL(raw, chunk_size=chunk_size, name=name, source_id=name,
                       annotations=False).start()
    try:
        decoder = OnlineDecoder(clf, name, step=step)
        decoder.connect()
        busy = []

        def timed(prediction):
            busy.append(time.perf_counter())

        decoder.callbacks.append(timed)
        start = time.perf_counter()
        predictions = decoder.run(duration=seconds)
        elapsed = time.perf_counter() - start
        decoder.close()
    finally:
        if player.running:
            player.stop()
    latency = np.array([p.latency for p in predictions]) * 1e3
    return {
        "step": step, "seconds": elapsed, "n": len(predictions),
        # windows per second of the decoder's own output, first to last
        "rate": (len(busy) - 1) / (busy[-1] - busy[0]),
        "asked": SFREQ / max(1, round(step * SFREQ)),
        "p50": float(np.percentile(latency, 50)),
        "p99": float(np.percentile(latency, 99)),
        "max": float(latency.max()),
        "lead_ms": chunk_size / SFREQ * 1e3,
        "stop": decoder.stop_reason,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="live decoding time")
    parser.add_argument("--calls", type=int, default=2000, help="single-window calls")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, y = simulate_seed_like(600, random_state=0)
    log("fitting a classifier (1 + 1 epochs: the network's size is what matters)")
    clf = make_classifier("cpu", (1, 1)).fit(X[:300], y[:300])
    log("single-window calls")
    single = single_window(clf, X, args.calls)
    raw = recording(X[300:])
    log(f"live: 1-s windows every 0.1 s for {args.seconds:g} s")
    stepped = live(clf, raw, args.seconds, 0.1, chunk_size=1)
    log("live: a window every sample")
    flood = live(clf, raw, min(args.seconds, 15.0), 1 / SFREQ, chunk_size=1)

    now = single["predict_proba(X[i:i+1]), now"][0]
    forward = single["module forward + softmax"][0]
    lines = [
        "# Online decoding: latency through an LSL stream", "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        f"`python benchmarks/online_latency.py --seconds {args.seconds:g}`; torch on one "
        "thread.", "",
        "| machine | |", "|---|---|",
        *[f"| {key} | {value} |" for key, value in machine_description("cpu")], "",
        "## Single window (62 × 200), one thread", "",
        f"{args.calls} calls of each, interleaved call by call (so that the load of the "
        "machine falls on all alike), after 50 warm-up calls.", "",
        "| call | p50 (ms) | p99 (ms) | p50 vs forward |", "|---|---|---|---|",
    ]
    lines += [f"| {label} | {p50:.3f} | {p99:.3f} | {p50 / forward:.2f}x |"
              for label, (p50, p99) in single.items()]
    lines += [
        "", f"0.1.0's `predict_proba(X[i:i+1])` p50: {V010_P50_MS} ms (on a quiet machine, "
        f"where the forward took about 0.3 ms). Here `predict_proba` costs "
        f"{now / forward:.2f}x the forward it wraps.", "",
        "## Live, through PlayerLSL", "",
        "A 62-channel recording at 200 Hz played by MNE-LSL's `PlayerLSL` (one sample per "
        "chunk) on this machine, decoded by `OnlineDecoder` (its own LSL inlet, 1 ms "
        "polling). Latency: from the LSL timestamp of a window's last sample to its "
        "prediction. `PlayerLSL` stamps each chunk with the time its last sample is due, "
        "one chunk (5 ms here) before it is pushed, so the true delay from the sample's "
        "push to the prediction is the latency plus up to 5 ms. Every window counts, the "
        "first included.", "",
        "| windows | asked (windows/s) | sustained (windows/s) | latency p50 (ms) | "
        "p99 (ms) | max (ms) | p50 / predict p50 | stopped by |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, run in (("1 s every 0.1 s", stepped), ("1 s every sample", flood)):
        lines.append(
            f"| {label} | {run['asked']:.0f} | {run['rate']:.1f} | {run['p50']:.2f} | "
            f"{run['p99']:.2f} | {run['max']:.1f} | {run['p50'] / now:.1f}x | "
            f"{run['stop']} |")
    lines += [
        "", "The ratio compares the live latency p50 with the single-window "
        "`predict_proba` p50 above: what the stream, the buffer and the loop add to the "
        "model's own time.", "",
    ]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"online-latency-{time.strftime('%Y-%m-%d')}.md"
    path.write_text("\n".join(lines))
    print("\n".join(lines))
    log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
