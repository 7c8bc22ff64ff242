import mne
import numpy as np
import pytest
from sklearn.base import clone

from mne_hamnet import HemisphereMirror
from mne_hamnet._montage import standard_montage
from mne_hamnet.pairing import normalize_name, parse_1005

SEED_NAMES = (
    "FP1 FPZ FP2 AF3 AF4 F7 F5 F3 F1 FZ F2 F4 F6 F8 FT7 FC5 FC3 FC1 FCZ FC2 FC4 FC6 FT8 "
    "T7 C5 C3 C1 CZ C2 C4 C6 T8 TP7 CP5 CP3 CP1 CPZ CP2 CP4 CP6 TP8 P7 P5 P3 P1 PZ P2 P4 "
    "P6 P8 PO7 PO5 PO3 POZ PO4 PO6 PO8 CB1 O1 OZ O2 CB2"
).split()


def _fit_names(names, **kwargs):
    return HemisphereMirror(ch_names=names, **kwargs).fit(np.zeros((1, len(names), 4)))


def test_seed_62_channels():
    mirror = _fit_names(SEED_NAMES)
    assert len(mirror.pairs_) == 27
    assert mirror.midline_ == ["FPZ", "FZ", "FCZ", "CZ", "CPZ", "PZ", "POZ", "OZ"]
    # the paper's list names F7 twice and omits F1 (erratum): F1-F2 is a pair
    assert ("F1", "F2") in mirror.pairs_
    assert ("CB1", "CB2") in mirror.pairs_
    assert mirror.pairs_[0] == ("FP1", "FP2")
    index = mirror.mirror_index_
    np.testing.assert_array_equal(index[index], np.arange(62))
    assert mirror.method_ == "names" and mirror.n_features_in_ == 62


@pytest.mark.parametrize(
    "raw_name, bare",
    [("EEG Fp1-REF", "FP1"), ("Fc5.", "FC5"), ("C3..", "C3"), (" cz ", "CZ"),
     ("EEG T8-LE", "T8"), ("Po10", "PO10")],
)
def test_normalize_name(raw_name, bare):
    assert normalize_name(raw_name) == bare


def test_parse_rejects_non_1005_names():
    for name in ["EOG1", "E12", "A17", "CB3", "STI 014", "X1"]:
        assert parse_1005(name) is None
    assert parse_1005("AFF1h") == ("AFF", 1, "H")
    assert parse_1005("PO9") == ("PO", 9, "")


def test_decorated_names_pair():
    names = ["EEG Fp1-REF", "EEG Fp2-REF", "C3..", "C4..", "Cz.", "t7", "T8"]
    mirror = _fit_names(names)
    assert mirror.pairs_ == [("EEG Fp1-REF", "EEG Fp2-REF"), ("C3..", "C4.."), ("t7", "T8")]
    assert mirror.midline_ == ["Cz."]


@pytest.mark.parametrize("other_type", ["eog", "misc", "ecg", "stim"])
def test_only_eeg_channels_pair(other_type):
    """Other channels map to themselves, as in the classifier (issue 12, hint 7)."""
    info = mne.create_info(["Fp1", "Fp2", "Cz", "EOG1", "EOG2"], 100.0,
                           ["eeg", "eeg", "eeg", other_type, other_type])
    mirror = HemisphereMirror().fit(info)
    assert mirror.pairs_ == [("Fp1", "Fp2")]
    assert mirror.unpaired_ == []
    np.testing.assert_array_equal(mirror.mirror_index_, [1, 0, 2, 3, 4])


def test_eog_typed_as_eeg_maps_to_itself():
    """EEGLAB's reader types EOG1/EOG2 as EEG; their names say otherwise."""
    info = mne.create_info(["Fp1", "VEOG", "Fp2", "EOG1", "EEG ECG-REF", "Cz"], 100.0, "eeg")
    mirror = HemisphereMirror().fit(info)
    assert mirror.pairs_ == [("Fp1", "Fp2")]
    np.testing.assert_array_equal(mirror.mirror_index_, [2, 1, 0, 3, 4, 5])


def test_unpaired_error_names_the_classifier_fix():
    with pytest.raises(ValueError, match=r"no left/right partner.*C3.*"
                       r"mirror=HemisphereMirror\(on_unpaired='warn'\)"):
        _fit_names(["C3", "Cz"])


