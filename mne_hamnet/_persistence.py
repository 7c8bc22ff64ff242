"""The saved state of a HAMNetClassifier: write it, restore it, match a checkpoint to a fit."""

import os

import numpy as np
from skorch.callbacks import Checkpoint
from skorch.history import History

from . import _stages
from ._check import _check_option, _validate_type
from ._io import read_json

# StageCheckpoint and its sink lived here in 0.1.0: pickles refer to them by this module
from .callbacks import StageCheckpoint, _checkpoint_sink, format_checkpoint_name  # noqa: F401
from .mirror import HemisphereMirror

# Marks the JSON written by save_params(f_fitted=...).
FITTED_FORMAT = "mne-hamnet HAMNetClassifier fitted state"
FITTED_VERSION = 1


# ----------------------------------------------------------------- write
def fitted_state(net):
    """Everything a fit inferred that is not a tensor, as a JSON-ready dict.

    Version 1 of the format; keys added since (``info``, ``demean``,
    ``class_weight``, ``validation_split``) are optional, so that files
    written by 0.1.0 still load and files written now load in 0.1.0 (which
    ignores them).
    """
    stage = net.stage_
    return {
        "format": FITTED_FORMAT,
        "version": FITTED_VERSION,
        "stage": stage,
        "epochs_done": _stages.epochs_done(net.history_),
        "stage_seeds": list(net.stage_seeds_),
        "classes": net.classes_.tolist(),
        "classes_dtype": net.classes_.dtype.str,
        "sfreq": net.sfreq_,
        "ch_names": list(net.ch_names_),
        "n_times": net.n_times_,
        "fingerprint": net._stage_run.fingerprint,
        "mirror": _mirror_state(net.mirror_),
        "info": _info_state(getattr(net, "info_", None)),
        "demean": getattr(net.module_, "demean", None),
        "class_weight": (None if getattr(net, "class_weight_", None) is None
                         else net.class_weight_.tolist()),
        "validation_split": getattr(net, "validation_split_", None),
        "history": list(net.history_ or []),
        "history_pretrain": (
            list(net.history_pretrain_) if stage == "finetune" else None
        ),
    }


def json_default(obj):
    """Turn the numpy values that callbacks may record in the history into JSON."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


# -------------------------------------------------------------- restore
def read_fitted_state(f_fitted):
    """Read and check a file written by ``save_params(f_fitted=...)``."""
    state = read_json(f_fitted)
    if not isinstance(state, dict) or state.get("format") != FITTED_FORMAT:
        raise ValueError(
            "This is not a fitted state written by HAMNetClassifier.save_params"
            "(f_fitted=...)."
        )
    if state["version"] > FITTED_VERSION:
        raise ValueError(
            f"This fitted state has version {state['version']}, written by a newer "
            f"mne-hamnet; this one reads up to version {FITTED_VERSION}."
        )
    _check_option("stage", state["stage"], _stages.STAGES)
    return state


def restore_fitted(net, state):
    """Make ``net`` the fitted classifier ``state`` describes, network built, weights not loaded."""
    stage = state["stage"]
    net.classes_inferred_ = _classes(state)
    net.mirror_ = _mirror_from_state(state["mirror"], net.mirror)
    net.sfreq_ = float(state["sfreq"])
    net.ch_names_ = list(state["ch_names"])
    net.n_features_in_ = len(net.ch_names_)
    net.n_times_ = int(state["n_times"])
    net.info_ = _info_from_state(state.get("info"), net.ch_names_, net.sfreq_)
    net._stage_run = _stages.StageRun(fingerprint=state.get("fingerprint"))
    net.stage_seeds_ = tuple(int(s) for s in state["stage_seeds"])
    weights = state.get("class_weight")
    net.class_weight_ = None if weights is None else np.asarray(weights, np.float32)
    _stages.rebuild_stage(net, stage)
    demean = state.get("demean", False)
    if demean is not None and hasattr(net.module_, "demean"):
        # states written before HAMNet removed the window mean fed the windows as given
        net.module_.demean = bool(demean)
    net.history_ = History(state["history"])
    net.history_pretrain_ = (
        History(state["history_pretrain"]) if stage == "finetune" else net.history_
    )
    net.interrupted_ = not _stages.is_complete(net)
    net.validation_split_ = state.get("validation_split")
    net.epochs_kept_ = _stages.epochs_kept(net)


def restore_checkpoint(net, state):
    """Restore the history of the stage ``net`` is training, from its checkpoint.

    Called while :meth:`fit` or :meth:`resume` runs a stage (through skorch's
    ``LoadInitState``); the weights are loaded next, by skorch.
    """
    check_checkpoint_matches(net, state)
    # with random_state=None each fit draws its seeds: the stage resumes with
    # the checkpoint's, so that it shuffles as the interrupted run did
    net.stage_seeds_ = tuple(int(s) for s in state["stage_seeds"])
    net.stage_seed_ = net.stage_seeds_[_stages.STAGES.index(net.stage_)]
    net.history_ = History(state["history"])
    if net.stage_ == "pretrain":
        net.history_pretrain_ = net.history_
    else:
        net.history_pretrain_ = History(state["history_pretrain"])


def check_checkpoint_matches(net, state):
    """Raise unless ``state`` was written by a fit of ``net``'s stage on the same data."""
    expected = {
        "stage": net.stage_,
        "classes": net.classes_.tolist(),
        "ch_names": list(net.ch_names_),
        "sfreq": net.sfreq_,
        "n_times": net.n_times_,
        "fingerprint": net._stage_run.fingerprint,
    }
    found = dict(state, classes=_classes(state).tolist())
    differ = [key for key, value in expected.items() if found.get(key) != value]
    if differ:
        what = "windows" if differ == ["fingerprint"] else ", ".join(differ)
        raise ValueError(
            f"The checkpoint was written by a fit on other data ({what} differ), "
            f"so it cannot resume this {net.stage_} stage. Point the checkpoint "
            "at a fresh directory for every fit (e.g. one per fold)."
        )


