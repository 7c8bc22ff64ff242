"""The first steps that need whole trials, moved from the pipelines into the data's processing."""

from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer


def trial_step_groups(pipelines, paradigm, dataset, process_pipeline=None):
    """Move each pipeline's trial-level first step into the data's processing.

    Two first steps need the whole trial, not a window:

    - a :class:`~mne_hamnet._peer_steps.BandPass`: the peers' recipes
      band-pass the continuous recording, then cut it; a window filtered
      alone loses 4-6 % of its energy to the filter's edges. The same filter
      becomes the last raw step of the processing.
    - a :class:`~mne_hamnet.features.DifferentialEntropy` with
      ``smooth="lds"``: it smooths over the windows of one trial. It runs on
      each run's windows (a run is a trial in the emotion data sets).

    Such a step is replaced by an identity
    :class:`~sklearn.preprocessing.FunctionTransformer`. Pipelines are
    grouped by that step: each group's data are loaded once.

    Parameters
    ----------
    pipelines : dict of str to sklearn.base.BaseEstimator
        The pipelines by name.
    paradigm : moabb.paradigms.base.BaseParadigm
        The paradigm.
    dataset : moabb.datasets.base.BaseDataset
        The data set.
    process_pipeline : sklearn.pipeline.Pipeline | None, default=None
        The paradigm's own processing, if already made; it is then the one
        returned for the pipelines without such a step, and it comes first.

    Returns
    -------
    groups : list of (FixedPipeline, dict)
        Per group, in the order of the pipelines: the processing of the data
        (the paradigm's own for the pipelines without such a step) and the
        pipelines it feeds, by name.
    """
    from ._peer_steps import BandPass
    from ._windowing import _TrialTransform, with_trial_band_pass
    from .features import DifferentialEntropy

    groups, steps = {}, {}
    for name, pipeline in pipelines.items():
        key, run = None, pipeline
        first = pipeline.steps[0][1] if isinstance(pipeline, Pipeline) else None
        if isinstance(first, BandPass):
            key = ("band", float(first.l_freq), float(first.h_freq), int(first.order))
        elif isinstance(first, DifferentialEntropy) and first.smooth is not None:
            key = ("trial", repr(first))
            _check_trial_paradigm(name, paradigm)
        if key is not None:
            steps[key] = first
            # an identity step, not "passthrough": MOABB marks each step fitted
            run = clone(pipeline).set_params(**{pipeline.steps[0][0]: FunctionTransformer()})
        groups.setdefault(key, {})[name] = run
    processing = []
    for key, group in groups.items():
        if key is None:
            process = (paradigm.make_process_pipelines(dataset)[0] if process_pipeline is None
                       else process_pipeline)
        elif key[0] == "band":
            process = with_trial_band_pass(paradigm.make_process_pipelines(dataset)[0],
                                           *key[1:])
        else:
            process = paradigm.make_process_pipelines(
                dataset, postprocess_pipeline=_TrialTransform(clone(steps[key]))
            )[0]
        processing.append((process, group))
    # the paradigm's own processing first: its windows may be loaded already
    return sorted(processing, key=lambda item: item[0] is not process_pipeline)


def _check_trial_paradigm(name, paradigm):
    from .paradigms import Emotion

    if not isinstance(paradigm, Emotion):
        raise ValueError(
            f"Pipeline {name!r} smooths its features over the windows of a trial, which "
            f"needs a paradigm that cuts each trial into windows (Emotion, RatedEmotion), "
            f"but got {type(paradigm).__name__}, whose epochs are single trials."
        )
