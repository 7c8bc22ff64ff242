"""Checks of HAMNetClassifier's parameters, with messages in the classifier's own terms."""

import inspect
import re

import numpy as np
import torch
from sklearn.utils.class_weight import compute_class_weight
from skorch import NeuralNet, NeuralNetClassifier

from ._check import _check_option, _check_positive_int, _validate_type
from ._interrupt import ON_INTERRUPT
from ._validation import check_early_stopping
from .mirror import HemisphereMirror

# Sizes the classifier infers from the data at every fit.
INFERRED = ("n_chans", "n_outputs", "n_times", "sfreq", "mirror_index")


def check_params(net):
    """Check the classifier's parameters, as fit, resume and partial_fit begin."""
    _check_unknown_params(net)
    if net.warm_start:
        raise ValueError(
            "HAMNetClassifier does not support warm_start=True: every fit infers "
            "the channels, classes and mirror from its data and runs both stages "
            "from new weights. To train further on the same data, call "
            "partial_fit (one more epoch of the current stage) or resume (the "
            "epochs an interrupted fit lacks)."
        )
    rs = net.random_state
    if rs is not None and not isinstance(
            rs, (np.random.RandomState, np.random.Generator)):
        _validate_type(rs, "int", "random_state",
                       "int, numpy RandomState, numpy Generator or None")
        if not 0 <= rs < 2**32:
            raise ValueError(
                f"random_state must be an int in [0, 2**32 - 1], but got {rs}."
            )
    for name in ("lr", "max_epochs"):
        if getattr(net, name) is not None:
            raise ValueError(
                f"HAMNetClassifier trains in two stages: use pretrain_lr/"
                f"finetune_lr and pretrain_epochs/finetune_epochs instead of "
                f"{name}={getattr(net, name)!r}."
            )
    if "optimizer__lr" in net.get_params(deep=False):
        raise ValueError("Set the learning rates with pretrain_lr and finetune_lr, "
                         "not optimizer__lr.")
    _check_positive_int(net.pretrain_epochs, "pretrain_epochs")
    _check_positive_int(net.finetune_epochs, "finetune_epochs", minimum=0)
    _check_positive_int(net.batch_size, "batch_size")
    _validate_type(net.amp, bool, "amp")
    _validate_type(net.class_weight, (str, dict, None), "class_weight",
                   "dict, 'balanced' or None")
    if isinstance(net.class_weight, str) and net.class_weight != "balanced":
        raise ValueError(
            "class_weight must be 'balanced', a dict of class label -> weight, or None, "
            f"but got {net.class_weight!r}."
        )
    _check_option("on_interrupt", net.on_interrupt, ON_INTERRUPT)
    for name in ("pretrain_lr", "finetune_lr"):
        value = getattr(net, name)
        _validate_type(value, "numeric", name)
        if not (value > 0 and np.isfinite(value)):
            raise ValueError(f"{name} must be a positive number, but got {value}.")
    for prefix in ("iterator_train", "iterator_valid"):
        size = net.get_params_for(prefix).get("batch_size")
        if size is not None and size != -1:
            _check_positive_int(size, f"{prefix}__batch_size")
    check_early_stopping(
        "HAMNetClassifier", net.early_stopping, net.validation_fraction,
        net.n_iter_no_change, net.tol, net.train_split)
    if isinstance(net.mirror, type):
        raise TypeError(
            f"mirror must be an instance of HemisphereMirror, but got the class "
            f"{net.mirror.__name__} itself; pass {net.mirror.__name__}()."
        )


