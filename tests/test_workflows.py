"""MNE and scikit-learn workflows a new user tries: Raw -> events -> Epochs ->
Pipeline -> cross_val_score, MNE's montages, Evoked, odd labels."""

import warnings

import mne
import numpy as np
import pytest
from conftest import simulate_epochs
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from mne_hamnet import HAMNetClassifier, HemisphereMirror

FAST = dict(pretrain_epochs=2, finetune_epochs=1, verbose=0, random_state=0,
            module__n_spatial_filters=2)


@pytest.fixture(scope="module")
def epochs():
    return simulate_epochs(24)


def test_mirror_in_a_pipeline_under_cross_val_score(epochs):
    pipe = make_pipeline(HemisphereMirror(), HAMNetClassifier(**FAST))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "looks like volts" on the way
        scores = cross_val_score(pipe, epochs, epochs.events[:, 2], cv=2)
    assert np.isfinite(scores).all()
    # the classifier after the mirror sees the mirrored windows in µV
    pipe.fit(epochs, epochs.events[:, 2])
    mirror = pipe[0]
    np.testing.assert_allclose(
        pipe[-1].predict_proba(epochs.get_data(units="uV")[:, mirror.mirror_index_]),
        pipe.predict_proba(epochs), rtol=1e-5)


@pytest.mark.parametrize("name", ["standard_1005", "standard_1020", "colin27_1005"])
def test_mne_template_names_old_and_new(name):
    # pytest turns MNE's FutureWarning for the old names into an error
    names = ["C3", "C4", "Cz", "O1", "O2", "FC5", "FC6"]
    mirror = HemisphereMirror(ch_names=names, montage=name, method="positions")
    mirror.fit(np.zeros((1, len(names), 4)))
    assert set(mirror.pairs_) == {("C3", "C4"), ("O1", "O2"), ("FC5", "FC6")}


def test_an_unknown_template_name_is_still_refused():
    with pytest.raises(ValueError, match="not one of MNE's standard montages"):
        HemisphereMirror(montage="standard_1010").fit(np.zeros((1, 2, 4)))


@pytest.mark.parametrize("make", [lambda e: e.average(), lambda e: [e.average(), e.average()]])
def test_evoked_is_refused_with_a_clear_message(epochs, make):
    with pytest.raises(TypeError, match="X is an Evoked.*pass the Epochs"):
        HAMNetClassifier(**FAST).fit(make(epochs))


def test_evoked_to_predict_is_refused(epochs):
    clf = HAMNetClassifier(**FAST).fit(epochs)
    with pytest.raises(TypeError, match="X is an Evoked"):
        clf.predict(epochs.average())


def test_score_and_cross_val_score_take_y_from_the_events(epochs):
    clf = HAMNetClassifier(**FAST).fit(epochs)
    y = epochs.events[:, 2]
    assert clf.score(epochs) == clf.score(epochs, y)
    assert clf.score([epochs[:10], epochs[10:]]) == clf.score(epochs, y)
    with pytest.raises(ValueError, match="score needs y with array input"):
        clf.score(epochs.get_data(units="uV"))
    scores = cross_val_score(HAMNetClassifier(**FAST), epochs, cv=2)
    assert np.isfinite(scores).all()
    np.testing.assert_array_equal(
        scores, cross_val_score(HAMNetClassifier(**FAST), epochs, y, cv=2))


@pytest.mark.parametrize("y", [
    np.array(["left", 1] * 12, dtype=object),
    np.array([2, "right"] * 12, dtype=object),
])
def test_labels_mixing_strings_and_ints(epochs, y):
    with pytest.raises(ValueError, match="y mixes strings and numbers.*dtype=str"):
        HAMNetClassifier(**FAST).fit(epochs, y)
    clf = HAMNetClassifier(**FAST).fit(epochs, np.asarray(y, dtype=str))
    assert set(clf.classes_) == {str(v) for v in y}


def test_bad_channel_named_as_the_missing_partner(epochs):
    bad = epochs.copy()
    bad.info["bads"] = ["C4"]
    with pytest.raises(ValueError, match=r"C3 \(its partner C4\).*marked bad in "
                                         r"info\['bads'\].*interpolate_bads"):
        HAMNetClassifier(**FAST).fit(bad)
    # interpolating, as the message says, fits
    HAMNetClassifier(**FAST).fit(bad.copy().interpolate_bads(verbose=False))


def test_plot_spatial_filters_on_epochs_without_a_montage(epochs):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from mne_hamnet.viz import plot_spatial_filters

    bare = epochs.copy().set_montage(None)
    clf = HAMNetClassifier(**FAST).fit(bare)
    fig = plot_spatial_filters(clf)
    assert len(fig.axes) >= 2
    plt.close(fig)
    # an info given explicitly must place the channels
    with pytest.raises(ValueError, match="no channel has a known position|info=None"):
        plot_spatial_filters(clf, info=bare.info)


def test_readme_save_and_load_snippet_runs(epochs, tmp_path, monkeypatch):
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                 if "load_params" in b)
    clf = HAMNetClassifier(random_state=0, pretrain_epochs=1, finetune_epochs=1,
                           verbose=0).fit(epochs)
    monkeypatch.chdir(tmp_path)
    namespace = {"clf": clf, "HAMNetClassifier": HAMNetClassifier}
    exec(block, namespace)
    np.testing.assert_array_equal(namespace["clf2"].predict_proba(epochs),
                                  clf.predict_proba(epochs))


def test_a_channel_marked_bad_after_fit_is_named(epochs):
    clf = HAMNetClassifier(**FAST).fit(epochs)
    bad = epochs.copy()
    bad.info["bads"] = ["Fz"]
    with pytest.raises(ValueError, match=r"missing \['Fz'\].*\['Fz'\] is marked bad in the "
                                         r"Epochs' info\['bads'\].*interpolate_bads"):
        clf.predict(bad)
    with pytest.raises(ValueError, match=r"marked bad"):
        clf.partial_fit(bad)
    clf.predict(bad.copy().interpolate_bads(reset_bads=True, verbose=False))


def test_microvolts_stored_as_volts_warn(epochs):
    data = epochs.get_data(units="uV")  # µV, as a CSV would hold them
    wrong = mne.EpochsArray(data, epochs.info, events=epochs.events, verbose=False)
    with pytest.warns(RuntimeWarning, match="a million times too large.*data \\* 1e-6"):
        HAMNetClassifier(**FAST).fit(wrong)
    # millivolt offsets of DC-coupled amplifiers, in volts as MNE keeps them, do not warn
    offset = mne.EpochsArray(epochs.get_data() + 5e-3, epochs.info, events=epochs.events,
                             verbose=False)
    HAMNetClassifier(**FAST).fit(offset)
