#!/usr/bin/env python3
"""Differential check of npyconv convert outputs against pyarrow (docs/converter.md).

Usage: check_arrow.py DIR        (DIR/manifest.json lists the conversions; see ConvertCorpusTest)

manifest.json: [{"name", "source", "fixture_json", "arrow", "parquet", "error", "json_arrow"}, ...]
with paths relative to DIR or absolute, null where a file was not written ("error" is the text of the
converter's failure when it refused the default conversion).

For every entry:
  * pyarrow converts pa.array(np.load(source, allow_pickle=True).ravel()): our Arrow output must exist
    and hold exactly that type and those values; our Parquet output, read by pyarrow, the same.
  * pyarrow refuses: either we refused too, with a mixed-types message, or our output uses one of the
    documented mappings (fixed/variable shape tensors, complex structs, decimal128(38, 0) for big
    ints, maps for dicts with non-str keys, ...) and holds the fixture's values.
  * the --on-mixed json output holds each element's JSON text, equal to the fixture's elements.
Prints one line per entry and ends with 'N passed, N failed'; exits 1 on any failure.
"""
import json
import math
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def same(a, b, strict=False):
    """Equality of Python values from to_pylist, NaN equal to NaN, -0.0 distinct from 0.0 for floats.

    An int equals the same float (a fixture's JSON against a column) unless strict (two Arrow
    readings of one file, tools/check_polars.py, where an int read as a float is a difference).
    """
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, strict) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k], strict) for k in a)
    if type(a) is not type(b) and not (a is None or b is None):
        if not strict and isinstance(a, (int, float)) and isinstance(b, (int, float)) \
                and not isinstance(a, bool) and not isinstance(b, bool):
            return a == b
        return False
    return a == b


def first_difference(expected, got):
    if len(expected) != len(got):
        return f"{len(expected)} rows expected, {len(got)} written"
    for i, (e, g) in enumerate(zip(expected, got)):
        if not same(e, g):
            return f"row {i}: pyarrow {e!r:.200} != ours {g!r:.200}"
    return None


def read_arrow(path):
    with pa.memory_map(path) as source:
        return pa.ipc.open_file(source).read_all()


def column(table):
    return table.column("value").combine_chunks() if table.num_rows else pa.array([], type=table.schema.field("value").type)


def element_json(value):
    """The fixture's JSON conventions for an element (NaN/inf as strings), for comparing JSON texts."""
    return value


def check_documented(got, src, elements):
    """Our output where pyarrow refuses: a documented mapping, holding the fixture's values."""
    t = got.type
    flat = list(src.ravel())
    if isinstance(t, pa.FixedShapeTensorType):
        tensors = got.to_numpy_ndarray()
        for i, (a, b) in enumerate(zip(flat, tensors)):
            if a is None:
                continue
            if tuple(a.shape) != tuple(b.shape) or not np.array_equal(np.asarray(a, dtype=b.dtype), b, equal_nan=True):
                return f"tensor row {i} differs"
        return None
    if getattr(t, "extension_name", None) == "arrow.variable_shape_tensor":
        storage = got.storage.to_pylist()
        for i, (a, row) in enumerate(zip(flat, storage)):
            if a is None:
                continue
            if list(a.shape) != row["shape"] or not np.array_equal(a.ravel().astype(float), np.array(row["data"], dtype=float), equal_nan=True):
                return f"variable tensor row {i} differs"
        return None
    if getattr(t, "extension_name", None):
        return f"unexpected extension type {t}"
    values = got.to_pylist()
    for i, (want, have) in enumerate(zip(elements, values)):
        if not same_json(want, have, t):
            return f"row {i}: fixture {want!r:.200} != ours {have!r:.200} ({t})"
    return None


def num(x):
    if isinstance(x, str):
        return float(x.replace("Infinity", "inf"))
    return x


def same_json(want, have, t):
    """A fixture element (JSON conventions) against our value of Arrow type t."""
    if want is None:
        return have is None
    if pa.types.is_struct(t) and {f.name for f in t} == {"real", "imag"} and isinstance(want, dict) and "$complex" in want:
        re, im = (num(x) for x in want["$complex"])
        return same(float(re), float(have["real"])) and same(float(im), float(have["imag"]))
    if pa.types.is_decimal(t):
        return int(want) == int(have)
    if pa.types.is_map(t):
        pairs = want["$dict"] if isinstance(want, dict) and "$dict" in want else list(want.items())
        return len(pairs) == len(have) and all(
            same_json(k, hk, t.key_type) and same_json(v, hv, t.item_type) for (k, v), (hk, hv) in zip(pairs, have))
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        if isinstance(want, dict) and "$ndarray" in want:
            want = want["$ndarray"]["data"]
        return isinstance(want, list) and len(want) == len(have) and all(
            same_json(w, h, t.value_type) for w, h in zip(want, have))
    if pa.types.is_struct(t):
        return isinstance(want, dict) and all(same_json(want.get(f.name), have.get(f.name), f.type) for f in t)
    if pa.types.is_floating(t):
        return same(float(num(want)), float(have)) if have is not None else False
    if pa.types.is_binary(t) and isinstance(want, dict) and "$bytes" in want:
        import base64
        return base64.b64decode(want["$bytes"]) == have
    return same(want, have)


