"""Properties of the channel pairing, on random and on every shipped montage."""

import mne
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mne_hamnet import HemisphereMirror
from mne_hamnet._montage import standard_montage
from mne_hamnet.pairing import normalize_name, pair_by_positions, parse_1005

NAMES_1005 = [name for name in standard_montage("1005").ch_names if parse_1005(name)]
SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def decorated_channels(draw):
    """A random subset of 10-05 names, decorated and shuffled, with their bare names."""
    bare = draw(st.lists(st.sampled_from(NAMES_1005), min_size=1, max_size=60, unique=True))
    names = []
    for name in bare:
        case = draw(st.sampled_from(["upper", "lower", "keep", "swap"]))
        name = {"upper": name.upper(), "lower": name.lower(), "keep": name,
                "swap": name.swapcase()}[case]
        if draw(st.booleans()):
            name = "EEG " + name
        if draw(st.booleans()):
            name += "-REF"
        name += "." * draw(st.integers(0, 2))
        names.append(name)
    order = draw(st.permutations(range(len(names))))
    return [names[i] for i in order], [bare[i] for i in order]


def _fit(names):
    return HemisphereMirror(ch_names=names, on_unpaired="ignore").fit(
        np.zeros((1, len(names), 2)))


def _partners(mirror):
    """Each channel's bare name -> its partner's bare name."""
    bare = [normalize_name(name) for name in mirror.ch_names_]
    return {bare[i]: bare[j] for i, j in enumerate(mirror.mirror_index_)}


@SETTINGS
@given(decorated_channels())
def test_mirror_index_is_an_involution(channels):
    names, _ = channels
    index = _fit(names).mirror_index_
    assert sorted(index) == list(range(len(names)))
    np.testing.assert_array_equal(index[index], np.arange(len(names)))


@SETTINGS
@given(decorated_channels())
def test_pairs_are_odd_even_under_one_prefix(channels):
    names, _ = channels
    mirror = _fit(names)
    for left, right in mirror.pairs_:
        prefix, number, half = parse_1005(left)
        assert number % 2 == 1
        assert parse_1005(right) == (prefix, number + 1, half)
    # and every such couple present is paired
    parsed = {parse_1005(name): name for name in names}
    for (prefix, number, half), name in parsed.items():
        if number is not None and number % 2 and (prefix, number + 1, half) in parsed:
            assert (name, parsed[(prefix, number + 1, half)]) in mirror.pairs_


@SETTINGS
@given(decorated_channels())
def test_midline_maps_to_itself(channels):
    names, _ = channels
    mirror = _fit(names)
    assert set(mirror.midline_) == {n for n in names if parse_1005(n)[1] is None}
    for name in mirror.midline_ + mirror.unpaired_:
        i = names.index(name)
        assert mirror.mirror_index_[i] == i
    assert len(mirror.pairs_) * 2 + len(mirror.midline_) + len(mirror.unpaired_) == len(names)


@SETTINGS
@given(decorated_channels(), st.randoms(use_true_random=False))
def test_pairing_ignores_order_and_decoration(channels, random):
    names, bare = channels
    mirror = _fit(names)
    shuffled = list(names)
    random.shuffle(shuffled)
    assert _partners(_fit(shuffled)) == _partners(mirror)
    assert _partners(_fit(bare)) == _partners(mirror)


@pytest.mark.parametrize("montage_name", mne.channels.get_builtin_montages())
def test_positions_mirror_on_every_builtin_montage(montage_name):
    montage = mne.channels.make_standard_montage(montage_name)
    info = mne.create_info(montage.ch_names, 250.0, "eeg")
    info.set_montage(montage)
    mirror = HemisphereMirror(method="positions", on_unpaired="ignore").fit(info)
    assert mirror.method_ == "positions"
    pos = np.array([ch["loc"][:3] for ch in info["chs"]])
    index = {name: i for i, name in enumerate(info["ch_names"])}
    reflect = np.array([-1.0, 1.0, 1.0])
    assert mirror.pairs_, montage_name
    for left, right in mirror.pairs_:
        a, b = pos[index[left]], pos[index[right]]
        assert a[0] < 0 < b[0]
        assert np.linalg.norm(a * reflect - b) <= mirror.tol
    for name in mirror.midline_:
        assert abs(pos[index[name], 0]) <= mirror.tol / 2
    np.testing.assert_array_equal(
        mirror.mirror_index_[mirror.mirror_index_], np.arange(len(info["ch_names"])))


@st.composite
def montage_subsets(draw):
    name = draw(st.sampled_from(["biosemi64", "GSN-HydroCel-129", "easycap-M1"]))
    montage = mne.channels.make_standard_montage(name)
    pos = np.array([montage.get_positions()["ch_pos"][ch] for ch in montage.ch_names])
    keep = draw(st.lists(st.integers(0, len(pos) - 1), min_size=1, unique=True))
    tol = draw(st.floats(0.002, 0.03))
    return pos[keep], tol


@SETTINGS
@given(montage_subsets())
def test_position_pairs_mirror_within_tol_on_any_subset(subset):
    pos, tol = subset
    pairs, midline = pair_by_positions(pos, tol)
    reflect = np.array([-1.0, 1.0, 1.0])
    seen = [i for pair in pairs for i in pair] + midline
    assert len(seen) == len(set(seen))
    for a, b in pairs:
        assert pos[a, 0] < 0 < pos[b, 0]
        assert np.linalg.norm(pos[a] * reflect - pos[b]) <= tol
    for i in midline:
        assert abs(pos[i, 0]) <= tol / 2
