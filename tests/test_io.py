import pytest

from mne_hamnet._io import data_digest, read_json, write_atomic


def test_write_atomic_round_trip(tmp_path):
    target = tmp_path / "state.json"
    write_atomic(target, b'{"a": 1}')
    assert read_json(target) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


@pytest.mark.parametrize("folder", ["missing/deeper", "file.txt"])
def test_write_atomic_names_the_users_path(tmp_path, folder):
    (tmp_path / "file.txt").write_text("x")
    target = tmp_path / folder / "params.pt"
    with pytest.raises(OSError, match=r"Cannot write .*params\.pt'.*its folder does not exist"):
        write_atomic(target, b"data")


def test_data_digest_tells_data_and_labels_apart():
    import numpy as np

    X = np.arange(24, dtype="float32").reshape(2, 3, 4)
    assert data_digest(X, [0, 1]) == data_digest(X.copy(), [0, 1])
    assert data_digest(X, [0, 1]) != data_digest(X, [1, 0])
    assert data_digest(X, [0, 1]) != data_digest(X + 1, [0, 1])
