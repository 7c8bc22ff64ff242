"""Tests of the benchmark scripts' plumbing (not of their timings, which are not tested)."""

import datetime
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def sections(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import latency
    import run_benchmarks

    return SimpleNamespace(latency=latency, runner=run_benchmarks)


def test_bci_benchmark_skips_without_data(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bci_competition_iv.py"), "--data",
         str(tmp_path / "absent.mat"), "--out", str(tmp_path / "table.md")],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Skipped" in done.stdout and "absent.mat not found" in done.stdout
    assert not (tmp_path / "table.md").exists()


def test_latency_markdown_gives_peers_as_ratios(sections):
    result = {
        "single": [("HAMNetClassifier.predict_proba(X[i:i+1])", 0.5, 0.9),
                   ("module forward + softmax, fft path", 0.2, 0.3),
                   ("module forward + softmax, direct path", 0.8, 0.9)],
        "n_calls": 10, "batch_ms": 50.0, "batch_size": 1000,
        "peers": [("braindecode 1.8 EEGNet: pipeline predict_proba(X[i:i+1])", 2.0, 3.0),
                  ("braindecode 1.8 EEGNet: module forward + softmax", 1.0, 1.5)],
    }
    lines, measured = sections.latency.markdown(result)
    assert measured == {"latency_p50_ms": 0.5, "latency_module_p50_ms": 0.2}
    # each peer row against the same kind of HAMNet call of the same run
    assert "| 2.000 | 3.000 | 4.0x |" in "\n".join(lines)
    assert "| 1.000 | 1.500 | 5.0x |" in "\n".join(lines)
    del result["peers"]
    lines, _ = sections.latency.markdown({**result, "peers_skipped": "braindecode is absent"})
    assert "braindecode's networks: skipped, braindecode is absent." in lines


def test_report_without_measurements(sections):
    args = SimpleNamespace(argv=["--quick"], quick=True)
    report = sections.runner.build_report(
        args, "cpu", [("CPU", "test")], {"cuda_skip": "Not measured: no GPU."},
        datetime.datetime(2026, 1, 2), 60.0)
    assert report.startswith("# mne-hamnet benchmarks: cpu, 2026-01-02")
    assert "Not measured: no GPU." in report
    assert "| single-window inference p50 <= 1 ms | n/a | n/a |" in report


def test_every_mutation_still_applies_to_the_code(monkeypatch):
    # a refactor that moves a mutated line makes the whole check fail at its
    # next run; say so here, in the normal test run
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import mutation_check

    root = BENCHMARKS.parent
    for mutation in mutation_check.MUTATIONS:
        text = (root / mutation.path).read_text(encoding="utf-8")
        assert mutation_check.apply(text, mutation) != text, mutation.name
