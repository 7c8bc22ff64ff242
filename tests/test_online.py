"""Live decoding of LSL streams played by MNE-LSL's PlayerLSL, and its parts."""

import csv
import subprocess
import sys
import time
import uuid

import joblib
import mne
import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from mne_hamnet import HAMNetClassifier
from mne_hamnet._causal import CausalBandpass
from mne_hamnet._input import VOLTS_THRESHOLD, _median_if_below
from mne_hamnet._online_model import resolve_model
from mne_hamnet._online_stream import Windower
from mne_hamnet.online import OnlineDecoder, causal_filter, simulate_recording

SFREQ, N_TIMES = 200.0, 200


def _liblsl_loads():
    try:
        from mne_lsl.lsl import local_clock

        local_clock()
    except (ImportError, RuntimeError, OSError):
        return False
    return True


needs_lsl = pytest.mark.skipif(not _liblsl_loads(), reason="mne-lsl or liblsl cannot load")


@pytest.fixture(scope="module")
def recording():
    return simulate_recording(duration=30.0, sfreq=SFREQ, block=3.0, random_state=1)


def _epochs(raw):
    events, event_id = mne.events_from_annotations(raw, chunk_duration=1.0, verbose=False)
    return mne.Epochs(raw, events, event_id, tmin=0, tmax=(N_TIMES - 1) / SFREQ,
                      baseline=None, preload=True, verbose=False)


@pytest.fixture(scope="module")
def fitted(recording):
    torch.set_num_threads(1)
    return HAMNetClassifier(
        pretrain_epochs=10, finetune_epochs=3, pretrain_lr=3e-3, finetune_lr=1e-3,
        batch_size=10, device="cpu", verbose=0, random_state=0,
    ).fit(_epochs(recording))


def _play(raw, **kwargs):
    from mne_lsl.player import PlayerLSL

    name = f"hamnet-test-{uuid.uuid4().hex}"
    kwargs.setdefault("n_repeat", 1)
    player = PlayerLSL(raw, chunk_size=5, name=name, source_id=name, annotations=False,
                       **kwargs)
    return player.start(), name


def _stop(player):
    if player.running:
        player.stop()


def _block_labels(raw, clf):
    """The class of every sample (event code as the classifier knows it)."""
    codes = {"left": 1, "right": 2}
    labels = np.zeros(raw.n_times, int)
    for onset, duration, description in zip(raw.annotations.onset, raw.annotations.duration,
                                            raw.annotations.description):
        start = int(round(onset * SFREQ))
        labels[start:start + int(round(duration * SFREQ))] = codes[description]
    assert set(codes.values()) == set(clf.classes_)
    return labels


