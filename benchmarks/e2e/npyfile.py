"""The .npy header, read without NumPy: magic, version, header length (2 bytes in 1.0, else 4), dict."""
import ast
import math


def read_header(f):
    """Reads the header at the start of binary file `f`; returns (header dict, pickle offset)."""
    prefix = f.read(12)
    if prefix[:6] != b"\x93NUMPY":
        raise ValueError(f"not a .npy file: {f.name}")
    small = prefix[6] == 1
    start = 10 if small else 12
    length = int.from_bytes(prefix[8:start], "little")
    f.seek(start)
    header = ast.literal_eval(f.read(length).decode("latin-1"))
    return header, start + length


def element_count(path) -> int:
    with open(path, "rb") as f:
        return math.prod(read_header(f)[0]["shape"])
