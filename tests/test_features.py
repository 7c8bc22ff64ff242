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
    assert pipe.fit(epochs[:80], y[:80]).score(epochs[80:], y[80:]) > 0.8
    X, _ = simulate_windows(10)
    X[:, 3] = 0.0
    assert np.isfinite(DifferentialEntropy(sfreq=200.0).fit_transform(X)).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kind": "rasm"}, "Invalid value for the 'kind' parameter"),
        ({"bands": {"high": (60.0, 120.0)}}, "Band 'high' \\(60.0, 120.0\\) Hz must satisfy"),
        ({"kind": "dasm", "ch_names": None}, "Array input needs ch_names"),
        ({"sfreq": None}, "Array input needs sfreq"),
    ],
)
def test_bad_input(windows, kwargs, match):
    X, _ = windows
    with pytest.raises(ValueError, match=match):
        DifferentialEntropy(**{"sfreq": 200.0, **kwargs}).fit(X)
