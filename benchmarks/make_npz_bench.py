#!/usr/bin/env python3
"""Writes the .npz benchmark inputs (docs/npz.md, "Performance").

    .venv/np2/bin/python benchmarks/make_npz_bench.py [OUT]    (default: bench-data/npz/objects_200mb.npz)
    .venv/np2/bin/python benchmarks/make_npz_bench.py --float64 [OUT]
                                                (default: bench-data/npz/float64_200mb.npz)

The first is one np.savez_compressed archive with an object member of about 200 MB uncompressed
(strings, ragged float32 arrays and dicts, the mix of the fixture corpus) and a small numeric member.
The second (--float64) is np.savez_compressed of one float64 member of 25,000,000 items (200 MB
uncompressed): a random walk rounded to 2 decimals, like a sensor trace, so that it compresses
as real measurements do (partly) rather than not at all (full-precision noise) or completely (zeros).
"""
import os
import sys

import numpy as np


def float64_member(argv):
    out = argv[0] if argv else os.path.join(os.path.dirname(__file__), "..", "bench-data", "npz", "float64_200mb.npz")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    r = np.random.default_rng(2024)
    values = np.round(np.cumsum(r.standard_normal(25_000_000)), 2)
    np.savez_compressed(out, values=values)
    print(out, os.path.getsize(out))


def main(argv):
    if argv and argv[0] == "--float64":
        float64_member(argv[1:])
        return
    out = argv[0] if argv else os.path.join(os.path.dirname(__file__), "..", "bench-data", "npz", "objects_200mb.npz")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    r = np.random.default_rng(2024)
    words = ["numpy", "pickle", "ragged", "zip", "deflate", "window", "checkpoint", "archive", "legacy", "h\u00e9llo"]
    n = 2_000_000
    a = np.empty(n, dtype=object)
    lengths = r.integers(0, 44, size=n)
    for i in range(n):
        kind = i % 3
        if kind == 0:
            a[i] = f"{i}: " + " ".join(words[(i * 7 + k) % len(words)] for k in range(int(lengths[i]) % 26))
        elif kind == 1:
            a[i] = r.standard_normal(int(lengths[i])).astype(np.float32)
        else:
            a[i] = {"id": i, "label": words[i % len(words)], "score": float(lengths[i]) / 7}
    np.savez_compressed(out, objects=a, ids=np.arange(1000))
    print(out, os.path.getsize(out))


if __name__ == "__main__":
    main(sys.argv[1:])
