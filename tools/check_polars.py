#!/usr/bin/env python3
"""Polars reads npyconv's outputs as pyarrow does (docs/converter.md, "Readers").

Usage: check_polars.py DIR        (DIR/manifest.json, the manifest tools/check_arrow.py reads)

tools/check_arrow.py checks our outputs against pyarrow's own conversion; this script checks that a
second, independent reader, Polars (its own Rust readers of Arrow IPC and Parquet, not pyarrow's),
opens the same files unmodified and sees the same table. For every output of every entry (Arrow IPC,
Parquet, and the --on-mixed json Arrow file):
  * pl.read_ipc / pl.read_parquet: the same column names, row count and values as pyarrow's reading
    of the file (NaN equal to NaN, -0.0 distinct from 0.0; timestamps, times and durations compared
    as integer nanoseconds: Polars has no second unit, Python's datetime no nanoseconds);
  * a random read: pl.scan_ipc / pl.scan_parquet of a row range in the middle, sliced lazily, equal
    to the same rows of pyarrow's table.
Polars has no map type: it reads map<K, V> as a list of {key, value} structs, compared as such.
Polars has no tensor types: it reads arrow.fixed_shape_tensor and arrow.variable_shape_tensor as
their storage (an Array column, a struct of data and shape), compared with pyarrow's storage.
Prints one line per file and ends with 'N passed, N failed'; exits 1 on any failure.
"""
import json
import os
import sys

# Tensor columns load as their storage without a warning per file (Polars 2.0's default changes).
os.environ.setdefault("POLARS_UNKNOWN_EXTENSION_TYPE_BEHAVIOR", "load_as_storage")

import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_arrow import same  # noqa: E402


NANOS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def values(arr):
    """The Python values of an Arrow array, shaped alike for pyarrow's and Polars' readings.

    Polars hands its columns over as Arrow (Series.to_arrow), so both readers' values go through
    this one function; what differs between them is normalised: temporal values become integer
    nanoseconds (Polars has no second unit and reads timestamp[s] as ms; Python's datetime cannot
    hold nanoseconds), maps become lists of {key, value} (Polars has no map type), extension
    columns their storage (Polars reads tensor columns as their storage type).
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], type=arr.type)
    if isinstance(arr, pa.ExtensionArray):
        arr = arr.storage
    t = arr.type
    if not needs_walk(t):
        return arr.to_pylist()
    if pa.types.is_timestamp(t) or pa.types.is_duration(t) or pa.types.is_time(t):
        scale = NANOS[t.unit]
        return [None if v is None else v * scale for v in arr.cast(pa.int64()).to_pylist()]
    if pa.types.is_map(t):
        keys, items = values(arr.keys), values(arr.items)
        offsets = arr.offsets.to_pylist()
        return [None if not arr[i].is_valid else
                [{"key": keys[j], "value": items[j]} for j in range(offsets[i], offsets[i + 1])]
                for i in range(len(arr))]
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        # flatten() leaves out the values of null slots, so the lengths walk it in step
        flat = values(arr.flatten())
        out, pos = [], 0
        for n in pc.list_value_length(arr).to_pylist():
            out.append(None if n is None else flat[pos:pos + n])
            pos += n or 0
        return out
    if pa.types.is_struct(t):
        fields = {t.field(k).name: values(arr.field(k)) for k in range(t.num_fields)}
        return [None if not arr[i].is_valid else {name: v[i] for name, v in fields.items()} for i in range(len(arr))]
    return arr.to_pylist()


def storage(t):
    return t.storage_type if isinstance(t, pa.ExtensionType) else t


def needs_walk(t):
    """Whether t holds values whose Python form differs between the readers (temporal, map)."""
    t = storage(t)
    if pa.types.is_timestamp(t) or pa.types.is_duration(t) or pa.types.is_time(t) or pa.types.is_map(t):
        return True
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return needs_walk(t.value_type)
    if pa.types.is_struct(t):
        return any(needs_walk(t.field(k).type) for k in range(t.num_fields))
    return False


def difference(reference, frame, offset=0):
    """The first difference between pyarrow's table and Polars' frame, or None."""
    if frame.columns != reference.column_names:
        return f"columns {frame.columns} != {reference.column_names}"
    if frame.height != reference.num_rows:
        return f"{frame.height} rows, pyarrow {reference.num_rows}"
    for name in reference.column_names:
        t = reference.schema.field(name).type
        want = values(reference.column(name))
        got = values(frame.get_column(name).to_arrow())
        for i, (w, g) in enumerate(zip(want, got)):
            if not same(w, g, strict=True):
                return f"{name} row {offset + i} ({t}, Polars {frame.get_column(name).dtype}): pyarrow {w!r:.150} != Polars {g!r:.150}"
    return None


def check_file(path, kind):
    if kind == "arrow":
        with pa.memory_map(path) as source:
            reference = pa.ipc.open_file(source).read_all()
        eager = pl.read_ipc(path, memory_map=False)
        scan = pl.scan_ipc(path, memory_map=False)
    else:
        reference = pq.read_table(path)
        eager = pl.read_parquet(path)
        scan = pl.scan_parquet(path)
    d = difference(reference, eager)
    if d:
        return d, None
    n = reference.num_rows
    start, length = n // 3, max(1, n // 3)
    sliced = scan.slice(start, length).collect()
    d = difference(reference.slice(start, length), sliced, start)
    if d:
        return "random read: " + d, None
    return None, f"{n} rows, {', '.join(str(x) for x in eager.dtypes)}"[:160]


def main(directory):
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    passed = failed = 0
    for entry in manifest:
        for key, kind in (("arrow", "arrow"), ("parquet", "parquet"), ("json_arrow", "arrow")):
            p = entry.get(key)
            if p is None:
                continue
            path = p if os.path.isabs(p) else os.path.join(directory, p)
            try:
                problem, verdict = check_file(path, kind)
            except Exception as e:  # one unreadable file must not hide the others
                problem, verdict = f"{type(e).__name__}: {str(e)[:300]}", None
            label = f"{entry['name']} [{key}]"
            if problem:
                failed += 1
                print(f"FAIL {label}: {problem}")
            else:
                passed += 1
                print(f"ok   {label}: {verdict}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
