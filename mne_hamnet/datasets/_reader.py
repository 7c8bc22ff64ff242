"""What the emotion data set readers share: folders, safe file loading and trials as Raw."""

import pickle
from pathlib import Path

import mne
import numpy as np
from moabb.datasets.base import BaseDataset
from moabb.datasets.bids_interface import StepType
from moabb.datasets.preprocessing import FixedPipeline, get_filter_pipeline
from scipy.io import loadmat
from scipy.io.matlab import MatReadError

from .._check import _check_finite, _validate_type
from .._montage import standard_montage

# Globals a pickled ndarray (or a dict of them) may name; anything else in a
# pickle could run code, so it is refused.
_PICKLE_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    # Python 3's protocol 2 writes bytes as _codecs.encode(text, "latin1").
    ("_codecs", "encode"),
}


class EmotionDataset(BaseDataset):
    """A MOABB data set of labelled emotion trials, one Raw per trial.

    Subclasses set ``_title`` (for messages) and implement
    ``_get_single_subject_data``. MOABB's default processing rebuilds the
    annotations with the fixed task ``interval`` as duration; here each label
    annotation keeps spanning its whole trial, which
    :class:`~mne_hamnet.paradigms.Emotion` cuts into windows.
    """

    _title = "emotion"

    def data_path(self, subject, path=None, force_update=False, update_path=None, verbose=None):
        """Return the paths of the files that hold a subject.

        Parameters
        ----------
        subject : int
            The subject.
        path : path-like | None, default=None
            Not used: the copy is the one given at construction. Present for
            API consistency.
        force_update : bool, default=False
            Not used: these data sets can't be downloaded. Present for API
            consistency.
        update_path : bool | None, default=None
            Not used, present for API consistency.
        verbose : bool | str | int | None, default=None
            Not used, present for API consistency.

        Returns
        -------
        paths : list of str
            The subject's files, first session first.
        """
        self._check_subject(subject)
        return self._subject_files(subject)

    def get_data(self, subjects=None, cache_config=None, process_pipeline=None, n_jobs=1):
        """Return the raw trials of some subjects.

        Parameters
        ----------
        subjects : list of int | None, default=None
            The subjects; None for all of ``subject_list``.
        cache_config : dict | moabb.datasets.base.CacheConfig | None
            MOABB's cache settings.
        process_pipeline : sklearn.pipeline.Pipeline | None
            MOABB's processing pipeline; None keeps the trials as read.
        n_jobs : int, default=1
            The number of subjects read in parallel.

        Returns
        -------
        data : dict
            ``data[subject][session][run]`` is one trial, an
            :class:`mne.io.RawArray` in volts.
        """
        if isinstance(subjects, list):
            for subject in subjects:
                self._check_subject(subject)
        return super().get_data(subjects, cache_config, process_pipeline, n_jobs)

    def _check_subject(self, subject):
        if subject not in self.subject_list:
            raise ValueError(
                f"Subject {subject!r} is not in the {self._title} copy at {self._location}, "
                f"which holds subjects {list(self.subject_list)}."
            )

    def _create_process_pipeline(self):
        return FixedPipeline([(StepType.RAW, get_filter_pipeline(None, None))])


def find_folder(path, config_key, title, how_to_get, subfolder=None):
    """Return the folder named by ``path`` or by ``config_key``, descending into ``subfolder``.

    Parameters
    ----------
    path : path-like | None
        The folder; None reads the MNE config key.
    config_key : str
        The MNE config key, e.g. ``"MNE_DATASETS_DEAP_PATH"``.
    title : str
        The data set's name, for messages.
    how_to_get : str
        Where to get the data and what the folder must hold.
    subfolder : str | None
        A folder of the full copy to descend into when ``path`` holds it.

    Returns
    -------
    folder : pathlib.Path
        An existing folder.
    """
    path = _path_or_config(path, config_key, title, how_to_get)
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"The {title} folder {folder} does not exist. {how_to_get}")
    if subfolder is not None and (folder / subfolder).is_dir():
        folder = folder / subfolder
    return folder


def _path_or_config(path, config_key, title, how_to_get):
    if path is None:
        path = mne.get_config(config_key)
        if path is None:
            raise ValueError(f"No {title} folder given and {config_key} is not set. {how_to_get}")
    _validate_type(path, "path-like", "path")
    return path


def find_file(path, config_key, title, how_to_get, name):
    """Return the file ``name`` given as ``path`` (the file or its folder) or by the config.

    Parameters
    ----------
    path : path-like | None
        The file or a folder holding it; None reads the MNE config key.
    config_key, title, how_to_get : str
        As for :func:`find_folder`.
    name : str
        The file's name, e.g. ``"DREAMER.mat"``.

    Returns
    -------
    fname : pathlib.Path
        An existing file.
    """
    path = Path(_path_or_config(path, config_key, title, how_to_get)).expanduser()
    if path.is_dir():
        path = path / name
    if not path.is_file():
        raise FileNotFoundError(f"The {title} file {path} does not exist. {how_to_get}")
    return path


