"""Pipelines under several random states: which depend on one, and their copies per seed."""

from sklearn.base import clone

# Estimators whose ``random_state`` is ignored under some settings: (class
# name, parameter, the values under which it is ignored), from scikit-learn's
# documentation of each ("deprecated": scikit-learn 1.9's default, no probabilities).
_IGNORED_RANDOM_STATE = (
    ("SVC", "probability", (False, "deprecated")),
    ("NuSVC", "probability", (False, "deprecated")),
    ("LinearSVC", "dual", (False,)),
    ("DummyClassifier", "strategy", ("most_frequent", "prior", "constant")),
)


def _owners(estimator):
    """``{prefix: object}`` of ``estimator`` and every estimator nested in it."""
    owners = {"": estimator}
    for key, value in estimator.get_params(deep=True).items():
        if hasattr(value, "get_params") and not isinstance(value, type):
            owners[key] = value
    return owners


def _seed_keys(estimator):
    """The keys of ``estimator.get_params(deep=True)`` that are random states."""
    return [
        key for key in estimator.get_params(deep=True)
        if key == "random_state" or key.endswith("__random_state")
    ]


def uses_seed(estimator):
    """Whether the result of ``estimator`` can depend on its random states.

    True when one of its steps has a ``random_state`` parameter that is not
    ignored under the step's settings (a linear SVM solved in the primal, a
    SVM without probabilities and a dummy classifier that predicts the most
    frequent class ignore theirs). Networks, forests and unknown estimators
    with a ``random_state`` use it.

    Parameters
    ----------
    estimator : sklearn.base.BaseEstimator
        A pipeline or an estimator.

    Returns
    -------
    uses : bool
        Whether it must run once per seed.
    """
    owners = _owners(estimator)
    for key in _seed_keys(estimator):
        owner = owners.get(key.rpartition("__")[0])
        if owner is None or not _ignores_random_state(owner):
            return True
    return False


def _ignores_random_state(owner):
    params = owner.get_params(deep=False)
    for name, param, values in _IGNORED_RANDOM_STATE:
        if type(owner).__name__ == name and params.get(param) in values:
            return True
    return False


def with_seed(estimator, seed):
    """A clone of ``estimator`` with every random state set to ``seed``.

    Parameters
    ----------
    estimator : sklearn.base.BaseEstimator
        A pipeline or an estimator.
    seed : int
        The random state.

    Returns
    -------
    estimator : sklearn.base.BaseEstimator
        The unfitted clone.
    """
    estimator = clone(estimator)
    estimator.set_params(**{key: int(seed) for key in _seed_keys(estimator)})
    return estimator


def seed_groups(pipelines, seeds):
    """The pipelines to run, grouped by seed.

    Parameters
    ----------
    pipelines : dict of str to sklearn.base.BaseEstimator
        The pipelines by name.
    seeds : list of int | None
        The random states; None runs each pipeline once as it is.

    Returns
    -------
    groups : list of (int | None, dict)
        ``(seed, {name: pipeline})``: first the pipelines that run once
        (seed None), then those that depend on their random state, once per
        seed.
    """
    if seeds is None:
        return [(None, dict(pipelines))]
    once = {name: p for name, p in pipelines.items() if not uses_seed(p)}
    groups = [(None, once)] if once else []
    for seed in seeds:
        seeded = {
            name: with_seed(p, seed) for name, p in pipelines.items() if name not in once
        }
        if seeded:
            groups.append((int(seed), seeded))
    return groups
