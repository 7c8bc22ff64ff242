"""A linear dynamical system smoother over the windows of one trial (SEED's LDS features)."""

import numpy as np

#: SEED's smoothing model (Shi & Lu, 2010), as its feature files and LibEER
#: use it: each feature is a random walk with step variance ``Q`` seen
#: through noise of variance ``R``, starting from the trial's mean with
#: variance ``V0``.
LDS_PARAMS = {"Q": 1e-4, "R": 1.0, "V0": 0.01}


def lds_smooth(features, Q=LDS_PARAMS["Q"], R=LDS_PARAMS["R"], V0=LDS_PARAMS["V0"]):
    """Smooth a sequence of feature vectors with a Kalman (RTS) smoother.

    Each column is an independent random walk ``s[t] = s[t-1] + w[t]``,
    ``w ~ N(0, Q)``, observed as ``x[t] = s[t] + v[t]``, ``v ~ N(0, R)``,
    with ``s[0] ~ N(mean of x, V0)``. The result is the posterior mean of
    ``s`` given the whole sequence: every row depends on every other row,
    the later ones included.

    Parameters
    ----------
    features : array of shape (n_windows, n_features)
        The features of consecutive windows of one trial, in time order.
    Q, R, V0 : float
        Step, observation and initial variances (SEED's by default).

    Returns
    -------
    smoothed : ndarray of float64, shape (n_windows, n_features)
        The smoothed features.
    """
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(
            f"features must be an array of shape (n_windows, n_features) with at least one "
            f"window, but got shape {x.shape}."
        )
    for name, value in (("Q", Q), ("R", R), ("V0", V0)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive variance, but got {value}.")
    n = len(x)
    # The variances and gains do not depend on the data: one scalar sequence
    # serves every column.
    predicted = np.empty(n)  # var(s[t] | x[:t])
    filtered = np.empty(n)  # var(s[t] | x[:t+1])
    predicted[0] = V0
    for t in range(n):
        if t:
            predicted[t] = filtered[t - 1] + Q
        filtered[t] = predicted[t] * R / (predicted[t] + R)
    gain = predicted / (predicted + R)
    mean = np.empty_like(x)
    prior = x.mean(axis=0)
    for t in range(n):
        mean[t] = prior + gain[t] * (x[t] - prior)
        prior = mean[t]
    smoothed = mean.copy()
    for t in range(n - 2, -1, -1):
        back = filtered[t] / predicted[t + 1]
        smoothed[t] = mean[t] + back * (smoothed[t + 1] - mean[t])
    return smoothed