# ---------------------------------------------------------------- live
@needs_lsl
@pytest.mark.parametrize("layout", ["fitted order", "reversed, with an extra channel"])
def test_live_decoding_matches_offline_on_the_same_windows(recording, fitted, layout, tmp_path):
    clf = fitted
    played = recording.copy().crop(0, 5.0 - 1 / SFREQ)
    if layout != "fitted order":
        extra = mne.io.RawArray(np.random.default_rng(0).normal(size=(1, played.n_times)) * 1e-5,
                                mne.create_info(["EXG1"], SFREQ, "eeg"), verbose=False)
        played.add_channels([extra], force_update_info=True)
        played.reorder_channels(played.ch_names[::-1])
    # the recording as fitting on Epochs sees it: µV, float32, fitted channel order
    reference = recording.get_data(picks=clf.ch_names_, units="uV").astype(np.float32)
    first_samples = {value: i for i, value in enumerate(reference[0])}
    truth = _block_labels(recording, clf)

    player, name = _play(played)
    out = tmp_path / "predictions.csv"
    try:
        decoder = OnlineDecoder(clf, name, step=0.1, keep_windows=True)
        predictions = decoder.run(out=out)
        from mne_lsl.lsl import local_clock

        ended = local_clock()
    finally:
        _stop(player)
    assert decoder.stop_reason == "stream stopped"
    assert len(predictions) >= 20
    starts = []
    for p in predictions:
        start = first_samples[p.window[0, 0]]
        # the same samples, channels and units as the offline window
        np.testing.assert_array_equal(p.window, reference[:, start:start + N_TIMES])
        starts.append(start)
    assert set(np.diff(starts)) == {int(0.1 * SFREQ)}  # one window every step
    windows = np.stack([p.window for p in predictions])
    offline = clf.predict_proba(windows)
    np.testing.assert_allclose(np.stack([p.proba for p in predictions]), offline, atol=1e-6)
    live_labels = np.array([p.label for p in predictions])
    # accuracy on the windows that lie inside one block
    whole = [k for k, s in enumerate(starts) if len(set(truth[s:s + N_TIMES])) == 1]
    y = np.array([truth[starts[k]] for k in whole])
    live_accuracy = np.mean(live_labels[whole] == y)
    offline_accuracy = np.mean(clf.classes_[offline[whole].argmax(1)] == y)
    assert live_accuracy == offline_accuracy
    assert live_accuracy > 0.5  # the model learned the asymmetry: the check is not vacuous
    # the stream stopped: the decoder ended within a second of its last window,
    # and every prediction is on disk
    assert ended - predictions[-1].timestamp < 1.0
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["timestamp", "label", "latency", "proba_1", "proba_2"]
    assert len(rows) == len(predictions)
    assert [int(r["label"]) for r in rows] == live_labels.tolist()
    np.testing.assert_allclose([float(r["timestamp"]) for r in rows],
                               [p.timestamp for p in predictions])


@needs_lsl
def test_wrong_rate_and_missing_channels_are_refused(recording, fitted):
    clf = fitted
    resampled = mne.io.RawArray(recording.get_data()[:, :1000],
                                mne.create_info(recording.ch_names, 250.0, "eeg"),
                                verbose=False)
    player, name = _play(resampled)
    try:
        with pytest.raises(ValueError, match=r"sampled at 250 Hz.*fitted at 200 Hz"):
            OnlineDecoder(clf, name).connect()
    finally:
        _stop(player)
    player, name = _play(recording.copy().drop_channels(["O2", "C3"]).crop(0, 2))
    try:
        with pytest.raises(ValueError, match=r"lacks 2 .*\['C3', 'O2'\]"):
            OnlineDecoder(clf, (name, name)).connect()
    finally:
        _stop(player)
    with pytest.raises(RuntimeError, match="Could not connect to an LSL stream named"):
        OnlineDecoder(clf, f"absent-{uuid.uuid4().hex}", timeout=0.2).connect()


@needs_lsl
def test_duration_interrupt_outlet_and_smoothing(recording, fitted, tmp_path):
    from mne_lsl.lsl import StreamInlet, resolve_streams

    clf = fitted
    player, name = _play(recording, n_repeat=np.inf)
    try:
        decoder = OnlineDecoder(clf, name, smooth=3, outlet=f"{name}-out")
        decoder.connect()
        (info,) = resolve_streams(timeout=2.0, name=f"{name}-out")
        inlet = StreamInlet(info)
        inlet.open_stream(timeout=5.0)
        # one channel per class, named after it
        assert inlet.get_sinfo(timeout=5.0).get_channel_names() == ["1", "2"]
        predictions = decoder.run(duration=1.6)
        assert decoder.stop_reason == "duration"
        assert len(predictions) >= 3
        # smoothed: the mean of the last three windows' own probabilities
        raw = np.stack([p.raw_proba for p in predictions])
        np.testing.assert_allclose(predictions[-1].proba, raw[-3:].mean(0), rtol=1e-6)
        time.sleep(0.2)
        published, stamps = inlet.pull_chunk(timeout=0.5)
        np.testing.assert_allclose(published[-1], predictions[-1].proba, rtol=1e-6)
        np.testing.assert_allclose(stamps[-1], predictions[-1].timestamp)
        inlet.close_stream()

        # Ctrl-C (here raised by a callback) ends the run and keeps what was made
        def interrupt(prediction):
            if len(decoder.predictions) >= len(predictions) + 3:
                raise KeyboardInterrupt

        decoder.callbacks.append(interrupt)
        out = tmp_path / "p.csv"
        more = decoder.run(out=out)
        assert decoder.stop_reason == "interrupted"
        assert len(more) == 3
        with open(out, newline="") as f:
            assert len(list(csv.reader(f))) == 1 + 3
        decoder.close()
        assert decoder.stream is None
    finally:
        _stop(player)


