#!/usr/bin/env python
"""Measure mne-hamnet side by side with reference loops and peers, in one run.

Run from the repository root::

    python benchmarks/run_benchmarks.py            # full run
    python benchmarks/run_benchmarks.py --quick    # smaller sizes, a smoke run

The script writes a Markdown report, with a description of the machine, to
``benchmarks/results/<device>-<date>[-quick].md`` and prints it. See
``benchmarks/README.md`` for what is measured and the targets.

All speed-ups are ratios against references measured in the same run, with
the trainers interleaved, so that a shared or throttled machine slows every
contender alike.
"""

import argparse
import contextlib
import datetime
import gc
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

N_CHANS, N_TIMES, SFREQ, N_CLASSES, BATCH_SIZE = 62, 200, 200.0, 3, 100
FOLD_WINDOWS = 2720  # training windows of one fold of the paper's protocol
PAPER_EPOCHS = (800, 600)
LEARNING_RATES = (1e-4, 5e-5)  # the paper's, for pretraining and finetuning
TARGETS = {
    "speedup": 3.0,  # CPU training throughput vs the eager direct-convolution loop
    "skorch_overhead": 0.10,  # HAMNetClassifier vs a plain loop over the same module
    "latency_p50_ms": 1.0,  # single-window CPU inference
    "memory_fraction": 0.20,  # peak memory above the float32 data during fit
    "fold_seconds": 30.0,  # one paper-protocol fold on an H100-class GPU
}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------- data
def seed_ch_names():
    from mne_hamnet.datasets import SEED_CH_NAMES

    return list(SEED_CH_NAMES)


def simulate_seed_like(n_windows, random_state=0, chunk=1000):
    """SEED-shaped float32 windows in µV with a learnable gamma asymmetry.

    Class 0 carries more 50 Hz power on the left hemisphere, class 1 on the
    right, class 2 on neither. Generated in chunks, in float32, so that no
    float64 temporary of the whole data set is ever made.
    """
    names = seed_ch_names()
    side = np.array([0 if n[-1].upper() == "Z" else (-1 if int(n[-1]) % 2 else 1)
                     for n in names])
    rng = np.random.default_rng(random_state)
    t = (np.arange(N_TIMES) / SFREQ).astype(np.float32)
    X = np.empty((n_windows, N_CHANS, N_TIMES), np.float32)
    y = np.arange(n_windows) % N_CLASSES
    rng.shuffle(y)
    gain = np.ones((N_CLASSES, N_CHANS), np.float32)
    gain[0, side == -1] = 1.5
    gain[1, side == 1] = 1.5
    for start in range(0, n_windows, chunk):
        stop = min(start + chunk, n_windows)
        block = X[start:stop]
        rng.standard_normal(out=block, dtype=np.float32)
        block *= 10.0
        phase = rng.uniform(0, 2 * np.pi, size=(stop - start, N_CHANS, 1)).astype(np.float32)
        block += (8.0 * gain[y[start:stop]])[:, :, None] * np.sin(
            np.float32(2 * np.pi * 50.0) * t + phase)
    return X, y


def mirror_index_for(ch_names):
    import mne

    from mne_hamnet import HemisphereMirror

    info = mne.create_info(ch_names, SFREQ, "eeg", verbose=False)
    return HemisphereMirror().fit(info).mirror_index_


# ------------------------------------------------------------------ timing
def synchronize(device):
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


class Timer:
    """Wall and process CPU time of a block, synchronising CUDA at both ends."""

    def __init__(self, device):
        self.device = device

    def __enter__(self):
        synchronize(self.device)
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        synchronize(self.device)
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


# ---------------------------------------------------------------- trainers
def make_classifier(device, epochs, **kwargs):
    from mne_hamnet import HAMNetClassifier

    return HAMNetClassifier(
        pretrain_epochs=epochs[0], finetune_epochs=epochs[1], pretrain_lr=LEARNING_RATES[0],
        finetune_lr=LEARNING_RATES[1], batch_size=BATCH_SIZE, sfreq=SFREQ,
        ch_names=seed_ch_names(), device=device, random_state=0, verbose=0, **kwargs)


