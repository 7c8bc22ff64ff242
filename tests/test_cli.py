"""Tests of the ``mne-hamnet benchmark`` command line."""

import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from scipy.io import loadmat, savemat

from mne_hamnet.cli import main, summary_table
from mne_hamnet.datasets import simulate_seed

# Pipelines and protocols that keep a CLI run to a few seconds.
LIGHT = ["--pipelines", "DE+SVM", "--protocol", "trialwise"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One ``mne-hamnet benchmark --quick`` with every default pipeline and protocol."""
    out = tmp_path_factory.mktemp("quick")
    assert main(["benchmark", "--quick", "--out", str(out)]) == 0
    return out


def test_quick_writes_the_three_outputs(quick_run):
    results = pd.read_csv(quick_run / "results.csv")
    # one row per fold: 2 subjects x 2 sessions x 2 folds within sessions,
    # 2 x 2 x 1 chronological split, 2 x 2 across sessions, 2 folds x 2 test
    # sessions across subjects
    counts = results.groupby(["protocol", "pipeline"]).size()
    assert set(results.pipeline) == {"HAMNet", "HAMNet-pretrain", "DE+SVM", "DASM+SVM",
                                     "Majority class"}
    assert counts.xs("paper", level="protocol").eq(8).all()
    assert counts.xs("trialwise", level="protocol").eq(8).all()
    assert counts.xs("chronological", level="protocol").eq(4).all()
    assert counts.xs("cross-session", level="protocol").eq(4).all()
    assert counts.xs("cross-subject", level="protocol").eq(4).all()
    assert {"protocol", "pipeline", "subject", "session", "fold", "score", "time",
            "samples", "samples_test", "accuracy", "balanced_accuracy", "f1_macro",
            "majority_rate", "epochs_kept", "seed"} <= set(results.columns)

    table = (quick_run / "table.md").read_text()
    assert ("| Method | Feature | Paper protocol* | Trial-wise | Chronological | Cross-session "
            "| Cross-subject |") in table
    assert "**leaks**" in table
    for name in ("HAMNet", "HAMNet-pretrain", "DE+SVM", "DASM+SVM", "Majority class"):
        assert f"| {name} |" in table
    assert "Paper (SEED)" not in table  # simulated data
    # the score shown is named, with why; the chance levels follow the pipelines
    assert re.search(r"^(Balanced accuracy|Accuracy) \(%\): shown because", table, re.M)
    assert "| Chance (1 / 3 classes) |  | 33.33 | 33.33 |" in table
    assert "| Majority rate of the test folds | mean (max) |" in table
    assert "| Method | Accuracy | Balanced accuracy | Macro-F1 |" in table

    stats = (quick_run / "stats.md").read_text()
    for name in ("HAMNet-pretrain", "DE+SVM", "DASM+SVM", "Majority class"):
        assert f"| {name} | 2 subjects |" in stats
    assert "MOABB's paired permutation test over subjects (exact)" in stats
    assert (quick_run / "paired_differences.png").read_bytes().startswith(b"\x89PNG")

    png = (quick_run / "per_subject.png").read_bytes()
    assert png.startswith(b"\x89PNG")


def test_rerun_skips_finished_folds(quick_run, tmp_path, capsys):
    before = {name: (quick_run / name).read_bytes() for name in ("results.csv", "table.md")}
    assert main(["benchmark", "--quick", "--out", str(quick_run)]) == 0
    out = capsys.readouterr().out
    # 130 folds: 140 rows less the 10 second test sessions of cross-subject folds
    assert "Skipping 130 of 130 folds already finished" in out
    assert "[1/" not in out  # nothing ran
    for name, content in before.items():
        assert (quick_run / name).read_bytes() == content


def test_progress_and_settings_are_printed(tmp_path, capsys):
    assert main(["benchmark", "--quick", *LIGHT, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "HAMNet: 2 pretraining + 1 finetuning epochs" in out
    assert re.search(r"\[\d+/16\] DE\+SVM \| trialwise \| subject", out)
    assert "| Majority class |" in out
    assert "left" in out
    assert "| DE+SVM | DE |" in out


def test_simulated_folder_is_kept(tmp_path):
    data = tmp_path / "data"
    args = ["benchmark", "--quick", *LIGHT, "--path", str(data), "--no-cache"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert len(list(data.glob("*.mat"))) == 2 * 2 + 1
    # a second run reads the same files
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    a = pd.read_csv(tmp_path / "a" / "results.csv").drop(columns="time")
    b = pd.read_csv(tmp_path / "b" / "results.csv").drop(columns="time")
    pd.testing.assert_frame_equal(a, b)
    assert not (tmp_path / "a" / "fold_cache").exists()


def _seed_folder(path, n_subjects=1):
    return simulate_seed(path, n_subjects=n_subjects, n_sessions=1, trial_seconds=1.0,
                         random_state=0)


def _bad_shape(path):
    folder = _seed_folder(path)
    (fname,) = [f for f in folder.glob("*.mat") if f.name != "label.mat"]
    trials = {k: v for k, v in loadmat(fname).items() if not k.startswith("__")}
    (key,) = [k for k in trials if k.endswith("_eeg3")]
    trials[key] = np.ones((61, 200))
    savemat(fname, trials)
    return folder


def _renamed(path):
    folder = _seed_folder(path)
    (fname,) = [f for f in folder.glob("*.mat") if f.name != "label.mat"]
    fname.rename(folder / "subject1.mat")
    return folder


def _no_label(path):
    folder = _seed_folder(path)
    (folder / "label.mat").unlink()
    return folder


def _empty(path):
    path.mkdir()
    return path


@pytest.mark.parametrize(
    "make_folder, extra, match",
    [
        (None, [], "The SEED folder .*missing does not exist"),
        (_empty, [], "The SEED folder .*empty holds no .mat file"),
        (_no_label, [], "has no label.mat"),
        (_renamed, [], "The file name 'subject1.mat' .* does not follow SEED's"),
        (_bad_shape, [], "'[a-z]+_eeg3' in .*_2013.*\\.mat has shape \\(61, 200\\)"),
        (_seed_folder, ["--subjects", "1", "4"],
         r"Subject\(s\) \[4\] are not in the data set SEED"),
    ],
)
def test_bad_seed_folders(tmp_path, capsys, make_folder, extra, match):
    name = {None: "missing", _empty: "empty"}.get(make_folder, "seed")
    folder = tmp_path / name
    if make_folder is not None:
        folder = make_folder(folder)
    status = main(["benchmark", "--dataset", "seed", "--path", str(folder), "--quick",
                   "--pipelines", "DE+SVM", "--protocol", "trialwise", *extra,
                   "--out", str(tmp_path / "out")])
    assert status == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mne-hamnet benchmark: error: ")
    assert re.search(match, lines[0]), lines[0]


@pytest.mark.parametrize(
    "args, match",
    [
        (["--protocol", "paper", "leaky"],
         "Invalid value for the 'protocol' parameter.*but got 'leaky'"),
        (["--pipelines", "HAMNet", "SVM"],
         r"Unknown pipeline name\(s\) \['SVM'\]. The available pipelines are"),
        (["--subjects", "9"], r"Subject\(s\) \[9\] are not in the data set SEED"),
        (["--subjects", "1", "--protocol", "cross-subject"], "needs at least 2 subjects"),
        (["--n-jobs", "0"], "--n-jobs must be a positive number or -1, but got 0"),
        (["--pretrain-epochs", "0"], "--pretrain-epochs must be at least 1, but got 0"),
        (["--n-splits", "1"], "--n-splits must be at least 2, but got 1"),
    ],
)
def test_bad_values_exit_2_with_one_line(tmp_path, capsys, args, match):
    status = main(["benchmark", "--quick", "--out", str(tmp_path), *args])
    assert status == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert re.search(match, lines[0]), lines[0]
    assert not (tmp_path / "results.csv").exists()


def test_module_entry_point_reports_errors_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "mne_hamnet", "benchmark", "--protocol", "leaky",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "mne-hamnet benchmark: error: Invalid value for the 'protocol' parameter. Allowed "
        "values are 'paper', 'trialwise', 'chronological', 'cross-session', "
        "'cross-subject', but got 'leaky' instead."
    ]


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["benchmark", "--n-splits", "two"])
    assert info.value.code == 2
    assert "invalid int value: 'two'" in capsys.readouterr().err


def test_summary_table_for_seed():
    rows = []
    for protocol in ("paper", "trialwise"):
        for subject, session, score in [(1, "0", 0.9), (1, "1", 0.8), (2, "0", 0.7)]:
            for fold in range(2):
                rows.append(dict(protocol=protocol, pipeline="HAMNet", subject=subject,
                                 session=session, fold=fold, score=score))
    table = summary_table(pd.DataFrame(rows), dataset="seed")
    assert "| Method | Feature | Paper protocol* | Trial-wise | Paper (SEED)† |" in table
    # mean and sample std over the 3 subject x session units
    assert "| HAMNet | raw EEG | 80.00 ± 10.00 | 80.00 ± 10.00 | 96.45 |" in table
    assert "| BiHDM | raw EEG | — | — | 93.12 |" in table
    assert "| DBN (DE) | DE | — | — | 86.65 |" in table
    assert "**leaks**" in table


def _file_in_the_way(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    return blocker / "out"


@pytest.mark.parametrize(
    "make_out, match",
    [
        # works as root too: nothing can be created under a regular file
        (_file_in_the_way, r"--out: Cannot write to the output folder .*a-file/out: Not a "
                           "directory"),
        # an existing folder that even root cannot write to
        (lambda tmp_path: "/proc", "--out: Cannot write to the output folder /proc"),
        (lambda tmp_path: tmp_path / "exists.txt", "--out: The output folder .* exists and "
                                                   "is not a folder"),
    ],
)
def test_unwritable_out_fails_before_the_first_fold(tmp_path, capsys, make_out, match):
    out = make_out(tmp_path)
    if str(out).endswith("exists.txt"):
        out.write_text("")
    status = main(["benchmark", "--quick", *LIGHT, "--no-cache", "--out", str(out)])
    assert status == 2
    captured = capsys.readouterr()
    assert re.search(match, captured.err.strip()), captured.err
    assert "[1/" not in captured.out  # no fold ran
    assert "Simulated" not in captured.out  # nor any data made


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes to read-only folders")
def test_read_only_out_fails_before_the_first_fold(tmp_path, capsys):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        status = main(["benchmark", "--quick", *LIGHT, "--no-cache", "--out", str(out)])
    finally:
        out.chmod(0o700)
    assert status == 2
    captured = capsys.readouterr()
    assert "Cannot write to the output folder" in captured.err
    assert "[1/" not in captured.out


@pytest.mark.parametrize(
    "args, match",
    [
        (["--random-state", "-5"], r"--random-state must be a seed from 0 to 4294967295, but "
                                   "got -5"),
        (["--random-state", str(2**32)], "--random-state must be a seed from 0"),
        (["--subjects", "0"], "--subjects are numbered from 1, but got 0"),
        (["--subjects", "1", "1"], "subjects .*1"),
        (["--n-splits", "16"], "'trialwise' needs at least 16 trials per session for "
                               "n_splits=16 folds"),
        (["--pipelines", "DE+SVM", "DE+SVM"], "DE\\+SVM"),
        (["--finetune-epochs", "-1"], "--finetune-epochs must be at least 0, but got -1"),
        (["--n-jobs", "-2"], "--n-jobs must be a positive number or -1, but got -2"),
        (["--device", "tpu"], "tpu"),
        (["--dataset", "seed", "--simulated", "--protocol", "cross-session",
          "--subjects", "1"], None),
    ],
)
def test_more_bad_values_exit_2(tmp_path, capsys, args, match):
    status = main(["benchmark", "--quick", *LIGHT, "--out", str(tmp_path), *args])
    captured = capsys.readouterr()
    if match is None:  # a valid combination, for contrast
        assert status == 0, captured.err
        return
    assert status == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert re.search(match, lines[0]), lines[0]
    assert "[1/" not in captured.out


def test_dataset_names_and_alias(tmp_path, capsys):
    """--dataset simulated and --dataset seed --simulated are the default run."""
    outs = []
    for k, args in enumerate([[], ["--dataset", "simulated"], ["--dataset", "SEED",
                                                                "--simulated"]]):
        out = tmp_path / str(k)
        assert main(["benchmark", "--quick", *LIGHT, "--no-cache", *args,
                     "--out", str(out)]) == 0
        outs.append(pd.read_csv(out / "results.csv").drop(columns="time"))
    pd.testing.assert_frame_equal(outs[0], outs[1])
    pd.testing.assert_frame_equal(outs[0], outs[2])


def test_per_subject_figure_is_paper_sized_with_error_bars(quick_run):
    from PIL import Image

    with Image.open(quick_run / "per_subject.png") as image:
        width, height = image.size
    # a page-wide figure at 200 dpi, not a 1920 x 432 strip
    assert width <= 2200 and 0.4 < height / width < 1.2


def test_figure_note_and_error_bars():
    from mne_hamnet.report import plot_per_subject

    rows = [dict(protocol="trialwise", pipeline="DE+SVM", subject=s, session=sess, fold=f,
                 score=score, n_classes=3)
            for s, sess, f, score in [(1, "0", 0, 0.5), (1, "0", 1, 0.7), (2, "0", 0, 0.6),
                                      (2, "0", 1, 0.6)]]
    fig = plot_per_subject(pd.DataFrame(rows), note="Simulated data.")
    assert "Simulated data." in [t.get_text() for t in fig.texts]
    # the axis names the score plotted
    assert fig.axes[0].get_ylabel() == "Score (%)"
    scored = pd.DataFrame(rows).assign(balanced_accuracy=0.5, accuracy=0.5, majority_rate=0.7)
    assert plot_per_subject(scored).axes[0].get_ylabel() == "Balanced accuracy (%)"
    (ax,) = [ax for ax in fig.axes if ax.get_visible() and ax.patches]
    from matplotlib.container import ErrorbarContainer

    (container,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    (errorbar,) = container.lines[2]
    segments = errorbar.get_segments()
    # subject 1: std 10 points around 60 %; subject 2: none
    assert np.allclose([s[1, 1] - s[0, 1] for s in segments], [20.0, 0.0])


def test_progress_is_shown_by_logger_name(tmp_path, capsys):
    """Progress lines pass the quiet console by their logger, not their file name."""
    import logging

    from mne_hamnet._logging import PROGRESS_LOGGER
    from mne_hamnet.cli import _console_logging

    with _console_logging(verbose=False):
        logging.getLogger(PROGRESS_LOGGER).info("progress line")
        logging.getLogger("mne_hamnet").info("detail line")
        logging.getLogger("mne_hamnet.cli").info("module line")
    out = capsys.readouterr().out
    assert "progress line" in out
    assert "detail line" not in out and "module line" not in out


def test_summary_table_chronological_beside_published():
    rows = [dict(protocol="chronological", pipeline="HAMNet", subject=s, session="0", fold=0,
                 score=score, time=2.0) for s, score in [(1, 0.8), (2, 0.6)]]
    table = summary_table(pd.DataFrame(rows), dataset="seed")
    assert "| HAMNet | 70.00 ± 14.14 | measured here |" in table
    assert "| DGCNN | 90.40 | Song et al., 2018" in table
    assert "| RGNN | 94.24 |" in table and "| BiHDM | 93.12 |" in table
    assert "| DGCNN (LibEER re-run) | 89.48 |" in table
    assert "| RGNN (LibEER re-run) | 84.66 |" in table
    assert table.count("published, not measured here") == 10
    # each published number carries the flaw of its protocol
    assert "| RGNN (LibEER re-run) | 84.66 | LibEER benchmark (Liu et al., 2024); published, " \
           "not measured here | sessions 1-2 only; the best epoch chosen on the test " \
           "trials |" in table
    assert "| EEGNet | 58.81 |" in table and "random 9/3/3" in table
    # fit time per fold
    assert "| HAMNet | 2 |" in table
    # not for simulated data
    assert "DGCNN" not in summary_table(pd.DataFrame(rows), dataset="simulated")


def test_default_protocols_follow_the_data_set(tmp_path, capsys):
    """Every registered data set runs with no --protocol; what it can't do is left out."""
    from mne_hamnet.datasets import DATASETS

    one_session = [name for name, spec in DATASETS.items()
                   if spec.chronological_split is None]
    if not one_session:
        pytest.skip("no registered data set without a chronological split")
    name = one_session[0]
    assert main(["benchmark", "--dataset", name, "--simulated", "--quick", "--pipelines",
                 "DE+SVM", "--no-cache", "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "Leaving out the protocol chronological" in out
    assert "chronological" not in set(pd.read_csv(tmp_path / "a" / "results.csv").protocol)
    # asked for explicitly, it is a clear error
    status = main(["benchmark", "--dataset", name, "--simulated", "--quick", "--pipelines",
                   "DE+SVM", "--protocol", "chronological", "--out", str(tmp_path / "b")])
    assert status == 2
    assert "The protocol 'chronological' means nothing on" in capsys.readouterr().err


def test_check_dataset_prints_what_was_read(tmp_path, capsys):
    from mne_hamnet.datasets import get_dataset_spec

    spec = get_dataset_spec("deap")
    spec.simulate(tmp_path, random_state=0, **spec.quick_sizes)
    assert main(["check-dataset", "deap", "--path", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "sampling frequency: 128 Hz" in out
    assert "channels (32): Fp1 AF3" in out


def test_check_dataset_bad_input(tmp_path, capsys):
    assert main(["check-dataset", "deap", "--path", str(tmp_path / "missing")]) == 2
    assert "DEAP folder" in capsys.readouterr().err
    assert main(["check-dataset", "nosuch"]) == 2
    assert "Allowed values are" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["seediv", "seedv", "deap", "dreamer", "faced"])
def test_every_registered_data_set_runs_simulated(name, tmp_path, capsys):
    # the CLI reads the registry: a new data set needs no change here
    out = tmp_path / "out"
    status = main(["benchmark", "--dataset", name, "--simulated", "--quick", "--pipelines",
                   "HAMNet", "DE+SVM", "--protocol", "trialwise", "--no-cache",
                   "--out", str(out)])
    assert status == 0, capsys.readouterr().err
    results = pd.read_csv(out / "results.csv")
    assert set(results.pipeline) == {"HAMNet", "DE+SVM", "Majority class"}
    assert (out / "per_subject.png").stat().st_size > 0


def test_ctrl_c_stops_the_benchmark_and_caches_no_unfinished_fold(tmp_path):
    """The issue's run: Ctrl-C during a long fold stops it, and nothing is cached."""
    out = tmp_path / "X"
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "mne_hamnet", "benchmark", "--dataset", "deap",
         "--simulated", "--quick", "--pretrain-epochs", "100000", "--n-jobs", "1",
         "--protocol", "trialwise", "--pipelines", "HAMNet", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # as from a terminal, even when the tests run in a background job,
        # which inherits SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        for line in proc.stdout:
            if line.startswith("Loaded"):  # the folds start now
                break
        time.sleep(2)  # well inside the first fit
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "mne-hamnet benchmark: interrupted; the folds that finished are cached" in err
    assert list((out / "fold_cache").iterdir()) == []


def test_no_command_exits_2(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "usage: mne-hamnet" in err and "a command is required" in err


@pytest.mark.parametrize("flag", ["--out", "--path"])
def test_empty_paths_are_refused(tmp_path, capsys, flag):
    args = ["--out", str(tmp_path)] if flag == "--path" else []
    assert main(["benchmark", "--quick", *LIGHT, *args, flag, ""]) == 2
    assert f"{flag} must name a folder, but got ''" in capsys.readouterr().err


def test_tilde_in_out_is_the_home_folder(tmp_path, monkeypatch, capsys):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    assert main(["benchmark", "--quick", *LIGHT, "--out", "~/bench",
                 "--path", "~/data"]) == 0
    assert (home / "bench" / "results.csv").exists() and any((home / "data").iterdir())
    assert list(work.iterdir()) == []  # no folder named "~" here


def test_seeds_run_each_network_per_seed_and_reuse_the_cache(tmp_path, capsys):
    args = ["benchmark", "--quick", "--pipelines", "HAMNet", "DE+SVM", "--protocol",
            "trialwise", "--n-jobs", "1", "--seeds", "0", "1", "--out", str(tmp_path)]
    assert main(args) == 0
    results = pd.read_csv(tmp_path / "results.csv")
    assert results.loc[results.pipeline == "HAMNet", "seed"].value_counts().to_dict() == {
        0: 8, 1: 8}
    assert results.loc[results.pipeline == "DE+SVM", "seed"].isna().all()
    table = (tmp_path / "table.md").read_text()
    assert re.search(r"\| HAMNet \| raw EEG \| \d+\.\d\d ± \d+\.\d\d \[seeds ± \d+\.\d\d\]",
                     table)
    assert "the standard deviation over the 2 seeds" in table
    capsys.readouterr()
    assert main(args) == 0
    # 8 folds of DE+SVM and of the majority class, 8 of HAMNet per seed
    assert "Skipping 32 of 32 folds already finished" in capsys.readouterr().out


def test_bad_seeds_exit_2(tmp_path, capsys):
    for seeds, match in ((["-1"], "--seeds must be seeds from 0"),
                         (["1", "1"], "--seeds must be different seeds")):
        assert main(["benchmark", "--quick", "--seeds", *seeds, "--out", str(tmp_path)]) == 2
        assert match in capsys.readouterr().err


def test_deap_chronological_uses_the_presentation_order_or_is_left_out(tmp_path, capsys):
    from mne_hamnet.datasets import simulate_deap

    base = ["benchmark", "--dataset", "deap", "--quick", "--pipelines", "DE+SVM",
            "--no-cache"]
    simulate_deap(tmp_path / "ordered", n_subjects=2, n_trials=8, trial_seconds=1.0,
                  random_state=0)
    assert main([*base, "--simulated", "--protocol", "chronological", "--path",
                 str(tmp_path / "ordered"), "--out", str(tmp_path / "a")]) == 0
    results = pd.read_csv(tmp_path / "a" / "results.csv")
    assert set(results.protocol) == {"chronological"}
    assert "roc_auc" in results  # two classes
    simulate_deap(tmp_path / "unordered", n_subjects=2, n_trials=8, trial_seconds=1.0,
                  random_state=0, ratings_file=False)
    capsys.readouterr()
    assert main([*base, "--simulated", "--path", str(tmp_path / "unordered"),
                 "--out", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "Leaving out the protocol chronological: DEAP's preprocessed files hold" in out
    assert main([*base, "--simulated", "--protocol", "chronological", "--path",
                 str(tmp_path / "unordered"), "--out", str(tmp_path / "c")]) == 2
    assert "participant_ratings.csv" in capsys.readouterr().err


def test_unwritable_simulated_path_is_one_line(tmp_path, capsys):
    status = main(["benchmark", "--quick", *LIGHT, "--path", "/proc/mne-hamnet-sim",
                   "--out", str(tmp_path)])
    assert status == 2
    assert ("Cannot write to the --path folder for the simulated data /proc/mne-hamnet-sim"
            in capsys.readouterr().err)
