"""The benchmark files, written with real NumPy (np.save of dtype=object arrays).

Each file gets a stamp FILE.params.json recording what produced it and the file's size and mtime;
a file is regenerated only when it or its stamp is missing, when the parameters (count, seed,
generator version, NumPy version) changed, or when something else rewrote the file. Counts scale with a multiplier; multiplier 1 is the default size. run.py
calls ensure(); `benchmarks/run-e2e.sh --generate-only` writes the files and times nothing.
"""
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GENERATOR_VERSION = 1
SEED = 20240501


@dataclass(frozen=True)
class Dataset:
    name: str
    count: int        # elements at multiplier 1
    quick_count: int  # elements in --quick mode
    description: str

    def file(self, data_dir: Path, multiplier: float) -> Path:
        suffix = "" if multiplier == 1 else f"_x{multiplier:g}"
        return data_dir / f"{self.name}{suffix}.npy"


DATASETS = {
    d.name: d
    for d in (
        Dataset("strings", 10_000_000, 100_000,
                "short ASCII str, lengths uniform in 6..14 (mean 10)"),
        Dataset("ragged_f4", 100_000, 2_000,
                "1-D float32 ndarrays, lengths uniform in 0..2000"),
        Dataset("dicts", 1_000_000, 20_000,
                'dicts {"id": int, "name": str, "score": float, "tags": [str, ...]}, '
                "0..4 tags from a vocabulary of 50 shared str objects"),
    )
}


def _random_text(rng, lengths):
    """One str per length, cut from one random lowercase string (distinct objects)."""
    ends = np.cumsum(lengths)
    text = rng.integers(ord("a"), ord("z") + 1, int(ends[-1]) if len(ends) else 0,
                        dtype=np.uint8).tobytes().decode("ascii")
    starts = (ends - lengths).tolist()
    return [text[s:e] for s, e in zip(starts, ends.tolist())]


def _object_array(items):
    array = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):  # element-wise: ndarray elements must not be broadcast
        array[i] = item
    return array


def make_strings(n, rng):
    return _object_array(_random_text(rng, rng.integers(6, 15, n)))


def make_ragged_f4(n, rng):
    lengths = rng.integers(0, 2001, n)
    data = rng.standard_normal(int(lengths.sum()), dtype=np.float32)
    return _object_array(np.split(data, np.cumsum(lengths)[:-1]))


def make_dicts(n, rng):
    vocabulary = ["tag-" + w for w in _random_text(rng, np.full(50, 6))]
    names = _random_text(rng, rng.integers(5, 13, n))
    scores = (rng.random(n) * 100).tolist()
    tag_counts = rng.integers(0, 5, n).tolist()
    tag_picks = rng.integers(0, len(vocabulary), 4 * n).tolist()
    items = [
        {"id": i, "name": names[i], "score": scores[i],
         "tags": [vocabulary[t] for t in tag_picks[4 * i:4 * i + tag_counts[i]]]}
        for i in range(n)
    ]
    return _object_array(items)


BUILDERS = {"strings": make_strings, "ragged_f4": make_ragged_f4, "dicts": make_dicts}


def params(dataset: Dataset, count: int) -> dict:
    return {"dataset": dataset.name, "count": count, "seed": SEED,
            "generator": GENERATOR_VERSION, "numpy": np.__version__}


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".params.json")


def _identity(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def intact(path: Path) -> bool:
    """True if `path` is still the file its stamp describes (nothing rewrote it since)."""
    stamp = _stamp(path)
    if not (path.exists() and stamp.exists()):
        return False
    recorded = json.loads(stamp.read_text())
    return {k: recorded.get(k) for k in ("size", "mtime_ns")} == _identity(path)


def ensure(dataset: Dataset, count: int, path: Path, log=print) -> Path:
    """Writes `path` unless it is intact and was made with exactly these parameters."""
    wanted = params(dataset, count)
    if intact(path) and json.loads(_stamp(path).read_text())["params"] == wanted:
        return path
    log(f"generating {path} ({count:,} elements: {dataset.description}) ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    array = BUILDERS[dataset.name](count, np.random.default_rng(SEED))
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        np.save(f, array, allow_pickle=True)
    os.replace(tmp, path)
    _stamp(path).write_text(json.dumps({"params": wanted, **_identity(path)}) + "\n")
    log(f"  wrote {path.stat().st_size / 1e6:,.1f} MB")
    return path


def count_for(dataset: Dataset, multiplier: float, quick: bool) -> int:
    return round((dataset.quick_count if quick else dataset.count) * multiplier)
