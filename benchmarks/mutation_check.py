"""Break features on purpose, one at a time, and check that a test notices.

Each mutation is a small textual patch (file, old text, new text) applied to a
temporary copy of the repository; the test files that should catch it are run
against that copy. A mutation is *caught* when pytest fails, *missed* when
every selected test passes. The script is not part of the normal test run
(it takes several minutes); run it after changing a feature or its tests::

    python benchmarks/mutation_check.py                   # all mutations
    python benchmarks/mutation_check.py --only de-bands   # one, by name
    python benchmarks/mutation_check.py --list

It exits with 1 when a mutation is missed or its old text is no longer in
the file (a stale patch fails loudly, not silently as "caught"). The report
(Markdown) goes to ``benchmarks/results/mutation_check.md`` unless ``--out``
says otherwise. Run it in an environment with the test extras, and with
pyriemann (the ``peers`` extra) so that the TS+SVM test is not skipped.
"""

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "mutation_check.md"


@dataclass
class Mutation:
    """One breakage: replace ``old`` (found exactly once) by ``new`` in ``path``."""

    name: str
    what: str
    path: str
    old: str
    new: str
    tests: list = field(default_factory=list)  # pytest arguments: files, -k, node ids
    origin: str = "issue 19"


MUTATIONS = [
    # ---- the table of issue 19
    Mutation(
        "dask-n-jobs-cap",
        "the dask backend's n_jobs cap removed (pre_dispatch not set)",
        "mne_hamnet/_folds.py",
        'limit["pre_dispatch"] = n_jobs',
        "pass",
        ["tests/test_distributed.py", "-k", "caps_the_folds"],
    ),
    Mutation(
        "distributed-install-hint",
        "the install hint for a missing dask.distributed changed",
        "mne_hamnet/_distributed.py",
        "pip install 'mne-hamnet[distributed]'.\"",
        'pip install distributed."',
        ["tests/test_independent_facts.py", "-k", "import_distributed",
         "tests/test_distributed.py", "-k", "import_distributed or not_installed"],
    ),
    Mutation(
        "paradigm-band-pass",
        "Emotion ignores fmin/fmax (no band-pass at all)",
        "mne_hamnet/paradigms.py",
        "filters=[[fmin, fmax]],",
        "filters=[[None, None]],",
        ["tests/test_paradigms.py", "tests/test_independent_facts.py"],
    ),
    Mutation(
        "de-bands",
        "every DE band uses the whole spectrum",
        "mne_hamnet/features.py",
        "mask = (freqs >= low) & (freqs <= high)",
        "mask = freqs >= 0",
        ["tests/test_features.py", "tests/test_independent_facts.py", "-k", "de_ or dasm"],
    ),
    Mutation(
        "paradigm-channels",
        "channels= keeps the first N channels instead of the named ones",
        "mne_hamnet/_windowing.py",
        "picks = mne.pick_channels(raw.ch_names, include=list(self.channels), ordered=True)",
        "picks = list(range(len(self.channels)))",
        ["tests/test_paradigms.py", "tests/test_independent_facts.py", "-k", "channels"],
    ),
    Mutation(
        "viz-mirror-row",
        "plot_spatial_filters' Mirror row draws the original branch",
        "mne_hamnet/viz.py",
        "maps[branch, col], plot_info",
        "maps[0, col], plot_info",
        ["tests/test_viz.py", "tests/test_independent_facts.py", "-k", "spatial"],
    ),
    Mutation(
        "classifier-identity-mirror",
        "the network gets an identity mirror index (the mirror branch sees the original)",
        "mne_hamnet/classifier.py",
        'None if self.stage_ == "pretrain" else self.mirror_.mirror_index_',
        'None if self.stage_ == "pretrain" else np.arange(len(self.mirror_.mirror_index_))',
        ["tests/test_independent_facts.py", "-k", "mirror",
         "tests/test_classifier.py", "-k", "mirror or asymmetry"],
    ),
    # ---- the two weaker spots
    Mutation(
        "seed-c3-c4",
        "C3 and C4 swapped in SEED_CH_NAMES",
        "mne_hamnet/datasets/_seed_layout.py",
        "C5 C3 C1 CZ C2 C4 C6",
        "C5 C4 C1 CZ C2 C3 C6",
        ["tests/test_datasets.py"],
    ),
    Mutation(
        "bandpass-noop-ts-svm",
        "BandPass a no-op, against the TS+SVM test alone (needs pyriemann)",
        "mne_hamnet/_peer_steps.py",
        "return sosfiltfilt(sos, np.asarray(data, dtype=np.float64), axis=-1)",
        "return np.asarray(data, dtype=np.float64)",
        ["tests/test_peers.py", "-k", "tangent_space"],
    ),
    Mutation(
        "bandpass-noop-core",
        "BandPass a no-op, against the tests that need no pyriemann",
        "mne_hamnet/_peer_steps.py",
        "return sosfiltfilt(sos, np.asarray(data, dtype=np.float64), axis=-1)",
        "return np.asarray(data, dtype=np.float64)",
        ["tests/test_peers.py", "-k", "band_pass or csp"],
    ),
    Mutation(
        "predict-label-order",
        "predict maps the winning column to the classes in reverse order",
        "mne_hamnet/classifier.py",
        "return self.classes_[proba.argmax(axis=1)]",
        "return self.classes_[::-1][proba.argmax(axis=1)]",
        ["tests/test_bad_input.py", "-k", "other_dtypes",
         "tests/test_emotion_datasets.py", "-k", "deap_windows"],
    ),
    # ---- more of the same kind (issue 19, item 5)
    Mutation(
        "fir-band-edges",
        "the FIR bank's band edges shifted by 4 Hz",
        "mne_hamnet/fir.py",
        "            firwin(filter_length, [low, high],",
        "            firwin(filter_length, [low + 4, high + 4],",
        ["tests/test_fir.py", "-k", "default_bank"],
        "item 5",
    ),
    Mutation(
        "pairing-odd-even",
        "the 10-05 pairing rule pairs odd k with k + 2 instead of k + 1",
        "mne_hamnet/pairing.py",
        "elif number % 2 == 1 and (prefix, number + 1, half) in index:\n"
        "            pairs.append((i, index[(prefix, number + 1, half)]))",
        "elif number % 2 == 1 and (prefix, number + 2, half) in index:\n"
        "            pairs.append((i, index[(prefix, number + 2, half)]))",
        ["tests/test_mirror.py", "-k", "seed_62"],
        "item 5",
    ),
    Mutation(
        "chronological-ratio",
        "the chronological split trains on one trial more than asked",
        "mne_hamnet/protocols.py",
        "return int(min(max(round(size * n_trials), 1), n_trials - 1))",
        "return int(min(max(round(size * n_trials) + 1, 1), n_trials - 1))",
        ["tests/test_evaluation.py", "-k",
         "chronological_split_can_be_a_fraction or chronological_trains"],
        "item 5",
    ),
    Mutation(
        "chronological-order",
        "the chronological split orders trials as text ('10' before '2')",
        "mne_hamnet/protocols.py",
        "trials = sorted(set(groups.tolist()), key=natural_key)",
        "trials = sorted(set(groups.tolist()), key=str)",
        ["tests/test_evaluation.py", "-k", "chronological"],
        "item 5",
    ),
    Mutation(
        "trialwise-grouping",
        "Emotion windows grouped one per trial (the trial-wise folds leak)",
        "mne_hamnet/protocols.py",
        '        return "run"\n    return _one_trial_per_window',
        "        return _one_trial_per_window\n    return _one_trial_per_window",
        ["tests/test_evaluation.py", "-k", "trialwise_folds_never_share"],
        "item 5",
    ),
    Mutation(
        "seed-volts-factor",
        "SEED's µV read as mV (volts factor 1e-3 instead of 1e-6)",
        "mne_hamnet/datasets/seed.py",
        "np.asarray(data_uv, dtype=float) * 1e-6",
        "np.asarray(data_uv, dtype=float) * 1e-3",
        ["tests/test_datasets.py", "tests/test_independent_facts.py", "-k", "volts or microvolt"],
        "item 5",
    ),
    Mutation(
        "window-step",
        "overlap ignored: windows always step by a whole window",
        "mne_hamnet/_windowing.py",
        "n_step = int(round(window * (1 - overlap) * sfreq))",
        "n_step = int(round(window * sfreq))",
        ["tests/test_paradigms.py", "-k", "with_overlap"],
        "item 5",
    ),
    Mutation(
        "finetune-unfrozen",
        "the temporal FIR kernels are not frozen in stage 2",
        "mne_hamnet/hamnet.py",
        "self.temporal.weight.requires_grad_(False)\n        return self",
        "return self",
        ["tests/test_hamnet.py", "-k", "load_pretrained",
         "tests/test_independent_facts.py", "-k", "learning_rate"],
        "item 5",
    ),
    Mutation(
        "resume-unfrozen",
        "a finetune stage rebuilt for loading/resuming leaves the FIR kernels trainable",
        "mne_hamnet/_stages.py",
        "            net.module_.temporal.weight.requires_grad_(False)\n",
        "",
        ["tests/test_interruption.py", "-k", "load_the_latest_checkpoint_then_resume"],
        "item 5",
    ),
    Mutation(
        "finetune-lr",
        "stage 2 trains with pretrain_lr instead of finetune_lr",
        "mne_hamnet/classifier.py",
        'kwargs["lr"] = self.finetune_lr if self.stage_ == "finetune" else self.pretrain_lr',
        'kwargs["lr"] = self.pretrain_lr',
        ["tests/test_independent_facts.py", "-k", "learning_rate"],
        "item 5",
    ),
    Mutation(
        "mirror-branch-fresh",
        "load_pretrained leaves the mirror branch's spatial filters at random",
        "mne_hamnet/hamnet.py",
        "for spatial in (self.spatial, self.spatial_mirror):",
        "for spatial in (self.spatial,):",
        ["tests/test_hamnet.py", "-k", "load_pretrained"],
        "item 5",
    ),
    Mutation(
        "cache-key-pipeline",
        "the fold cache keys on the pipeline's name, not its parameters",
        "mne_hamnet/_folds.py",
        '"pipeline": digests[task["pipeline_name"]],',
        '"pipeline": task["pipeline_name"],',
        ["tests/test_independent_facts.py", "-k", "cache"],
        "item 5",
    ),
    Mutation(
        "fold-numbering",
        "folds numbered by MOABB's global split index, not within their unit",
        "mne_hamnet/_folds.py",
        'fold = unit_splits[_fold_unit(protocol, task)].index(task["cv_ind"])',
        'fold = int(task["cv_ind"])',
        ["tests/test_evaluation.py", "-k", "results_table"],
        "item 5",
    ),
    Mutation(
        "de-gaussian-constant",
        "DE drops the e of 0.5 log(2 pi e sigma^2)",
        "mne_hamnet/features.py",
        "0.5 * np.log(2 * np.pi * np.e * np.maximum(variance, tiny))",
        "0.5 * np.log(2 * np.pi * np.maximum(variance, tiny))",
        ["tests/test_features.py", "-k", "gaussian"],
        "item 5",
    ),
    Mutation(
        "dasm-sign",
        "DASM as right minus left",
        "mne_hamnet/features.py",
        "(de[:, left] - de[:, right])",
        "(de[:, right] - de[:, left])",
        ["tests/test_features.py", "-k", "dasm"],
        "item 5",
    ),
    Mutation(
        "seed-label-names",
        "SEED's -1 and 1 read as positive and negative",
        "mne_hamnet/datasets/seed.py",
        '_LABEL_NAMES = {-1: "negative", 0: "neutral", 1: "positive"}',
        '_LABEL_NAMES = {-1: "positive", 0: "neutral", 1: "negative"}',
        ["tests/test_datasets.py", "-k", "label"],
        "item 5",
    ),
    Mutation(
        "fft-power-scale",
        "the FFT band-power path divides by n_fft instead of n_fft squared",
        "mne_hamnet/_band_power.py",
        "centred = torch.matmul(z_power, h_power.T) / n_fft**2",
        "centred = torch.matmul(z_power, h_power.T) / n_fft",
        ["tests/test_band_power.py"],
        "item 5",
    ),
    Mutation(
        "spatial-weights-unindexed",
        "spatial_filters_[1] gives the mirror branch's weights over the mirrored channels",
        "mne_hamnet/hamnet.py",
        "weights.append(self.spatial_mirror.weight[:, self.mirror_index])",
        "weights.append(self.spatial_mirror.weight)",
        ["tests/test_independent_facts.py", "-k", "spatial_filters or physical"],
        "item 5",
    ),
    Mutation(
        "bn-mirror-fresh",
        "load_pretrained leaves the mirror branch's batch norm at its initial state",
        "mne_hamnet/hamnet.py",
        "for bn in (self.bn, self.bn_mirror):",
        "for bn in (self.bn,):",
        ["tests/test_hamnet.py", "-k", "load_pretrained",
         "tests/test_independent_facts.py", "-k", "symmetric"],
        "item 5",
    ),
]