def train_classifier(X, y, device, epochs, **kwargs):
    clf = make_classifier(device, epochs, **kwargs)
    with Timer(device) as timer:
        clf.fit(X, y)
    stages = [sum(row["dur"] for row in clf.history_pretrain_)]
    if epochs[1]:
        stages.append(sum(row["dur"] for row in clf.history_))
    return {"wall": timer.wall, "cpu": timer.cpu, "stages": stages, "model": clf}


def plain_loop(net, X, y, epochs, lr, generator, batch_size=BATCH_SIZE):
    """A careful hand-written loop: device-resident data, one sync per epoch."""
    optimizer = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=lr)
    net.train()
    n = len(X)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator, device=X.device)
        total = torch.zeros((), device=X.device)
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(X[index]), y[index])
            loss.backward()
            optimizer.step()
            total += loss.detach()
        if not torch.isfinite(total):  # the one synchronisation of the epoch
            raise FloatingPointError("the training loss diverged")
    return net


def train_plain(X, y, device, epochs, band_power, mirror_index, return_model=False,
                module_kwargs=None):
    """Both stages of HAMNet with :func:`plain_loop`, as a script would do."""
    from mne_hamnet.hamnet import HAMNet

    sizes = dict(n_chans=X.shape[1], n_outputs=N_CLASSES, n_times=X.shape[2], sfreq=SFREQ,
                 band_power=band_power, **(module_kwargs or {}))
    stages = []
    with Timer(device) as timer:
        X_t = torch.as_tensor(X, device=device)
        y_t = torch.as_tensor(y, device=device)
        generator = torch.Generator(device=X_t.device).manual_seed(0)
        torch.manual_seed(0)
        pretrain = HAMNet(**sizes).to(device)
        with Timer(device) as stage:
            plain_loop(pretrain, X_t, y_t, epochs[0], LEARNING_RATES[0], generator)
        stages.append(stage.wall)
        net = pretrain
        if epochs[1]:
            net = HAMNet(**sizes, mirror_index=mirror_index).to(device)
            net.load_pretrained(pretrain)
            with Timer(device) as stage:
                plain_loop(net, X_t, y_t, epochs[1], LEARNING_RATES[1], generator)
            stages.append(stage.wall)
    result = {"wall": timer.wall, "cpu": timer.cpu, "stages": stages}
    if return_model:
        result["model"] = net
    return result


def train_skorch_default(X, y, device, epochs, mirror_index):
    """skorch's defaults: a DataLoader with per-window __getitem__ and collate."""
    from skorch import NeuralNetClassifier

    from mne_hamnet.hamnet import HAMNet

    sizes = dict(n_chans=X.shape[1], n_outputs=N_CLASSES, n_times=X.shape[2], sfreq=SFREQ)
    common = dict(criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam,
                  batch_size=BATCH_SIZE, train_split=None, iterator_train__shuffle=True,
                  device=device, verbose=0, classes=list(range(N_CLASSES)))
    stages = []
    with Timer(device) as timer:
        torch.manual_seed(0)
        net1 = NeuralNetClassifier(HAMNet(**sizes), lr=LEARNING_RATES[0],
                                   max_epochs=epochs[0], **common)
        with Timer(device) as stage:
            net1.fit(X, y)
        stages.append(stage.wall)
        if epochs[1]:
            module = HAMNet(**sizes, mirror_index=mirror_index).load_pretrained(net1.module_)
            net2 = NeuralNetClassifier(module, lr=LEARNING_RATES[1], max_epochs=epochs[1],
                                       **common)
            with Timer(device) as stage:
                net2.fit(X, y)
            stages.append(stage.wall)
    return {"wall": timer.wall, "cpu": timer.cpu, "stages": stages}


def braindecode_status():
    """Version of an importable braindecode, or why it cannot be used."""
    try:
        import braindecode
        from braindecode import (
            EEGClassifier,  # noqa: F401
            models,  # noqa: F401
        )
    except Exception as err:  # an installed but broken braindecode raises OSError too
        return None, f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
    return braindecode.__version__, None


