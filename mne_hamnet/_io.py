"""File I/O shared by the package: atomic writes, JSON reads and one data digest."""

import hashlib
import json
import os
import tempfile

import numpy as np

__all__ = [
    "data_digest", "digest", "read_json", "save_files_atomic", "temporary_path", "write_atomic"
]


def temporary_path(path):
    """Return a new empty file beside ``path``, for a write that ends in ``os.replace``.

    The file lives in the target's own folder because ``os.replace`` is atomic
    only within one file system.
    """
    path = os.fspath(path)
    folder = os.path.dirname(path) or "."
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=".tmp-", suffix="-" + os.path.basename(path), dir=folder
        )
    except OSError as err:
        # mkstemp names its random file; the user needs their own path
        reason = (
            "its folder does not exist" if not os.path.isdir(folder)
            else "its folder is not writable"
        )
        raise type(err)(
            err.errno, f"Cannot write {path!r}: {reason} ({err.strerror})"
        ) from None
    os.close(fd)
    return tmp


def write_atomic(f, data):
    """Write ``data`` (bytes) to a path atomically, or to an open file object.

    A reader (or a killed writer's successor) never sees half a file.
    """
    if not isinstance(f, (str, os.PathLike)):
        f.write(data if "b" in getattr(f, "mode", "b") else data.decode())
        return
    tmp = temporary_path(f)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, f)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_files_atomic(save, files):
    """Call ``save(**files)``, writing the files given as paths under temporary names first.

    A crash (or a full disk) then never leaves half a file where a good one was.
    """
    files = dict(files)
    targets = {}
    for key, value in files.items():
        if isinstance(value, (str, os.PathLike)):
            targets[key] = value
            files[key] = temporary_path(value)
    try:
        save(**files)
        for key, target in targets.items():
            os.replace(files[key], target)
    finally:
        for key in targets:
            if os.path.exists(files[key]):
                os.remove(files[key])


def read_json(f):
    """Read JSON from a path or an open file object."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            return json.loads(handle.read())
    return json.loads(f.read())


def digest(*parts):
    """A 128-bit BLAKE2b hex digest of byte strings, in order."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part)
    return h.hexdigest()


def data_digest(X, *labels, n_samples=256):
    """A digest of windows and their labels that stays cheap for a whole data set.

    The windows are hashed through a strided sample of at most about
    ``n_samples`` of them, plus their shape and dtype; every label array (or
    table, through its CSV text) is hashed whole. That is enough to tell one
    data set, subject selection or preprocessing from another.
    """
    X = np.asarray(X)
    step = max(1, len(X) // n_samples)
    parts = [repr((X.shape, str(X.dtype))).encode(), np.ascontiguousarray(X[::step]).tobytes()]
    for label in labels:
        if hasattr(label, "to_csv"):
            parts.append(label.to_csv(index=False).encode())
        else:
            parts.append("\x00".join(map(str, np.asarray(label).ravel())).encode())
    return digest(*parts)
