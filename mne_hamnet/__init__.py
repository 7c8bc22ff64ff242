"""HAMNet for MNE-Python and scikit-learn: emotion from hemispheric asymmetry."""

from ._logging import logger
from .classifier import HAMNetClassifier
from .fir import fir_filter_bank
from .hamnet import HAMNet
from .mirror import HemisphereMirror

__version__ = "0.1.0"

__all__ = [
    "HAMNet",
    "HAMNetClassifier",
    "HemisphereMirror",
    "fir_filter_bank",
    "logger",
    "__version__",
]
