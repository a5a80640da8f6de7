package org.npyconv.formats.pickle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A corpus of pickles written by the local {@code python3} (protocols 0 to 5, C and pure-Python
 * picklers, every opcode, NumPy object arrays when NumPy is installed), each with its
 * {@code pickletools.genops} listing in the testdata/README.md format. The first listing line is
 * {@code {"start": N}}, the offset of the pickle in the file.
 *
 * <p>Generated once per JVM into a temporary directory; tests that use it are enabled only where
 * {@code python3} runs ({@link #available()}).
 */
final class PythonGenopsCorpus {
    private PythonGenopsCorpus() {}

    private static Boolean available;
    private static Path dir;

    /** Whether {@code python3} can be run here. */
    static synchronized boolean available() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder("python3", "-c", "import pickletools").redirectErrorStream(true).start();
                available = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                available = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                available = false;
            }
        }
        return available;
    }

    /** The generated directory (created on first call; deleted when the JVM exits). */
    static synchronized Path dir() {
        if (dir != null) {
            return dir;
        }
        try {
            Path out = Files.createTempDirectory("npyconv-genops");
            Path script = out.resolve("make_corpus.py");
            Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder("python3", script.toString(), out.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("corpus script failed:\n" + log);
            }
            Files.delete(script);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(out)));
            dir = out;
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }

    /** Writes each pickle and NAME.ops.jsonl into argv[1]. */
    private static final String SCRIPT = """
            import base64, collections, datetime, decimal, io, json, os, pickle, pickletools, struct, sys, zlib

            out = sys.argv[1]

            def enc(arg):
                if isinstance(arg, bool):
                    return arg
                if isinstance(arg, int):
                    return arg
                if isinstance(arg, float):
                    return {"f64": struct.pack(">d", arg).hex()}
                if isinstance(arg, str):
                    u = arg.encode("utf-8", "surrogatepass")
                    return {"str": arg} if len(u) <= 4096 else {"utf8_len": len(u), "crc32": zlib.crc32(u)}
                if isinstance(arg, (bytes, bytearray)):
                    b = bytes(arg)
                    return {"bytes": base64.b64encode(b).decode()} if len(b) <= 4096 else {"len": len(b), "crc32": zlib.crc32(b)}
                raise TypeError(type(arg))

            def emit(name, data, start):
                with open(os.path.join(out, name), "wb") as f:
                    f.write(data)
                with open(os.path.join(out, name + ".ops.jsonl"), "w") as f:
                    f.write(json.dumps({"start": start}) + "\\n")
                    stream = io.BytesIO(data)
                    stream.seek(start)
                    for op, arg, pos in pickletools.genops(stream):
                        row = {"pos": pos, "op": op.name}
                        if op.arg is not None:
                            row["arg"] = enc(arg)
                        f.write(json.dumps(row) + "\\n")

            class Point:
                def __init__(self, x): self.x = x
            class Slotted:
                __slots__ = ("a",)
                def __init__(self): self.a = 1
            class Kw:
                def __new__(cls, *, k): o = object.__new__(cls); o.k = k; return o
                def __getnewargs_ex__(self): return ((), {"k": self.k})

            shared = ["shared"]
            objects = {
                "ints": [0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, 2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64, 7**400, -(7**400)],
                "floats": [0.0, -0.0, 1.5, -1.25, 1e308, 5e-324, float("inf"), float("-inf"), float("nan"), 0.1],
                "strs": ["", "a", "caf\\u00e9", "\\u20ac", "\\U0001f600", "\\ud800", "line\\nbreak", "back\\\\slash", "quote'\\"", "\\x00\\x7f\\x80\\xff", "x" * 300],
                "bytes": [b"", b"a", bytes(range(256)), b"\\n\\\\'", bytearray(b"ba")],
                "containers": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [], [1], list(range(2500)), {}, {"a": 1, 2: "b"},
                               set(), {1, 2}, frozenset(), frozenset({3}), [None, True, False]],
                "shared": [shared, shared, (shared, shared), {"k": shared}],
                "classes": [collections.OrderedDict(a=1), datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.date(2020, 2, 29),
                            datetime.timedelta(days=1, seconds=2), decimal.Decimal("1.10"), complex(1, -2), Point(3), Slotted(), Kw(k=5),
                            pickletools.genops, zlib.crc32],
                "big": ["y" * 70000, b"z" * 100000, ["s%d" % i for i in range(3000)]],
            }

            for proto in range(0, 6):
                for name, obj in objects.items():
                    if name == "classes" and proto < 2:
                        obj = obj[:-2] + [obj[-2]]  # Kw needs protocol 2 (NEWOBJ_EX/copyreg); keep the rest
                        obj = [o for o in obj if not isinstance(o, (Kw, Slotted))]
                    emit("%s_p%d_c.pkl" % (name, proto), pickle.dumps(obj, protocol=proto), 0)
                    f = io.BytesIO()
                    pickle._Pickler(f, proto).dump(obj)
                    emit("%s_p%d_py.pkl" % (name, proto), f.getvalue(), 0)

            # Opcodes the C pickler writes only in special situations.
            import copyreg
            class Ref:
                def __init__(self, n): self.n = n
            class PidPickler(pickle.Pickler):
                def persistent_id(self, obj):
                    return "pid-%d" % obj.n if isinstance(obj, Ref) else None
            copyreg.add_extension("collections", "OrderedDict", 1)
            copyreg.add_extension("collections", "Counter", 300)
            copyreg.add_extension("collections", "deque", 70000)
            many = ["m%d" % i for i in range(300)]
            rec = []
            rec.append((rec,))
            specials = {
                "longs": [2**3000, -(2**3000)],
                "memo": many + many,
                "recursive": rec,
                "ext": [collections.OrderedDict, collections.Counter, collections.deque],
            }
            for proto in range(0, 6):
                for name, obj in specials.items():
                    if name == "ext" and proto < 2:
                        continue
                    emit("%s_p%d_c.pkl" % (name, proto), pickle.dumps(obj, protocol=proto), 0)
                f = io.BytesIO()
                PidPickler(f, proto).dump([Ref(1), 2, Ref(3)])
                emit("persid_p%d_c.pkl" % proto, f.getvalue(), 0)

            # Written by hand: Python 2 era pickles and the 8-byte-length opcodes (Python writes those only
            # for payloads over 4 GiB). genops does not care whether the stack would make sense.
            le8 = lambda n: struct.pack("<Q", n)
            handmade = {
                "py2_p0": b"(dp0\\nS'a'\\np1\\nS'b\\\\'c\\\\n'\\np2\\nsS\\"q\\"\\ng1\\n(i__main__\\nFoo\\np3\\n(dp4\\nS'x'\\np5\\nI01\\nsbL12345678901234567890L\\nF-1.5\\n20PPid\\n1.",
                "py2_p1": b"(c__main__\\nFoo\\nq\\x00o}q\\x01(U\\x01aT\\x05\\x00\\x00\\x00caf\\xe9!U\\x00ub2Qh\\x01j\\x01\\x00\\x00\\x00.",
                "py2_p2": b"\\x80\\x02}q\\x00U\\x01aq\\x01U\\x04caf\\xe9q\\x02s\\x8a\\x00\\x8b\\x01\\x00\\x00\\x00\\xff\\x88\\x89.",
                "p4_len8": b"\\x80\\x04\\x8d" + le8(3) + b"abc\\x8e" + le8(2) + b"xy\\x96" + le8(0) + b"\\x86.",
            }
            for name, data in handmade.items():
                emit(name + ".pkl", data, 0)

            # Protocol 5 out-of-band buffers: NEXT_BUFFER, READONLY_BUFFER.
            bufs = [pickle.PickleBuffer(b"ro"), pickle.PickleBuffer(bytearray(b"rw"))]
            emit("oob_p5_c.pkl", pickle.dumps(bufs, protocol=5, buffer_callback=lambda b: False), 0)
            emit("inband_p5_c.pkl", pickle.dumps(bufs, protocol=5), 0)
            # A pickle behind 37 bytes of something else.
            emit("offset_p4_c.pkl", b"#" * 37 + pickle.dumps(objects["strs"], protocol=4), 37)

            try:
                import numpy as np
            except ImportError:
                np = None
            if np is not None:
                arrays = {
                    "np_strings": np.array(["a", "bb", "caf\\u00e9", "x" * 100000], dtype=object),
                    "np_ragged": np.array([np.arange(3), np.arange(5.0), np.zeros((2, 2), dtype=np.int8), None, 7], dtype=object),
                    "np_dicts": np.array([{"a": i, "b": [i] * (i % 7)} for i in range(1500)], dtype=object),
                    "np_fortran": np.asfortranarray(np.array([[1, "a"], [2.5, b"b"]], dtype=object)),
                }
                for name, arr in arrays.items():
                    f = io.BytesIO()
                    np.save(f, arr, allow_pickle=True)
                    data = f.getvalue()
                    major = data[6]
                    hlen = struct.unpack("<H", data[8:10])[0] if major == 1 else struct.unpack("<I", data[8:12])[0]
                    start = (10 if major == 1 else 12) + hlen
                    emit(name + ".npy", data, start)
            """;
}
