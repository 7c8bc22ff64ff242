"""The pipelines against the data: their rate and channels checked or filled, their recipes checked.

:func:`~mne_hamnet.evaluation.evaluate` knows the windows' rate and channels
only once the paradigm has loaded them; here the pipelines built without
them get them, and those built for other data are refused.
"""

import numpy as np
from sklearn.base import clone

from ._logging import logger, warn


def check_pipelines_fit(pipelines, sfreq, ch_names):
    """Check that no pipeline was built for another rate or channel order.

    Every step's parameters named ``sfreq``, ``ch_names`` or ``n_chans``
    (also as ``module__sfreq`` and the like, for skorch and braindecode
    networks) are compared with the data's; a parameter left None is
    inferred from the data at fit and passes. Only parameters are read,
    never fitted state.

    Parameters
    ----------
    pipelines : dict of str to sklearn.base.BaseEstimator
        The pipelines by name.
    sfreq : float
        The sampling frequency of the windows, in Hz.
    ch_names : list of str | int
        Their channels, in order; an int gives only their number, and
        ``ch_names`` parameters are then not compared.
    """
    if isinstance(ch_names, (int, np.integer)):
        n_chans, ch_names = int(ch_names), None
    else:
        ch_names = [str(name) for name in ch_names]
        n_chans = len(ch_names)
    for name, pipeline in pipelines.items():
        for key, value in _signal_params(pipeline):
            if value is None:
                continue
            what = key.rsplit("__", 1)[-1]
            if what == "sfreq":
                try:
                    same = abs(float(value) - float(sfreq)) <= 1e-6 * float(sfreq)
                except (TypeError, ValueError):
                    same = False
                if not same:
                    raise ValueError(
                        f"Pipeline {name!r} was built for sfreq={value!r} ({key}), but the "
                        f"paradigm's windows are sampled at {sfreq:g} Hz. Build it with "
                        f"sfreq={sfreq:g}, e.g. make_pipelines(..., sfreq={sfreq:g}, "
                        "ch_names=...), or leave it None to infer it."
                    )
            elif what == "ch_names" and ch_names is not None:
                given = [str(c) for c in value]
                if given != ch_names:
                    if sorted(given) == sorted(ch_names):
                        problem = "the same channels in another order"
                    else:
                        missing = [c for c in ch_names if c not in given][:5]
                        extra = [c for c in given if c not in ch_names][:5]
                        problem = (f"{len(given)} channels (missing {missing}, not in the "
                                   f"data {extra})")
                    raise ValueError(
                        f"Pipeline {name!r} was built for {problem} ({key}), but the "
                        f"paradigm's windows have the {len(ch_names)} channels "
                        f"{_short(ch_names)}. Build it with the paradigm's ch_names, e.g. "
                        "make_pipelines(..., sfreq=..., ch_names=...)."
                    )
            elif what == "n_chans":
                if int(value) != n_chans:
                    raise ValueError(
                        f"Pipeline {name!r} was built for n_chans={value} ({key}), but the "
                        f"paradigm's windows have {n_chans} channels."
                    )


_SIGNAL_PARAMS = ("sfreq", "ch_names", "n_chans")


def _with_signal_params(pipelines, sfreq, ch_names):
    """The pipelines, with every ``sfreq`` and ``ch_names`` left None set to the data's.

    The windows reach the pipelines as arrays, which carry neither; a
    parameter left None means "from the data", so it is given the paradigm's
    here, on a clone (the caller's pipeline is left as it was). The filled
    pipeline is the one built for these data explicitly, so both share
    their cached folds. ``n_chans`` is inferred from the arrays and left
    alone; ``ch_names`` too when the paradigm's channel names are unknown.
    """
    filled = {}
    for name, pipeline in pipelines.items():
        updates = {}
        for key, value in _signal_params(pipeline):
            what = key.rsplit("__", 1)[-1]
            if value is not None or what == "n_chans":
                continue
            if what == "sfreq":
                updates[key] = float(sfreq)
            elif not isinstance(ch_names, (int, np.integer)):
                updates[key] = [str(c) for c in ch_names]
        if updates:
            logger.debug("Pipeline %r: set %s from the paradigm's data", name, sorted(updates))
            pipeline = clone(pipeline).set_params(**updates)
        filled[name] = pipeline
    return filled


