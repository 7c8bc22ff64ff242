"""Tests of running the benchmark on a dask.distributed cluster."""

import logging
import os
import signal
import threading
import time

import pandas as pd
import pytest

from mne_hamnet import _distributed
from mne_hamnet.cli import main
from mne_hamnet.datasets import SEED, simulate_seed
from mne_hamnet.evaluation import evaluate
from mne_hamnet.pipelines import make_pipelines

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

QUICK = ["benchmark", "--quick", "--no-cache", "--n-jobs", "1"]


def start_cluster(config=_distributed.NO_MALLOC_TRIM):
    """Two single-threaded worker processes on 127.0.0.1."""
    with dask.config.set(config):
        return distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # a free port: a fixed one (8787) may be taken by another cluster
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )


@pytest.fixture(scope="module")
def cluster():
    """The cluster of the tests, started as the documentation says, shut down at the end."""
    cluster = start_cluster()
    try:
        with distributed.Client(cluster, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield cluster
    finally:
        cluster.close(timeout=30)


@pytest.fixture(scope="module")
def serial_quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    assert main([*QUICK, "--out", str(out)]) == 0
    return out


def read_outputs(out):
    """The outputs without what measures time: the fit-time column and table."""
    results = pd.read_csv(out / "results.csv").drop(columns="time")
    table = (out / "table.md").read_text()
    start = table.index("Mean time to fit one fold")
    end = table.index("\n\n", table.index("|---", start))
    assert "| DE+SVM |" in table[start:end]
    table = table[:start] + table[end:]
    return results, table, (out / "per_subject.png").read_bytes()


def test_cluster_run_equals_serial_run(cluster, serial_quick, tmp_path, capsys):
    out = tmp_path / "dask"
    status = main([*QUICK, "--scheduler", cluster.scheduler_address, "--out", str(out)])
    assert status == 0
    log = capsys.readouterr().out
    assert f"Running the folds on the dask cluster at {cluster.scheduler_address} " \
           "(2 workers, 2 threads)" in log
    expected = read_outputs(serial_quick)
    got = read_outputs(out)
    pd.testing.assert_frame_equal(got[0], expected[0])
    assert got[1] == expected[1]
    assert got[2] == expected[2]


def test_rerun_on_cluster_skips_finished_folds(cluster, tmp_path, capsys):
    args = ["benchmark", "--quick", "--pipelines", "DE+SVM", "--protocol", "trialwise",
            "--scheduler", cluster.scheduler_address, "--out", str(tmp_path)]
    assert main(args) == 0
    assert "[16/16]" in capsys.readouterr().out
    assert main(args) == 0
    log = capsys.readouterr().out
    assert "Skipping 16 of 16 folds already finished" in log
    assert "[1/" not in log


def max_in_flight(stream):
    """The most tasks of a dask task stream computing at the same time."""
    spans = [(part["start"], part["stop"]) for task in stream for part in task["startstops"]
             if part["action"] == "compute"]
    events = sorted([(start, 1) for start, _ in spans] + [(stop, -1) for _, stop in spans])
    running = most = 0
    for _, step in events:  # a stop sorts before a start at the same instant
        running += step
        most = max(most, running)
    return most, len(spans)


def test_n_jobs_caps_the_folds_in_flight(cluster, tmp_path):
    folder = simulate_seed(tmp_path / "data", n_subjects=1, n_sessions=1, trial_seconds=2.0,
                           random_state=0)
    pipelines = make_pipelines(["DE+SVM"])
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        with distributed.get_task_stream(client) as capped_stream:
            capped = evaluate(pipelines, SEED(folder), "trialwise", n_splits=4,
                              random_state=0, scheduler=client, n_jobs=1)
        with distributed.get_task_stream(client) as free_stream:
            free = evaluate(pipelines, SEED(folder), "trialwise", n_splits=4,
                            random_state=0, scheduler=client)
    pd.testing.assert_frame_equal(capped.drop(columns="time"), free.drop(columns="time"))
    # one fold at a time with n_jobs=1, and both workers busy at once without
    # it (the control: the measure can see more than one)
    assert max_in_flight(capped_stream.data) == (1, 4)
    assert max_in_flight(free_stream.data)[0] >= 2


def test_bad_scheduler_address(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(_distributed, "CONNECT_TIMEOUT", 1)
    status = main([*QUICK, "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path)])
    assert status == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert "Could not connect to the dask scheduler at 'tcp://127.0.0.1:9' within 1 s" \
        in lines[0]


def test_distributed_not_installed(monkeypatch, tmp_path, capsys):
    def missing():
        raise ImportError(
            "Running on a dask cluster (scheduler=...) needs dask.distributed, which cannot "
            "be imported. Install the extra with: pip install 'mne-hamnet[distributed]'."
        )

    monkeypatch.setattr(_distributed, "_import_distributed", missing)
    status = main([*QUICK, "--scheduler", "tcp://127.0.0.1:8786", "--out", str(tmp_path)])
    assert status == 2
    assert "pip install 'mne-hamnet[distributed]'" in capsys.readouterr().err


def test_warns_about_dask_default_malloc_trim(tmp_path, monkeypatch):
    # the nanny sets the variable in this process too, for the processes it
    # starts; monkeypatch restores the environment afterwards
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    cluster = start_cluster(config={})
    try:
        folder = simulate_seed(tmp_path / "data", n_subjects=1, n_sessions=1,
                               trial_seconds=1.0, random_state=0)
        with pytest.warns(RuntimeWarning, match="2 of the 2 dask workers run with "
                                                "MALLOC_TRIM_THRESHOLD_=65536"):
            evaluate(make_pipelines(["DE+SVM"]), SEED(folder), "trialwise",
                     scheduler=cluster.scheduler_address)
    finally:
        cluster.close(timeout=30)


def test_a_worker_dies_mid_fold(cluster, tmp_path):
    """Kill a worker process while it runs a fold: the run still completes."""
    folder = simulate_seed(tmp_path / "data", n_subjects=2, n_sessions=2, trial_seconds=1.0,
                           random_state=0)
    cache = tmp_path / "cache"
    # folds long enough (about a second) to be caught running
    pipelines = make_pipelines(["HAMNet-pretrain"], pretrain_epochs=150, random_state=0,
                               device="cpu")
    killed = {}

    def kill_a_busy_worker(client):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "pid" not in killed:
            if any(cache.glob("*.json")):  # one fold is finished, others are running
                busy = [w for w, keys in client.processing().items() if keys]
                if busy:
                    pids = client.run(os.getpid, workers=busy[:1])
                    killed["pid"] = pids[busy[0]]
                    killed["tasks"] = len(client.processing()[busy[0]])
                    os.kill(killed["pid"], signal.SIGKILL)
            time.sleep(0.05)

    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        killer = threading.Thread(target=kill_a_busy_worker, args=(client,), daemon=True)
        killer.start()
        results = evaluate(pipelines, SEED(folder), "trialwise", n_splits=2, random_state=0,
                           scheduler=client, cache_dir=cache)
        killer.join(timeout=5)
        # the nanny restarts the killed worker, for the next tests
        client.wait_for_workers(2, timeout=60)
    assert "pid" in killed, "the run ended before a worker could be killed"
    assert killed["tasks"] >= 1
    # all folds are there: 2 subjects x 2 sessions x 2 folds
    assert len(results) == 8
    folds = results.groupby(["subject", "session"]).fold.apply(sorted)
    assert folds.tolist() == [[0, 1]] * 4
    assert len(list(cache.glob("*.json"))) == 8

    serial = evaluate(pipelines, SEED(folder), "trialwise", n_splits=2, random_state=0)
    pd.testing.assert_frame_equal(results.drop(columns="time"), serial.drop(columns="time"))


# a worker restarted by an earlier test (the killed-worker one) comes back
# without the cluster's malloc setting: a speed warning, not this test's point
@pytest.mark.filterwarnings("ignore:.*MALLOC_TRIM_THRESHOLD_:RuntimeWarning")
def test_cluster_runs_every_seed_like_the_serial_run_and_reuses_the_cache(cluster, tmp_path,
                                                                          capsys):
    args = ["benchmark", "--quick", "--pipelines", "HAMNet", "--protocol", "trialwise",
            "--seeds", "0", "1", "--n-jobs", "1"]
    assert main([*args, "--no-cache", "--out", str(tmp_path / "serial")]) == 0
    out = tmp_path / "dask"
    cluster_args = [*args, "--scheduler", cluster.scheduler_address, "--out", str(out)]
    assert main(cluster_args) == 0
    expected = pd.read_csv(tmp_path / "serial" / "results.csv").drop(columns="time")
    got = pd.read_csv(out / "results.csv").drop(columns="time")
    pd.testing.assert_frame_equal(got, expected)
    assert set(got.loc[got.pipeline == "HAMNet", "seed"]) == {0, 1}
    capsys.readouterr()
    assert main(cluster_args) == 0
    # 8 folds per seed of HAMNet, 8 of the majority class
    assert "Skipping 24 of 24 folds already finished" in capsys.readouterr().out
