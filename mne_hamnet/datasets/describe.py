"""Print what a reader reads from a user's copy, to check facts we could not check here."""

from collections import Counter

import numpy as np

from .._check import _validate_type
from ._registry import get_dataset_spec


def describe_dataset(name, path=None, subject=None):
    """Read one subject of a local copy and describe what was read.

    The readers follow the published facts of each data set, but some could
    not be checked without the files (units, DREAMER's offset, FACED's
    channel order, whether SEED-IV is filtered). This reads one subject
    exactly as the benchmark does and reports it, so a user can compare it
    with what they know of their copy.

    Parameters
    ----------
    name : str
        A data set of :data:`~mne_hamnet.datasets.DATASETS`, e.g. ``"deap"``.
    path : path-like | None, default=None
        The copy, as the data set's class takes it; None reads its MNE
        config key (e.g. ``MNE_DATASETS_DEAP_PATH``).
    subject : int | None, default=None
        The subject to read; None reads the first one.

    Returns
    -------
    report : str
        Subjects; for the subject read: sessions, trials, the shape and
        sampling frequency of each, channel names, label counts, ratings
        (where the data set has them) and the range of the values in µV.
    """
    spec = get_dataset_spec(name)
    dataset = spec.dataset(path)
    if subject is None:
        subject = dataset.subject_list[0]
    _validate_type(subject, "int", "subject")
    data = dataset.get_data([subject])[subject]
    subjects = list(dataset.subject_list)
    lines = [
        f"{spec.title} read from {getattr(dataset, '_location', path)}",
        f"subjects ({len(subjects)}): {_compact(subjects)}",
        f"subject {subject}: {len(data)} session(s)",
    ]
    labels, ratings, values = Counter(), {}, []
    ch_names = sfreq = None
    for session, runs in data.items():
        lengths = [raw.n_times for raw in runs.values()]
        first = next(iter(runs.values()))
        date = first.info["meas_date"]
        lines.append(
            f"  session {session!r}: {len(runs)} trial(s), runs {_compact(list(runs))}, "
            f"{len(first.ch_names)} channels x {min(lengths)}-{max(lengths)} samples"
            + (f", recorded {date:%Y-%m-%d}" if date is not None else "")
        )
        for raw in runs.values():
            ch_names, sfreq = raw.ch_names, raw.info["sfreq"]
            annotations = raw.annotations
            labels.update(annotations.description)
            for extras in annotations.extras or []:
                for scale, value in (extras or {}).items():
                    ratings.setdefault(scale, []).append(float(value))
            values.append(raw.get_data() * 1e6)
    lines.append(f"sampling frequency: {sfreq:g} Hz")
    lines.append(f"channels ({len(ch_names)}): {' '.join(ch_names)}")
    lines.append("labels (trials): " + ", ".join(f"{k} {v}" for k, v in sorted(labels.items())))
    scale_ranges = getattr(dataset, "rating_scales", {})
    for scale, scores in ratings.items():
        scores = np.asarray(scores)
        line = f"{scale} ratings: {scores.min():g} to {scores.max():g}"
        if scale in scale_ranges:
            middle = sum(scale_ranges[scale]) / 2.0
            line += f", {int(np.sum(scores == middle))} trial(s) at exactly {middle:g}"
        lines.append(line)
    flat = np.concatenate([v.ravel() for v in values])
    means = np.concatenate([v.mean(axis=1) for v in values])
    stds = np.concatenate([v.std(axis=1) for v in values])
    p1, p50, p99 = np.percentile(flat, [1, 50, 99])
    lines.append(
        f"values read (µV, after the reader's unit conversion): min {flat.min():.4g}, "
        f"1% {p1:.4g}, median {p50:.4g}, 99% {p99:.4g}, max {flat.max():.4g}"
    )
    lines.append(
        f"per trial and channel: mean {means.min():.4g} to {means.max():.4g} µV, "
        f"standard deviation {np.median(stds):.4g} µV (median)"
    )
    lines.append(
        "Scalp EEG has standard deviations of about 5-50 µV: values 1e6 times "
        "smaller or larger mean a wrong unit."
    )
    problem = getattr(dataset, "trial_order_problem", None)
    if problem:
        # a split in time would be wrong: say so before a benchmark runs
        lines.append(f"trial order: unknown. {problem}.")
    return "\n".join(lines)


def _compact(items):
    items = [str(item) for item in items]
    if len(items) <= 8:
        return ", ".join(items)
    return ", ".join(items[:3]) + ", ..., " + ", ".join(items[-2:])
