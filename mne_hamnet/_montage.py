"""MNE's template montages under the names of the installed MNE version."""

import mne


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
    builtin = mne.channels.get_builtin_montages()
    name = f"colin27_{system}" if f"colin27_{system}" in builtin else f"standard_{system}"
    return mne.channels.make_standard_montage(name)
