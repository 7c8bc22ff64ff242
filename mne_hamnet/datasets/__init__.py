"""Data sets: SEED read from a local copy, and a simulator of its format."""

from ._seed_layout import SEED_CH_NAMES, make_seed_montage
from .seed import SEED
from .simulate import simulate_seed

__all__ = ["SEED", "SEED_CH_NAMES", "make_seed_montage", "simulate_seed"]
