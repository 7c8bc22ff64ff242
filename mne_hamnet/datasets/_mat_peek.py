"""Read the size of one cell array inside a MATLAB v5 struct without loading the file."""

import struct
import zlib

_MI_INT8, _MI_INT32, _MI_UINT32, _MI_MATRIX, _MI_COMPRESSED = 1, 5, 6, 14, 15
_HEADER_BYTES = 128
_CHUNK = 1 << 16


class _FileStream:
    def __init__(self, f):
        self.f = f

    def read(self, n):
        data = self.f.read(n)
        if len(data) < n:
            raise EOFError("the file ends inside a data element")
        return data


class _InflateStream:
    """Read a zlib stream of ``n_bytes`` compressed bytes, inflating only what is asked."""

    def __init__(self, f, n_bytes):
        self.f, self.left = f, n_bytes
        self.inflate = zlib.decompressobj()
        self.buffer = b""

    def read(self, n):
        while len(self.buffer) < n:
            if self.inflate.unconsumed_tail:
                chunk = self.inflate.unconsumed_tail
            elif self.left > 0:
                chunk = self.f.read(min(_CHUNK, self.left))
                self.left -= len(chunk)
                if not chunk:
                    raise EOFError("the file ends inside a compressed element")
            else:
                raise EOFError("the compressed element ends early")
            self.buffer += self.inflate.decompress(chunk, n - len(self.buffer) + _CHUNK)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def skip(self, n):
        while n > 0:
            n -= len(self.read(min(n, _CHUNK)))


def _skip(stream, n):
    if hasattr(stream, "skip"):
        stream.skip(n)
    else:
        stream.f.seek(n, 1)


def _padded(n):
    return n + (-n) % 8


def _tag(stream, endian):
    """Return ``(type, n_bytes, small_data)`` of the next element's tag."""
    first, second = struct.unpack(endian + "II", stream.read(8))
    if first >> 16:
        # small data element: the data sit in the tag's second word
        return first & 0xFFFF, first >> 16, struct.pack(endian + "I", second)
    return first, second, None


def _element(stream, endian):
    """Return ``(type, data)`` of the next small element (flags, dims, names)."""
    mtype, n_bytes, small = _tag(stream, endian)
    if small is not None:
        return mtype, small[:n_bytes]
    return mtype, stream.read(_padded(n_bytes))[:n_bytes]


def _matrix_head(stream, endian):
    """Read a miMATRIX's flags, dims and name; return ``(class, dims, name)``."""
    _, flags = _element(stream, endian)
    mclass = struct.unpack(endian + "I", flags[:4])[0] & 0xFF
    _, dims = _element(stream, endian)
    dims = struct.unpack(endian + f"{len(dims) // 4}i", dims)
    _, name = _element(stream, endian)
    return mclass, dims, name.decode("latin1")


def cell_size(fname, variable, field):
    """Return the number of cells of ``variable.field`` in a MATLAB v5 file.

    Only the headers up to that field are read (and inflated, when the
    variable is compressed), not the arrays the file holds.

    Parameters
    ----------
    fname : path-like
        A MATLAB v5 ``.mat`` file.
    variable : str
        A top-level 1x1 struct.
    field : str
        A cell-array field of it.

    Returns
    -------
    n_cells : int
        The product of the field's dimensions.
    """
    try:
        with open(fname, "rb") as f:
            return _find_field(f, fname, variable, field)
    except (zlib.error, struct.error, EOFError, UnicodeDecodeError) as err:
        raise ValueError(f"{fname} is not a readable MATLAB v5 file: {err}") from err


def _find_field(f, fname, variable, field):
    header = f.read(_HEADER_BYTES)
    if len(header) < _HEADER_BYTES:
        raise ValueError(f"{fname} is too short for a MATLAB v5 file")
    if b"MATLAB 7.3" in header[:116]:
        raise ValueError(f"{fname} is a MATLAB v7.3 (HDF5) file, not a MATLAB v5 file")
    endian = "<" if header[126:128] == b"IM" else ">"
    while True:
        tag = f.read(8)
        if len(tag) < 8:
            raise ValueError(f"{fname} holds no variable {variable!r}")
        mtype, n_bytes = struct.unpack(endian + "II", tag)
        start = f.tell()
        stream = _FileStream(f)
        if mtype == _MI_COMPRESSED:
            stream = _InflateStream(f, n_bytes)
            mtype, _, _ = _tag(stream, endian)
        if mtype == _MI_MATRIX:
            mclass, _, name = _matrix_head(stream, endian)
            if name == variable:
                return _field_cells(stream, endian, mclass, field)
        # an element's byte count includes its padding (scipy reads alike)
        f.seek(start + n_bytes)


def _field_cells(stream, endian, mclass, field):
    if mclass != 2:
        raise ValueError("the variable is not a struct")
    _, name_length = _element(stream, endian)
    name_length = struct.unpack(endian + "i", name_length)[0]
    _, names = _element(stream, endian)
    fields = [
        names[i : i + name_length].split(b"\0", 1)[0].decode("latin1")
        for i in range(0, len(names), name_length)
    ]
    if field not in fields:
        raise ValueError(f"the struct has no field {field!r}; its fields are {fields}")
    for name in fields:
        mtype, n_bytes, _ = _tag(stream, endian)
        if name == field:
            _, dims, _ = _matrix_head(stream, endian)
            n_cells = 1
            for d in dims:
                n_cells *= d
            return n_cells
        _skip(stream, _padded(n_bytes))
    raise ValueError(f"field {field!r} not found")  # pragma: no cover
