"""Section 3 of the benchmarks: peak memory during fit, arrays and Epochs."""

import gc
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from _common import (
    N_CHANS,
    N_TIMES,
    SFREQ,
    Timer,
    fmt,
    log,
    make_classifier,
    seed_ch_names,
    simulate_seed_like,
)


def _proc_status(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak_rss():
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def simulate_seed_epochs(n_windows):
    """:func:`simulate_seed_like` as float64 Epochs in volts, as MNE holds them."""
    import mne

    X, y = simulate_seed_like(n_windows)
    data = X.astype(np.float64)
    del X
    data *= 1e-6
    info = mne.create_info(seed_ch_names(), SFREQ, "eeg", verbose=False)
    events = np.column_stack([np.arange(n_windows) * N_TIMES, np.zeros(n_windows, int),
                              y + 1])
    return mne.EpochsArray(data, info, events=events, verbose=False)


def conversion_child(n_windows):
    """Peak memory of converting Epochs to float32 µV, all at once and in chunks.

    Shows why the package converts a chunk of epochs at a time
    (``_input._epochs_float32``): ``get_data`` of everything makes a float64
    copy twice the size of the float32 result.
    """
    from mne_hamnet._input import _epochs_float32

    epochs = simulate_seed_epochs(n_windows)
    picks = epochs.ch_names
    float32_bytes = n_windows * N_CHANS * N_TIMES * 4
    result = {"n_windows": n_windows, "data_bytes": float32_bytes, "kind": "conversion"}
    methods = {
        "all at once": lambda: epochs.get_data(picks=picks, units="uV").astype(np.float32),
        "in chunks of 256 (the package)": lambda: _epochs_float32(epochs, picks),
    }
    for name, convert in methods.items():
        gc.collect()
        _reset_peak_rss()
        baseline = _proc_status("VmRSS")
        with Timer("cpu") as timer:
            out = convert()
        result[name] = {"extra": _proc_status("VmHWM") - baseline - out.nbytes,
                        "seconds": timer.wall}
        del out
    print(json.dumps(result), flush=True)


def memory_child(n_windows, device, kind):
    """Peak resident memory of one fit, above the data (run in a subprocess)."""
    if kind == "conversion":
        return conversion_child(n_windows)
    if kind == "epochs":
        X, y = simulate_seed_epochs(n_windows), None
        warm = (X[:200], None)
    else:
        X, y = simulate_seed_like(n_windows)
        warm = (X[:200], y[:200])
    float32_bytes = n_windows * N_CHANS * N_TIMES * 4
    clf = make_classifier(device, (1, 1))
    clf.fit(*warm)  # imports and initialises everything once
    del warm
    gc.collect()
    on_cuda = str(device).startswith("cuda")
    if on_cuda:
        torch.cuda.reset_peak_memory_stats()
        cuda_base = torch.cuda.memory_allocated()
    _reset_peak_rss()
    baseline = _proc_status("VmRSS")
    with Timer(device) as timer:
        clf.fit(X, y)
    extra = _proc_status("VmHWM") - baseline
    if kind == "epochs":
        extra -= float32_bytes  # the float32 data set is made inside fit
    result = {"n_windows": n_windows, "data_bytes": float32_bytes, "baseline": baseline,
              "extra": extra, "fit_s": timer.wall, "kind": kind}
    if on_cuda:
        result["cuda_extra"] = torch.cuda.max_memory_allocated() - cuda_base - float32_bytes
    print(json.dumps(result), flush=True)


def measure(args, device, runner):
    """Peak memory of fits of growing size, each in a fresh subprocess of ``runner``."""
    if not Path("/proc/self/clear_refs").exists():
        return {"error": "peak RSS needs Linux's /proc/self/clear_refs"}
    sizes = [1000, 2720, 5000] if args.quick else [1000, 2720, 5000, 10_000, 20_000, 50_000]
    epochs_sizes = [2720] if args.quick else [2720, 10_000]
    runs = [("array", n) for n in sizes]
    runs += [("epochs", n) for n in epochs_sizes]
    runs += [("conversion", n) for n in epochs_sizes]
    rows, errors = [], []
    for kind, n in runs:
        log(f"memory: {n} windows, {kind} input")
        command = [sys.executable, str(runner), "--memory-child", str(n),
                   "--memory-input", kind, "--device", device]
        if args.threads:
            command += ["--threads", str(args.threads)]
        done = subprocess.run(command, capture_output=True, text=True)
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
        if done.returncode or not lines:
            errors.append(f"{n} windows, {kind}: exit {done.returncode}: "
                          f"{done.stderr.strip().splitlines()[-1:]}")
            continue
        rows.append(json.loads(lines[-1]))
    return {"rows": rows, "errors": errors}



def markdown(mem):
    """The section's Markdown lines, and the figures the targets table reads."""
    measured = {}
    lines = ["## 3. Peak memory during fit", ""]
    if "error" in mem:
        lines += [f"Not measured: {mem['error']}.", ""]
    else:
        lines += [
            "Each measurement is a fresh subprocess: simulate float32 data, fit once "
            "on 200 windows to load and initialise everything, reset the peak RSS "
            "(`/proc/self/clear_refs`), then fit 1 + 1 epochs on all windows. 'Extra' "
            "is the peak resident memory above the RSS before that fit, in MB and as a "
            "share of the float32 data.", "",
            "| windows | float32 data (MB) | extra during fit | fit time (s) |",
            "|---|---|---|---|"]

        def extra_cell(row):
            return (f"{fmt(row['extra'] / 1e6, 1)} "
                    f"({fmt(100 * row['extra'] / row['data_bytes'], 1)} %)")

        per_size = {}
        array_rows = sorted((row for row in mem["rows"] if row["kind"] == "array"),
                            key=lambda r: r["n_windows"])
        for row in array_rows:
            lines.append(f"| {row['n_windows']:,} | {fmt(row['data_bytes'] / 1e6, 1)} | "
                         f"{extra_cell(row)} | {fmt(row['fit_s'], 1)} |")
            if "cuda_extra" in row:
                lines.append(f"| | GPU: {fmt(row['cuda_extra'] / 1e6, 1)} MB above the "
                             "data | | |")
            per_size[row["n_windows"]] = row["extra"] / row["data_bytes"]
        epochs_rows = sorted((row for row in mem["rows"] if row["kind"] == "epochs"),
                             key=lambda r: r["n_windows"])
        if epochs_rows:
            lines += ["", "Epochs input (MNE holds float64 volts; fit makes the float32 "
                      "µV data set, which is not counted as extra):", "",
                      "| windows | float32 data (MB) | extra during fit | fit time (s) |",
                      "|---|---|---|---|"]
            lines += [f"| {row['n_windows']:,} | {fmt(row['data_bytes'] / 1e6, 1)} | "
                      f"{extra_cell(row)} | {fmt(row['fit_s'], 1)} |"
                      for row in epochs_rows]
        conversions = sorted((row for row in mem["rows"] if row["kind"] == "conversion"),
                             key=lambda r: r["n_windows"])
        if conversions:
            methods = [k for k in conversions[0] if isinstance(conversions[0][k], dict)]
            lines += ["", "Why the package converts Epochs a chunk of 256 epochs at a "
                      "time (`_input._epochs_float32`): `get_data(units=\"uV\")` of all "
                      "epochs at once makes a float64 copy of everything, twice the "
                      "float32 result. The conversion alone, peak above its float32 "
                      "result:", "",
                      "| windows | " + " | ".join(methods) + " |",
                      "|---|" + "---|" * len(methods)]
            for row in conversions:
                cells = [f"{row['n_windows']:,}"]
                for name in methods:
                    part = row[name]
                    cells.append(f"{fmt(part['extra'] / 1e6, 1)} MB "
                                 f"({fmt(100 * part['extra'] / row['data_bytes'], 1)} %), "
                                 f"{part['seconds']:.2f} s")
                lines.append("| " + " | ".join(cells) + " |")
        for error in mem["errors"]:
            lines.append(f"- failed: {error}")
        if per_size:
            measured["memory_fraction"] = per_size[max(per_size)]
            measured["memory_by_size"] = per_size
        if epochs_rows:
            measured["memory_epochs_by_size"] = {
                row["n_windows"]: row["extra"] / row["data_bytes"] for row in epochs_rows}
        lines.append("")
    return lines, measured