# ---- non-object arrays (docs/numeric.md) ------------------------------------------------------
#
# The expected columns are built here from NumPy's own reading with pyarrow's own converters:
# pa.array for 1-D columns, pa.FixedShapeTensorArray.from_numpy_ndarray for n-d arrays, and for
# what pyarrow refuses (byte-swapped data, complex, void, structured records, datetime units
# other than D/s/ms/us/ns) the documented mapping, computed by NumPy (byteswap, astype to the
# target unit) and assembled with pyarrow's constructors.

class NotMapped(Exception):
    """The dtype has no Arrow mapping: npyconv must refuse."""


def native(a):
    return a if a.dtype.isnative else a.astype(a.dtype.newbyteorder("="))


def temporal(a):
    """datetime64/timedelta64 converted by NumPy to the unit npyconv writes."""
    unit, k = np.datetime_data(a.dtype)
    dt = a.dtype.kind == "M"
    if unit in ("s", "ms", "us", "ns"):
        target = unit
    elif unit in ("h", "m"):
        target = "s"
    elif unit in ("D", "W") or (dt and unit in ("M", "Y")):
        target = "D" if dt else "s"
    else:
        raise NotMapped(f"{a.dtype} unit has no Arrow mapping")
    return a.astype(f"{'M8' if dt else 'm8'}[{target}]")


def leaf(a):
    """A 1-D NumPy array as the Arrow array npyconv must write."""
    dt = a.dtype
    if dt.names:
        kids = [nested(a[n]) for n in dt.names]
        return pa.StructArray.from_arrays(kids, names=list(dt.names)) if kids else pa.array([{}] * len(a))
    a = native(a)
    if dt.kind == "c":
        if dt.itemsize > 16:
            raise NotMapped("complex long double")
        return pa.StructArray.from_arrays([pa.array(a.real), pa.array(a.imag)], names=["real", "imag"])
    if dt.kind == "f" and dt.itemsize > 8:
        raise NotMapped("long double")
    if dt.kind == "V":
        return pa.array([x.tobytes() for x in a], pa.binary())
    if dt.kind in "SU":
        # NumPy's items (trailing NULs stripped, inner NULs kept); pa.array(a) cuts at the first NUL
        return pa.array(a.tolist(), pa.binary() if dt.kind == "S" else pa.string())
    if dt.kind in "Mm":
        a = temporal(a)
    return pa.array(a)


def nested(a):
    """Rows along axis 0; trailing axes as nested fixed-size lists (subarrays, n-d arrays of structs)."""
    if a.ndim == 1:
        return leaf(a)
    inner = nested(a.reshape((a.shape[0] * a.shape[1],) + a.shape[2:]))
    return pa.FixedSizeListArray.from_arrays(inner, a.shape[1])


def expected_columns(src):
    """{name: pa.Array} npyconv must write for a non-object array."""
    a = np.ascontiguousarray(src).reshape(src.shape if src.ndim else (1,))
    if a.dtype.names:
        return {n: nested(a[n]) for n in a.dtype.names}
    if a.ndim == 1:
        return {"value": leaf(a)}
    if a.dtype.kind in "cV" or a.dtype.names:
        return {"value": nested(a)}
    b = native(a)
    if b.dtype.kind in "Mm":
        b = temporal(b)
    if b.dtype.kind == "f" and b.dtype.itemsize > 8:
        raise NotMapped("long double")
    if b.dtype.kind == "V":
        return {"value": nested(a)}
    if b.size == 0 or b.dtype.kind in "SU":
        # from_numpy_ndarray refuses empty arrays and cuts strings at the first NUL: same type, built by hand
        items = leaf(b.reshape(-1))
        t = pa.fixed_shape_tensor(items.type, list(b.shape[1:]))
        return {"value": pa.ExtensionArray.from_storage(t, pa.FixedSizeListArray.from_arrays(items, int(np.prod(b.shape[1:]))))}
    return {"value": pa.FixedShapeTensorArray.from_numpy_ndarray(np.ascontiguousarray(b))}


def array_difference(want, got):
    """first_difference of two arrays' values; arrays whose values Python cannot hold (ns times) compared by Arrow."""
    try:
        return first_difference(want.to_pylist(), got.to_pylist())
    except ValueError:
        return None if want.equals(got) else "arrays differ (compared by Arrow)"