def apply(text, mutation):
    count = text.count(mutation.old)
    if count != 1:
        raise LookupError(
            f"{mutation.name}: the old text {mutation.old!r} occurs {count} times in "
            f"{mutation.path} (expected once); update the mutation to the current code."
        )
    return text.replace(mutation.old, mutation.new)


def copy_tree(dest):
    """The package, tests, benchmarks and config, without caches or builds."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "_build",
                                    "auto_examples", "gen_modules", ".git")
    for name in ("mne_hamnet", "tests", "benchmarks", "docs", "examples"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    for name in ("setup.cfg", "pyproject.toml", "tox.ini", "README.md", "ruff.toml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)


def run_tests(copy, tests, python, timeout):
    env = {**os.environ, "PYTHONPATH": str(copy), "OMP_NUM_THREADS": "1",
           "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
    groups, current = [], []
    # "file -k expr file2 -k expr2": one pytest run per file group, since -k is global
    for arg in tests:
        if arg.endswith(".py") or "::" in arg:
            if current and "-k" in current:
                groups.append(current)
                current = []
        current.append(arg)
    groups.append(current)
    outcome, failed, skipped = "missed", [], 0
    for group in groups:
        cmd = [python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-rfEs",
               "--timeout", str(timeout), *group]
        try:
            done = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True,
                                  timeout=timeout + 60)
            rc, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired:
            rc, output = -1, ""
        skipped += len(re.findall(r"^SKIPPED", output, re.M))
        if rc == 0:
            continue
        if rc == 5:  # no test selected: a stale -k, not a catch
            outcome = "error"
            failed.append(f"no test selected by {' '.join(group)}")
            break
        outcome = "caught" if rc == 1 else "error"
        failed += re.findall(r"^(?:FAILED|ERROR) (\S+)", output, re.M) or [
            f"pytest exited with {rc}"]
        break
    return outcome, failed, skipped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="mutations to run")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that runs pytest (default: this one)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per pytest run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the Markdown report")
    args = parser.parse_args(argv)

    mutations = MUTATIONS
    if args.list:
        for m in mutations:
            print(f"{m.name:28s} {m.path}: {m.what}")
        return 0
    if args.only:
        unknown = set(args.only) - {m.name for m in mutations}
        if unknown:
            parser.error(f"unknown mutations {sorted(unknown)}; see --list")
        mutations = [m for m in mutations if m.name in args.only]
    # every patch must still apply before anything runs
    for m in mutations:
        apply((ROOT / m.path).read_text(encoding="utf-8"), m)

    rows, t_start = [], time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mne-hamnet-mutation-") as tmp:
        copy = Path(tmp)
        copy_tree(copy)
        for m in mutations:
            target = copy / m.path
            original = target.read_text(encoding="utf-8")
            target.write_text(apply(original, m), encoding="utf-8")
            t0 = time.perf_counter()
            try:
                outcome, failed, skipped = run_tests(copy, m.tests, args.python, args.timeout)
            finally:
                target.write_text(original, encoding="utf-8")
            seconds = time.perf_counter() - t0
            rows.append((m, outcome, failed, skipped, seconds))
            print(f"{outcome:7s} {m.name} ({seconds:.0f} s) {' '.join(failed[:2])}", flush=True)

    total = time.perf_counter() - t_start
    report = markdown(rows, total, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"\nReport: {args.out}")
    return 0 if all(outcome == "caught" for _, outcome, *_ in rows) else 1


def markdown(rows, total, args):
    import platform

    caught = sum(outcome == "caught" for _, outcome, *_ in rows)
    lines = [
        "# Mutation check",
        "",
        f"{datetime.date.today().isoformat()}, Python {platform.python_version()} "
        f"({args.python}), {total / 60:.1f} min in all. "
        f"{caught} of {len(rows)} breakages caught.",
        "",
        "Each row breaks one feature in a copy of the repository and runs only the "
        "tests listed; *caught* means at least one of them failed (the first failure "
        "is named; pytest stops there).",
        "",
        "| breakage | file | from | tests run | result | first failing test | s |",
        "|---|---|---|---|---|---|---|",
    ]
    for m, outcome, failed, skipped, seconds in rows:
        tests = " ".join(m.tests).replace("|", "\\|")
        first = (failed[0] if failed else "").replace("|", "\\|")
        result = outcome if not skipped else f"{outcome} ({skipped} skipped)"
        lines.append(f"| `{m.name}`: {m.what} | `{m.path}` | {m.origin} | `{tests}` | "
                     f"**{result}** | `{first}` | {seconds:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