def train_braindecode(X, y, device, epochs, model_name):
    """braindecode's EEGClassifier with its defaults, for the same window passes."""
    from braindecode import EEGClassifier, models

    if model_name == "EEGNet":
        model = getattr(models, "EEGNet", None) or models.EEGNetv4
        extra = {}
    else:
        model = models.ShallowFBCSPNet
        extra = {"module__final_conv_length": "auto"}
    torch.manual_seed(0)
    clf = EEGClassifier(
        model, module__n_chans=X.shape[1], module__n_outputs=N_CLASSES,
        module__n_times=X.shape[2], optimizer=torch.optim.Adam, lr=LEARNING_RATES[0],
        batch_size=BATCH_SIZE, max_epochs=sum(epochs), train_split=None, device=device,
        verbose=0, classes=list(range(N_CLASSES)), **extra)
    with Timer(device) as timer:
        clf.fit(X, y)
    return {"wall": timer.wall, "cpu": timer.cpu, "stages": []}


# ------------------------------------------------------- 1. throughput
def bench_throughput(args, device, X, y, mirror_index):
    quick = args.quick
    epochs = (1, 1) if quick else (3, 3)
    reference_epochs = (1, 1)
    repeats = 2 if quick else 5
    n = len(X)
    trainers = [
        ("HAMNetClassifier", "classifier", epochs,
         lambda X, y, e: train_classifier(X, y, device, e)),
        ("plain loop, same fast module", "plain_fast", epochs,
         lambda X, y, e: train_plain(X, y, device, e, "auto", mirror_index)),
        ("plain eager loop, direct convolution (reference)", "plain_direct", reference_epochs,
         lambda X, y, e: train_plain(X, y, device, e, "direct", mirror_index)),
        ("skorch defaults (DataLoader, per-window __getitem__), same fast module",
         "skorch_default", epochs,
         lambda X, y, e: train_skorch_default(X, y, device, e, mirror_index)),
    ]
    version, why_not = braindecode_status()
    skipped = []
    if version is None:
        skipped = [(f"braindecode EEGClassifier + {m}", f"skipped: braindecode is not "
                    f"usable ({why_not})") for m in ("ShallowFBCSPNet", "EEGNet")]
    else:
        for model in ("ShallowFBCSPNet", "EEGNet"):
            trainers.append((f"braindecode {version} EEGClassifier + {model}",
                             f"braindecode_{model}", epochs,
                             lambda X, y, e, m=model: train_braindecode(X, y, device, e, m)))

    failed = {}
    log("throughput: warming up every trainer")
    for label, key, _, run in trainers:
        try:
            run(X[:200], y[:200], (1, 1))
        except Exception:
            failed[key] = traceback.format_exc(limit=2).strip().splitlines()[-1]
            log(f"  {label} failed: {failed[key]}")
    results = {key: [] for _, key, _, _ in trainers}
    for repeat in range(repeats):
        # alternate the order, so that no trainer always follows the same one
        for label, key, trainer_epochs, run in trainers[::1 if repeat % 2 == 0 else -1]:
            if key in failed:
                continue
            log(f"throughput repeat {repeat + 1}/{repeats}: {label}")
            gc.collect()
            out = run(X, y, trainer_epochs)
            out["windows"] = n * sum(trainer_epochs)
            out["stage_windows"] = [n * e for e in trainer_epochs]
            out.pop("model", None)
            results[key].append(out)
    log("throughput: per-batch bookkeeping with a minimal network")
    try:
        bookkeeping = bench_bookkeeping(device, X, y, mirror_index, repeats)
    except Exception:
        bookkeeping = {"error": traceback.format_exc(limit=2).strip().splitlines()[-1]}
    return {"trainers": [(label, key, e) for label, key, e, _ in trainers],
            "bookkeeping": bookkeeping,
            "results": results, "failed": failed, "skipped": skipped, "repeats": repeats,
            "n_windows": n, "epochs": epochs, "reference_epochs": reference_epochs}


