"""What early stopping would keep: per-epoch validation and test curves on BCI II-IV.

For one network (one stage: ``HAMNet-pretrain`` or a braindecode network),
each fold of the BCI II-IV script's 10-fold split trains for the whole
budget with the validation part ``budget="early"`` holds out (the last 10 %
of each class's training trials), recording after every epoch the
validation loss, the validation balanced accuracy and the test accuracy.
The stopping rule is then replayed on the recorded curves for several
patiences and both monitors, which shows the epoch each rule would keep and
its test accuracy, without training once per rule. The test accuracy is
only read here, never used to choose.

Usage::

    python benchmarks/early_stopping_curves.py HAMNet-pretrain --folds 0 1 2 --epochs 800
    python benchmarks/early_stopping_curves.py EEGNet --epochs 300
    python benchmarks/early_stopping_curves.py HAMNet-pretrain --lr-x10 --epochs 300
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold
from skorch.callbacks import Callback

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bci_competition_iv import DEFAULT, SFREQ, load  # noqa: E402


class _Curves(Callback):
    """Record the validation balanced accuracy and the test accuracy after every epoch."""

    def __init__(self, X_test, y_test, steps):
        self.X_test, self.y_test, self.steps = X_test, y_test, steps

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        X = self.X_test
        for step in self.steps:
            X = step.transform(X)
        predicted = net.predict(X)
        if not np.isin(predicted, self.y_test).all():
            predicted = net.classes_[predicted]
        valid = net.predict_proba(dataset_valid).argmax(axis=1)
        if getattr(dataset_valid, "indices", None) is not None:  # a Subset (braindecode)
            y_valid = np.asarray(dataset_valid.dataset.y)[dataset_valid.indices]
            y_valid = np.searchsorted(np.unique(y_valid), y_valid)
        else:
            y_valid = dataset_valid.y.cpu().numpy()
        net.history.record("valid_bacc", float(balanced_accuracy_score(y_valid, valid)))
        net.history.record("test_acc", float(np.mean(predicted == self.y_test)))


def curves(X, y, ch_names, name, fold, epochs, lr_x10):
    """Train one fold for the whole budget; return its per-epoch curves."""
    from mne_hamnet.pipelines import make_pipelines

    train, test = list(StratifiedKFold(10, shuffle=True, random_state=0).split(X, y))[fold]
    extra = dict(pretrain_lr=1e-3, finetune_lr=5e-4) if lr_x10 else {}
    pipe = make_pipelines([name], sfreq=SFREQ, ch_names=ch_names, bands="mu-beta",
                          pretrain_epochs=epochs, finetune_epochs=0, batch_size=50,
                          random_state=0, device="cpu", budget="early", **extra)[name]
    steps, final = (([s for _, s in pipe.steps[:-1]], pipe.steps[-1][1])
                    if hasattr(pipe, "steps") else ([], pipe))
    X_train = X[train]
    for step in steps:
        X_train = step.fit(X_train, y[train]).transform(X_train)
    # watch the whole budget: the rules are replayed afterwards
    final.set_params(n_iter_no_change=10**6, callbacks=[
        *(final.callbacks or []), ("curves", _Curves(X[test], y[test], steps))])
    final.fit(X_train, y[train], groups=train)
    history = final.history_
    return {key: [row[key] for row in history] for key in ("valid_loss", "valid_bacc", "test_acc")}


def replay(values, patience, tol=1e-4, lower_is_better=True):
    """The 1-based epoch the rule keeps and the epochs it runs."""
    best, kept, misses = (np.inf if lower_is_better else -np.inf), 0, 0
    for epoch, value in enumerate(values, start=1):
        if (value < best - tol) if lower_is_better else (value > best + tol):
            best, kept, misses = value, epoch, 0
        else:
            misses += 1
        if misses >= patience:
            return kept, epoch
    return kept, len(values)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="HAMNet-pretrain or a braindecode network")
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--folds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--lr-x10", action="store_true", help="HAMNet at 10x the paper's rates")
    parser.add_argument("--patience", type=int, nargs="+", default=[10, 20, 50, 100, 200])
    parser.add_argument("--json", type=Path, default=None, help="keep the curves here")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"Skipped: {args.data} not found; pass --data PATH/sp1s_aa.mat.")
        return 0
    torch.set_num_threads(1)
    X, y, ch_names = load(args.data)
    found = {}
    print("| fold | budget's last epoch: test | patience | loss: kept/run, test "
          "| balanced accuracy: kept/run, test |\n|---|---|---|---|---|")
    for fold in args.folds:
        found[fold] = c = curves(X, y, ch_names, args.name, fold, args.epochs, args.lr_x10)
        for patience in args.patience:
            kept, run = replay(c["valid_loss"], patience)
            kept_b, run_b = replay(c["valid_bacc"], patience, lower_is_better=False)
            print(f"| {fold} | {c['test_acc'][-1]:.3f} | {patience} | {kept}/{run}, "
                  f"{c['test_acc'][kept - 1]:.3f} | {kept_b}/{run_b}, "
                  f"{c['test_acc'][kept_b - 1]:.3f} |", flush=True)
        if args.json is not None:
            args.json.write_text(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