def _built_networks(pipelines, ch_names):
    """The pipelines, with each :class:`~mne_hamnet.pipelines.NetworkAtDataRate` built.

    Once the data's rate is known, the network's pipeline is the one
    ``make_pipelines(sfreq=...)`` gives: its leading band-pass then moves
    onto each trial (:func:`trial_step_groups`), and both share their cached
    folds. Left as they are when the channel names are unknown (a network
    that pairs channels needs them).
    """
    from .pipelines import NetworkAtDataRate

    if isinstance(ch_names, (int, np.integer)):
        return pipelines
    return {
        name: (pipeline.build(pipeline.sfreq, list(ch_names))
               if isinstance(pipeline, NetworkAtDataRate) and pipeline.sfreq is not None
               else pipeline)
        for name, pipeline in pipelines.items()
    }


def _check_recipes(pipelines, protocols, paradigm=None):
    """Warn when a network's recipe is not its authors' for the protocols or the data.

    EEGNet's dropout depends on the protocol; a network left at an unknown
    rate also carries its task, which should be the paradigm's (EEG
    Conformer has a SEED recipe of its own).
    """
    from .paradigms import Emotion
    from .pipelines import EEGNET_DROPOUT, NetworkAtDataRate

    if paradigm is not None:
        task = "emotion" if isinstance(paradigm, Emotion) else "motor"
        for name, pipeline in pipelines.items():
            if (isinstance(pipeline, NetworkAtDataRate) and pipeline.name == "EEGConformer"
                    and pipeline.task != task):
                warn(
                    f"Pipeline {name!r} runs EEG Conformer's task={pipeline.task!r} recipe on "
                    f"the {type(paradigm).__name__} paradigm's data, whose task is "
                    f"{task!r}. Build it with make_pipelines(..., task={task!r})."
                )
    for name, pipeline in pipelines.items():
        dropout = _eegnet_dropout(pipeline)
        if dropout is None:
            continue
        for protocol in protocols:
            recipe = "cross-subject" if protocol == "cross-subject" else "within-subject"
            if dropout != EEGNET_DROPOUT[recipe]:
                warn(
                    f"Pipeline {name!r} runs EEGNet with a dropout of {dropout} under the "
                    f"protocol {protocol!r}, where its authors use {EEGNET_DROPOUT[recipe]}. "
                    "Build one set of pipelines per recipe: make_pipelines(..., "
                    "protocol=...) for each group of pipelines.protocol_recipes(protocols, "
                    "names), and evaluate each group (as mne-hamnet benchmark does)."
                )
                break


def _eegnet_dropout(pipeline):
    """EEGNet's dropout in ``pipeline``, or None when it runs no EEGNet."""
    from .pipelines import EEGNET_DROPOUT, NetworkAtDataRate

    if isinstance(pipeline, NetworkAtDataRate):
        if pipeline.name != "EEGNet":
            return None
        return EEGNET_DROPOUT["cross-subject" if pipeline.cross_subject else "within-subject"]
    try:
        params = pipeline.get_params(deep=True)
    except (AttributeError, TypeError):
        return None
    for key, value in params.items():
        if key.endswith("module__drop_prob"):
            module = params.get(key[: -len("__drop_prob")])
            if getattr(module, "__name__", "") in ("EEGNet", "EEGNetv4"):
                return value
    return None


def _signal_params(estimator):
    """Yield ``(key, value)`` of the signal parameters of ``estimator`` and its steps."""
    try:
        params = estimator.get_params(deep=True)
    except Exception:  # an estimator whose get_params fails is checked at fit
        return
    for key, value in params.items():
        if key.rsplit("__", 1)[-1] in _SIGNAL_PARAMS:
            yield key, value


def _short(names, n=6):
    names = list(names)
    if len(names) <= n:
        return names
    return "[" + ", ".join(map(repr, names[:n])) + ", ...]"