@pytest.mark.parametrize("name", ["GSN-HydroCel-128", "biosemi128"])
def test_arrays_of_egi_and_biosemi_pair_with_a_montage(name):
    montage = mne.channels.make_standard_montage(name)
    X = np.zeros((2, len(montage.ch_names), 5))
    # without positions: the error says why, and suggests montage=, not set_montage
    with pytest.raises(ValueError, match="no 10-05 names and no positions") as err:
        HemisphereMirror(ch_names=montage.ch_names).fit(X)
    assert "montage=" in str(err.value) and "set_montage" not in str(err.value)
    assert "more)" in str(err.value)  # 128 names are not all listed
    by_name = HemisphereMirror(ch_names=montage.ch_names, montage=name).fit(X)
    by_object = HemisphereMirror(ch_names=montage.ch_names, montage=montage).fit(X)
    info = mne.create_info(montage.ch_names, 250.0, "eeg")
    info.set_montage(montage)
    by_info = HemisphereMirror(ch_names=montage.ch_names, info=info).fit(X)
    from_epochs_info = HemisphereMirror().fit(info)
    assert by_name.method_ == "positions"
    assert len(by_name.pairs_) > 50
    assert by_name.pairs_ == by_object.pairs_ == by_info.pairs_ == from_epochs_info.pairs_
    assert by_name.info_ is not None and by_name.info_["ch_names"] == montage.ch_names


def test_egi_names_without_positions_on_mne_objects_suggest_set_montage():
    info = mne.create_info([f"E{i}" for i in range(1, 9)], 100.0, "eeg")
    epochs = mne.EpochsArray(np.zeros((1, 8, 3)), info, verbose=False)
    with pytest.raises(ValueError, match=r"8 channel\(s\) have no left/right partner.*They "
                       r"have no 10-05 names and no positions.*epochs.set_montage") as err:
        HemisphereMirror().fit(epochs)
    assert "info=" not in str(err.value)
    # an Info may stand for an array (the classifier builds one): montage= first
    with pytest.raises(ValueError, match=r"no 10-05 names and no positions, so nothing tells "
                       r"left from right: pass montage=.*mirror=HemisphereMirror\(montage"):
        HemisphereMirror().fit(info)


