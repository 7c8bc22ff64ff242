"""Write the 0.1.0 fixture: a pickled fitted HAMNetClassifier and its save_params files.

Run with the code of commit aca92df (0.1.0) first on the path:
`PYTHONPATH=<checkout of aca92df> python make_fixture.py tests/data/v010`.
"""
import pickle
import sys

import numpy as np
import torch

from mne_hamnet import HAMNetClassifier
from mne_hamnet.classifier import StageCheckpoint

out = sys.argv[1]
torch.set_num_threads(1)
ch = ["Fp1", "Fp2", "C3", "Cz", "C4", "O1", "O2"]
rng = np.random.default_rng(0)
n, T = 24, 200
y = np.arange(n) % 2
t = np.arange(T) / 200.0
X = rng.normal(scale=10.0, size=(n, len(ch), T))
left = np.array([1, 0, 1, 0, 0, 1, 0])
right = np.array([0, 1, 0, 0, 1, 0, 1])
for i in range(n):
    boost = 1 + 0.5 * (left if y[i] == 0 else right)
    X[i] += 8 * boost[:, None] * np.sin(2 * np.pi * 50 * t + rng.uniform(0, 6.28, (len(ch), 1)))
X = X.astype(np.float32)
labels = np.array(["neg", "pos"])[y]
clf = HAMNetClassifier(pretrain_epochs=2, finetune_epochs=1, batch_size=8, verbose=0,
                       random_state=0, sfreq=200.0, ch_names=ch,
                       module__n_spatial_filters=2, module__n_relation_filters=2,
                       callbacks=[StageCheckpoint(dirname="/tmp/v010cp")])
clf.fit(X, labels)
np.save(f"{out}/X.npy", X[:8])
np.save(f"{out}/proba.npy", clf.predict_proba(X[:8]))
with open(f"{out}/classifier.pkl", "wb") as f:
    pickle.dump(clf, f)
clf.save_params(f_params=f"{out}/params.pt", f_fitted=f"{out}/fitted.json")
print(clf.predict(X[:8]), clf.predict_proba(X[:8]))
