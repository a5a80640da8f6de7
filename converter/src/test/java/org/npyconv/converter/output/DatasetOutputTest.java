package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.converter.cli.NpyconvCommand;

/**
 * {@code convert IN --output DIR/ [--rows-per-file N]}: a dataset of part files that pyarrow.dataset
 * and DuckDB's {@code read_parquet('DIR/*.parquet')} read as the whole array in order, with one
 * type across parts; failed runs leave no dataset of theirs, reruns replace the whole dataset.
 */
class DatasetOutputTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = NpyconvCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private Path fixture(String name) throws IOException {
        Path src = Python.root().resolve("testdata/fixtures/numpy-2.4.6").resolve(name);
        Path dir = Files.createDirectories(tmp.resolve("in"));
        Path copy = dir.resolve(name);
        return Files.exists(copy) ? copy : Files.copy(src, copy);
    }

    /** Converts with the CLI, expecting success. */
    private Run convert(Path npy, String output, String... more) {
        List<String> args = new ArrayList<>(List.of("convert", npy.toString(), "--output", output, "--threads", "2"));
        args.addAll(List.of(more));
        Run r = cli(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static List<String> parts(int count, String ext) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            names.add(String.format("part-%05d.%s", k, ext));
        }
        names.add("_SUCCESS");
        names.sort(null);
        return names;
    }

    /**
     * Reads DIR with pyarrow: per-part row counts, per-part metadata ({@code npyconv.part},
     * {@code npyconv.first_row}, the rest equal to the single-file output's), every part's schema
     * equal, {@code pyarrow.dataset} of the directory equal (types and values, in order) to the
     * single-file conversion; with {@code vsNumpy}, also to {@code pa.array(np.load(IN).ravel())};
     * Polars' scan of the part files equal to it too, whole and in a row range across a part boundary.
     */
    private static final String CHECK = String.join("\n",
            "import sys, os, json, numpy as np, pyarrow as pa, pyarrow.dataset as ds, pyarrow.parquet as pq, pyarrow.ipc as ipc",
            "fmt, d, n, ref, npy, vs_numpy, tools = sys.argv[1:8]",
            "n = int(n)",
            "read = (lambda p: pq.read_table(p)) if fmt == 'parquet' else (lambda p: ipc.open_file(p).read_all())",
            "parts = sorted(x for x in os.listdir(d) if x.startswith('part-'))",
            "tables = [read(os.path.join(d, p)) for p in parts]",
            "want = read(ref)",
            "rows = want.num_rows",
            "expected = [min(n, rows - k * n) for k in range(len(parts))] if rows else [0]",
            "assert [t.num_rows for t in tables] == expected, ([t.num_rows for t in tables], expected)",
            "base = dict(want.schema.metadata); base.pop(b'ARROW:schema', None)",
            "for k, t in enumerate(tables):",
            "    m = dict(t.schema.metadata); m.pop(b'ARROW:schema', None)",
            "    assert m.pop(b'npyconv.part') == str(k).encode(), (k, t.schema.metadata)",
            "    assert m.pop(b'npyconv.first_row') == str(k * n).encode(), (k, t.schema.metadata)",
            "    assert m == base, (m, base)",
            "    assert t.schema.remove_metadata() == want.schema.remove_metadata(), (k, t.schema, want.schema)",
            "got = ds.dataset(d, format='parquet' if fmt == 'parquet' else 'ipc').to_table()",
            "assert got.schema.remove_metadata() == want.schema.remove_metadata(), (got.schema, want.schema)",
            "same = lambda a, b: a.equals(b) or repr(a.to_pylist()) == repr(b.to_pylist())  # NaN != NaN in equals",
            "assert same(got, want), 'dataset rows differ from the single-file output'",
            "if vs_numpy == 'yes':",
            "    w = pa.array(np.load(npy, allow_pickle=True).ravel())",
            "    col = got.column('value').combine_chunks()",
            "    assert col.type == w.type, (col.type, w.type)",
            "    assert same(col, w), 'values differ from numpy'",
            "sys.path.insert(0, tools)",
            "import check_polars as cp  # Polars reads the parts as one table, also a range across a part boundary",
            "scan = cp.pl.scan_parquet(os.path.join(d, 'part-*.parquet')) if fmt == 'parquet' else cp.pl.scan_ipc(os.path.join(d, 'part-*.arrow'))",
            "problem = cp.difference(want, scan.collect())",
            "assert problem is None, 'Polars: ' + problem",
            "start = max(0, n - 1)",
            "problem = cp.difference(want.slice(start, 3), scan.slice(start, 3).collect(), start)",
            "assert problem is None, 'Polars slice: ' + problem",
            "marker = json.load(open(os.path.join(d, '_SUCCESS')))",
            "assert marker['parts'] == len(parts) and marker['rows'] == rows and marker['format'] == fmt, marker",
            "print('ok', rows, len(parts))");

    private static void checkWithPyarrow(String fmt, Path dir, long n, Path reference, Path npy, boolean vsNumpy)
            throws Exception {
        Path python = Python.interpreter();
        assumeTrue(python != null, "no Python with pyarrow (tools/setup-python.sh)");
        Python.Result r = Python.run(python, "-c", CHECK, fmt, dir.toString(), Long.toString(n), reference.toString(),
                npy.toString(), vsNumpy ? "yes" : "no", Python.script("check_polars.py").getParent().toString());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().startsWith("ok "), r.output());
    }

    /** Converts {@code npy} both to one file and to a dataset of {@code n}-row parts and compares them in Python. */
    private Path dataset(String fixture, String fmt, long n, int chunk, boolean vsNumpy, int expectedParts, String... extra)
            throws Exception {
        Path npy = fixture(fixture);
        String ext = fmt.equals("parquet") ? "parquet" : "arrow";
        Path reference = tmp.resolve(fixture + "." + ext);
        String index = tmp.resolve("in").resolve(fixture + ".npyidx").toString();
        List<String> common = new ArrayList<>(List.of("--rows-per-chunk", Integer.toString(chunk), "--index", index));
        common.addAll(List.of(extra));
        List<String> single = new ArrayList<>(common);
        convert(npy, reference.toString(), single.toArray(String[]::new));
        Path dir = tmp.resolve(fixture + "-" + fmt + "-" + n + String.join("", extra));
        List<String> parted = new ArrayList<>(common);
        parted.addAll(List.of("--format", fmt, "--rows-per-file", Long.toString(n)));
        Run r = convert(npy, dir + "/", parted.toArray(String[]::new));
        assertTrue(r.out().contains(dir + "/ (" + expectedParts + (expectedParts == 1 ? " part" : " parts")), r.out());
        assertEquals(parts(expectedParts, ext), listing(dir));
        checkWithPyarrow(fmt, dir, n, reference, npy, vsNumpy);
        return dir;
    }

    /** 2001 ints in parts of 300 (the last 201 rows), chunks of 128 straddling part boundaries. */
    @Test
    void objectArrayPartsReadBackAsTheWholeArrayInOrder() throws Exception {
        dataset("count_2001.npy", "parquet", 300, 128, true, 7);
        dataset("count_2001.npy", "arrow", 300, 128, true, 7);
        dataset("strings_1001.npy", "parquet", 250, 64, true, 5); // str payloads copied straight from the file
        dataset("ragged_f4.npy", "parquet", 3, 2, true, partsOf("ragged_f4.npy", 3));
        dataset("decimal.npy", "arrow", 2, 3, true, partsOf("decimal.npy", 2));
        dataset("none.npy", "parquet", 3, 1, true, partsOf("none.npy", 3)); // the null type in every part
        dataset("complex.npy", "parquet", 2, 1, false, partsOf("complex.npy", 2)); // struct<real, imag>, beyond pyarrow
        writeWithNumpy("tensors", "[np.arange(6, dtype='<f4').reshape(2, 3) + i for i in range(11)]");
        dataset("tensors.npy", "arrow", 4, 3, false, 3); // arrow.fixed_shape_tensor in every part
        dataset("tensors.npy", "parquet", 4, 3, false, 3);
        dataset("mixed.npy", "arrow", 2, 3, false, partsOf("mixed.npy", 2), "--on-mixed", "json");
        dataset("mixed.npy", "parquet", 2, 3, false, partsOf("mixed.npy", 2), "--on-mixed", "pickle");
    }

    /** Numeric, structured and tensor arrays (RawConversion), including n larger than the row count. */
    @Test
    void rawArrayPartsReadBackAsTheWholeArrayInOrder() throws Exception {
        dataset("num_f8.npy", "parquet", 7, 3, false, partsOf("num_f8.npy", 7));
        dataset("num_3d.npy", "arrow", 1, 1, false, partsOf("num_3d.npy", 1));
        dataset("struct_nested.npy", "parquet", 2, 1, false, partsOf("struct_nested.npy", 2));
        dataset("num_fortran_f8.npy", "parquet", 2, 3, false, partsOf("num_fortran_f8.npy", 2));
        dataset("num_i4.npy", "parquet", 1_000_000, 5, false, 1);
        dataset("count_2001.npy", "arrow", 1_000_000, 500, true, 1);
    }

    @Test
    void emptyArraysMakeOneEmptyPartThatCarriesTheSchema() throws Exception {
        dataset("obj_empty.npy", "parquet", 10, 7, true, 1);
        dataset("obj_empty.npy", "arrow", 10, 7, true, 1);
        dataset("num_empty_1d.npy", "parquet", 10, 7, false, 1);
        dataset("num_empty_1d.npy", "arrow", 10, 7, false, 1);
    }

    /** Rows of the first axis (raw arrays) or elements (object arrays), as Python counts them. */
    private int partsOf(String fixture, long n) throws Exception {
        Path python = Python.interpreter();
        assumeTrue(python != null, "no Python with numpy (tools/setup-python.sh)");
        Python.Result r = Python.run(python, "-c", "import sys, numpy as np; a = np.load(sys.argv[1], allow_pickle=True); "
                + "print(a.size if a.dtype == object else (a.shape[0] if a.ndim else 1))",
                Python.root().resolve("testdata/fixtures/numpy-2.4.6").resolve(fixture).toString());
        assertEquals(0, r.exit(), r.output());
        long rows = Long.parseLong(r.output().strip());
        return (int) Math.max(1, (rows + n - 1) / n);
    }

    /** DuckDB reads the parts as one table, in row order, typed as the single file is. */
    @Test
    void duckdbReadsTheGlobAsOneTableInOrder() throws Exception {
        Path ints = dataset("count_2001.npy", "parquet", 300, 128, true, 7);
        Path strs = dataset("strings_1001.npy", "parquet", 250, 64, true, 5);
        Path floats = dataset("num_f8.npy", "parquet", 7, 3, false, partsOf("num_f8.npy", 7));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            assertEquals(pythonValues("count_2001.npy"), duck(st, ints, "BIGINT"));
            assertEquals(pythonValues("strings_1001.npy"), duck(st, strs, "VARCHAR"));
            // As doubles: NaN equals NaN, -0.0 differs from 0.0.
            assertEquals(pythonValues("num_f8.npy").stream().map(Double::valueOf).collect(Collectors.toList()),
                    duck(st, floats, "DOUBLE").stream().map(Double::valueOf).collect(Collectors.toList()));
        }
    }

    /** The column's values in glob order (file name, then row in file), each as text; checks the column's type. */
    private static List<String> duck(Statement st, Path dir, String type) throws Exception {
        String glob = dir.resolve("*.parquet").toString().replace("'", "''");
        try (ResultSet rs = st.executeQuery("SELECT typeof(value) FROM read_parquet('" + glob + "') LIMIT 1")) {
            assertTrue(rs.next());
            assertEquals(type, rs.getString(1));
        }
        List<String> values = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT value FROM read_parquet('" + glob + "', filename = true, "
                + "file_row_number = true) ORDER BY filename, file_row_number")) {
            while (rs.next()) {
                Object v = rs.getObject(1);
                values.add(v instanceof Double ? Double.toString((Double) v) : String.valueOf(v));
            }
        }
        return values;
    }

    /** Python's reading of a fixture, one text per value (floats as Java's {@code Double.valueOf} reads them). */
    private List<String> pythonValues(String fixture) throws Exception {
        Python.Result r = Python.run(Python.interpreter(), "-c", String.join("\n",
                "import sys, json, numpy as np",
                "for v in np.load(sys.argv[1], allow_pickle=True).ravel().tolist():",
                "    print(json.dumps({'nan': 'NaN', 'inf': 'Infinity', '-inf': '-Infinity'}.get(repr(v), repr(v)) if isinstance(v, float) else str(v)))"),
                fixture(fixture).toString());
        assertEquals(0, r.exit(), r.output());
        List<String> values = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            if (!line.isEmpty()) {
                values.add(org.npyconv.formats.testing.FixtureCorpus.JSON.readValue(line, String.class));
            }
        }
        return values;
    }

    // ---- failures and reruns -------------------------------------------------------------------

    /** File sizes by name: parts of another run would differ (2001 ints vs 5000 strings). */
    private static Map<String, Long> sizes(Path dir) throws IOException {
        Map<String, Long> sizes = new HashMap<>();
        for (String name : listing(dir)) {
            sizes.put(name, Files.size(dir.resolve(name)));
        }
        return sizes;
    }

    private Path writeWithNumpy(String name, String pythonValues) throws Exception {
        return Python.saveObjectArray(tmp.resolve("in").resolve(name + ".npy"), pythonValues);
    }

    /**
     * A str with a lone surrogate at element 4500: parts 0-3 are already written when the write
     * fails. The earlier dataset in DIR is left exactly as it was, and no staged part remains.
     */
    @Test
    void aFailureMidwayLeavesThePreviousDatasetAsItWas() throws Exception {
        Path good = fixture("count_2001.npy");
        Path dir = tmp.resolve("ds");
        convert(good, dir + "/", "--rows-per-file", "300", "--index", tmp.resolve("c.npyidx").toString());
        List<String> before = listing(dir);
        Map<String, Long> sizesBefore = sizes(dir);
        Path bad = writeWithNumpy("late_surrogate", "['s%d' % i for i in range(4500)] + ['\\udc80'] + ['t'] * 499");
        Run r = cli("convert", bad.toString(), "--output", dir + "/", "--rows-per-file", "1000", "--threads", "1",
                "--rows-per-chunk", "500");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().strip().lines().count() == 1, r.err());
        assertEquals(before, listing(dir), "no staged or new part left, every old part kept");
        assertEquals(sizesBefore, sizes(dir));
        checkWithPyarrow("parquet", dir, 300, converted(good), good, true);
    }

    /**
     * Through the Java API with a test-owned allocator, both formats, two threads: a failed write and
     * a speculation retry release every buffer (the allocator's {@code close()} fails on a leak) and
     * leave no staged file.
     */
    @Test
    void failuresAndRetriesReleaseEveryBuffer() throws Exception {
        Path bad = writeWithNumpy("late_surrogate3", "['s%d' % i for i in range(3000)] + ['\\udc80']");
        Path retry = writeWithNumpy("ints_then_float2", "[i for i in range(3000)] + [0.5]");
        for (OutputFormat format : OutputFormat.values()) {
            Path dir = tmp.resolve("api-" + format);
            try (org.apache.arrow.memory.BufferAllocator allocator = new org.apache.arrow.memory.RootAllocator()) {
                ConvertOptions options = ConvertOptions.of(format).withRowsPerChunk(100).withThreads(2).withVersion("test");
                try (org.npyconv.indexer.NpyObjectArray array = org.npyconv.indexer.NpyObjectArray.open(bad)) {
                    org.junit.jupiter.api.Assertions.assertThrows(org.npyconv.formats.NpyconvException.class,
                            () -> ChunkedOutput.convert(array, new DatasetOutput(dir, 250), options, allocator));
                }
                assertEquals(List.of(), listing(dir), format.toString());
                try (org.npyconv.indexer.NpyObjectArray array = org.npyconv.indexer.NpyObjectArray.open(retry)) {
                    ConversionSummary s = ChunkedOutput.convert(array, new DatasetOutput(dir, 250), options, allocator);
                    assertEquals("double", org.npyconv.converter.arrow.TypeText.of(s.column()));
                    assertEquals(3001, s.rows());
                }
                assertEquals(parts(13, format == OutputFormat.ARROW ? "arrow" : "parquet"), listing(dir));
            }
        }
    }

    /** The single-file Parquet conversion of a fixture, as a reference. */
    private Path converted(Path npy) {
        Path out = tmp.resolve(npy.getFileName() + ".ref.parquet");
        convert(npy, out.toString(), "--index", tmp.resolve("c.npyidx").toString());
        return out;
    }

    /** The same failure into a new directory leaves the directory without any part or marker. */
    @Test
    void aFailureIntoANewDirectoryLeavesNoDataset() throws Exception {
        Path bad = writeWithNumpy("late_surrogate2", "['s%d' % i for i in range(3000)] + ['\\udc80']");
        Path dir = tmp.resolve("fresh");
        Run r = cli("convert", bad.toString(), "--output", dir + "/", "--rows-per-file", "500", "--threads", "2",
                "--rows-per-chunk", "100");
        assertEquals(1, r.exit(), r.err());
        assertEquals(List.of(), listing(dir));
    }

    /**
     * A type that changes after the sampled elements (ints, then a float at 3000): the first attempt
     * stages parts typed int64 and is abandoned; the retry's parts alone are left, all double.
     */
    @Test
    void aSpeculationRetryLeavesOnlyTheRetrysParts() throws Exception {
        Path npy = writeWithNumpy("ints_then_float", "[i for i in range(3000)] + [0.5] + [7] * 10");
        Path reference = tmp.resolve("itf.parquet");
        convert(npy, reference.toString(), "--rows-per-chunk", "500");
        Path dir = tmp.resolve("itf");
        Run r = convert(npy, dir + "/", "--rows-per-file", "500", "--rows-per-chunk", "500");
        assertTrue(r.out().contains(" as double "), r.out());
        assertEquals(parts(7, "parquet"), listing(dir));
        checkWithPyarrow("parquet", dir, 500, reference, npy, true);
    }

    /**
     * A rerun replaces the whole dataset: fewer parts remove the extra old ones, another format
     * removes the other format's parts; files that are not parts stay (named with {@code _}, which
     * pyarrow.dataset skips, so the directory still reads as the dataset).
     */
    @Test
    void aRerunReplacesEveryPartOfTheEarlierDataset() throws Exception {
        Path npy = fixture("count_2001.npy");
        String index = tmp.resolve("c.npyidx").toString();
        Path dir = Files.createDirectories(tmp.resolve("rerun"));
        Files.writeString(dir.resolve("_README.txt"), "mine");
        convert(npy, dir.toString(), "--rows-per-file", "100", "--index", index); // an existing directory, no slash
        assertEquals(21, listing(dir).stream().filter(n -> n.startsWith("part-")).count());
        convert(npy, dir + "/", "--rows-per-file", "1000", "--index", index);
        List<String> expected = new ArrayList<>(parts(3, "parquet"));
        expected.add("_README.txt");
        expected.sort(null);
        assertEquals(expected, listing(dir));
        checkWithPyarrow("parquet", dir, 1000, converted(npy), npy, true);
        convert(npy, dir + "/", "--rows-per-file", "1500", "--format", "arrow", "--index", index);
        expected = new ArrayList<>(parts(2, "arrow"));
        expected.add("_README.txt");
        expected.sort(null);
        assertEquals(expected, listing(dir));
        assertEquals("mine", Files.readString(dir.resolve("_README.txt")));
    }

    /** Without --rows-per-file a directory output holds every row in part-00000. */
    @Test
    void aDirectoryWithoutRowsPerFileGetsOnePart() throws Exception {
        Path npy = fixture("count_2001.npy");
        Path dir = tmp.resolve("one");
        Run r = convert(npy, dir + "/", "--index", tmp.resolve("c.npyidx").toString(), "--rows-per-chunk", "100");
        assertTrue(r.out().contains("converted 2001 rows") && r.out().contains("(1 part)") && r.out().contains("21 row groups"),
                r.out());
        assertEquals(parts(1, "parquet"), listing(dir));
        assertEquals("{\"parts\": 1, \"rows\": 2001, \"rows_per_file\": null, \"format\": \"parquet\",",
                Files.readString(dir.resolve("_SUCCESS")).substring(0, 70));
    }

    @Test
    void usageErrors() throws Exception {
        Path npy = fixture("count_2001.npy");
        Path file = tmp.resolve("out.parquet");
        Run r = cli("convert", npy.toString(), "--output", file.toString(), "--rows-per-file", "10");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--rows-per-file needs a dataset directory"), r.err());
        assertTrue(Files.notExists(file));
        r = cli("convert", npy.toString(), "--output", tmp.resolve("d") + "/", "--rows-per-file", "0");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--rows-per-file must be at least 1"), r.err());
        assertTrue(Files.notExists(tmp.resolve("d")));
        // A trailing slash on an existing file: a run failure, one error line.
        Files.writeString(file, "x");
        r = cli("convert", npy.toString(), "--output", file + "/", "--rows-per-file", "10");
        assertEquals(1, r.exit(), r.err());
        assertEquals("error: not a directory: " + file, r.err().strip());
    }
}
