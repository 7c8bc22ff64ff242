"""Section 1 of the benchmarks: training throughput of HAMNet, references and peers."""

import gc
import traceback

import numpy as np
from _common import (
    BATCH_SIZE,
    N_CHANS,
    N_CLASSES,
    N_TIMES,
    PEER_NETWORKS,
    braindecode_status,
    fmt,
    log,
    train_braindecode,
    train_classifier,
    train_plain,
    train_skorch_default,
)


def measure(args, device, X, y, mirror_index):
    """Training windows/s of every trainer, interleaved, with ratios to the references."""
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
                    f"usable ({why_not})") for m in PEER_NETWORKS]
    else:
        for model in PEER_NETWORKS:
            trainers.append((f"braindecode {version} {model} (make_pipelines)",
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



def markdown(tp):
    """The section's Markdown lines, and the figures the targets table reads."""
    res = tp["results"]
    measured = {}
    lines = [
        "## 1. Training throughput", "",
        f"SEED-shaped simulated data: {tp['n_windows']:,} windows of {N_CHANS} channels x "
        f"{N_TIMES} samples, {N_CLASSES} classes, batch {BATCH_SIZE}, Adam with the "
        f"paper's learning rates. HAMNet rows train both stages (pretraining, then "
        f"the two-branch network): {tp['epochs'][0]} + {tp['epochs'][1]} epochs, the "
        f"direct-convolution reference {tp['reference_epochs'][0]} + "
        f"{tp['reference_epochs'][1]}; braindecode's networks, built by `make_pipelines` "
        f"(their band-pass, channel scaling and authors' optimisers included), train "
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
    return lines, measured