def checkpoint_files(net, checkpoint):
    """The files of ``checkpoint`` for ``net``'s stage, or of the latest stage saved."""
    _validate_type(checkpoint, Checkpoint, "checkpoint")
    template = getattr(checkpoint, "f_fitted", None)
    if template is None:
        raise ValueError(
            "HAMNetClassifier restores a checkpoint only with its fitted state: "
            "use StageCheckpoint, or give the Checkpoint f_fitted= (and "
            "per-stage names such as '{net.stage_}_params.pt')."
        )
    stages = [net.stage_] if hasattr(net, "stage_") else ["finetune", "pretrain"]
    for stage in stages:
        f_fitted = format_checkpoint_name(checkpoint, template, _StageView(net, stage))
        if not isinstance(f_fitted, (str, os.PathLike)) or os.path.exists(f_fitted):
            break
    else:
        raise FileNotFoundError(f"No checkpoint of {stages} at {f_fitted!r}.")
    state = read_json(f_fitted)
    view = _StageView(net, state.get("stage"), History(state.get("history") or []))
    files = {}
    for key, template in _checkpoint_templates(checkpoint).items():
        if key in ("f_history", "f_pickle", "f_fitted") or template is None:
            continue  # the history travels in the fitted state
        files[key] = format_checkpoint_name(checkpoint, template, view)
    missing = [f for f in files.values()
               if isinstance(f, (str, os.PathLike)) and not os.path.exists(f)]
    if missing:
        raise ValueError(
            f"The checkpoint at {f_fitted!r} is incomplete: {missing} is missing. "
            "Delete the checkpoint's files to start the fit afresh."
        )
    files["f_fitted"] = f_fitted
    return files


# -------------------------------------------------------------- helpers
def _classes(state):
    return np.asarray(state["classes"], dtype=np.dtype(state["classes_dtype"]))


class _StageView:
    """``net`` as seen by a checkpoint file name template for another stage."""

    def __init__(self, net, stage, history=None):
        self._net, self.stage_ = net, stage
        self.history = net.history if history is None else history

    def __getattr__(self, name):
        return getattr(self._net, name)


def _checkpoint_templates(checkpoint):
    return {key: getattr(checkpoint, key) for key in dir(checkpoint)
            if key.startswith("f_") and not key.endswith("_")}


def _info_state(info):
    """The fitted channels' positions, or None when there are none."""
    if info is None:
        return None
    montage = info.get_montage()
    if montage is None:
        return None
    positions = montage.get_positions()

    def point(value):
        return None if value is None else [float(v) for v in value]

    return {
        "coord_frame": positions["coord_frame"],
        "ch_pos": {name: point(pos) for name, pos in positions["ch_pos"].items()},
        "nasion": point(positions["nasion"]),
        "lpa": point(positions["lpa"]),
        "rpa": point(positions["rpa"]),
    }


def _info_from_state(state, ch_names, sfreq):
    """Rebuild ``info_`` from :func:`_info_state`'s dict (None stays None)."""
    if state is None:
        return None
    import mne

    info = mne.create_info(list(ch_names), sfreq, "eeg")
    montage = mne.channels.make_dig_montage(
        ch_pos={name: np.asarray(pos) for name, pos in state["ch_pos"].items()},
        nasion=state.get("nasion"), lpa=state.get("lpa"), rpa=state.get("rpa"),
        coord_frame=state.get("coord_frame", "head"),
    )
    info.set_montage(montage, on_missing="ignore")
    return info


def _mirror_state(mirror):
    return mirror.get_fitted_state()


def _mirror_from_state(state, template):
    cls = type(template) if isinstance(template, HemisphereMirror) else HemisphereMirror
    return cls.from_fitted_state(state)
