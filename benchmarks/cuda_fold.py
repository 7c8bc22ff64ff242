"""Section 4 of the benchmarks: one fold of the paper's protocol on CUDA, with AMP and compile."""

import gc
import traceback

import numpy as np
import torch
from _common import (
    BATCH_SIZE,
    FOLD_WINDOWS,
    PAPER_EPOCHS,
    fmt,
    log,
    simulate_seed_like,
    train_classifier,
    train_plain,
)


def measure(args, device, mirror_index):
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



def markdown(fold, skip_reason):
    """The section's Markdown lines, and the figures the targets table reads."""
    measured = {}
    lines = ["## 4. One fold of the paper's protocol on CUDA", ""]
    if not fold:
        return lines + [skip_reason or "Not measured.", ""], measured
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
    return lines, measured
