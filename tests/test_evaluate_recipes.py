"""evaluate builds networks left at an unknown rate and checks EEGNet's recipe per protocol."""

import pytest
from sklearn.pipeline import Pipeline

from mne_hamnet._fit_to_data import _built_networks, _check_recipes, _eegnet_dropout
from mne_hamnet._peer_steps import BandPass
from mne_hamnet.pipelines import EEGNET_DROPOUT, NetworkAtDataRate, make_pipelines

CH_NAMES = ["C3", "Cz", "C4", "P3", "Pz", "P4"]


def test_fixed_budget_refuses_a_patience():
    with pytest.raises(ValueError, match="n_iter_no_change=5 sets the patience.*budget='fixed'"):
        make_pipelines(["HAMNet"], budget="fixed", n_iter_no_change=5)
    hamnet = make_pipelines(["HAMNet"], budget="early", n_iter_no_change=5)["HAMNet"]
    assert hamnet.n_iter_no_change == 5 and hamnet.early_stopping


def test_eegnet_dropout_of_a_network_left_at_an_unknown_rate():
    assert _eegnet_dropout(NetworkAtDataRate("EEGNet")) == EEGNET_DROPOUT["within-subject"]
    assert (_eegnet_dropout(NetworkAtDataRate("EEGNet", cross_subject=True))
            == EEGNET_DROPOUT["cross-subject"])
    assert _eegnet_dropout(NetworkAtDataRate("ShallowFBCSPNet")) is None
    assert _eegnet_dropout(make_pipelines(["DE+SVM"])["DE+SVM"]) is None


def test_a_within_subject_eegnet_under_cross_subject_warns():
    within = {"EEGNet": NetworkAtDataRate("EEGNet")}
    with pytest.warns(RuntimeWarning, match="dropout of 0.5 under the protocol 'cross-subject'"):
        _check_recipes(within, ["trialwise", "cross-subject"])
    _check_recipes(within, ["trialwise", "cross-session"])  # no warning: its recipe
    across = {"EEGNet": NetworkAtDataRate("EEGNet", cross_subject=True)}
    _check_recipes(across, ["cross-subject"])


def test_an_eeg_conformer_built_for_another_task_than_the_paradigms_warns():
    from moabb.paradigms import LeftRightImagery

    from mne_hamnet.paradigms import Emotion

    emotion = {"EEGConformer": NetworkAtDataRate("EEGConformer")}
    motor = {"EEGConformer": NetworkAtDataRate("EEGConformer", task="motor")}
    with pytest.warns(RuntimeWarning, match="task='emotion' recipe on the LeftRightImagery"):
        _check_recipes(emotion, ["trialwise"], LeftRightImagery())
    with pytest.warns(RuntimeWarning, match="task='motor' recipe on the Emotion"):
        _check_recipes(motor, ["trialwise"], Emotion())
    # their own recipes: no warning
    _check_recipes(emotion, ["trialwise"], Emotion())
    _check_recipes(motor, ["trialwise"], LeftRightImagery())


def test_networks_left_at_an_unknown_rate_are_built_for_the_data():
    pytest.importorskip("braindecode")
    pipelines = {"EEGNet": NetworkAtDataRate("EEGNet", sfreq=100.0), "DE+SVM": object()}
    built = _built_networks(pipelines, CH_NAMES)
    assert built["DE+SVM"] is pipelines["DE+SVM"]
    network = built["EEGNet"]
    # the pipeline make_pipelines(sfreq=...) gives: its band-pass can move onto the trial
    assert isinstance(network, Pipeline) and isinstance(network.steps[0][1], BandPass)
    assert network.steps[0][1].sfreq == 100.0
    explicit = make_pipelines(["EEGNet"], sfreq=100.0, ch_names=CH_NAMES,
                              bands="mu-beta")["EEGNet"]
    assert [type(s).__name__ for _, s in network.steps] == [
        type(s).__name__ for _, s in explicit.steps]
    # unknown channel names: left to be built at fit
    assert _built_networks(pipelines, 6)["EEGNet"] is pipelines["EEGNet"]