def _check_unknown_params(net):
    """Refuse keyword arguments that are neither parameters nor routed (``x__y``).

    skorch checks them only once the network is built, after the mirror
    is fitted; here they are refused first, with a hint where the name
    belongs to the mirror or to the network.
    """
    known = set(net.prefixes_)
    for cls in (type(net), NeuralNetClassifier, NeuralNet):
        known |= set(inspect.signature(cls.__init__).parameters)
    unknown = sorted(
        key for key in getattr(net, "_params_to_validate", ())
        if "__" not in key and not key.endswith("_") and key not in known
    )
    if not unknown:
        return
    hints = []
    mirror_params = HemisphereMirror().get_params()
    module_params = module_param_names(net)
    for key in unknown:
        value = getattr(net, key, None)
        if key in mirror_params:
            hints.append(f"{key} is a parameter of HemisphereMirror: pass "
                         f"mirror=HemisphereMirror({key}={value!r}).")
        elif key in module_params:
            hints.append(f"{key} is a parameter of the network: pass "
                         f"module__{key}={value!r}.")
    raise ValueError(" ".join([
        f"HAMNetClassifier got unexpected argument(s) {', '.join(unknown)}: they "
        "are neither its parameters nor routed to a part of it (module__*, "
        "optimizer__*, criterion__*, callbacks__*, iterator_train__*, ...).",
        *hints,
    ]))


def module_param_names(net):
    """The network's own argument names, less the sizes inferred from the data."""
    module_class = net.module if isinstance(net.module, type) else type(net.module)
    try:
        return set(inspect.signature(module_class).parameters) - set(INFERRED)
    except (TypeError, ValueError):
        return set()


def check_fit_params(net, fit_params):
    """Refuse fit parameters the network's forward cannot take, before training."""
    if not fit_params:
        return
    module_class = net.module if isinstance(net.module, type) else type(net.module)
    parameters = inspect.signature(module_class.forward).parameters
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted(set(fit_params) - set(list(parameters)[2:]))
    if unknown:
        raise TypeError(
            f"fit() got the fit parameter(s) {unknown}, which HAMNetClassifier passes "
            f"to the network's forward, but {module_class.__name__}.forward takes no "
            "such argument. HAMNetClassifier has no sample weights; to weight the "
            "classes, pass class_weight='balanced' (or a dict of label -> weight), or "
            "criterion__weight=[...] (one weight per class, in the order of classes_)."
        )


def as_module_params(net, message, kwargs):
    """``message`` with the network's argument names as the classifier's ``module__`` ones."""
    names = sorted(module_param_names(net) | set(kwargs), key=len, reverse=True)
    if not names:
        return message
    pattern = r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?==|\s+must\b)"
    return re.sub(pattern, r"module__\1", message)


def class_weights(class_weight, classes, y_encoded):
    """Weights of ``classes`` from ``class_weight`` and the encoded labels, or None."""
    if class_weight is None:
        return None
    labels = np.asarray(classes)
    if isinstance(class_weight, dict):
        unknown = [key for key in class_weight if key not in set(labels.tolist())]
        if unknown:
            raise ValueError(
                f"class_weight names label(s) {unknown} that are not among the classes "
                f"{labels.tolist()}."
            )
    missing = sorted(set(range(len(labels))) - set(np.unique(y_encoded).tolist()))
    if class_weight == "balanced" and missing:
        raise ValueError(
            "class_weight='balanced' weighs each class by its count in y, but y holds "
            f"no window of class(es) {labels[missing].tolist()}."
        )
    # the labels as given, so that a dict's keys match them
    return compute_class_weight(class_weight, classes=labels, y=labels[y_encoded]).astype(
        np.float32)


def weight_tensor(weight, n_classes=None):
    """``criterion__weight`` (tensor or array-like) as a float32 tensor, checked."""
    if isinstance(weight, torch.Tensor):
        values = weight.detach().to("cpu", torch.float32)
    else:
        try:
            values = torch.as_tensor(np.asarray(weight, dtype=np.float32))
        except (TypeError, ValueError) as err:
            raise TypeError(
                "criterion__weight must be a tensor or array-like of numbers (one weight "
                f"per class), but got {type(weight).__name__}: {err}"
            ) from err
    if values.ndim != 1 or (n_classes is not None and len(values) != n_classes):
        expected = ("weights, one per class" if n_classes is None
                    else f"{n_classes} weights, one per class")
        raise ValueError(
            f"The class weights must be a 1-D sequence of {expected} in the order of "
            f"classes_, but got shape {tuple(values.shape)}."
        )
    if not (torch.isfinite(values).all() and (values >= 0).all() and values.sum() > 0):
        raise ValueError(
            "The class weights must be finite, non-negative and not all zero, but got "
            f"{values.tolist()}."
        )
    return values
