"""Ctrl-C during a fit: keep the fit for one fit, stop the whole run inside cross-validation.

A single :meth:`~mne_hamnet.HAMNetClassifier.fit` stopped by Ctrl-C keeps a
classifier that predicts and can :meth:`~mne_hamnet.HAMNetClassifier.resume`.
The same fit as one fold of a cross-validation would be scored and the run
would go on, as if Ctrl-C had only shortened that fold's training: so there
the interruption is raised again, once the classifier is in order, and it
stops the whole run.
"""

import signal
import sys
import threading
from contextlib import contextmanager

#: The values of ``HAMNetClassifier(on_interrupt=...)``.
ON_INTERRUPT = ("auto", "keep", "raise")
#: Modules whose functions, when on the call stack of a fit, make it one fold
#: of a larger run: scikit-learn's model selection (cross_val_score,
#: cross_validate, GridSearchCV, learning_curve, ...), MOABB's evaluations and
#: this package's fold runner.
RUNNERS = ("sklearn.model_selection", "moabb.evaluations", "mne_hamnet._folds")


def inside_a_run(frame=None):
    """Whether the caller runs under one of :data:`RUNNERS`.

    Only read when Ctrl-C was caught, so it costs nothing otherwise.

    Parameters
    ----------
    frame : frame | None, default=None
        Where to start looking; None starts at the caller.

    Returns
    -------
    inside : bool
        True when a function of a module of :data:`RUNNERS` is on the stack.
    """
    frame = sys._getframe(1) if frame is None else frame
    while frame is not None:
        name = frame.f_globals.get("__name__") or ""
        if name.startswith(RUNNERS):
            return True
        frame = frame.f_back
    return False


def stops_the_run(on_interrupt):
    """Whether Ctrl-C during a fit must be raised again rather than kept.

    Parameters
    ----------
    on_interrupt : {"auto", "keep", "raise"}
        The classifier's parameter: ``"auto"`` raises inside a run of
        :data:`RUNNERS` and keeps the fit otherwise.

    Returns
    -------
    stop : bool
        True to raise the KeyboardInterrupt again.
    """
    if on_interrupt == "auto":
        return inside_a_run(sys._getframe(1))
    return on_interrupt == "raise"


@contextmanager
def noticed():
    """Note any Ctrl-C (SIGINT) that arrives inside, even if an estimator swallows it.

    skorch's ``fit`` (and so braindecode's networks) catches KeyboardInterrupt
    and returns a half-trained net. Inside, a SIGINT is recorded before
    Python's own handler (or the one installed before) raises it, and
    ``state["interrupted"]`` tells the caller. Signal handlers can only be
    set in the main thread; elsewhere (a dask worker's threads) nothing is
    installed, and SIGINT does not reach those threads anyway.

    Yields
    ------
    state : dict
        ``{"interrupted": bool}``, True once a SIGINT arrived.
    """
    state = {"interrupted": False}
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous in (signal.SIG_IGN, None):  # ignored (nohup) or set outside Python
        yield state
        return

    def handler(signum, frame):
        state["interrupted"] = True
        if callable(previous):
            previous(signum, frame)
        else:  # SIG_DFL: what Python does by default
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)
