"""Small input checks with uniform messages, in the style of ``mne.utils``."""

import numbers
import os

import numpy as np


def _validate_type(item, types, item_name, type_name=None):
    """Raise a TypeError unless ``item`` is an instance of ``types``.

    ``types`` may hold the strings ``"int"``, ``"numeric"`` and ``"path-like"``
    besides classes; ``bool`` never counts as an int.
    """
    if not isinstance(types, tuple):
        types = (types,)
    aliases = {
        "int": (numbers.Integral,),
        "numeric": (numbers.Real,),
        "path-like": (str, __import__("os").PathLike),
    }
    classes = []
    for t in types:
        if t is None:
            classes.append(type(None))
        elif isinstance(t, str):
            classes.extend(aliases[t])
        else:
            classes.append(t)
    ok = isinstance(item, tuple(classes))
    if ok and isinstance(item, bool) and not any(c is bool for c in classes):
        ok = "int" not in types and "numeric" not in types
    if not ok:
        if type_name is None:
            names = [
                "None" if t is None else t if isinstance(t, str) else t.__name__
                for t in types
            ]
            type_name = ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]
        raise TypeError(
            f"{item_name} must be an instance of {type_name}, "
            f"but got {type(item).__name__} instead."
        )
    return item


def _check_path(path, name):
    """Return ``path`` as a str with ``~`` expanded, refusing an empty one.

    A shell expands ``~`` only at the start of a word it sees unquoted; a
    path from a script, a config file or a quoted argument keeps it, and
    would otherwise become a folder named ``~`` in the working directory.
    An empty path would mean the working directory itself.
    """
    _validate_type(path, "path-like", name)
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.strip():
        raise ValueError(f"{name} must name a folder, but got {text!r}.")
    return os.path.expanduser(text)


def _check_option(parameter, value, allowed_values):
    """Raise a ValueError unless ``value`` is one of ``allowed_values``."""
    if value in allowed_values:
        return value
    allowed = ", ".join(repr(v) for v in allowed_values)
    raise ValueError(
        f"Invalid value for the '{parameter}' parameter. Allowed values are "
        f"{allowed}, but got {value!r} instead."
    )


def _check_positive_int(value, name, minimum=1):
    """Return ``value`` as int, raising if it is not an int >= ``minimum``."""
    _validate_type(value, "int", name)
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, but got {value}.")
    return int(value)


def _check_finite(X, name="X"):
    """Raise a ValueError naming how many values of ``X`` are NaN or infinite."""
    X = np.asarray(X)
    if X.dtype.kind in "fc":
        bad = ~np.isfinite(X)
        if bad.any():
            n_nan = int(np.isnan(X).sum())
            n_inf = int(bad.sum()) - n_nan
            raise ValueError(
                f"{name} must contain only finite values, but got {n_nan} NaN "
                f"and {n_inf} infinite value(s) out of {X.size}."
            )
    return X


def _check_unique_names(ch_names, name="ch_names"):
    """Raise a ValueError naming the channel names given more than once."""
    seen, duplicates = set(), []
    for ch in ch_names:
        if ch in seen and ch not in duplicates:
            duplicates.append(ch)
        seen.add(ch)
    if duplicates:
        raise ValueError(f"{name} must be unique, but got duplicates: {duplicates}.")
    return list(ch_names)


def _check_layout(ch_names, fitted_ch_names, *, owner, sfreq=None, fitted_sfreq=None,
                  n_times=None, fitted_n_times=None, extra=""):
    """Check that data have the channels (in order), rate and length seen in fit.

    Parameters
    ----------
    ch_names : list of str
        The channels of the data at hand.
    fitted_ch_names : list of str
        The channels seen in fit.
    owner : str
        Who checks, e.g. ``"HAMNetClassifier"``: the message names it.
    sfreq, fitted_sfreq, n_times, fitted_n_times : float | int | None
        Checked when both of a pair are given.
    extra : str
        Appended to the channel message (scikit-learn's feature-count wording).
    """
    ch_names, fitted_ch_names = list(ch_names), list(fitted_ch_names)
    if ch_names != fitted_ch_names:
        missing = [c for c in fitted_ch_names if c not in ch_names]
        unexpected = [c for c in ch_names if c not in fitted_ch_names]
        detail = (
            f"missing {missing}, unexpected {unexpected}" if missing or unexpected
            else "same channels in a different order"
        )
        raise ValueError(
            f"X's channels differ from those {owner} saw in fit ({detail}); expected "
            f"{len(fitted_ch_names)} channels {fitted_ch_names}{extra}. Pick and order "
            "them as in fit, e.g. epochs.reorder_channels(ch_names_)."
        )
    if n_times is not None and fitted_n_times is not None and n_times != fitted_n_times:
        raise ValueError(
            f"X has windows of {n_times} samples, but {owner} was fitted on windows of "
            f"{fitted_n_times} samples."
        )
    if sfreq is not None and fitted_sfreq is not None and float(sfreq) != float(fitted_sfreq):
        raise ValueError(
            f"X is sampled at {sfreq} Hz, but {owner} was fitted at {fitted_sfreq} Hz."
        )
