"""The package logger and warnings that point at the user's code."""

import logging
import warnings

logger = logging.getLogger("mne_hamnet")
#: The logger of progress lines (folds done, time left) that the command line
#: shows even when it is not verbose; a child of the package logger.
PROGRESS_LOGGER = "mne_hamnet.progress"


def warn(message, category=RuntimeWarning):
    """Emit a warning attributed to the first frame outside mne_hamnet.

    Parameters
    ----------
    message : str
        The warning text.
    category : type of Warning, default=RuntimeWarning
        The warning class.
    """
    import inspect

    frame = inspect.currentframe()
    stacklevel = 1
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("mne_hamnet"):
            break
        frame = frame.f_back
        stacklevel += 1
    warnings.warn(message, category, stacklevel=stacklevel)
    logger.debug("warning: %s", message)