def load_mat(fname, **kwargs):
    """Load a MATLAB v5 file with clear errors for v7.3 and unreadable files."""
    try:
        return loadmat(fname, **kwargs)
    except NotImplementedError:
        # scipy raises this for MATLAB v7.3 (HDF5) files.
        raise ValueError(
            f"{fname} is a MATLAB v7.3 (HDF5) file, which this reader does not "
            "read; the published files are MATLAB v5 files. Re-save it in MATLAB "
            "with save(name, '-v7')."
        ) from None
    except (MatReadError, ValueError, OSError) as err:
        raise ValueError(f"Could not read {fname} as a MATLAB file: {err}") from err


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickle numbers, strings, lists, dicts and ndarrays only: never run code."""

    def find_class(self, module, name):
        if (module, name) in _PICKLE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"it names {module}.{name}, but a data file should hold only NumPy "
            "arrays, numbers and dicts, so it is not loaded"
        )


def load_pickle(fname):
    """Load a pickle of arrays, also one written by Python 2 (``latin1`` strings).

    Only NumPy arrays and built-in containers are accepted: a pickle that
    names any other class or function is refused, since unpickling it could
    run code.
    """
    try:
        with open(fname, "rb") as f:
            return _ArrayUnpickler(f, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as err:
        raise ValueError(f"Could not read {fname} as a pickle of arrays: {err}") from err


def montage_for(ch_names):
    """Return the 10-05 template montage restricted to ``ch_names`` (any case)."""
    template = standard_montage("1005").get_positions()
    by_upper = {name.upper(): pos for name, pos in template["ch_pos"].items()}
    missing = [name for name in ch_names if name.upper() not in by_upper]
    if missing:
        raise ValueError(f"The 10-05 template has no position for the channel(s) {missing}.")
    return mne.channels.make_dig_montage(
        ch_pos={name: by_upper[name.upper()] for name in ch_names},
        nasion=template["nasion"],
        lpa=template["lpa"],
        rpa=template["rpa"],
        coord_frame=template["coord_frame"],
    )


def check_trial(data, n_chans, name):
    """Return ``data`` as a float array of shape (n_chans, n_samples), or raise."""
    data = np.asarray(data)
    if data.ndim != 2 or data.shape[0] != n_chans or data.shape[1] == 0:
        raise ValueError(
            f"{name} has shape {data.shape}, but a trial must have shape ({n_chans}, n_samples)."
        )
    if data.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold numbers, but got values of type {data.dtype}.")
    _check_finite(data, name)
    return data.astype(float, copy=False)


def make_trial_raw(
    data,
    ch_names,
    sfreq,
    label,
    montage,
    description,
    *,
    scale=1e-6,
    meas_date=None,
    line_freq=50.0,
    extras=None,
):
    """Return one trial as a RawArray in volts with one annotation spanning it.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_samples)
        The trial, in the source's unit.
    ch_names : list of str
        Channel names, in the order of the rows.
    sfreq : float
        Sampling frequency in Hz.
    label : str
        The trial's event name, the annotation's description.
    montage : mne.channels.DigMontage
        Positions of ``ch_names``.
    description : str
        Written to ``raw.info["description"]``: where the trial came from.
    scale : float, default=1e-6
        Factor to volts (1e-6 for µV).
    meas_date : datetime.datetime | None, default=None
        The recording date, if known.
    line_freq : float, default=50.0
        Power line frequency where the data were recorded.
    extras : dict | None, default=None
        Stored with the annotation (:attr:`mne.Annotations.extras`), e.g.
        the trial's self-assessment ratings.

    Returns
    -------
    raw : mne.io.RawArray
        The trial in volts.
    """
    info = mne.create_info(list(ch_names), float(sfreq), "eeg")
    raw = mne.io.RawArray(np.asarray(data, dtype=float) * scale, info, verbose=False)
    raw.set_montage(montage)
    if meas_date is not None:
        raw.set_meas_date(meas_date)
    raw.info["description"] = description
    raw.info["line_freq"] = float(line_freq)
    raw.set_annotations(
        mne.Annotations(
            [0.0],
            [raw.n_times / float(sfreq)],
            [label],
            extras=None if extras is None else [dict(extras)],
        )
    )
    return raw


def binary_label(value, threshold, at_threshold, name):
    """Return ``"low_<name>"`` or ``"high_<name>"`` for a rating ``value``."""
    high = value > threshold or (value == threshold and at_threshold == "high")
    return f"{'high' if high else 'low'}_{name}"


def rating_event_id(target):
    """Return the event names and codes of a rating target."""
    if target == "valence_arousal":
        return {"LVLA": 1, "LVHA": 2, "HVLA": 3, "HVHA": 4}
    return {f"low_{target}": 1, f"high_{target}": 2}


def rating_label(ratings, target, threshold, at_threshold):
    """Return the event name of a trial from its ``{name: rating}``."""
    if target == "valence_arousal":
        valence = binary_label(ratings["valence"], threshold, at_threshold, "v")
        arousal = binary_label(ratings["arousal"], threshold, at_threshold, "a")
        return f"{valence[0].upper()}V{arousal[0].upper()}A"
    return binary_label(ratings[target], threshold, at_threshold, target)
