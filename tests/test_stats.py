"""Tests of mne_hamnet.stats: paired comparisons against independent SciPy computations."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from mne_hamnet.stats import paired_statistics, plot_paired_differences, stats_markdown


def make_results(scores, protocol="trialwise", sessions=("0",), folds=(0,), samples=(80, 20)):
    """Rows of evaluate from ``{pipeline: [score per subject]}``."""
    rows = []
    for name, values in scores.items():
        for subject, value in enumerate(values, start=1):
            for session in sessions:
                for fold in folds:
                    rows.append(dict(protocol=protocol, pipeline=name, subject=subject,
                                     session=session, fold=fold, score=value,
                                     accuracy=value, balanced_accuracy=value,
                                     samples=samples[0],
                                     samples_test=samples[1], n_classes=2,
                                     majority_rate=0.5))
    return pd.DataFrame(rows)


HAMNET = [0.71, 0.64, 0.80, 0.58, 0.69, 0.75, 0.62, 0.66]
PEER = [0.60, 0.66, 0.70, 0.50, 0.61, 0.70, 0.55, 0.66]


def test_over_subjects_equals_scipys_exact_permutation_test():
    results = make_results({"HAMNet": HAMNET, "Peer": PEER, "Same": HAMNET})
    stats = paired_statistics(results)
    row = stats.set_index("pipeline").loc["Peer"]
    assert row["unit"] == "subject" and row["n"] == 8
    expected = scipy_stats.permutation_test(
        (np.array(HAMNET), np.array(PEER)), lambda x, y, axis: np.mean(x - y, axis=axis),
        permutation_type="samples", alternative="two-sided", n_resamples=np.inf,
        vectorized=True,
    )
    assert row["p"] == pytest.approx(expected.pvalue)
    diffs = np.array(HAMNET) - np.array(PEER)
    assert row["difference"] == pytest.approx(diffs.mean())
    assert row["smd"] == pytest.approx(diffs.mean() / diffs.std(ddof=1))
    half = scipy_stats.t.ppf(0.975, 7) * diffs.std(ddof=1) / np.sqrt(8)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((diffs.mean() - half,
                                                             diffs.mean() + half))
    assert row["reference_mean"] == pytest.approx(np.mean(HAMNET))
    # a pipeline equal to the reference: no difference, p = 1
    same = stats.set_index("pipeline").loc["Same"]
    assert same["difference"] == 0 and same["p"] == 1 and not same["significant"]


def test_holm_adjustment_and_significance():
    rng = np.random.default_rng(0)
    better = list(np.array(HAMNET) - 0.1 - 0.01 * rng.random(8))
    results = make_results({"HAMNet": HAMNET, "Peer": PEER, "Worse": better})
    stats = paired_statistics(results).set_index("pipeline")
    p = stats["p"].to_numpy()
    order = np.argsort(p)
    holm = np.maximum.accumulate(np.minimum(1, (len(p) - np.arange(len(p))) * p[order]))
    np.testing.assert_allclose(stats["p_holm"].to_numpy()[order], holm)
    # HAMNet beats "Worse" on all 8 subjects: exact two-sided p = 2 / 2^8
    assert stats.loc["Worse", "p"] == pytest.approx(2 / 2**8)
    assert stats.loc["Worse", "significant"]
    text = stats_markdown(stats.reset_index(), "Accuracy")
    assert "| Worse | 8 subjects |" in text and "**significant**" in text


def test_one_subject_pairs_folds_with_the_corrected_t_test():
    folds = range(5)
    rows = []
    a = [0.70, 0.65, 0.72, 0.68, 0.75]
    b = [0.60, 0.66, 0.61, 0.58, 0.70]
    for name, values in (("HAMNet", a), ("Peer", b)):
        for fold, value in zip(folds, values):
            rows.append(dict(protocol="trialwise", pipeline=name, subject=1, session="0",
                             fold=fold, score=value, accuracy=value, samples=80,
                             samples_test=20, n_classes=2, majority_rate=0.5))
    row = paired_statistics(pd.DataFrame(rows)).iloc[0]
    assert row["unit"] == "fold" and row["n"] == 5
    diffs = np.array(a) - np.array(b)
    # Nadeau & Bengio: the variance grows by the test / train ratio
    t = diffs.mean() / np.sqrt((1 / 5 + 20 / 80) * diffs.var(ddof=1))
    assert row["p"] == pytest.approx(2 * scipy_stats.t.sf(abs(t), 4))
    naive = scipy_stats.ttest_rel(a, b).pvalue
    assert row["p"] > naive  # the plain t-test over folds is overconfident
    assert "corrected resampled t-test" in row["test"]


def test_seeds_are_averaged_before_pairing_and_few_pairs_are_not_tested():
    results = make_results({"HAMNet": HAMNET[:3], "Peer": PEER[:3]})
    seeded = pd.concat([results.assign(seed=0), results.assign(seed=1)])
    seeded.loc[(seeded.pipeline == "HAMNet") & (seeded.seed == 1), "accuracy"] += 0.1
    seeded.loc[seeded.pipeline == "Peer", "seed"] = np.nan
    seeded = seeded.drop_duplicates()
    row = paired_statistics(seeded).iloc[0]
    assert row["reference_mean"] == pytest.approx(np.mean(HAMNET[:3]) + 0.05)
    one = make_results({"HAMNet": HAMNET[:1], "Peer": PEER[:1]})
    row = paired_statistics(one).iloc[0]
    assert row["n"] == 1 and np.isnan(row["p"]) and "fewer than 2" in row["test"]


def test_reference_and_score_are_checked():
    results = make_results({"HAMNet": HAMNET, "Peer": PEER})
    with pytest.raises(ValueError, match="reference pipeline 'EEGNet' is not in the results"):
        paired_statistics(results, reference="EEGNet")
    with pytest.raises(ValueError, match="no column 'roc_auc'"):
        paired_statistics(results, score="roc_auc")
    stats = paired_statistics(results, reference="Peer")
    assert list(stats["pipeline"]) == ["HAMNet"]


def test_figure_has_one_panel_per_protocol():
    results = pd.concat([make_results({"HAMNet": HAMNET, "Peer": PEER}),
                         make_results({"HAMNet": HAMNET, "Peer": PEER}, "cross-subject")])
    fig = plot_paired_differences(paired_statistics(results), title="Accuracy")
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert titles == ["Trial-wise", "Cross-subject"]
