package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.converter.arrow.MixedTypesException;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;
import org.npyconv.indexer.NpyObjectArray;

/**
 * Converts every object fixture of the corpus (and every non-object one, docs/numeric.md) to Arrow IPC, Parquet and JSON-text Arrow; checks the
 * JSON text against Python's elements here, then (in order) pyarrow's types and values through
 * {@code tools/check_arrow.py} and DuckDB's reading of the Parquet outputs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConvertCorpusTest {
    @TempDir
    static Path out;

    private static final List<Map<String, Object>> MANIFEST = Collections.synchronizedList(new ArrayList<>());
    /** Parquet outputs with the Arrow type they were written with. */
    private static final Map<Path, Field> PARQUET = Collections.synchronizedMap(new LinkedHashMap<>());

    static Stream<Path> objectFixtures() {
        return FixtureCorpus.npyFiles().stream().filter(p -> FixtureCorpus.expected(p).path("object").asBoolean());
    }

    static String name(Path fixture) {
        return FixtureCorpus.label(fixture).replace('/', '_');
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectFixtures")
    @Order(1)
    void convertsEveryObjectFixture(Path fixture) throws IOException {
        String name = name(fixture);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("source", fixture.toAbsolutePath().toString());
        entry.put("fixture_json", fixture.resolveSibling(fixture.getFileName() + ".json").toAbsolutePath().toString());
        NpyObjectArray.Options options = NpyObjectArray.Options.defaults().withIndex(out.resolve(name + ".npyidx"));
        List<?> expected = JsonValues.expectedElements(fixture);
        try (BufferAllocator allocator = new RootAllocator();
             NpyObjectArray array = NpyObjectArray.open(fixture, options)) {
            Path arrow = out.resolve(name + ".arrow");
            try {
                ConversionSummary s = ChunkedOutput.convert(array, arrow, ConvertOptions.of(OutputFormat.ARROW)
                        .withRowsPerChunk(7), allocator);
                assertEquals(array.size(), s.rows());
                entry.put("arrow", arrow.toString());
                Path parquet = out.resolve(name + ".parquet");
                try {
                    ChunkedOutput.convert(array, parquet, ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(7), allocator);
                    entry.put("parquet", parquet.toString());
                    PARQUET.put(parquet, s.column());
                } catch (NpyconvException e) {
                    assertTrue(e.getMessage().contains("Parquet cannot"), e.getMessage());
                    assertTrue(Files.notExists(parquet));
                }
            } catch (MixedTypesException e) {
                entry.put("error", e.getMessage());
                assertTrue(Files.notExists(arrow), "no partial output");
            }
            Path json = out.resolve(name + ".json.arrow");
            ChunkedOutput.convert(array, json, ConvertOptions.of(OutputFormat.ARROW).withRowsPerChunk(5)
                    .withOnMixed(OnMixed.JSON).withJsonAlways(true), allocator);
            entry.put("json_arrow", json.toString());
            try (ChunkedOutput.RowRange rows = ChunkedOutput.readRows(json, 0, array.size(), allocator)) {
                VarCharVector v = (VarCharVector) rows.root().getVector(0);
                assertEquals(array.size(), rows.root().getRowCount());
                for (int i = 0; i < rows.root().getRowCount(); i++) {
                    String text = v.isNull(i) ? "null" : new String(v.get(i), StandardCharsets.UTF_8);
                    assertNull(JsonValues.difference(expected.get(i), text), name + " element " + i);
                }
            }
        }
        MANIFEST.add(entry);
    }

    static Stream<Path> rawFixtures() {
        return FixtureCorpus.npyFiles().stream().filter(p -> !FixtureCorpus.expected(p).path("object").asBoolean());
    }

    /** Parquet outputs of non-object fixtures, with the fixture. */
    private static final Map<Path, Path> RAW_PARQUET = Collections.synchronizedMap(new LinkedHashMap<>());

    /**
     * Every non-object fixture (docs/numeric.md) to Arrow IPC in 2-row chunks and to Parquet; pyarrow
     * checks both in {@link #pyarrowAgrees}. A refusal must leave no output.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rawFixtures")
    @Order(1)
    void convertsEveryRawFixture(Path fixture) throws IOException {
        String name = "raw_" + name(fixture);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("source", fixture.toAbsolutePath().toString());
        entry.put("fixture_json", fixture.resolveSibling(fixture.getFileName() + ".json").toAbsolutePath().toString());
        Path arrow = out.resolve(name + ".arrow");
        Path parquet = out.resolve(name + ".parquet");
        try (BufferAllocator allocator = new RootAllocator();
             org.npyconv.indexer.NpyRawArray array = org.npyconv.indexer.NpyRawArray.open(fixture)) {
            long rows = array.shape().length == 0 ? 1 : array.shape()[0];
            try {
                ConversionSummary s = RawConversion.convert(array, arrow, ConvertOptions.of(OutputFormat.ARROW)
                        .withRowsPerChunk(2), allocator);
                assertEquals(rows, s.rows());
                assertEquals(Math.max(1, (rows + 1) / 2), s.chunks());
                entry.put("arrow", arrow.toString());
                RawConversion.convert(array, parquet, ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(3), allocator);
                entry.put("parquet", parquet.toString());
                RAW_PARQUET.put(parquet, fixture);
            } catch (NpyconvException e) {
                entry.put("error", e.getMessage());
                assertTrue(Files.notExists(arrow) && Files.notExists(parquet), "no partial output");
            }
        }
        MANIFEST.add(entry);
    }

    /** pyarrow's own conversion of every fixture against our outputs (tools/check_arrow.py). */
    @Test
    @Order(2)
    void pyarrowAgrees() throws Exception {
        Path python = Python.interpreter();
        Assumptions.assumeTrue(python != null, "no Python venv with pyarrow (tools/setup-python.sh)");
        Assumptions.assumeTrue(!MANIFEST.isEmpty(), "conversions did not run");
        Files.writeString(out.resolve("manifest.json"), FixtureCorpus.JSON.writeValueAsString(MANIFEST));
        Python.Result r = Python.run(python, Python.script("check_arrow.py").toString(), out.toString());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains(" passed, 0 failed"), r.output());
    }

    /**
     * Polars, a reader with its own Arrow IPC and Parquet code, reads every output as pyarrow does,
     * whole and in a lazily sliced row range (tools/check_polars.py; the outputs are in 7-row
     * chunks, so the ranges cross chunk boundaries).
     */
    @Test
    @Order(3)
    void polarsReadsAsPyarrowDoes() throws Exception {
        Path python = Python.interpreter();
        Assumptions.assumeTrue(python != null, "no Python venv with polars (tools/setup-python.sh)");
        Assumptions.assumeTrue(Files.exists(out.resolve("manifest.json")), "pyarrowAgrees did not write the manifest");
        Python.Result r = Python.run(python, Python.script("check_polars.py").toString(), out.toString());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains(" passed, 0 failed"), r.output());
    }

    /** DuckDB reads every Parquet output with the right row count, and the values of the types it maps cleanly. */
    @Test
    @Order(3)
    void duckdbReadsParquet() throws Exception {
        Assumptions.assumeTrue(!PARQUET.isEmpty(), "conversions did not run");
        int compared = 0;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            for (Map.Entry<Path, Field> e : PARQUET.entrySet()) {
                Path parquet = e.getKey();
                String fixtureName = parquet.getFileName().toString().replace(".parquet", "");
                Path fixture = objectFixtures().filter(f -> name(f).equals(fixtureName)).findFirst().orElseThrow();
                List<?> expected = JsonValues.expectedElements(fixture);
                String path = parquet.toString().replace("'", "''");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + path + "')")) {
                    rs.next();
                    assertEquals(expected.size(), rs.getLong(1), fixtureName);
                }
                if (!DuckValues.clean(e.getValue())) {
                    continue;
                }
                try (ResultSet rs = st.executeQuery("SELECT value FROM read_parquet('" + path + "')")) {
                    int i = 0;
                    while (rs.next()) {
                        String json = DuckValues.json(rs.getObject(1));
                        assertNull(JsonValues.difference(DuckValues.plain(expected.get(i)), json),
                                fixtureName + " row " + i + ": " + json);
                        i++;
                    }
                    assertEquals(expected.size(), i);
                }
                compared++;
            }
        }
        assertTrue(compared > 10, "compared values of " + compared + " Parquet outputs");
    }

    /**
     * DuckDB reads every Parquet output of a 1-D non-object fixture; the values of columns it maps
     * cleanly (signed ints, floats, bools, strings) equal Python's items.
     */
    @Test
    @Order(3)
    void duckdbReadsRawParquet() throws Exception {
        Assumptions.assumeTrue(!RAW_PARQUET.isEmpty(), "conversions did not run");
        int compared = 0;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            for (Map.Entry<Path, Path> e : RAW_PARQUET.entrySet()) {
                Path fixture = e.getValue();
                com.fasterxml.jackson.databind.JsonNode facts = FixtureCorpus.expected(fixture);
                String path = e.getKey().toString().replace("'", "''");
                long rows = facts.path("header").path("shape").size() == 0 ? 1 : facts.path("header").path("shape").get(0).asLong();
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + path + "')")) {
                    rs.next();
                    assertEquals(rows, rs.getLong(1), fixture.toString());
                }
                String descr = facts.path("header").path("descr").asText("");
                boolean clean = facts.path("header").path("shape").size() <= 1 && descr.matches("[<|]([if][248]|i1|b1|U\\d+)")
                        && !descr.endsWith("f2") && facts.has("elements");
                if (!clean) {
                    continue;
                }
                List<?> expected = JsonValues.expectedElements(fixture);
                try (ResultSet rs = st.executeQuery("SELECT value FROM read_parquet('" + path + "')")) {
                    int i = 0;
                    while (rs.next()) {
                        String json = DuckValues.json(rs.getObject(1));
                        assertNull(JsonValues.difference(expected.get(i), json), fixture + " row " + i + ": " + json);
                        i++;
                    }
                    assertEquals(expected.size(), i);
                }
                compared++;
            }
        }
        assertTrue(compared > 10, "compared values of " + compared + " Parquet outputs");
    }

    /** Arrow types DuckDB maps cleanly and whose values the fixture JSON states directly. */
    static final class DuckValues {
        static boolean clean(Field f) {
            ArrowType t = f.getType();
            if (t instanceof ArrowType.Utf8 || t instanceof ArrowType.Bool) {
                return true;
            }
            if (t instanceof ArrowType.Int) {
                return ((ArrowType.Int) t).getIsSigned();
            }
            if (t instanceof ArrowType.FloatingPoint) {
                return ((ArrowType.FloatingPoint) t).getPrecision() != org.apache.arrow.vector.types.FloatingPointPrecision.HALF;
            }
            if (t instanceof ArrowType.List) {
                return clean(f.getChildren().get(0));
            }
            if (t instanceof ArrowType.Struct && f.getMetadata().isEmpty() && !f.getChildren().isEmpty()) {
                return f.getChildren().stream().allMatch(DuckValues::clean);
            }
            return t instanceof ArrowType.Null;
        }

        /** A fixture element as DuckDB shows it: ndarrays as their data, dicts without null-valued keys. */
        static Object plain(Object expected) {
            if (expected instanceof Map) {
                Map<?, ?> m = (Map<?, ?>) expected;
                if (m.containsKey("$ndarray")) {
                    return plain(((Map<?, ?>) m.get("$ndarray")).get("data"));
                }
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, v) -> {
                    if (v != null) {
                        out.put(k, plain(v));
                    }
                });
                return out;
            }
            if (expected instanceof List) {
                List<Object> out = new ArrayList<>();
                for (Object o : (List<?>) expected) {
                    out.add(plain(o));
                }
                return out;
            }
            return expected;
        }

        /** The shortest decimal that reads back as {@code f} (Java 17's Float.toString is not always shortest). */
        static String shortest(float f) {
            if (f == 0) {
                return Float.toString(f);
            }
            for (int p = 1; p < 10; p++) {
                java.math.BigDecimal d = new java.math.BigDecimal(f).round(new java.math.MathContext(p));
                if (Float.parseFloat(d.toString()) == f) {
                    return d.toString();
                }
            }
            return Float.toString(f);
        }

        static String json(Object v) throws Exception {
            StringBuilder sb = new StringBuilder();
            write(v, sb);
            return sb.toString();
        }

        private static void write(Object v, StringBuilder sb) throws Exception {
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String) {
                sb.append(FixtureCorpus.JSON.writeValueAsString(v));
            } else if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                if (Double.isNaN(d)) {
                    sb.append("\"NaN\"");
                } else if (Double.isInfinite(d)) {
                    sb.append(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
                } else if (v instanceof Float) {
                    sb.append(shortest((Float) v));
                } else {
                    sb.append(v);
                }
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else if (v instanceof java.sql.Array) {
                Object[] items = (Object[]) ((java.sql.Array) v).getArray();
                sb.append('[');
                for (int i = 0; i < items.length; i++) {
                    sb.append(i > 0 ? "," : "");
                    write(items[i], sb);
                }
                sb.append(']');
            } else if (v instanceof java.sql.Struct) {
                Map<?, ?> map = ((org.duckdb.DuckDBStruct) v).getMap();
                sb.append('{');
                boolean firstField = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (e.getValue() == null) {
                        continue; // the fixture has no key for a missing field
                    }
                    sb.append(firstField ? "" : ",").append(FixtureCorpus.JSON.writeValueAsString(e.getKey())).append(':');
                    write(e.getValue(), sb);
                    firstField = false;
                }
                sb.append('}');
            } else {
                throw new IllegalStateException("unexpected DuckDB value " + v.getClass());
            }
        }
    }
}
