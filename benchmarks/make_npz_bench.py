#!/usr/bin/env python3
"""Writes the .npz benchmark input (docs/npz.md, "Performance"): one np.savez_compressed archive
with an object member of about 200 MB uncompressed (strings, ragged float32 arrays and dicts, the
mix of the fixture corpus) and a small numeric member.

    .venv/np2/bin/python benchmarks/make_npz_bench.py [OUT]    (default: bench-data/npz/objects_200mb.npz)
"""
import os
import sys

import numpy as np


def main(argv):
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
