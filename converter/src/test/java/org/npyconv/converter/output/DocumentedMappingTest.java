package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.converter.arrow.FixedShapeTensorType;
import org.npyconv.converter.arrow.MixedTypesException;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.converter.arrow.VariableShapeTensorType;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.indexer.NpyObjectArray;

/**
 * The mappings beyond pyarrow (docs/converter.md) on arrays real NumPy writes here: fixed and
 * variable shape tensors, complex, big ints as decimal128(38, 0), dicts with int keys as maps, and
 * a mixed column's error and JSON text. pyarrow reads each output back (tools/check_arrow.py).
 */
class DocumentedMappingTest {
    private static final String WRITER = """
            import json, sys, numpy as np
            out = sys.argv[1]
            def save(name, values, description):
                a = np.empty(len(values), dtype=object)
                for i, v in enumerate(values):
                    a[i] = v
                np.save(f"{out}/{name}.npy", a, allow_pickle=True)
                def conv(v):
                    if v is None: return None
                    if isinstance(v, np.ndarray):
                        dt = v.dtype.newbyteorder("<") if v.dtype.byteorder == ">" else v.dtype
                        items = [float(str(x)) if v.dtype.kind == "f" else x.item() for x in v.ravel()]
                        return {"$ndarray": {"dtype": dt.str, "shape": list(v.shape), "data": [conv(x) for x in items]}}
                    if isinstance(v, complex): return {"$complex": [conv(v.real), conv(v.imag)]}
                    if isinstance(v, dict):
                        if all(isinstance(k, str) for k in v): return {k: conv(x) for k, x in v.items()}
                        return {"$dict": [[conv(k), conv(x)] for k, x in v.items()]}
                    if isinstance(v, float) and v != v: return "NaN"
                    if isinstance(v, float) and v in (float("inf"), float("-inf")): return "Infinity" if v > 0 else "-Infinity"
                    return v
                with open(f"{out}/{name}.npy.json", "w") as f:
                    json.dump({"description": description, "object": True, "elements": [conv(v) for v in values]}, f)
            rng = np.random.default_rng(7)
            save("tensor_fixed", [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(9)], "same-shape 2-d")
            save("tensor_fixed_fortran", [np.asfortranarray(np.arange(12, dtype=np.int64).reshape(3, 4) + i) for i in range(5)], "Fortran-ordered 2-d")
            save("tensor_variable", [np.arange(r * 2, dtype=np.float64).reshape(r, 2) for r in range(1, 8)], "2-d of varying rows")
            save("tensor_be", [np.arange(6, dtype=">i4").reshape(2, 3) for _ in range(3)], "big-endian 2-d")
            save("complex_py", [1 + 2j, None, complex(float("inf"), -0.0), 3j], "Python complex")
            save("ints_beyond_int64", [1, -2**70, 10**37, None, 2**63], "ints beyond int64 within 38 digits")
            save("dict_int_keys", [{1: "a", 2: "b"}, {}, {3: None}, None], "dicts with int keys")
            save("list_of_tensors_mixed", ["a", 1, [1.5], None], "truly mixed")
            """;

    @TempDir
    Path dir;

    @Test
    void documentedMappingsReadBackInPyarrow() throws Exception {
        Path python = Python.interpreter();
        Assumptions.assumeTrue(python != null, "no Python venv with numpy and pyarrow");
        Path script = dir.resolve("write.py");
        Files.writeString(script, WRITER);
        Python.Result written = Python.run(python, script.toString(), dir.toString());
        assertEquals(0, written.exit(), written.output());
        Map<String, Class<?>> expectedTypes = Map.of(
                "tensor_fixed", FixedShapeTensorType.class, "tensor_fixed_fortran", FixedShapeTensorType.class,
                "tensor_variable", VariableShapeTensorType.class, "tensor_be", FixedShapeTensorType.class,
                "complex_py", ArrowType.Struct.class, "ints_beyond_int64", ArrowType.Decimal.class,
                "dict_int_keys", ArrowType.Map.class);
        List<Map<String, Object>> manifest = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator()) {
            for (String name : List.of("tensor_fixed", "tensor_fixed_fortran", "tensor_variable", "tensor_be", "complex_py",
                    "ints_beyond_int64", "dict_int_keys", "list_of_tensors_mixed")) {
                Path npy = dir.resolve(name + ".npy");
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", name);
                entry.put("source", npy.toString());
                entry.put("fixture_json", npy + ".json");
                try (NpyObjectArray array = NpyObjectArray.open(npy)) {
                    try {
                        ConversionSummary s = ChunkedOutput.convert(array, dir.resolve(name + ".arrow"),
                                ConvertOptions.of(OutputFormat.ARROW).withRowsPerChunk(3), allocator);
                        Field f = s.column();
                        assertInstanceOf(expectedTypes.get(name), f.getType(), name + ": " + f);
                        entry.put("arrow", name + ".arrow");
                        ChunkedOutput.convert(array, dir.resolve(name + ".parquet"),
                                ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(3), allocator);
                        entry.put("parquet", name + ".parquet");
                    } catch (MixedTypesException e) {
                        assertEquals("list_of_tensors_mixed", name, e.getMessage());
                        assertTrue(e.getMessage().contains("str (first at element 0)")
                                && e.getMessage().contains("int (first at element 1)"), e.getMessage());
                        entry.put("error", e.getMessage());
                    }
                    ChunkedOutput.convert(array, dir.resolve(name + ".json.arrow"),
                            ConvertOptions.of(OutputFormat.ARROW).withOnMixed(OnMixed.JSON).withJsonAlways(true), allocator);
                    entry.put("json_arrow", name + ".json.arrow");
                }
                manifest.add(entry);
            }
        }
        Files.writeString(dir.resolve("manifest.json"), FixtureCorpus.JSON.writeValueAsString(manifest));
        Python.Result r = Python.run(python, Python.script("check_arrow.py").toString(), dir.toString());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("8 passed, 0 failed"), r.output());
        // Polars too: tensors as their storage, maps as lists of {key, value} (tools/check_polars.py)
        Python.Result polars = Python.run(python, Python.script("check_polars.py").toString(), dir.toString());
        assertEquals(0, polars.exit(), polars.output());
        assertTrue(polars.output().contains("22 passed, 0 failed"), polars.output());
    }
}
