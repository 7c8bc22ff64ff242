"""Same random_state, same result; and no global random state is touched."""

import os
import random
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import CH_NAMES, simulate_epochs, simulate_windows

from mne_hamnet import HAMNetClassifier

TINY = dict(pretrain_epochs=3, finetune_epochs=2, verbose=0, module__n_spatial_filters=2,
            sfreq=200.0, ch_names=CH_NAMES, batch_size=16, device="cpu")


@pytest.fixture(scope="module")
def data():
    return simulate_windows(48)


def _fit(data, **kwargs):
    return HAMNetClassifier(**{**TINY, **kwargs}).fit(*data)


def _assert_bit_identical(a, b, X):
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    for (name, p), (_, q) in zip(a.module_.state_dict().items(), b.module_.state_dict().items()):
        assert torch.equal(p, q), name
    for history in ("history_pretrain_", "history_"):
        assert getattr(a, history)[:, "train_loss"] == getattr(b, history)[:, "train_loss"]


@pytest.mark.parametrize("seed", [0, 12345])
def test_same_seed_gives_bit_identical_fits(data, seed):
    _assert_bit_identical(_fit(data, random_state=seed), _fit(data, random_state=seed), data[0])


def test_same_seed_on_one_estimator_and_on_epochs():
    epochs = simulate_epochs(32)
    clf = HAMNetClassifier(**{**TINY, "sfreq": None, "ch_names": None, "random_state": 3})
    first = clf.fit(epochs).predict_proba(epochs)
    np.testing.assert_array_equal(clf.fit(epochs).predict_proba(epochs), first)


def test_random_state_instance_matches_int(data):
    _assert_bit_identical(
        _fit(data, random_state=np.random.RandomState(7)), _fit(data, random_state=7), data[0])


def test_different_seeds_differ(data):
    a, b = _fit(data, random_state=0), _fit(data, random_state=1)
    assert a.stage_seeds_ != b.stage_seeds_
    assert not np.array_equal(a.predict_proba(data[0]), b.predict_proba(data[0]))
    assert not torch.equal(a.module_.spatial.weight, b.module_.spatial.weight)


@pytest.mark.parametrize("random_state", [0, np.random.RandomState(0)])
def test_global_random_state_untouched(data, random_state):
    torch.manual_seed(2024)
    np.random.seed(2024)  # noqa: NPY002 (the global state is under test)
    random.seed(2024)
    before = (torch.initial_seed(), torch.get_rng_state(), np.random.get_state(),  # noqa: NPY002
              random.getstate())
    _fit(data, random_state=random_state).predict(data[0])
    after = (torch.initial_seed(), torch.get_rng_state(), np.random.get_state(),  # noqa: NPY002
             random.getstate())
    assert before[0] == after[0]
    assert torch.equal(before[1], after[1])
    assert before[2][0] == after[2][0] and np.array_equal(before[2][1], after[2][1])
    assert before[2][2:] == after[2][2:]
    assert before[3] == after[3]


def test_global_seed_does_not_change_a_seeded_fit(data):
    torch.manual_seed(1)
    np.random.seed(1)  # noqa: NPY002 (the global state is under test)
    a = _fit(data, random_state=0)
    torch.manual_seed(2)
    np.random.seed(2)  # noqa: NPY002 (the global state is under test)
    _assert_bit_identical(a, _fit(data, random_state=0), data[0])


CUDA_SCRIPT = """
import sys, numpy as np, torch
torch.use_deterministic_algorithms(True)
torch.backends.cudnn.benchmark = False
sys.path.insert(0, sys.argv[1])
from conftest import CH_NAMES, simulate_windows
from mne_hamnet import HAMNetClassifier
X, y = simulate_windows(48)
params = dict(pretrain_epochs=3, finetune_epochs=2, verbose=0, module__n_spatial_filters=2,
              sfreq=200.0, ch_names=CH_NAMES, batch_size=16, device="cuda", random_state=0)
for band_power in ("fft", "direct"):
    a = HAMNetClassifier(**params, module__band_power=band_power).fit(X, y).predict_proba(X)
    b = HAMNetClassifier(**params, module__band_power=band_power).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b), (band_power, np.abs(a - b).max())
"""


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_deterministic_mode_gives_bit_identical_fits():
    """The recipe of the Reproducibility page, in a fresh process (the env var counts)."""
    env = {**os.environ, "CUBLAS_WORKSPACE_CONFIG": ":4096:8"}
    tests = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, "-c", CUDA_SCRIPT, tests], env=env, check=True)
