"""scikit-learn's estimator checks for HemisphereMirror and HAMNetClassifier.

HemisphereMirror takes 2-D tables as (n_samples, n_channels), so the checks
run on it directly; anonymous columns need ``on_unpaired="ignore"``.

HAMNetClassifier needs windows (n_windows, n_chans, n_times) and says so in
its tags (``two_d_array=False``), which makes scikit-learn skip every check
that fits on its 2-D tables. The checks run instead on
``TabularHAMNetClassifier``, a test-only subclass that changes one thing: it
turns a table (n_samples, n_features) into windows of 3 identical samples,
one channel per feature, before handing them to HAMNetClassifier's own input
checks. Everything else (label encoding, NaN errors, n_features_in_, clone,
pickling, determinism) is HAMNetClassifier's. The checks that need no data
also run on HAMNetClassifier itself.
"""

import numpy as np
import pytest
from scipy import sparse
from sklearn.utils import estimator_checks as checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from mne_hamnet import HAMNetClassifier, HemisphereMirror


class TabularHAMNetClassifier(HAMNetClassifier):
    """HAMNetClassifier on scikit-learn's check data: features as channels."""

    def _to_windows(self, X):
        if not sparse.issparse(X):
            table = X.detach().cpu().numpy() if hasattr(X, "detach") else np.asarray(X)
            if table.ndim == 2:
                # no arithmetic here: object arrays must reach the real checks
                windows = np.stack([table, table, table], axis=2)
                names = [f"x{i}" for i in range(table.shape[1])]
                from mne_hamnet._input import to_windows

                return to_windows(windows, self.sfreq, names)
        return super()._to_windows(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        # 1 + 1 epochs cannot reach the 0.83 accuracy check_classifiers_train asks
        tags.classifier_tags.poor_score = True
        return tags


def _tiny(cls=TabularHAMNetClassifier, **kwargs):
    params = dict(
        pretrain_epochs=1, finetune_epochs=1, sfreq=100.0, verbose=0, random_state=0,
        mirror=HemisphereMirror(on_unpaired="ignore"), module__n_spatial_filters=2,
        module__bands=[(10, 40)], module__filter_length=3,
    )
    return cls(**{**params, **kwargs})


# One line each: why the check cannot pass.
EXPECTED_FAILURES = {
    "TabularHAMNetClassifier": {
        "check_no_attributes_set_in_init": (
            "skorch stores the module__* arguments routed to HAMNet as attributes; "
            "get_params returns them, but they are not in __init__'s signature"
        ),
        "check_estimators_empty_data_messages": (
            "the (12, 0) table becomes windows of shape (12, 0, 3), and the error "
            "names that shape, not the 2-D one scikit-learn looks for"
        ),
    },
    "HemisphereMirror": {},
}


def _expected_failures(estimator):
    return EXPECTED_FAILURES[type(estimator).__name__]


@parametrize_with_checks(
    [HemisphereMirror(on_unpaired="ignore"), _tiny()],
    expected_failed_checks=_expected_failures,
    xfail_strict=True,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# Checks that need no data, on HAMNetClassifier itself.
DATA_FREE_CHECKS = [
    checks.check_estimator_cloneable,
    checks.check_estimator_tags_renamed,
    checks.check_valid_tag_types,
    checks.check_estimator_repr,
    checks.check_no_attributes_set_in_init,
    checks.check_estimators_unfitted,
    checks.check_do_not_raise_errors_in_init_or_set_params,
    checks.check_mixin_order,
    checks.check_parameters_default_constructible,
    checks.check_get_params_invariance,
    checks.check_set_params,
]


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("estimator", [
    HAMNetClassifier(),
    HAMNetClassifier(pretrain_epochs=2, device="cpu", random_state=0, callbacks=[]),
], ids=["default", "custom"])
def test_data_free_checks(estimator, check):
    check(type(estimator).__name__, estimator)


def test_tags_say_windows():
    tags = HAMNetClassifier().__sklearn_tags__()
    assert tags.estimator_type == "classifier"
    assert tags.input_tags.three_d_array and not tags.input_tags.two_d_array
    mirror_tags = HemisphereMirror().__sklearn_tags__()
    assert mirror_tags.input_tags.two_d_array and mirror_tags.input_tags.three_d_array
    assert mirror_tags.transformer_tags.preserves_dtype == ["float64", "float32"]


def test_nothing_set_in_init_and_unfitted_is_not_fitted():
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    clf = HAMNetClassifier(module__n_spatial_filters=2)
    assert sorted(k for k in vars(clf) if k.endswith("_")) == []
    assert clf.history is None and not clf.initialized_
    with pytest.raises(NotFittedError):
        check_is_fitted(clf)
    assert "_params_to_validate" not in clf.get_params()


def test_get_set_params_round_trip_before_and_after_fit():
    from sklearn.base import clone

    clf = _tiny(HAMNetClassifier, ch_names=["C3", "C4", "Cz"])
    params = clf.get_params(deep=False)
    twin = HAMNetClassifier().set_params(**params)
    assert twin.get_params(deep=False).keys() == params.keys()
    for key, value in params.items():
        assert twin.get_params(deep=False)[key] is value
    X = np.random.default_rng(0).normal(size=(12, 3, 8)).astype(np.float32)
    y = np.arange(12) % 2
    fitted = clf.set_params(module__filter_length=3).fit(X, y)
    again = clone(fitted)
    assert not hasattr(again, "module_") and again.get_params()["module__filter_length"] == 3
    np.testing.assert_array_equal(
        again.fit(X, y).predict_proba(X), fitted.predict_proba(X))


def test_set_params_callbacks_delayed_until_fit():
    clf = HAMNetClassifier().set_params(callbacks=float("inf"))
    assert clf.callbacks == float("inf")
    with pytest.raises(TypeError):
        clf.set_params(callbacks=float("inf"), callbacks__x__y=1)