def check_raw(entry, path, problems, src):
    arrow, parquet = path(entry.get("arrow")), path(entry.get("parquet"))
    try:
        expected = expected_columns(src)
    except NotMapped as e:
        err = entry.get("error") or ""
        if arrow is not None or "no Arrow" not in err and "unit has no" not in err:
            problems.append(f"{e}: npyconv must refuse, got {arrow or err}")
        return f"no Arrow mapping, we refuse too"
    if arrow is None:
        problems.append(f"we refused: {entry.get('error')}")
        return ""
    table = read_arrow(arrow)
    if table.column_names != list(expected):
        problems.append(f"columns {table.column_names} != {list(expected)}")
        return ""
    for name, want in expected.items():
        got = table.column(name).combine_chunks() if table.num_rows else pa.array([], type=table.schema.field(name).type)
        if got.type != want.type:
            problems.append(f"{name}: type {got.type} != {want.type}")
            continue
        d = array_difference(want, got)
        if d:
            problems.append(f"{name}: {d}")
    if parquet is not None:
        # Our Parquet must read back as pyarrow's own Parquet of our Arrow table does (timestamp[s]
        # comes back as timestamp[ms] from pyarrow's files too).
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        theirs = pq.read_table(pa.BufferReader(sink.getvalue()))
        pt = pq.read_table(parquet)
        if pt.schema.remove_metadata() != theirs.schema.remove_metadata():
            problems.append(f"parquet schema {pt.schema.remove_metadata()} != pyarrow's {theirs.schema.remove_metadata()}")
        else:
            for name in pt.column_names:
                d = array_difference(theirs.column(name).combine_chunks(), pt.column(name).combine_chunks())
                if d:
                    problems.append(f"parquet {name}: {d}")
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    if json.loads(meta.get("npy.shape", "null")) != list(src.shape) or meta.get("npy.fortran_order") != str(bool(np.isfortran(src) and src.ndim > 1)).lower():
        if not (src.ndim <= 1 and meta.get("npy.fortran_order") in ("true", "false")):
            problems.append(f"metadata {meta}")
    return ", ".join(f"{n}: {t.type}" for n, t in expected.items()) + " == pyarrow/mapping"


def main(directory):
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    passed = failed = 0

    def path(p):
        return None if p is None else (p if os.path.isabs(p) else os.path.join(directory, p))

    for entry in manifest:
        name = entry["name"]
        problems = []
        try:
            verdict = check(entry, path, problems)
        except Exception as e:  # one broken entry must not hide the others
            verdict = ""
            problems.append(f"{type(e).__name__}: {e}")
        if problems:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(problems))
        else:
            passed += 1
            print(f"ok   {name}: {verdict}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def check(entry, path, problems):
        refusal = ""
        with open(path(entry["fixture_json"]), encoding="utf-8") as f:
            facts = json.load(f)
        elements = facts.get("elements")
        kwargs = facts.get("load_kwargs") or {}
        src = np.load(path(entry["source"]), allow_pickle=True, **kwargs)
        if not src.dtype.hasobject:
            return check_raw(entry, path, problems, src)
        arrow = path(entry.get("arrow"))
        parquet = path(entry.get("parquet"))
        verdict = ""
        try:
            expected = pa.array(src.ravel())
        except Exception as e:  # pyarrow refuses
            expected = None
            refusal = f"{type(e).__name__}"
        if expected is not None:
            if arrow is None:
                problems.append(f"pyarrow gives {expected.type}, we refused: {entry.get('error')}")
            else:
                got = column(read_arrow(arrow))
                if got.type != expected.type:
                    problems.append(f"type: pyarrow {expected.type}, ours {got.type}")
                else:
                    d = first_difference(expected.to_pylist(), got.to_pylist())
                    if d:
                        problems.append(d)
                verdict = f"{got.type} == pyarrow"
        else:
            if arrow is None:
                err = entry.get("error") or ""
                if not any(w in err for w in ("mixes", "no Arrow", "beyond", "Parquet cannot", "unit has no")):
                    problems.append(f"refused without a mixed-types reason: {err}")
                verdict = f"pyarrow {refusal}, we refuse too"
            else:
                got = column(read_arrow(arrow))
                d = check_documented(got, src, elements)
                if d:
                    problems.append(d)
                verdict = f"pyarrow {refusal}, ours {got.type}"
        if arrow is not None and parquet is not None:
            ours = column(read_arrow(arrow))
            pt = pq.read_table(parquet)
            pc = column(pt)
            if pc.type != ours.type:
                problems.append(f"parquet type {pc.type} != arrow type {ours.type}")
            else:
                d = first_difference(ours.to_pylist(), pc.to_pylist())
                if d:
                    problems.append("parquet " + d)
        json_arrow = path(entry.get("json_arrow"))
        if json_arrow is None:
            problems.append("no --on-mixed json output")
        elif elements is not None:
            texts = column(read_arrow(json_arrow)).to_pylist()
            values = [None if t is None else json.loads(t) for t in texts]
            d = first_difference(elements, values)
            if d:
                problems.append("json " + d)
        return verdict


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