@needs_lsl
def test_causal_filter_live(recording, fitted):
    clf = fitted
    from mne_lsl.stream import StreamLSL

    player, name = _play(recording.copy().crop(0, 3 - 1 / SFREQ))
    try:
        # a StreamLSL the user connected: used as it is, and left connected
        stream = StreamLSL(4.0, name=name, source_id=name).connect(timeout=5.0)
        decoder = OnlineDecoder(clf, stream, l_freq=30.0, h_freq=90.0, keep_windows=True)
        predictions = decoder.run()
        decoder.close()
        assert stream.connected
        stream.disconnect()
    finally:
        _stop(player)
    assert predictions and decoder.stop_reason == "stream stopped"
    # the band-pass removed the 10 µV of white noise outside 30-90 Hz: the
    # windows differ from the raw samples the reference recording holds
    reference = recording.get_data(picks=clf.ch_names_, units="uV").astype(np.float32)
    assert predictions[0].window[0, 0] not in set(reference[0])


@needs_lsl
@pytest.mark.slow
def test_cli_play_and_online(recording, fitted, tmp_path, capsys):
    from mne_hamnet.cli import main

    model = tmp_path / "clf.pkl"
    joblib.dump(fitted, model)
    name = f"hamnet-cli-{uuid.uuid4().hex}"
    player = subprocess.Popen(
        [sys.executable, "-m", "mne_hamnet", "play", "--simulated", "--name", name],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        # the player prints this line once it streams
        first = player.stdout.readline()
        assert first.startswith("Streaming"), first
        out = tmp_path / "predictions.csv"
        status = main(["online", "--model", str(model), "--stream", name, "--duration",
                       "2", "--smooth", "2", "--out", str(out)])
    finally:
        player.kill()
        player.communicate(timeout=30)
    assert status == 0
    printed = capsys.readouterr().out
    assert "Stopped (duration)" in printed and "latency p50" in printed
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and set(rows[0]) == {"timestamp", "label", "latency", "proba_1", "proba_2"}


def test_cli_bad_input(tmp_path, capsys):
    from mne_hamnet.cli import main

    assert main(["online", "--model", str(tmp_path / "none.pkl"), "--stream", "x"]) == 2
    assert "no file" in capsys.readouterr().err
    joblib.dump({"not": "a model"}, tmp_path / "dict.pkl")
    assert main(["online", "--model", str(tmp_path / "dict.pkl"), "--stream", "x"]) == 2
    assert "not a classifier" in capsys.readouterr().err
    assert main(["play"]) == 2
    assert "--simulated" in capsys.readouterr().err


# ------------------------------------------------------------ the parts
def test_windower_cuts_every_hop_whatever_the_chunks():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(3, 1000))
    stamps = np.arange(1000) / SFREQ
    windower = Windower(3, n_times=50, hop=7)
    got, position = [], 0
    while position < 1000:
        size = int(rng.integers(1, 40))
        got += windower.push(data[:, position:position + size], stamps[position:position + size])
        position += size
    ends = range(50, 1001, 7)
    assert len(got) == len(ends)
    for (window, stamp), end in zip(got, ends):
        np.testing.assert_array_equal(window, data[:, end - 50:end])
        assert stamp == stamps[end - 1]


