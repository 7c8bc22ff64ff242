"""Data sets: SEED and its kin read from local copies, and simulators of their formats."""

from ._registry import DATASETS, DatasetSpec, ParadigmRecipe, get_dataset_spec, register
from ._seed_layout import SEED_CH_NAMES, make_seed_montage
from .deap import DEAP
from .describe import describe_dataset
from .dreamer import DREAMER
from .faced import FACED
from .seed import SEED
from .seediv import SEEDIV
from .seedv import SEEDV
from .simulate import simulate_seed
from .simulate_emotion import (
    simulate_deap,
    simulate_dreamer,
    simulate_faced,
    simulate_seediv,
    simulate_seedv,
)

# Named, not imported: the paradigms read the data sets, never the other way round.
_seed_paradigm = ParadigmRecipe("Emotion", window=1.0)
# the literature resamples SEED-V's 1000 Hz to SEED's 200 Hz
_seedv_paradigm = ParadigmRecipe("Emotion", window=1.0, resample=200.0)
_valence_paradigm = ParadigmRecipe("RatedEmotion", scale="valence", window=1.0)
# the Emotiv amplifier is DC-coupled: keep DEAP's 4-45 Hz band
_dreamer_paradigm = ParadigmRecipe(
    "RatedEmotion", scale="valence", window=1.0, fmin=4.0, fmax=45.0)


register(
    DatasetSpec(
        name="seed",
        title="SEED",
        dataset=SEED,
        simulate=simulate_seed,
        paradigm=_seed_paradigm,
        band_preset="gamma",
        chronological_split=9,
        simulated_sizes=dict(n_subjects=3, n_sessions=3, trial_seconds=8.0),
        quick_sizes=dict(n_subjects=2, n_sessions=2, trial_seconds=1.0),
    )
)
register(
    DatasetSpec(
        name="seediv",
        title="SEED-IV",
        dataset=SEEDIV,
        simulate=simulate_seediv,
        paradigm=_seed_paradigm,
        band_preset="gamma",
        chronological_split=16,
        simulated_sizes=dict(n_subjects=3, n_sessions=3, trial_seconds=4.0),
        quick_sizes=dict(n_subjects=2, n_sessions=2, trial_seconds=1.0),
        caveats=(
            "The 16/8 chronological split tests on unbalanced trials: the last 8 "
            "trials of session 1 hold no sad trial.",
            "Whether eeg_raw_data is already filtered is not documented.",
        ),
        protocols=("chronological", "cross-session", "cross-subject"),
    )
)
register(
    DatasetSpec(
        name="seedv",
        title="SEED-V",
        dataset=SEEDV,
        simulate=simulate_seedv,
        paradigm=_seedv_paradigm,
        band_preset="gamma",
        chronological_split=10,
        simulated_sizes=dict(n_subjects=3, n_sessions=3, trial_seconds=4.0, sfreq=500.0),
        quick_sizes=dict(
            n_subjects=2, n_sessions=2, trial_seconds=2.0, gap_seconds=0.5, sfreq=200.0
        ),
        caveats=(
            "The literature's protocol is a 3-fold split of each session's 15 trials "
            "into trials 1-5, 6-10 and 11-15; chronological 10/5 is its last fold.",
            "Recordings are resampled from 1000 Hz to 200 Hz, as in the literature.",
        ),
        protocols=("chronological", "cross-subject"),
    )
)
register(
    DatasetSpec(
        name="deap",
        title="DEAP",
        dataset=DEAP,
        simulate=simulate_deap,
        paradigm=_valence_paradigm,
        band_preset="alpha-gamma",
        chronological_split=0.75,
        simulated_sizes=dict(n_subjects=3, n_trials=40, trial_seconds=10.0),
        quick_sizes=dict(n_subjects=2, n_trials=12, trial_seconds=2.0),
        caveats=(
            "Band-passed 4-45 Hz at 128 Hz: the paper's 40-76 Hz bank cannot apply.",
            "A rating of exactly 5 is high in torcheeg and low in LibEER "
            "(RatedEmotion's at_threshold).",
            "No chronological split is standard; papers use trial-wise k-fold and "
            "leave-one-subject-out.",
            "The files hold the trials in video order, not in the order each subject "
            "watched them: the chronological split reads that order from DEAP's "
            "metadata_csv/participant_ratings.csv and is refused without it.",
        ),
        protocols=("trialwise", "cross-subject"),
    )
)
register(
    DatasetSpec(
        name="dreamer",
        title="DREAMER",
        dataset=DREAMER,
        simulate=simulate_dreamer,
        paradigm=_dreamer_paradigm,
        band_preset="alpha-gamma",
        chronological_split=0.75,
        simulated_sizes=dict(n_subjects=3, n_trials=18, trial_seconds=10.0),
        quick_sizes=dict(n_subjects=2, n_trials=12, trial_seconds=2.0),
        caveats=(
            "Reading any subject loads all of DREAMER.mat for a moment (1-2 GB).",
            "Whether a rating of 3 is high is not settled (RatedEmotion's at_threshold).",
            "No chronological split is standard; papers use trial-wise k-fold and "
            "leave-one-subject-out.",
        ),
        protocols=("trialwise", "cross-subject"),
    )
)
register(
    DatasetSpec(
        name="faced",
        title="FACED",
        dataset=FACED,
        simulate=simulate_faced,
        paradigm=_seed_paradigm,
        band_preset="alpha-gamma",
        chronological_split=None,
        simulated_sizes=dict(n_subjects=4, trial_seconds=6.0),
        quick_sizes=dict(n_subjects=2, trial_seconds=2.0),
        caveats=(
            "The files order clips by emotion, so a chronological split tests on "
            "classes never trained on: it is not offered.",
            "The channel order is not settled (FACED's channel_order).",
            "With 3-4 clips per emotion, trial-wise folds hold at most one clip of "
            "each emotion per test fold.",
        ),
        protocols=("cross-subject", "trialwise"),
    )
)

__all__ = [
    "DATASETS",
    "DEAP",
    "DREAMER",
    "FACED",
    "SEED",
    "SEEDIV",
    "SEEDV",
    "SEED_CH_NAMES",
    "DatasetSpec",
    "ParadigmRecipe",
    "describe_dataset",
    "get_dataset_spec",
    "make_seed_montage",
    "simulate_deap",
    "simulate_dreamer",
    "simulate_faced",
    "simulate_seed",
    "simulate_seediv",
    "simulate_seedv",
]
