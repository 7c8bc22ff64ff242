"""What every benchmark section shares: the simulated data, timers, trainers, formatting."""

import contextlib
import os
import platform
import sys
import time

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



# ------------------------------------------------------------- peers
#: braindecode's networks, as the package builds them (make_pipelines)
PEER_NETWORKS = ("ShallowFBCSPNet", "EEGNet", "TSception", "EEGConformer")


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



def make_peer(model_name, device, epochs):
    """A braindecode network's pipeline as ``make_pipelines`` builds it.

    Its recipe (band-pass, channel scaling, the authors' optimiser and
    kernels) is the one the benchmark command runs; it trains
    ``sum(epochs)`` epochs, HAMNet's budget.
    """
    from mne_hamnet.pipelines import make_pipelines

    return make_pipelines([model_name], sfreq=SFREQ, ch_names=seed_ch_names(),
                          pretrain_epochs=epochs[0], finetune_epochs=epochs[1],
                          batch_size=BATCH_SIZE, device=device, random_state=0)[model_name]


def train_braindecode(X, y, device, epochs, model_name):
    """One fit of a braindecode network's pipeline, for the same window passes."""
    pipe = make_peer(model_name, device, epochs)
    torch.manual_seed(0)
    with Timer(device) as timer:
        pipe.fit(X, y)
    return {"wall": timer.wall, "cpu": timer.cpu, "stages": [], "model": pipe}


# ------------------------------------------------------------- report
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