def test_causal_bandpass_chunks_equal_one_pass_and_depend_on_the_past_only():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(4, 2000)) + 50.0  # with a DC offset
    whole = causal_filter(data, 8.0, 30.0, sfreq=SFREQ)
    bandpass = CausalBandpass(SFREQ, 8.0, 30.0)
    chunks = [bandpass(data[:, a:a + 37]) for a in range(0, 2000, 37)]
    np.testing.assert_allclose(np.concatenate(chunks, axis=1), whole, rtol=0, atol=1e-12)
    changed = data.copy()
    changed[:, 1500:] += 100.0
    np.testing.assert_array_equal(causal_filter(changed, 8.0, 30.0, sfreq=SFREQ)[:, :1500],
                                  whole[:, :1500])
    # started in the steady state of the DC offset: no start-up transient
    assert np.abs(whole[:, :50]).max() < 5 * np.abs(whole[:, 1000:]).std()
    # on Raw, the same filter on the data channels (in volts)
    raw = mne.io.RawArray(data * 1e-6, mne.create_info(4, SFREQ, "eeg"), verbose=False)
    np.testing.assert_allclose(causal_filter(raw, 8.0, 30.0).get_data() * 1e6, whole,
                               rtol=1e-9, atol=1e-9)
    with pytest.raises(TypeError, match="continuous recording"):
        causal_filter(mne.make_fixed_length_epochs(raw, verbose=False), 8.0, 30.0)


@pytest.mark.parametrize("seed", range(40))
def test_volts_check_decides_as_the_median(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    scale = 10.0 ** rng.uniform(-5, -1)
    values = (rng.normal(size=n) * scale).astype(np.float32)
    values[rng.random(n) < 0.3] = 0
    if seed % 5 == 0:  # values on the threshold itself
        values[: n // 2] = np.float32(VOLTS_THRESHOLD)
    nonzero = np.abs(values[values != 0], dtype=np.float64)
    expected = nonzero.size > 0 and np.median(nonzero) < VOLTS_THRESHOLD
    got = _median_if_below(values, VOLTS_THRESHOLD)
    assert (got is not None) == expected
    if expected:
        assert got == np.median(nonzero)


def test_even_count_median_straddling_the_threshold():
    # two middle values on either side of the threshold: their mean decides
    below = np.array([1e-4, 9e-4, 1.05e-3, 5.0], np.float32)
    above = np.array([1e-4, 9e-4, 1.2e-3, 5.0], np.float32)
    assert _median_if_below(below, VOLTS_THRESHOLD) is not None
    assert _median_if_below(above, VOLTS_THRESHOLD) is None


def test_model_rule_for_pipelines(fitted):
    spec = resolve_model(fitted)
    assert spec.unchecked and spec.ch_names == fitted.ch_names_ and spec.n_times == N_TIMES
    pipe = make_pipeline(FunctionTransformer(), fitted)
    spec = resolve_model(pipe)
    assert not spec.unchecked and spec.ch_names == fitted.ch_names_
    assert spec.sfreq == SFREQ and spec.n_times == N_TIMES

    class Bare(ClassifierMixin, BaseEstimator):
        classes_ = np.array([0, 1])

        def fit(self, X, y):
            return self

        def predict_proba(self, X):
            return np.full((len(X), 2), 0.5)

    bare = Bare()
    bare.is_fitted_ = True
    with pytest.raises(ValueError, match="ch_names_ and sfreq_, or info_"):
        resolve_model(bare)
    bare.info_ = mne.create_info(["C3", "C4"], 100.0, "eeg")
    with pytest.raises(ValueError, match="pass n_times="):
        resolve_model(bare)
    spec = resolve_model(bare, n_times=100)
    assert spec.ch_names == ["C3", "C4"] and spec.sfreq == 100.0
    with pytest.raises(TypeError, match="predict_proba"):
        resolve_model(object())


def test_missing_optional_dependencies_say_what_to_install(fitted, monkeypatch, tmp_path):
    from mne_hamnet.export import to_onnx

    monkeypatch.setitem(sys.modules, "mne_lsl", None)
    with pytest.raises(ImportError, match=r"pip install 'mne-hamnet\[online\]'"):
        OnlineDecoder(fitted, "any").connect()
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install 'mne-hamnet\[export\]'"):
        to_onnx(fitted, tmp_path / "x.onnx")
