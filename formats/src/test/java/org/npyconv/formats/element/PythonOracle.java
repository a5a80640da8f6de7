package org.npyconv.formats.element;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * Real Python + NumPy as a test oracle, when the project's venvs exist ({@code tools/setup-python.sh}
 * makes {@code .venv/np1} and {@code .venv/np2}): runs {@link #CASES_SCRIPT} once per venv and
 * caches the JSON lines it prints. Tests that use it skip (assumption) where Python is missing.
 */
final class PythonOracle {
    /**
     * Prints one JSON object per line: {@code {"kind": "element", "name", "protocol", "pickler",
     * "numpy", "pickle": base64, "json": expected}} for every value x protocol, and
     * {@code {"kind": "float", ...}} rows with Python's and NumPy's shortest reprs of random floats.
     * The expected JSON follows DESIGN.md's conventions, computed by Python from the value itself.
     */
    static final String CASES_SCRIPT = """
            import base64, collections, datetime as dt, decimal, io, json, math, pickle, random, struct, sys
            import numpy as np
            D = decimal.Decimal
            def fl(x):
                x = float(x)
                if math.isnan(x): return "NaN"
                if math.isinf(x): return "Infinity" if x > 0 else "-Infinity"
                return x
            def npfloat(x):
                # NumPy's own shortest repr at the scalar's precision, read back as a Python float
                if np.isnan(x) or np.isinf(x): return fl(x)
                return float(str(x))
            def conv(x):
                if isinstance(x, np.datetime64): return str(x)
                if isinstance(x, np.timedelta64):
                    unit, n = np.datetime_data(x.dtype)
                    return {"$timedelta64": [int(x.astype(np.int64)), unit if n == 1 else f"{n}{unit}"]}
                if x is None or isinstance(x, (bool, str)): return x
                if isinstance(x, int): return x
                if isinstance(x, float): return fl(x)
                if isinstance(x, (bytes, bytearray)): return {"$bytes": base64.b64encode(bytes(x)).decode()}
                if isinstance(x, (list, tuple, set, frozenset)): return [conv(v) for v in x]
                if isinstance(x, dict):
                    if all(isinstance(k, str) for k in x): return {k: conv(v) for k, v in x.items()}
                    return {"$dict": [[conv(k), conv(v)] for k, v in x.items()]}
                if isinstance(x, complex): return {"$complex": [fl(x.real), fl(x.imag)]}
                if isinstance(x, (dt.datetime, dt.date, dt.time)): return x.isoformat()
                if isinstance(x, dt.timedelta): return {"$timedelta": fl(x.total_seconds())}
                if isinstance(x, D): return str(x)
                if isinstance(x, np.ndarray):
                    flat = x.ravel(order='C')
                    data = [conv(v) for v in flat] if x.dtype == object else [conv_scalar(v) for v in flat]
                    return {"$ndarray": {"dtype": x.dtype.str, "shape": list(x.shape), "data": data}}
                if isinstance(x, np.generic): return conv_scalar(x)
                raise TypeError(type(x))
            def conv_scalar(s):
                if isinstance(s, (np.datetime64, np.timedelta64)): return conv(s)
                if isinstance(s, np.void) and s.dtype.names:
                    return {n: conv_scalar(s[n]) for n in s.dtype.names}
                if isinstance(s, np.floating):
                    return npfloat(s) if s.dtype.itemsize < 8 else fl(s)
                if isinstance(s, np.complexfloating):
                    if s.dtype.itemsize == 8: return {"$complex": [npfloat(s.real), npfloat(s.imag)]}
                    return {"$complex": [fl(s.real), fl(s.imag)]}
                if isinstance(s, np.void): return {"$bytes": base64.b64encode(s.tobytes()).decode()}
                return conv(s.item())
            utc = dt.timezone.utc
            values = {
              "none": None, "true": True, "false": False,
              "ints": [0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, 2**31, -2**31 - 1, 2**63 - 1, 2**63,
                       -2**63, -2**63 - 1, 2**64, 2**100, -(2**200)],
              "floats": [0.0, -0.0, 0.1, 1e-7, 1e16, 1e15, 123456.789, 1.5e300, 5e-324, 2.0**-44,
                         2.82879384806159e17, 1e23, 9007199254740993.0, 2.2250738585072014e-308],
              "nonfinite": [float('nan'), float('inf'), float('-inf')],
              "strs": ['', 'abc', 'h\\u00e9llo', '\\u65e5\\u672c', '\\U0001F600', 'a\\nb\\\\c"\\'', '\\x00\\x1a\\r'],
              "lone_surrogate": '\\ud800x',
              "bytes": [b'', b'\\x00\\xff', b'abc'],
              "bytearrays": [bytearray(b'xy'), bytearray()],
              "nested": [[], [1, [2, [3, []]]], (), (1,), (1, 'a', (2.5, None))],
              "sets": [{1, 2, 3}, set(), frozenset(), frozenset({'a'})],
              "dicts": [{}, {'a': 1, 'b': [1, 2]}, {1: 'a', (1, 2): 'b'}, {'a': 1, 2: 'b'}, {None: 1}],
              "ordered": collections.OrderedDict([('b', 1), ('a', 2)]),
              "complex": [1 + 2j, complex(0, -1), complex(-0.0, 0.5)],
              "datetimes": [dt.datetime(2020, 1, 2, 3, 4, 5, 6), dt.datetime(2020, 1, 2, tzinfo=utc),
                            dt.datetime(1999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30))),
                            dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)],
              "dates": [dt.date(1, 1, 1), dt.date(2024, 2, 29), dt.date(9999, 12, 31)],
              "times": [dt.time(1, 2, 3, 4), dt.time(0, 0), dt.time(12, tzinfo=utc)],
              "timedeltas": [dt.timedelta(0), dt.timedelta(days=-1, seconds=5), dt.timedelta(microseconds=1),
                             dt.timedelta(days=999999999), dt.timedelta(days=1, seconds=3661, microseconds=500)],
              "timezone": [dt.datetime(2021, 6, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2), 'X'))],
              "decimals": [D('1.50'), D('-0'), D('-0.00'), D('NaN'), D('-Infinity'), D('1E+3'), D('0.0000001'),
                           D('sNaN'), D('123456789012345678901234567890.5')],
              "np_ints": [np.int8(-5), np.uint8(200), np.int16(-300), np.uint16(60000), np.int32(-70000),
                          np.uint32(4000000000), np.int64(-2**63), np.uint64(2**64 - 1), np.bool_(True)],
              "np_floats": [np.float16(0.1), np.float16(65504), np.float16(-0.0), np.float32(0.1),
                            np.float32(1e-45), np.float32(3.4028235e38), np.float64(0.1), np.float32('nan'),
                            np.longdouble(0.1)],
              "np_complex": [np.complex64(1.5 + 0.1j), np.complex128(-2 + 1e-300j)],
              "np_text": [np.str_('h\\u00e9llo'), np.bytes_(b'ab'), np.void(b'\\x01\\x02')],
              "np_times": [np.datetime64('2020-01-01'), np.datetime64('2020-01-01T01:02:03.004005', 'us'),
                           np.datetime64(1, 'ns'), np.datetime64('NaT'), np.timedelta64(5, 'h'),
                           np.timedelta64(3, 'M'), np.timedelta64('NaT'), np.datetime64('2020-03', 'M'),
                           np.datetime64(10, '10s')],
              "arrays": [np.arange(5, dtype='>i2'), np.arange(4, dtype='<f4') / 10, np.array([1.5, -2.0], '>f8'),
                         np.array([0.1, 65504], 'f2'), np.array([1 + 2j], 'c8'), np.array([True, False]),
                         np.array([2**64 - 1, 0], 'u8'), np.array(['a', 'bcd'], 'U3'), np.array([b'ab', b'c'], 'S2'),
                         np.array(['2020-01-01', 'NaT'], 'M8[D]'), np.array([90, -1], 'm8[s]'),
                         np.zeros((2, 3)), np.asfortranarray(np.arange(6, dtype='i4').reshape(2, 3)),
                         np.array(5), np.zeros((0,), 'f4'), np.zeros((2, 0), 'i1'),
                         np.array([(1, 0.5), (-2, 1e-3)], dtype=[('x', '<i4'), ('y', '>f4')]),
                         np.array([np.nan, np.inf, -np.inf], 'f4'), np.array([0.1], 'g')],
              "object_arrays": [np.array([1, 'a', None], dtype=object),
                                np.asfortranarray(np.array([[1, 'a'], [2.5, b'b']], dtype=object))],
            }
            def cases():
                for name, v in values.items():
                    items = v if isinstance(v, list) else [v]
                    for i, x in enumerate(items):
                        yield (f"{name}[{i}]", x)
            out = sys.stdout
            for name, x in cases():
                for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
                    for pickler in ("c", "python"):
                        if pickler == "python" and proto not in (2, 4):
                            continue
                        try:
                            if pickler == "c":
                                data = pickle.dumps(x, protocol=proto)
                            else:
                                f = io.BytesIO(); pickle._Pickler(f, protocol=proto).dump(x); data = f.getvalue()
                        except Exception as e:
                            continue
                        exp = conv(pickle.loads(data))  # what np.load would return
                        out.write(json.dumps({"kind": "element", "name": name, "protocol": proto, "pickler": pickler,
                            "numpy": np.__version__, "pickle": base64.b64encode(data).decode(), "json": exp}) + "\\n")
            rnd = random.Random(1234)
            for i in range(3000):
                bits = rnd.getrandbits(64)
                d = struct.unpack('<d', struct.pack('<Q', bits))[0]
                if math.isnan(d) or math.isinf(d): continue
                f32 = np.frombuffer(struct.pack('<I', bits & 0xffffffff), '<f4')[0]
                f16 = np.frombuffer(struct.pack('<H', bits & 0xffff), '<f2')[0]
                out.write(json.dumps({"kind": "float", "f64": bits, "repr64": repr(d),
                    "f32": bits & 0xffffffff, "repr32": str(f32), "f16": bits & 0xffff, "repr16": str(f16)}) + "\\n")
            # Values with few significant digits (1.5, 0.25, 3e-05, 1.4e-45...): where shortest-digit
            # algorithms disagree on one- versus two-digit results, and random bit patterns rarely go.
            for i in range(3000):
                d = round(rnd.uniform(-99, 99), rnd.randint(0, 2)) * 10.0 ** rnd.randint(-40, 40)
                if i % 100 == 0: d = rnd.choice([5e-324, 1e-323, 1.5e-323, 1.4e-45, 3e-45, 6e-08, 1e23])
                with np.errstate(all='ignore'):
                    f32 = np.float32(d); f16 = np.float16(d)
                out.write(json.dumps({"kind": "float", "f64": struct.unpack('<Q', struct.pack('<d', d))[0], "repr64": repr(d),
                    "f32": int(f32.view(np.uint32)), "repr32": str(f32), "f16": int(f16.view(np.uint16)), "repr16": str(f16)}) + "\\n")
            """;

    private static final List<String> VENVS = List.of(".venv/np2", ".venv/np1");
    private static List<JsonNode> cached;

    private PythonOracle() {}

    /** The project's Python interpreters with NumPy (np2 first), possibly none. */
    static List<Path> interpreters() {
        List<Path> found = new ArrayList<>();
        String root = System.getProperty("npyconv.root");
        Path base = root != null ? Paths.get(root) : Paths.get("").toAbsolutePath();
        for (Path dir = base; dir != null; dir = dir.getParent()) {
            for (String venv : VENVS) {
                Path python = dir.resolve(venv).resolve("bin/python");
                if (Files.isExecutable(python)) {
                    found.add(python);
                }
            }
            if (!found.isEmpty()) {
                break;
            }
        }
        return found;
    }

    /** Every row printed by the script under every interpreter; empty when there is no Python. */
    static synchronized List<JsonNode> rows() {
        if (cached != null) {
            return cached;
        }
        List<JsonNode> rows = new ArrayList<>();
        for (Path python : interpreters()) {
            try {
                Path script = Files.createTempFile("npyconv-element-cases", ".py");
                Files.writeString(script, CASES_SCRIPT);
                Process p = new ProcessBuilder(python.toString(), script.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException(python + " failed on the element cases script");
                }
                Files.deleteIfExists(script);
                for (String line : out.split("\n")) {
                    if (!line.isBlank()) {
                        rows.add(FixtureCorpus.JSON.readTree(line));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + python, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        cached = rows;
        return rows;
    }
}