@pytest.mark.parametrize("kwargs, match", [
    ({"montage": "GSN-HydroCel-12"}, r"montage='GSN-HydroCel-12' is not one of MNE's standard "
     r"montages; did you mean .*'GSN-HydroCel-128'"),
    ({"montage": 3}, "montage must be an instance of str, DigMontage or None"),
    ({"info": "epochs"}, "info must be an instance of mne.Info or None"),
    ({"montage": "biosemi64", "info": mne.create_info(["C3"], 1.0, "eeg")},
     "montage= or info=, not both"),
    ({"montage": "biosemi64", "ch_names": ["E1", "E2"]},
     r"montage='biosemi64' places none of the 2 EEG channels"),
    ({"tol": 10}, r"at most 0.05 .* but got 10"),
    ({"tol": float("nan")}, "tol must be a positive distance"),
    ({"tol": "1cm"}, "tol must be an instance of"),
])
def test_position_params_bad_input(kwargs, match):
    kwargs = {"ch_names": ["C3", "C4"], **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        HemisphereMirror(**kwargs).fit(np.zeros((1, 2, 4)))


def test_fitted_state_round_trip_keeps_pairs_and_positions():
    import json

    montage = mne.channels.make_standard_montage("GSN-HydroCel-128")
    mirror = HemisphereMirror(ch_names=montage.ch_names, montage=montage).fit(
        np.zeros((1, 128, 3)))
    state = json.loads(json.dumps(mirror.get_fitted_state()))
    assert state["params"]["montage"] is None  # a DigMontage is not JSON
    back = HemisphereMirror.from_fitted_state(state)
    assert back.pairs_ == mirror.pairs_ and back.method_ == "positions"
    np.testing.assert_array_equal(back.mirror_index_, mirror.mirror_index_)
    np.testing.assert_allclose(
        [ch["loc"][:3] for ch in back.info_["chs"]],
        [ch["loc"][:3] for ch in mirror.info_["chs"]])
    # a state written before "positions" existed (0.1.0) still loads
    del state["positions"]
    old = HemisphereMirror.from_fitted_state(state)
    assert old.info_ is None and old.pairs_ == mirror.pairs_


def test_on_unpaired_warn():
    with pytest.warns(RuntimeWarning, match="no left/right partner.*C3"):
        mirror = _fit_names(["C3", "Cz"], on_unpaired="warn")
    np.testing.assert_array_equal(mirror.mirror_index_, [0, 1])


def test_positions_for_egi():
    montage = mne.channels.make_standard_montage("GSN-HydroCel-129")
    info = mne.create_info(montage.ch_names, 250.0, "eeg")
    info.set_montage(montage)
    mirror = HemisphereMirror().fit(info)
    assert mirror.method_ == "positions"
    assert len(mirror.pairs_) * 2 + len(mirror.midline_) == 129
    pos = {ch: p for ch, p in montage.get_positions()["ch_pos"].items()}
    for left, right in mirror.pairs_:
        assert pos[left][0] < 0 < pos[right][0]
        reflected = pos[left] * np.array([-1, 1, 1])
        assert np.linalg.norm(reflected - pos[right]) <= mirror.tol


def test_names_and_positions_agree_on_1020():
    montage = standard_montage("1020")
    names = [n for n in montage.ch_names if parse_1005(n) is not None]
    info = mne.create_info(names, 250.0, "eeg")
    info.set_montage(montage)
    by_names = HemisphereMirror(method="names", on_unpaired="ignore").fit(info)
    by_pos = HemisphereMirror(method="positions", on_unpaired="ignore").fit(info)
    assert set(by_pos.pairs_) <= set(by_names.pairs_)
    assert len(by_pos.pairs_) >= 0.9 * len(by_names.pairs_)


def test_transform_shapes_and_epochs(epochs):
    mirror = HemisphereMirror().fit(epochs)
    data = epochs.get_data()
    out = mirror.transform(data)
    assert out.shape == data.shape
    np.testing.assert_array_equal(out, data[:, mirror.mirror_index_])
    # mirroring twice is the identity
    np.testing.assert_array_equal(mirror.transform(out), data)
    two_d = data[:, :, 0]
    np.testing.assert_array_equal(mirror.transform(two_d), two_d[:, mirror.mirror_index_])
    # Epochs in, Epochs out: same channels, in volts, each with its partner's data
    mirrored = mirror.fit_transform(epochs)
    assert isinstance(mirrored, mne.BaseEpochs)
    assert mirrored.ch_names == epochs.ch_names
    np.testing.assert_array_equal(mirrored.get_data(), out)
    np.testing.assert_array_equal(mirrored.events, epochs.events)
    assert mirrored.event_id == epochs.event_id
    clone(mirror)


def test_transform_keeps_the_kind_of_mne_data(epochs):
    mirror = HemisphereMirror().fit(epochs)
    index = mirror.mirror_index_
    # a list of Epochs (cross-validation's indexing) comes back as one Epochs
    items = [epochs[i] for i in range(5)]
    joined = mirror.transform(items)
    assert isinstance(joined, mne.BaseEpochs) and len(joined) == 5
    np.testing.assert_array_equal(joined.get_data(), epochs.get_data()[:5][:, index])
    np.testing.assert_array_equal(joined.events[:, 2], epochs.events[:5, 2])
    # two runs whose events share sample times still join
    twice = mirror.transform([epochs[:3], epochs[:3]])
    np.testing.assert_array_equal(twice.events[:, 2], np.tile(epochs.events[:3, 2], 2))
    evoked = epochs.average()
    np.testing.assert_array_equal(mirror.transform(evoked).data, evoked.data[index])
    raw = mne.io.RawArray(np.concatenate(list(epochs.get_data()), axis=1), epochs.info,
                          verbose=False)
    mirrored_raw = mirror.fit(raw).transform(raw)
    assert isinstance(mirrored_raw, mne.io.BaseRaw)
    np.testing.assert_array_equal(mirrored_raw.get_data(), raw.get_data()[index])
    assert HemisphereMirror().fit(items).ch_names_ == epochs.ch_names


@pytest.mark.parametrize(
    "kwargs, X, match",
    [
        ({}, np.zeros((2, 3, 4)), "Array input needs channel names"),
        ({"ch_names": ["C3", "C4"]}, np.zeros((2, 3, 4)), "ch_names has 2 names, but X has 3"),
        ({"ch_names": ["C3"]}, np.zeros(3), "but got an array of shape \\(3,\\)"),
        ({"ch_names": ["C3", "C4"], "on_unpaired": "drop"}, np.zeros((1, 2, 4)),
         "Invalid value for the 'on_unpaired' parameter"),
        ({"ch_names": ["C3", "C4"], "method": "x"}, np.zeros((1, 2, 4)),
         "Invalid value for the 'method' parameter"),
        ({"ch_names": ["C3", "C4"], "tol": -1}, np.zeros((1, 2, 4)), "tol must be a positive"),
        ({"ch_names": ["C3", "C4"], "tol": 1.0}, np.zeros((1, 2, 4)), "at most 0.05"),
        ({"ch_names": ["E1", "E2"], "method": "positions"}, np.zeros((1, 2, 4)),
         "needs channel positions"),
    ],
)
def test_fit_bad_input(kwargs, X, match):
    with pytest.raises(ValueError, match=match):
        HemisphereMirror(**kwargs).fit(X)


def test_transform_bad_input():
    mirror = _fit_names(["C3", "C4", "Cz"])
    with pytest.raises(ValueError,
                       match="X has 2 channels, but HemisphereMirror was fitted with 3"):
        mirror.transform(np.zeros((1, 2, 5)))
    bad = np.zeros((1, 3, 5))
    bad[0, 1, 2] = np.nan
    with pytest.raises(ValueError, match="1 NaN"):
        mirror.transform(bad)


def test_mirror_pickled_by_0_1_0_still_works():
    """A 0.1.0 pickle has no montage, info or info_: it loads, clones and saves."""
    import pickle

    mirror = _fit_names(["C3", "Cz", "C4"])
    for name in ("montage", "info", "info_"):
        del mirror.__dict__[name]
    old = pickle.loads(pickle.dumps(mirror))
    assert old.montage is None and old.info is None and old.info_ is None
    assert old.pairs_ == [("C3", "C4")]
    assert clone(old).get_params()["montage"] is None
    assert HemisphereMirror.from_fitted_state(old.get_fitted_state()).pairs_ == old.pairs_
