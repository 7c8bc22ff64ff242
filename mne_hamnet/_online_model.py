"""What the online decoder needs to know about a fitted model, and how it predicts."""

from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_is_fitted


@dataclass
class ModelSpec:
    """The fitted layout of a model and its prediction function.

    Attributes
    ----------
    ch_names : list of str
        The channels, in the order the model expects them.
    sfreq : float
        The sampling frequency the model was fitted at.
    n_times : int
        Samples per window.
    classes : ndarray
        The class labels, in the order of the probability columns.
    predict_proba : callable
        Takes float32 windows (n, n_chans, n_times) in µV, returns (n, n_classes).
    unchecked : bool
        True when ``predict_proba`` skips the per-call input checks (the
        decoder checks the layout once, when it connects).
    """

    ch_names: list
    sfreq: float
    n_times: int
    classes: np.ndarray
    predict_proba: object
    unchecked: bool = False


def _layout_of(step):
    """(ch_names, sfreq, n_times or None) of a fitted step, or None if it knows none."""
    names = getattr(step, "ch_names_", None)
    sfreq = getattr(step, "sfreq_", None)
    if names is None or sfreq is None:
        info = getattr(step, "info_", None)
        if info is None or not hasattr(info, "ch_names"):
            return None
        names, sfreq = info["ch_names"], info["sfreq"]
    return list(names), float(sfreq), getattr(step, "n_times_", None)


def resolve_model(model, n_times=None):
    """Read the channels, rate, window length and classes a fitted model expects.

    The rule: the model itself, or else the last step of a pipeline (searching
    from the end) that has the fitted attributes ``ch_names_`` and ``sfreq_``,
    or an ``info_`` (an :class:`mne.Info`), describes the pipeline's input.
    The window length is that step's ``n_times_``, or ``n_times``.

    Parameters
    ----------
    model : HAMNetClassifier | sklearn.pipeline.Pipeline | estimator
        A fitted classifier with ``predict_proba`` and ``classes_``.
    n_times : int | None
        The window length in samples, for models that do not record it.

    Returns
    -------
    spec : ModelSpec
        What the decoder needs.
    """
    from ._predict import predict_proba_windows
    from .classifier import HAMNetClassifier

    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"The model must be a fitted classifier with predict_proba, but got "
            f"{type(model).__name__}."
        )
    if isinstance(model, HAMNetClassifier):
        model.check_is_fitted(["module_", "mirror_"])
        return ModelSpec(
            list(model.ch_names_), float(model.sfreq_), int(model.n_times_),
            np.asarray(model.classes_),
            lambda windows: predict_proba_windows(model, windows), unchecked=True,
        )
    check_is_fitted(model)
    steps = [model] + [step for _, step in reversed(getattr(model, "steps", []))]
    layout = next((found for found in map(_layout_of, steps) if found is not None), None)
    if layout is None:
        raise ValueError(
            f"The {type(model).__name__} does not say which channels and sampling "
            "frequency it was fitted on: the model, or one of its pipeline steps, "
            "needs the fitted attributes ch_names_ and sfreq_, or info_ (an mne.Info), "
            "as HAMNetClassifier has."
        )
    names, sfreq, fitted_n_times = layout
    if fitted_n_times is None and n_times is None:
        raise ValueError(
            f"The {type(model).__name__} does not record its window length "
            "(n_times_): pass n_times= (samples per window) to the decoder."
        )
    if fitted_n_times is not None and n_times is not None and int(n_times) != fitted_n_times:
        raise ValueError(
            f"n_times={n_times} was given, but the model was fitted on windows of "
            f"{fitted_n_times} samples."
        )
    return ModelSpec(
        names, sfreq, int(fitted_n_times if fitted_n_times is not None else n_times),
        np.asarray(model.classes_), model.predict_proba,
    )
