"""The data sets the benchmark command knows, each with its reader, simulator and defaults.

A reader module adds one :class:`DatasetSpec` to :data:`DATASETS`; the command
line, the report and the docs read them from here, so a new data set touches
no other module.
"""

import importlib
from dataclasses import dataclass, field

__all__ = ["DATASETS", "DatasetSpec", "ParadigmRecipe", "get_dataset_spec"]

#: The module whose classes a :class:`ParadigmRecipe` names.
PARADIGMS_MODULE = "mne_hamnet.paradigms"


class ParadigmRecipe:
    """A paradigm named by its class in :mod:`mne_hamnet.paradigms`, built when called.

    The paradigms read the data sets (``Emotion.datasets`` lists SEED, and
    ``RatedEmotion`` takes its event names from the readers), so the data
    sets must not import the paradigms back: the registry names each
    paradigm, and the class is looked up only when the paradigm is built.

    Parameters
    ----------
    name : str
        A class of :mod:`mne_hamnet.paradigms`, e.g. ``"Emotion"``.
    **params : dict
        Its parameters.
    """

    def __init__(self, name, **params):
        self.name = name
        self.params = params

    def __call__(self):
        """Build the paradigm.

        Returns
        -------
        paradigm : moabb.paradigms.base.BaseParadigm
            A new paradigm.
        """
        cls = getattr(importlib.import_module(PARADIGMS_MODULE), self.name)
        return cls(**self.params)

    def __repr__(self):
        params = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.name}({params})"

    def __eq__(self, other):
        return (isinstance(other, ParadigmRecipe) and other.name == self.name
                and other.params == self.params)

    __hash__ = None


@dataclass(frozen=True)
class DatasetSpec:
    """How the benchmark reads, simulates and evaluates one data set.

    Parameters
    ----------
    name : str
        The key on the command line (``--dataset name``), lower case.
    title : str
        The data set's usual name, for tables and logs.
    dataset : callable
        Called as ``dataset(path)`` (``path`` may be None: the MNE config key)
        to return a MOABB dataset.
    simulate : callable
        Called as ``simulate(folder, random_state=..., **sizes)`` to write a
        small copy in the data set's on-disk format.
    paradigm : ParadigmRecipe | callable
        Called with no argument to return the paradigm the benchmark uses;
        the built-in data sets name theirs with a :class:`ParadigmRecipe`.
    band_preset : str
        HAMNet's band preset for these data: ``"gamma"`` (the paper's 18
        bands of 2 Hz from 40 to 76 Hz) where the data reach 76 Hz;
        ``"mu-beta"``; or ``"alpha-gamma"``, 18 bands of 2 Hz from 8 to 44 Hz
        (8-10, 10-12, ..., 42-44), inside DEAP's 4-45 Hz passband, FACED's
        reported low-pass below 50 Hz and DREAMER's 64 Hz Nyquist.
    chronological_split : int | float | None
        Trials that train in the ``chronological`` protocol: a count of the
        first trials of each session, or a fraction of them. None where
        that protocol means nothing (FACED orders its clips by emotion).
    simulated_sizes, quick_sizes : dict
        ``simulate`` arguments of a default and of a ``--quick`` run.
    caveats : tuple of str
        What a user must know before comparing numbers on these data.
    protocols : tuple of str
        The protocols the literature reports on these data, the most used
        first; empty when not stated.
    """

    name: str
    title: str
    dataset: object
    simulate: object
    paradigm: object
    band_preset: str = "gamma"
    chronological_split: float = 0.6
    simulated_sizes: dict = field(default_factory=dict)
    quick_sizes: dict = field(default_factory=dict)
    caveats: tuple = ()
    protocols: tuple = ()


#: Every data set the command line can read or simulate, by ``--dataset`` name.
DATASETS = {}


def register(spec):
    """Add ``spec`` to :data:`DATASETS` and return it."""
    DATASETS[spec.name] = spec
    return spec


def get_dataset_spec(name):
    """Return the :class:`DatasetSpec` called ``name``, or raise a clear error.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`, in any case.

    Returns
    -------
    spec : DatasetSpec
        How the benchmark reads, simulates and evaluates that data set.
    """
    key = str(name).lower()
    if key not in DATASETS:
        raise ValueError(
            f"Invalid value for the 'dataset' parameter. Allowed values are "
            f"{', '.join(sorted(DATASETS))}, but got {name!r}."
        )
    return DATASETS[key]
