"""Section 2 of the benchmarks: inference latency of HAMNet and the peers."""

import time

import numpy as np
import torch
from _common import (
    N_CHANS,
    N_CLASSES,
    N_TIMES,
    PEER_NETWORKS,
    SFREQ,
    Timer,
    braindecode_status,
    log,
    make_classifier,
    train_braindecode,
)


def measure(args, device, X, y):
    """Single-window latency of HAMNet and the peers, and one batch through HAMNet."""
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
    peers = measure_peers(device, X, y, percentiles)
    return {"single": rows, "n_calls": n_calls, "batch_ms": float(np.median(batch_times)) * 1e3,
            "batch_size": len(batch), **peers}


def measure_peers(device, X, y, percentiles):
    """The same single-window calls through braindecode's networks."""
    version, why_not = braindecode_status()
    if version is None:
        return {"peers_skipped": f"braindecode is not usable ({why_not})"}
    rows = []
    windows = X[:1000]
    for name in PEER_NETWORKS:
        log(f"latency: fitting {name} to predict with")
        pipe = train_braindecode(X[:500], y[:500], device, (1, 0), name)["model"]
        rows.append((f"braindecode {version} {name}: pipeline predict_proba(X[i:i+1])",
                     *percentiles(lambda i, pipe=pipe: pipe.predict_proba(windows[i:i + 1]))))
        module = pipe[-1].module_.eval()
        prepared = torch.as_tensor(pipe[:-1].transform(windows), device=device)

        def forward(i, module=module, prepared=prepared):
            with torch.inference_mode():
                module(prepared[i:i + 1]).softmax(-1).cpu()
        rows.append((f"braindecode {version} {name}: module forward + softmax",
                     *percentiles(forward)))
    return {"peers": rows}



def markdown(lat):
    """The section's Markdown lines, and the figures the targets table reads."""
    measured = {}
    lines = ["## 2. Inference latency", "",
              f"One window at a time, {lat['n_calls']} calls after 20 warm-up calls; the "
              "classifier row includes input checks and conversion to numpy.", "",
              "| call | p50 (ms) | p95 (ms) |", "|---|---|---|"]
    lines += [f"| {label} | {p50:.3f} | {p95:.3f} |" for label, p50, p95 in lat["single"]]
    lines += ["", f"Batch of {lat['batch_size']:,} windows, "
              f"`HAMNetClassifier.predict_proba`: {lat['batch_ms']:.1f} ms "
              f"({lat['batch_size'] / lat['batch_ms'] * 1e3:,.0f} windows/s).", ""]
    measured["latency_p50_ms"] = lat["single"][0][1]
    measured["latency_module_p50_ms"] = lat["single"][1][1]
    if "peers" in lat:
        lines += ["braindecode's networks as `make_pipelines` builds them, fitted one epoch "
                  "on 500 windows, the same calls; the pipeline row includes the band-pass "
                  "and channel scaling of the window:", "",
                  "| call | p50 (ms) | p95 (ms) | p50 vs the same HAMNet call |",
                  "|---|---|---|---|"]
        # the HAMNet reference of the same run: classifier call, module forward
        reference = {"pipeline": lat["single"][0][1], "module": lat["single"][1][1]}
        for label, p50, p95 in lat["peers"]:
            ratio = p50 / reference["pipeline" if "pipeline" in label else "module"]
            lines.append(f"| {label} | {p50:.3f} | {p95:.3f} | {ratio:.1f}x |")
        lines.append("")
    elif "peers_skipped" in lat:
        lines += [f"braindecode's networks: skipped, {lat['peers_skipped']}.", ""]
    return lines, measured
