import numpy as np
import pytest
from conftest import CH_NAMES, simulate_epochs, simulate_windows
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from mne_hamnet.features import SEED_BANDS, DifferentialEntropy


def test_de_matches_gaussian_formula():
    rng = np.random.default_rng(0)
    sfreq, n = 200.0, 2000
    X = rng.normal(scale=3.0, size=(4, 2, n))
    de = DifferentialEntropy(bands={"all": (0.0, 100.0)}, sfreq=sfreq).fit_transform(X)
    # white noise: the whole band holds all the variance
    np.testing.assert_allclose(de, 0.5 * np.log(2 * np.pi * np.e * 9.0), atol=0.05)


def test_shapes_names_and_dasm(windows):
    X, _ = windows
    de = DifferentialEntropy(sfreq=200.0).fit(X)
    assert de.transform(X).shape == (len(X), 17 * 5)
    both = DifferentialEntropy(kind="de+dasm", sfreq=200.0, ch_names=CH_NAMES).fit(X)
    out = both.transform(X)
    assert out.shape == (len(X), 17 * 5 + 7 * 5)
    names = both.get_feature_names_out()
    assert names[0] == "Fp1_delta" and names[17 * 5] == "Fp1-Fp2_delta"
    dasm = DifferentialEntropy(kind="dasm", sfreq=200.0, ch_names=CH_NAMES).fit_transform(X)
    np.testing.assert_allclose(dasm, out[:, 17 * 5:])
    fp1, fp2 = out[:, 0:5], out[:, 5:10]
    np.testing.assert_allclose(dasm[:, :5], fp1 - fp2, rtol=1e-10)
    assert list(SEED_BANDS) == ["delta", "theta", "alpha", "beta", "gamma"]


def test_epochs_flat_channel_and_pipeline():
    epochs = simulate_epochs(120)
    y = epochs.events[:, 2]
    feats = DifferentialEntropy(kind="dasm").fit_transform(epochs)
    assert np.isfinite(feats).all()
    pipe = make_pipeline(DifferentialEntropy(kind="dasm"), StandardScaler(), SVC())
    assert pipe.fit(epochs[:80], y[:80]).score(epochs[80:], y[80:]) > 0.95  # 1.0 here
    X, _ = simulate_windows(10)
    X[:, 3] = 0.0
    assert np.isfinite(DifferentialEntropy(sfreq=200.0).fit_transform(X)).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kind": "rasm"}, "Invalid value for the 'kind' parameter"),
        ({"bands": {"high": (60.0, 120.0)}}, "Band 'high' \\(60.0, 120.0\\) Hz must satisfy"),
        ({"kind": "dasm", "ch_names": None},
         r"Array input needs ch_names: pass it to DifferentialEntropy \(e.g. "
         r"DifferentialEntropy\(ch_names=\[...\], kind='dasm'\)\)"),
        ({"sfreq": None}, r"Array input needs sfreq: pass it to DifferentialEntropy"),
        ({"kind": "DE"}, "Invalid value for the 'kind' parameter"),
        ({"bands": {}}, "bands must name at least one"),
        ({"bands": {"a": 8.0}}, r"Band 'a' must be a \(low, high\) pair of numbers"),
        ({"bands": {"a": (8.0, "x")}}, r"Band 'a' must be a \(low, high\) pair"),
        ({"bands": {"a": (8.0, 12.0, 14.0)}}, r"Band 'a' must be a \(low, high\) pair"),
        ({"bands": {"a": (12.0, 8.0)}}, r"Band 'a' \(12.0, 8.0\) Hz must satisfy"),
        ({"bands": {"a": (-1.0, 8.0)}}, r"Band 'a' \(-1.0, 8.0\) Hz must satisfy"),
        ({"bands": {"a": (8.0, np.nan)}}, r"Band 'a' \(8.0, nan\) Hz must satisfy"),
        ({"bands": [(8.0, 12.0)]}, "bands must be an instance of dict"),
    ],
)
def test_bad_input(windows, kwargs, match):
    X, _ = windows
    with pytest.raises((ValueError, TypeError), match=match):
        DifferentialEntropy(**{"sfreq": 200.0, **kwargs}).fit(X)


@pytest.mark.parametrize("kind", ["de", "dasm"])
def test_transform_checks_epochs_channel_names(kind):
    """Reordered channels used to be read in the fitted order: 1.0 -> 0.0 accuracy."""
    epochs = simulate_epochs(20)
    de = DifferentialEntropy(kind=kind).fit(epochs)
    shuffled = epochs.copy().reorder_channels(CH_NAMES[::-1])
    with pytest.raises(ValueError, match="same channels in a different order.*"
                       "DifferentialEntropy saw in fit|DifferentialEntropy saw in fit.*"
                       "same channels in a different order"):
        de.transform(shuffled)
    with pytest.raises(ValueError, match=r"missing \['Fp1'\]"):
        de.transform(epochs.copy().drop_channels(["Fp1"]))
    with pytest.raises(ValueError, match="sampled at 100.0 Hz, but DifferentialEntropy was "
                       "fitted at 200.0 Hz"):
        de.transform(epochs.copy().resample(100.0))
    # the fitted order, as Epochs or as an array, gives the same features
    X = epochs.get_data(units="uV")
    np.testing.assert_allclose(de.transform(epochs), de.transform(X), rtol=1e-5)
    reordered_back = shuffled.reorder_channels(CH_NAMES)
    np.testing.assert_allclose(de.transform(reordered_back), de.transform(epochs))


def test_arrays_fitted_with_names_transform_arrays_and_check_count(windows):
    X, _ = windows
    de = DifferentialEntropy(sfreq=200.0, ch_names=CH_NAMES).fit(X)
    assert de.ch_names_ == CH_NAMES
    assert de.transform(X).shape == (len(X), 17 * 5)
    with pytest.raises(ValueError, match="X has 16 channels, but DifferentialEntropy was "
                       "fitted with 17"):
        de.transform(X[:, 1:])


def test_shared_input_checks_name_differential_entropy():
    import mne

    info = mne.create_info(["C3", "C4"], 100.0, "misc")
    epochs = mne.EpochsArray(np.zeros((2, 2, 50)), info, verbose=False)
    with pytest.raises(ValueError, match="no good EEG channel; DifferentialEntropy uses"):
        DifferentialEntropy().fit(epochs)
