"""Data sets: SEED read from a local copy, and a simulator of its format."""

from ._registry import DATASETS, DatasetSpec, get_dataset_spec, register
from ._seed_layout import SEED_CH_NAMES, make_seed_montage
from .seed import SEED
from .simulate import simulate_seed


def _seed_paradigm():
    from ..paradigms import Emotion

    return Emotion(window=1.0)


register(
    DatasetSpec(
        name="seed",
        title="SEED",
        dataset=SEED,
        simulate=simulate_seed,
        paradigm=_seed_paradigm,
        band_preset="gamma",
        chronological_split=9,
        simulated_sizes=dict(n_subjects=3, n_sessions=3, trial_seconds=8.0),
        quick_sizes=dict(n_subjects=2, n_sessions=2, trial_seconds=1.0),
    )
)

__all__ = [
    "DATASETS",
    "SEED",
    "SEED_CH_NAMES",
    "DatasetSpec",
    "get_dataset_spec",
    "make_seed_montage",
    "simulate_seed",
]