# one spatial filter, one band, three taps: almost no arithmetic per batch
MINIMAL_NETWORK = {"n_spatial_filters": 1, "bands": [(40.0, 44.0)], "filter_length": 3}


def bench_bookkeeping(device, X, y, mirror_index, repeats):
    """Per-batch time of HAMNetClassifier above a plain loop, with a minimal network.

    With almost no arithmetic per batch, the difference is the per-batch
    bookkeeping (skorch's callbacks, history and loss handling), which
    adds to every batch whatever the network.
    """
    epochs = (3, 3)
    n_batches = sum(-(-len(X) // BATCH_SIZE) * e for e in epochs)
    params = {f"module__{k}": v for k, v in MINIMAL_NETWORK.items()}
    train_classifier(X[:200], y[:200], device, (1, 1), **params)
    train_plain(X[:200], y[:200], device, (1, 1), "auto", mirror_index,
                module_kwargs=MINIMAL_NETWORK)
    per_batch, batch_ms = [], []
    for _ in range(repeats):
        a = train_classifier(X, y, device, epochs, **params)
        b = train_plain(X, y, device, epochs, "auto", mirror_index,
                        module_kwargs=MINIMAL_NETWORK)
        per_batch.append((sum(a["stages"]) - sum(b["stages"])) / n_batches * 1e6)
        batch_ms.append(sum(b["stages"]) / n_batches * 1e3)
    return {"per_batch_us": float(np.median(per_batch)),
            "plain_batch_ms": float(np.median(batch_ms))}


def _rate(out):
    return out["windows"] / out["wall"]


def _ratio_of_rates(results, key, reference, cpu=False):
    """Median over repeats of the per-repeat throughput ratio key / reference."""
    ratios = []
    for a, b in zip(results[key], results[reference]):
        if cpu:
            ratios.append((a["windows"] / a["cpu"]) / (b["windows"] / b["cpu"]))
        else:
            ratios.append(_rate(a) / _rate(b))
    return float(np.median(ratios)) if ratios else float("nan")


# ---------------------------------------------------------- 2. latency
def bench_latency(args, device, X, y):
    from mne_hamnet.hamnet import HAMNet

    log("latency: fitting a classifier to predict with")
    clf = make_classifier(device, (1, 1)).fit(X[:500], y[:500])
    n_calls = 200 if args.quick else 1000
    windows = X[:n_calls]

    def percentiles(fn):
        for i in range(20):
            fn(i)
        times = []
        for i in range(n_calls):
            start = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - start)
        return np.percentile(times, 50) * 1e3, np.percentile(times, 95) * 1e3

    rows = []
    rows.append(("HAMNetClassifier.predict_proba(X[i:i+1])",
                 *percentiles(lambda i: clf.predict_proba(windows[i:i + 1]))))
    module = clf.module_.eval()
    direct = HAMNet(N_CHANS, N_CLASSES, N_TIMES, SFREQ, mirror_index=module.mirror_index.cpu(),
                    band_power="direct").to(device)
    direct.load_state_dict(module.state_dict())
    direct.eval()
    x_device = torch.as_tensor(windows, device=device)
    for label, net in ((f"module forward + softmax, {module.band_power_path_} path", module),
                       ("module forward + softmax, direct path", direct)):
        def forward(i, net=net):
            with torch.inference_mode():
                net(x_device[i:i + 1]).softmax(-1).cpu()
        rows.append((label, *percentiles(forward)))

    batch = X[:1000]
    clf.predict_proba(batch)
    batch_times = []
    for _ in range(3 if args.quick else 7):
        with Timer(device) as timer:
            clf.predict_proba(batch)
        batch_times.append(timer.wall)
    return {"single": rows, "n_calls": n_calls, "batch_ms": float(np.median(batch_times)) * 1e3,
            "batch_size": len(batch)}


# ----------------------------------------------------------- 3. memory
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


def bench_memory(args, device):
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
        command = [sys.executable, str(Path(__file__).resolve()), "--memory-child", str(n),
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


# ------------------------------------------------------ 4. CUDA fold
def bench_cuda_fold(args, device, mirror_index):
    """One fold of the paper's protocol, and the accuracy of compile and AMP.

    Mixed precision and compilation are the classifier's own options:
    ``amp=True`` (bfloat16 autocast) and skorch's ``compile=True``.
    """
    epochs = PAPER_EPOCHS if not args.quick else (80, 60)
    if args.cuda_section_on_cpu:  # development smoke run of this code path
        epochs = (2, 2)
    X, y = simulate_seed_like(FOLD_WINDOWS, random_state=1)
    X_test, y_test = simulate_seed_like(680, random_state=2)
    rows = []

    def accuracy(model):
        if hasattr(model, "predict"):
            return float(np.mean(model.predict(X_test) == y_test))
        model.eval()
        with torch.inference_mode():
            logits = model(torch.as_tensor(X_test, device=device))
        return float(np.mean(logits.argmax(1).cpu().numpy() == y_test))

    runs = [
        ("HAMNetClassifier", lambda: train_classifier(X, y, device, epochs)),
        ("HAMNetClassifier(amp=True)",
         lambda: train_classifier(X, y, device, epochs, amp=True)),
        ("HAMNetClassifier(compile=True)",
         lambda: train_classifier(X, y, device, epochs, compile=True)),
        ("HAMNetClassifier(amp=True, compile=True)",
         lambda: train_classifier(X, y, device, epochs, amp=True, compile=True)),
        ("plain loop, same fast module (float32)",
         lambda: train_plain(X, y, device, epochs, "auto", mirror_index, return_model=True)),
    ]
    for label, run in runs:
        log(f"cuda fold: {label}")
        try:
            out = run()
            rows.append((label, out["wall"], accuracy(out["model"]), None))
        except Exception:
            rows.append((label, float("nan"), float("nan"),
                         traceback.format_exc(limit=2).strip().splitlines()[-1]))
        gc.collect()
    return {"rows": rows, "epochs": epochs, "n_windows": len(X), "n_test": len(X_test)}


# ----------------------------------------------------------- report
def machine_description(device):
    import mne
    import skorch

    import mne_hamnet

    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    rows = [
        ("CPU", cpu),
        ("logical cores (usable by this process)", f"{os.cpu_count()} ({usable})"),
        ("memory", memory),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("torch", f"{torch.__version__} (intra-op threads: {torch.get_num_threads()}, "
                  f"parallel backend: {torch.__config__.parallel_info().splitlines()[-1]})"),
        ("numpy / skorch / mne / mne-hamnet",
         f"{np.__version__} / {skorch.__version__} / {mne.__version__} / "
         f"{mne_hamnet.__version__}"),
        ("device", device),
    ]
    if str(device).startswith("cuda"):
        rows.append(("GPU", f"{torch.cuda.get_device_name(device)}, CUDA {torch.version.cuda}"))
    if hasattr(os, "getloadavg"):
        rows.append(("load average at start (1, 5, 15 min)",
                     ", ".join(f"{v:.2f}" for v in os.getloadavg())))
    return rows


def fmt(value, digits=0):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def build_report(args, device, machine, sections, started, elapsed):
    lines = [f"# mne-hamnet benchmarks: {device}, {started:%Y-%m-%d}", ""]
    command = " ".join(["python benchmarks/run_benchmarks.py", *args.argv])
    lines += [f"Generated by `{command}` on {started:%Y-%m-%d %H:%M} in "
              f"{elapsed / 60:.1f} min{' (quick mode: smaller sizes)' if args.quick else ''}.",
              ""]
    lines += ["## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in machine]
    if hasattr(os, "getloadavg"):
        lines.append("| load average at end (1, 5, 15 min) | "
                     + ", ".join(f"{v:.2f}" for v in os.getloadavg()) + " |")
    lines.append("")
    measured = {}

    tp = sections.get("throughput")
    if tp:
        res = tp["results"]
        lines += [
            "## 1. Training throughput", "",
            f"SEED-shaped simulated data: {tp['n_windows']:,} windows of {N_CHANS} channels x "
            f"{N_TIMES} samples, {N_CLASSES} classes, batch {BATCH_SIZE}, Adam with the "
            f"paper's learning rates. HAMNet rows train both stages (pretraining, then "
            f"the two-branch network): {tp['epochs'][0]} + {tp['epochs'][1]} epochs, the "
            f"direct-convolution reference {tp['reference_epochs'][0]} + "
            f"{tp['reference_epochs'][1]}; braindecode models train "
            f"{sum(tp['epochs'])} epochs. Windows/s counts window passes over the whole "
            f"fit() call; the median of {tp['repeats']} interleaved repeats (min-max in "
            "brackets). Ratios are medians of per-repeat ratios; 'CPU-time ratio' uses "
            "process CPU time instead of wall time and is less sensitive to other load "
            "on the machine.", "",
            "| trainer | windows/s | stage 1 / stage 2 windows/s | vs direct reference "
            "(wall / CPU-time) |", "|---|---|---|---|"]
        for label, key, _ in tp["trainers"]:
            if key in tp["failed"]:
                lines.append(f"| {label} | failed: {tp['failed'][key]} | | |")
                continue
            outs = res[key]
            rates = [_rate(o) for o in outs]
            stage_rates = [np.median([o["stage_windows"][i] / o["stages"][i] for o in outs])
                           for i in range(len(outs[0]["stages"]))] if outs[0]["stages"] else []
            ratio = _ratio_of_rates(res, key, "plain_direct")
            ratio_cpu = _ratio_of_rates(res, key, "plain_direct", cpu=True)
            lines.append(
                f"| {label} | {fmt(np.median(rates))} [{fmt(min(rates))}-{fmt(max(rates))}] | "
                f"{' / '.join(fmt(r) for r in stage_rates) or '-'} | "
                f"{fmt(ratio, 2)}x / {fmt(ratio_cpu, 2)}x |")
        for label, why in tp["skipped"]:
            lines.append(f"| {label} | {why} | | |")
        speedup = _ratio_of_rates(res, "classifier", "plain_direct")
        overhead = 1 / _ratio_of_rates(res, "classifier", "plain_fast") - 1
        overhead_cpu = 1 / _ratio_of_rates(res, "classifier", "plain_fast", cpu=True) - 1
        n_batches = sum(-(-tp["n_windows"] // BATCH_SIZE) * e for e in tp["epochs"])
        per_batch_us = np.median([
            (a["wall"] - b["wall"]) / n_batches * 1e6
            for a, b in zip(res["classifier"], res["plain_fast"])])
        # steady state: the epochs alone, without fit()'s fixed costs
        epoch_overhead = np.median([
            sum(a["stages"]) / sum(b["stages"]) - 1
            for a, b in zip(res["classifier"], res["plain_fast"])])
        measured["speedup"] = speedup
        measured["skorch_overhead"] = overhead
        measured["skorch_epoch_overhead"] = epoch_overhead
        lines += ["",
                  f"- HAMNetClassifier vs the eager direct-convolution loop: **{speedup:.2f}x** "
                  f"(CPU time: {_ratio_of_rates(res, 'classifier', 'plain_direct', True):.2f}x).",
                  f"- skorch overhead, HAMNetClassifier vs a plain loop over the same module: "
                  f"**{overhead * 100:+.1f} %** (CPU time: {overhead_cpu * 100:+.1f} %), "
                  f"{per_batch_us:.0f} µs per batch over the whole fit() call; "
                  f"counting the epochs alone (skorch's epoch durations against the plain "
                  f"loop's stage times): **{epoch_overhead * 100:+.1f} %**."]
        book = tp.get("bookkeeping", {})
        if "error" in book:
            lines.append(f"- per-batch bookkeeping: not measured ({book['error']}).")
        elif book:
            hamnet_batch_ms = np.median([
                sum(o["stages"]) / n_batches * 1e3 for o in res["plain_fast"]])
            measured["bookkeeping_share"] = book["per_batch_us"] / 1e3 / hamnet_batch_ms
            lines.append(
                f"- per-batch bookkeeping of HAMNetClassifier, measured with a minimal "
                f"network (one spatial filter, one band, 3 taps; a plain-loop batch of "
                f"{book['plain_batch_ms']:.2f} ms): **{book['per_batch_us']:.0f} µs** per "
                f"batch, {100 * measured['bookkeeping_share']:.1f} % of a "
                f"{hamnet_batch_ms:.1f} ms HAMNet batch here.")
        lines.append("")

    lat = sections.get("latency")
    if lat:
        lines += ["## 2. Inference latency", "",
                  f"One window at a time, {lat['n_calls']} calls after 20 warm-up calls; the "
                  "classifier row includes input checks and conversion to numpy.", "",
                  "| call | p50 (ms) | p95 (ms) |", "|---|---|---|"]
        lines += [f"| {label} | {p50:.3f} | {p95:.3f} |" for label, p50, p95 in lat["single"]]
        lines += ["", f"Batch of {lat['batch_size']:,} windows, "
                  f"`HAMNetClassifier.predict_proba`: {lat['batch_ms']:.1f} ms "
                  f"({lat['batch_size'] / lat['batch_ms'] * 1e3:,.0f} windows/s).", ""]
        measured["latency_p50_ms"] = lat["single"][0][1]
        measured["latency_module_p50_ms"] = lat["single"][1][1]

    mem = sections.get("memory")
    if mem:
        lines += ["## 3. Peak memory during fit", ""]
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

    fold = sections.get("cuda_fold")
    lines += ["## 4. One fold of the paper's protocol on CUDA", ""]
    if fold:
        lines += [f"{fold['n_windows']:,} windows, {fold['epochs'][0]} + {fold['epochs'][1]} "
                  f"epochs, batch {BATCH_SIZE}; accuracy on {fold['n_test']} new simulated "
                  "windows (the accuracy check of torch.compile and mixed precision: same "
                  "data, same seeds).", "",
                  "| trainer | wall time (s) | test accuracy | vs float32 eager | "
                  "acceptable (within 0.02) | note |", "|---|---|---|---|---|---|"]
        accuracies = {label: acc for label, _, acc, _ in fold["rows"]}
        for label, wall, acc, error in fold["rows"]:
            base = "HAMNetClassifier" if label.startswith("HAMNetClassifier(") else None
            delta = ok = ""
            if base is not None and np.isfinite(acc) and np.isfinite(accuracies.get(base, np.nan)):
                delta = f"{acc - accuracies[base]:+.3f}"
                ok = "yes" if abs(acc - accuracies[base]) <= 0.02 else "**no**"
            lines.append(f"| {label} | {fmt(wall, 1)} | {fmt(acc, 3)} | {delta} | {ok} | "
                         f"{error or ''} |")
        lines.append("")
        if fold["epochs"] == PAPER_EPOCHS:
            measured["fold_seconds"] = fold["rows"][0][1]
    else:
        lines += [sections.get("cuda_skip", "Not measured."), ""]

    lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]

    def verdict(ok):
        return "n/a" if ok is None else ("yes" if ok else "**no**")

    s = measured.get("speedup")
    lines.append(f"| CPU training throughput >= {TARGETS['speedup']:g}x the eager direct-"
                 f"convolution reference | {'n/a' if s is None else f'{s:.2f}x'} | "
                 f"{verdict(None if s is None else s >= TARGETS['speedup'])} |")
    o = measured.get("skorch_overhead")
    e = measured.get("skorch_epoch_overhead")
    b = measured.get("bookkeeping_share")
    lines.append(f"| skorch overhead <= {TARGETS['skorch_overhead'] * 100:g} % | "
                 f"{'n/a' if o is None else f'{o * 100:+.1f} % (whole fit)'}"
                 f"{'' if e is None else f'; {e * 100:+.1f} % (epochs alone)'}"
                 f"{'' if b is None else f'; per-batch bookkeeping {b * 100:.1f} %'} | "
                 f"{verdict(None if o is None else o <= TARGETS['skorch_overhead'])} |")
    p = measured.get("latency_p50_ms")
    latency = "n/a" if p is None else (
        f"{p:.3f} ms (classifier); {measured['latency_module_p50_ms']:.3f} ms (module)")
    lines.append(f"| single-window inference p50 <= {TARGETS['latency_p50_ms']:g} ms | "
                 f"{latency} | "
                 f"{verdict(None if p is None else p <= TARGETS['latency_p50_ms'])} |")
    m = measured.get("memory_by_size")
    if m:
        text = "arrays: " + ", ".join(f"{n:,}: {100 * v:.0f} %" for n, v in sorted(m.items()))
        by_epochs = measured.get("memory_epochs_by_size")
        if by_epochs:
            text += "; Epochs: " + ", ".join(
                f"{n:,}: {100 * v:.0f} %" for n, v in sorted(by_epochs.items()))
        ok = measured["memory_fraction"] <= TARGETS["memory_fraction"]
        lines.append(f"| peak memory above the float32 data during fit <= "
                     f"{TARGETS['memory_fraction'] * 100:g} % (windows: share) | {text} | "
                     f"{verdict(ok)} (largest size) |")
    else:
        lines.append("| peak memory above the float32 data <= 20 % | n/a | n/a |")
    f_s = measured.get("fold_seconds")
    why = "no CUDA device" if fold is None else "fewer epochs than the paper's in this run"
    lines.append(f"| one paper-protocol fold on an H100-class GPU <= "
                 f"{TARGETS['fold_seconds']:g} s | "
                 f"{f'not measured ({why})' if f_s is None else f'{f_s:.1f} s'} | "
                 f"{verdict(None if f_s is None else f_s <= TARGETS['fold_seconds'])} |")
    lines.append("")
    return "\n".join(lines)


# -------------------------------------------------------------------- main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes and fewer repeats (a smoke run, ~2 min)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"),
                        help="folder for the Markdown report (default: benchmarks/results)")
    parser.add_argument("--device", default="auto",
                        help="'auto' (CUDA when available), 'cpu' or 'cuda[:N]'")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads (default: torch's default)")
    parser.add_argument("--sections", default="throughput,latency,memory,cuda",
                        help="comma-separated subset of throughput,latency,memory,cuda")
    parser.add_argument("--name", default=None,
                        help="report file name (default: <device>-<date>[-quick].md)")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory-input", default="array", help=argparse.SUPPRESS)
    parser.add_argument("--cuda-section-on-cpu", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from mne_hamnet.classifier import resolve_device

    device = resolve_device(args.device)
    if args.memory_child:
        memory_child(args.memory_child, device, args.memory_input)
        return
    started, start = datetime.datetime.now(), time.perf_counter()
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    machine = machine_description(device)
    results = {}
    ch_names = seed_ch_names()
    mirror_index = mirror_index_for(ch_names)
    X, y = simulate_seed_like(1000 if args.quick else FOLD_WINDOWS)
    if "throughput" in sections:
        results["throughput"] = bench_throughput(args, device, X, y, mirror_index)
    if "latency" in sections:
        results["latency"] = bench_latency(args, device, X, y)
    del X, y
    if "memory" in sections:
        results["memory"] = bench_memory(args, device)
    if "cuda" in sections:
        if device.startswith("cuda") or args.cuda_section_on_cpu:
            results["cuda_fold"] = bench_cuda_fold(args, device, mirror_index)
        else:
            results["cuda_skip"] = (
                "Not measured: no CUDA device on this machine "
                f"(torch {torch.__version__}, torch.cuda.is_available() is False). The "
                "script runs this section, with the classifier's amp=True (bfloat16 "
                "autocast) and compile=True options and their accuracy check, when it "
                "finds a GPU.")
    report = build_report(args, device, machine, results, started,
                          time.perf_counter() - start)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = args.name or (f"{device.split(':')[0]}-{started:%Y-%m-%d}"
                         f"{'-quick' if args.quick else ''}.md")
    (out / name).write_text(report)
    print(report)
    log(f"report written to {out / name}")


if __name__ == "__main__":
    main()
