package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.indexer.NpyRawArray;

/**
 * The bulk Parquet path ({@link BulkParquetConversion}, docs/numeric.md "Speed"): taken for 1-D
 * int32/int64/float/double columns in either byte order and for nothing else; for every such fixture
 * its files hold what the record path's hold — pyarrow reads equal tables (schema, metadata, values),
 * the same row groups with the same statistics — and DuckDB reads the same rows.
 */
class BulkParquetTest {
    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        BulkParquetConversion.enabled = true;
    }

    /** Converts with the bulk path on or off; the files the bulk path wrote (0 or 1), or -1 for a refusal. */
    private static long convert(Path npy, Path out, boolean bulk, ConvertOptions options) throws IOException {
        BulkParquetConversion.enabled = bulk;
        long before = BulkParquetConversion.FILES.sum();
        try (BufferAllocator allocator = new RootAllocator(); NpyRawArray array = NpyRawArray.open(npy)) {
            RawConversion.convert(array, out, options, allocator);
            return BulkParquetConversion.FILES.sum() - before;
        } catch (NpyconvException e) {
            return -1;
        } finally {
            BulkParquetConversion.enabled = true;
        }
    }

    private static boolean qualifies(Path npy) {
        String descr = FixtureCorpus.expected(npy).path("header").path("descr").asText();
        int ndim = FixtureCorpus.expected(npy).path("header").path("shape").size();
        boolean fortran = FixtureCorpus.expected(npy).path("header").path("fortran_order").asBoolean();
        return ndim <= 1 && !fortran && descr.matches("[<>=]([if][48])");
    }

    @Test
    void bulkParquetHoldsWhatTheRecordPathWritesForEveryFixture() throws Exception {
        List<String> pairs = new ArrayList<>();
        int bulk = 0;
        int bigEndian = 0;
        for (Path fixture : FixtureCorpus.npyFiles()) {
            if (FixtureCorpus.expected(fixture).path("object").asBoolean()) {
                continue;
            }
            String name = fixture.getParent().getFileName() + "-" + fixture.getFileName();
            for (Compression c : List.of(Compression.NONE, Compression.ZSTD)) {
                ConvertOptions options = ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(2).withCompression(c)
                        .withVersion("test");
                Path fast = tmp.resolve(name + "." + c + ".bulk.parquet");
                Path records = tmp.resolve(name + "." + c + ".records.parquet");
                long files = convert(fixture, fast, true, options);
                long none = convert(fixture, records, false, options);
                assertTrue(none <= 0, "the record path writes no bulk row groups: " + name);
                assertEquals(files == -1, none == -1, "both refuse or neither: " + name);
                if (files == -1) {
                    continue;
                }
                assertEquals(qualifies(fixture), files > 0, "bulk path taken exactly for 1-D i4/i8/f4/f8: " + name);
                if (files > 0) {
                    pairs.add(fast.toString());
                    pairs.add(records.toString());
                    bulk += c == Compression.NONE ? 1 : 0;
                    bigEndian += c == Compression.NONE && FixtureCorpus.expected(fixture).path("header").path("descr")
                            .asText().startsWith(">") ? 1 : 0;
                }
            }
        }
        assertTrue(bulk >= 10 && bigEndian >= 1, "bulk fixtures " + bulk + ", big-endian " + bigEndian);
        duckdbReadsTheSameRows(pairs);
        pyarrowReadsTheSameTables(pairs);
    }

    @Test
    void aFailureMidwayLeavesNothingAndFreesTheWorkers() throws Exception {
        Path f8 = BulkIpcTest.npy(tmp.resolve("f8.npy"), "<f8", 100_000, 8);
        Path out = tmp.resolve("out.parquet");
        Files.writeString(out, "previous");
        for (Compression c : List.of(Compression.NONE, Compression.ZSTD)) {
            ConvertOptions failing = ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(10_000).withCompression(c)
                    .withThreads(3).withProgress(done -> {
                        if (done > 30_000) {
                            throw new IllegalStateException("stop");
                        }
                    });
            long before = BulkParquetConversion.FILES.sum();
            try (BufferAllocator allocator = new RootAllocator(); NpyRawArray array = NpyRawArray.open(f8)) {
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                        () -> RawConversion.convert(array, out, failing, allocator));
            }
            assertEquals(before, BulkParquetConversion.FILES.sum());
            assertEquals("previous", Files.readString(out));
            try (java.util.stream.Stream<Path> files = Files.list(tmp)) {
                assertEquals(List.of("f8.npy", "out.parquet"), files.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("npyconv-pages")
                && t.isAlive() && t.getState() != Thread.State.TERMINATED), "page workers ended");
    }

    /**
     * DuckDB reads each pair of files (bulk, reference) with the same row count and no row of the
     * first missing from the second (EXCEPT ALL).
     */
    static void duckdbReadsTheSameRows(List<String> pairs) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            for (int i = 0; i < pairs.size(); i += 2) {
                String a = pairs.get(i).replace("'", "''");
                String b = pairs.get(i + 1).replace("'", "''");
                try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM read_parquet('" + a + "')), "
                        + "(SELECT count(*) FROM read_parquet('" + b + "')), "
                        + "(SELECT count(*) FROM (SELECT * FROM read_parquet('" + a + "') EXCEPT ALL SELECT * FROM read_parquet('" + b + "')))")) {
                    rs.next();
                    assertEquals(rs.getLong(2), rs.getLong(1), "rows: " + a);
                    assertEquals(0, rs.getLong(3), "rows only in the bulk file: " + a);
                }
            }
        }
    }

    private void pyarrowReadsTheSameTables(List<String> pairs) throws Exception {
        Path python = Python.interpreter();
        Assumptions.assumeTrue(python != null, "no Python venv with pyarrow (tools/setup-python.sh)");
        Path script = tmp.resolve("compare.py");
        Files.writeString(script, String.join("\n",
                "import sys, pyarrow.parquet as pq",
                "args = sys.argv[1:]",
                "bad = 0",
                "for fast, slow in zip(args[0::2], args[1::2]):",
                "    a, b = pq.ParquetFile(fast), pq.ParquetFile(slow)",
                "    ta, tb = a.read(), b.read()",
                "    problems = []",
                "    if not ta.schema.equals(tb.schema, check_metadata=True): problems.append('schemas differ')",
                "    ca, cb = ta.column(0).combine_chunks(), tb.column(0).combine_chunks()",
                "    # Bit for bit (NaN payloads, -0.0): Table.equals would call NaN unequal to itself.",
                "    if ca.null_count or cb.null_count or len(ca) != len(cb): problems.append('nulls or lengths')",
                "    elif ca.to_numpy().tobytes() != cb.to_numpy().tobytes(): problems.append('values differ')",
                "    ma, mb = a.metadata, b.metadata",
                "    if ma.num_row_groups != mb.num_row_groups: problems.append('row groups')",
                "    for g in range(min(ma.num_row_groups, mb.num_row_groups)):",
                "        ca, cb = ma.row_group(g).column(0), mb.row_group(g).column(0)",
                "        if ma.row_group(g).num_rows != mb.row_group(g).num_rows: problems.append(f'rows of group {g}')",
                "        sa, sb = ca.statistics, cb.statistics",
                "        fa = (sa.null_count, sa.has_min_max, repr(sa.min) if sa.has_min_max else None, repr(sa.max) if sa.has_min_max else None)",
                "        fb = (sb.null_count, sb.has_min_max, repr(sb.min) if sb.has_min_max else None, repr(sb.max) if sb.has_min_max else None)",
                "        if fa != fb: problems.append(f'statistics of group {g}: {fa} != {fb}')",
                "        if ca.compression != cb.compression: problems.append('codec')",
                "    if problems:",
                "        bad += 1",
                "        print('FAIL', fast, problems)",
                "print(f'{len(args) // 2 - bad} same, {bad} differ')",
                "sys.exit(1 if bad else 0)", ""));
        List<String> args = new ArrayList<>();
        args.add(script.toString());
        args.addAll(pairs);
        Python.Result r = Python.run(python, args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains(pairs.size() / 2 + " same, 0 differ"), r.output());
    }
}
