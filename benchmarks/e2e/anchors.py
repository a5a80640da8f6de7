"""The Python pipelines npyconv is measured against; each invocation is one timed process.

    python anchors.py load FILE           np.load(allow_pickle=True)
    python anchors.py genops FILE         pickletools.genops over the pickle, counting opcodes
    python anchors.py arrow FILE OUT      pa.array(np.load(...).ravel()) -> Arrow IPC file
    python anchors.py parquet FILE OUT    the same table -> Parquet, zstd

Imports happen inside each command, so a process pays only for what its pipeline needs (genops
never imports NumPy), as a user's script would.
"""
import sys


def load(path):
    import numpy as np
    array = np.load(path, allow_pickle=True)
    print(f"{array.size} elements")


def genops(path):
    import pickletools
    from npyfile import read_header
    with open(path, "rb") as f:
        f.seek(read_header(f)[1])
        count = sum(1 for _ in pickletools.genops(f))
    print(f"{count} opcodes")


def table(path):
    import numpy as np
    import pyarrow as pa
    return pa.table({"value": pa.array(np.load(path, allow_pickle=True).ravel())})


def arrow(path, out):
    import pyarrow as pa
    t = table(path)
    with pa.OSFile(out, "wb") as sink, pa.ipc.new_file(sink, t.schema) as writer:
        writer.write_table(t)
    print(f"{t.num_rows} rows, {t.schema.field('value').type}")


def parquet(path, out):
    import pyarrow.parquet as pq
    t = table(path)
    pq.write_table(t, out, compression="zstd")
    print(f"{t.num_rows} rows, {t.schema.field('value').type}")


COMMANDS = {"load": load, "genops": genops, "arrow": arrow, "parquet": parquet}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        raise SystemExit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
