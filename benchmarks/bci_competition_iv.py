"""HAMNet against CSP+LDA on BCI Competition II data set IV (left/right finger).

The data set (self-paced typing, 28 channels, 100 Hz, 0.5 s windows ending
130 ms before the key press) is lateralised, so the left/right mirror of
HAMNet has something to compare. Only the training set is used, with
10-fold cross-validation, because the test labels shipped with the common
copy of the file are suspect (see its SOURCE.txt).

Usage::

    python benchmarks/bci_competition_iv.py [--data PATH/sp1s_aa.mat]

The file is not distributed with mne-hamnet; by default it is looked for in
``../shared/data/bci_comp2_dataset_iv/`` beside the repository.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from mne.decoding import CSP
from scipy.io import loadmat
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from mne_hamnet import HAMNetClassifier

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/bci_comp2_dataset_iv/sp1s_aa.mat"
# Movement preparation shows as mu/beta desynchronisation and a slow
# lateralised potential; 25 taps (0.25 s) fit the 50-sample windows.
BAND_SETS = {
    "mu+beta": [(8, 10), (10, 12), (12, 15), (15, 20), (20, 25), (25, 30)],
    "slow+mu+beta": [(0.5, 3), (3, 6), (8, 12), (12, 18), (18, 25), (25, 30)],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--folds", type=int, default=10)
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(f"{args.data} not found; pass --data PATH/sp1s_aa.mat.")
    torch.set_num_threads(1)
    mat = loadmat(args.data)
    ch_names = [str(c[0]) for c in mat["clab"].ravel()]
    X = np.ascontiguousarray(mat["x_train"].transpose(2, 1, 0), dtype=np.float32)
    y = mat["y_train"].ravel().astype(int)
    cv = StratifiedKFold(args.folds, shuffle=True, random_state=0)
    print(f"{len(X)} windows, {len(ch_names)} channels, {X.shape[2]} samples at 100 Hz")

    rows = []
    start = time.perf_counter()
    csp = make_pipeline(CSP(n_components=6, log=True), LinearDiscriminantAnalysis())
    scores = cross_val_score(csp, X.astype(np.float64), y, cv=cv)
    rows.append(("CSP+LDA", scores, time.perf_counter() - start))
    for name, bands in BAND_SETS.items():
        start = time.perf_counter()
        clf = HAMNetClassifier(
            sfreq=100.0, ch_names=ch_names, pretrain_epochs=200, finetune_epochs=150,
            pretrain_lr=1e-3, finetune_lr=5e-4, batch_size=50, random_state=0, verbose=0,
            module__bands=bands, module__filter_length=25,
        )
        scores = cross_val_score(clf, X, y, cv=cv)
        rows.append((f"HAMNet ({name})", scores, time.perf_counter() - start))

    print(f"\n| pipeline | {args.folds}-fold accuracy | time |\n|---|---|---|")
    for name, scores, seconds in rows:
        print(f"| {name} | {scores.mean():.3f} ± {scores.std():.3f} | {seconds:.0f} s |")


if __name__ == "__main__":
    import mne

    mne.set_log_level("ERROR")
    main()
