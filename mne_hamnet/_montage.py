"""MNE's template montages under the names of the installed MNE version."""

import mne

# MNE 1.13 renamed its "standard_*" templates (the same positions, from the
# Colin27 head); older versions know only the old names, 1.14 only the new.
_RENAMED = {
    "standard_1005": "colin27_1005",
    "standard_1020": "colin27_1020",
    "standard_alphabetic": "colin27_alphabetic",
    "standard_postfixed": "colin27_postfixed",
    "standard_prefixed": "colin27_prefixed",
    "standard_primed": "colin27_primed",
}


def builtin_montage_name(name):
    """The name the installed MNE gives the template ``name``, or None if it has none.

    ``"standard_1005"`` and ``"colin27_1005"`` (and the other renamed
    templates) are accepted under either name, so that code written for any
    MNE version runs without MNE's deprecation warning.

    Parameters
    ----------
    name : str
        A montage name, old or new.

    Returns
    -------
    name : str | None
        A name in :func:`mne.channels.get_builtin_montages`, or None.
    """
    builtin = mne.channels.get_builtin_montages()
    if name in builtin:
        return name
    for other in (_RENAMED.get(name), {v: k for k, v in _RENAMED.items()}.get(name)):
        if other in builtin:
            return other
    return None


def make_montage(name):
    """:func:`mne.channels.make_standard_montage` under either of a template's names."""
    return mne.channels.make_standard_montage(builtin_montage_name(name) or name)


def standard_montage(system="1005"):
    """Return MNE's template montage of the 10-05 (or 10-20) system.

    MNE 1.13 renamed ``standard_1005`` to ``colin27_1005``; this picks the
    name the installed version knows, so no deprecation warning is raised.

    Parameters
    ----------
    system : {"1005", "1020"}, default="1005"
        Which template.

    Returns
    -------
    montage : mne.channels.DigMontage
        The template montage.
    """
    return make_montage(f"colin27_{system}")
