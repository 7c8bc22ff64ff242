"""SEED's LDS smoother against the closed-form posterior of its Gaussian model."""

import numpy as np
import pytest
from conftest import CH_NAMES

from mne_hamnet._lds import LDS_PARAMS
from mne_hamnet.features import DifferentialEntropy, lds_smooth


def posterior_mean(x, Q, R, V0):
    """E[s | x] for s[0] ~ N(mean(x), V0), s[t] = s[t-1] + N(0, Q), x = s + N(0, R).

    The states are jointly Gaussian with cov(s[i], s[j]) = V0 + Q * min(i, j),
    so the posterior mean is one linear solve, with no recursion.
    """
    n = len(x)
    index = np.arange(n)
    prior_cov = V0 + Q * np.minimum.outer(index, index)
    prior_mean = x.mean(axis=0)
    return prior_mean + prior_cov @ np.linalg.solve(prior_cov + R * np.eye(n), x - prior_mean)


@pytest.mark.parametrize("Q, R, V0", [(0.3, 1.5, 0.7), (1e-4, 1.0, 0.01), (2.0, 0.1, 5.0)])
@pytest.mark.parametrize("n_windows", [1, 2, 9])
def test_smoother_is_the_posterior_mean(Q, R, V0, n_windows):
    x = np.random.default_rng(n_windows).normal(5.0, 2.0, (n_windows, 3))
    np.testing.assert_allclose(lds_smooth(x, Q, R, V0), posterior_mean(x, Q, R, V0),
                               rtol=1e-10, atol=1e-10)


def test_hand_computed_two_windows():
    # x = (0, 2), mean 1; Q = R = V0 = 1: prior cov [[1, 1], [1, 2]]
    # E[s] = 1 + [[1, 1], [1, 2]] @ inv([[2, 1], [1, 3]]) @ (-1, 1)
    #      = 1 + [[1, 1], [1, 2]] @ (-0.8, 0.6) = (0.8, 1.4)
    np.testing.assert_allclose(lds_smooth([[0.0], [2.0]], 1.0, 1.0, 1.0), [[0.8], [1.4]])


def test_seed_defaults_smooth_strongly():
    x = np.random.default_rng(0).normal(0.0, 1.0, (200, 4))
    smoothed = lds_smooth(x)
    assert LDS_PARAMS == {"Q": 1e-4, "R": 1.0, "V0": 0.01}
    assert smoothed.std(axis=0).max() < 0.2 * x.std(axis=0).min()


@pytest.mark.parametrize(
    "features, kwargs, match",
    [(np.zeros(5), {}, "shape \\(n_windows, n_features\\)"),
     (np.zeros((0, 3)), {}, "at least one window"),
     (np.zeros((4, 3)), {"Q": 0.0}, "Q must be a positive variance, but got 0.0")],
)
def test_bad_input(features, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lds_smooth(features, **kwargs)


def test_differential_entropy_smooths_over_the_windows(windows):
    X, _ = windows
    de = DifferentialEntropy(sfreq=200.0, kind="de+dasm", ch_names=CH_NAMES)
    plain = de.fit_transform(X)
    smoothed = de.set_params(smooth="lds").fit_transform(X)
    np.testing.assert_allclose(smoothed, lds_smooth(plain))
    with pytest.raises(ValueError, match="Invalid value for the 'smooth' parameter"):
        de.set_params(smooth="kalman").fit(X)

