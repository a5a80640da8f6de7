package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.converter.cli.NpyconvCommand;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.indexer.NpyObjectArray;

/** Chunked outputs read at random: only the record batches / row groups a row range needs. */
class RowRangeTest {
    @TempDir
    Path dir;

    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close(); // fails the test if anything leaked
    }

    /** count_2001: the ints i * i - 500 for i in 0..2000. */
    private Path fixture() {
        return FixtureCorpus.npyFiles().stream().filter(p -> FixtureCorpus.label(p).endsWith("numpy-2.4.6/count_2001.npy"))
                .findFirst().orElseThrow();
    }

    private Path convert(OutputFormat format, String name) throws Exception {
        Path out = dir.resolve(name);
        try (NpyObjectArray array = NpyObjectArray.open(fixture(), NpyObjectArray.Options.defaults()
                .withIndex(dir.resolve("count.npyidx")))) {
            ConversionSummary s = ChunkedOutput.convert(array, out, ConvertOptions.of(format).withRowsPerChunk(100), allocator);
            assertEquals(2001, s.rows());
            assertEquals(21, s.chunks());
        }
        return out;
    }

    @Test
    void arrowRowRangeLoadsOnlyItsBatches() throws Exception {
        Path arrow = convert(OutputFormat.ARROW, "count.arrow");
        try (ChunkedOutput.RowRange r = ChunkedOutput.readRows(arrow, 250, 420, allocator)) {
            assertEquals(List.of(2, 3, 4), r.batchesLoaded());
            assertEquals(170, r.root().getRowCount());
            BigIntVector v = (BigIntVector) r.root().getVector(0);
            for (int i = 0; i < 170; i++) {
                assertEquals((250L + i) * (250L + i) - 500, v.get(i));
            }
        }
        try (ChunkedOutput.RowRange r = ChunkedOutput.readRows(arrow, 2000, 2001, allocator)) {
            assertEquals(List.of(20), r.batchesLoaded());
            assertEquals(2000L * 2000 - 500, ((BigIntVector) r.root().getVector(0)).get(0));
        }
    }

    @Test
    void parquetRowGroupsAreBoundedAndReadSingly() throws Exception {
        Path parquet = convert(OutputFormat.PARQUET, "count.parquet");
        assertEquals(List.of(2, 3, 4), ChunkedOutput.rowGroupsFor(parquet, 250, 420));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            String p = parquet.toString().replace("'", "''");
            try (ResultSet rs = st.executeQuery("SELECT count(DISTINCT row_group_id), max(row_group_num_rows), "
                    + "bool_and(stats_min IS NOT NULL) FROM parquet_metadata('" + p + "')")) {
                rs.next();
                assertEquals(21, rs.getInt(1));
                assertEquals(100, rs.getInt(2));
                assertTrue(rs.getBoolean(3), "statistics in every row group");
            }
            try (ResultSet rs = st.executeQuery("SELECT min(value), max(value), count(*) FROM read_parquet('" + p
                    + "') WHERE value BETWEEN 89500 AND 158701")) {
                rs.next();
                assertEquals(89500, rs.getLong(1));
                assertEquals(158701, rs.getLong(2));
                assertEquals(100, rs.getLong(3));
            }
        }
        Path python = Python.interpreter();
        Assumptions.assumeTrue(python != null, "no Python venv with pyarrow");
        Path script = dir.resolve("rg.py");
        Files.writeString(script, String.join("\n",
                "import sys, pyarrow.parquet as pq",
                "f = pq.ParquetFile(sys.argv[1])",
                "md = f.metadata",
                "assert md.num_row_groups == 21, md.num_row_groups",
                "rg = f.read_row_group(3)",
                "assert rg.column('value').to_pylist() == [i * i - 500 for i in range(300, 400)]",
                "assert str(rg.schema.field('value').type) == 'int64'",
                "col = md.row_group(3).column(0)",
                "assert col.statistics.min == 89500 and col.statistics.max == 158701",
                "assert col.has_column_index and col.has_offset_index, 'page indexes'",
                "meta = f.schema_arrow.metadata",
                "assert meta[b'npy.shape'] == b'[2001]', meta",
                "print('ok')", ""));
        Python.Result r = Python.run(python, script.toString(), parquet.toString());
        assertEquals(0, r.exit(), r.output());
    }

    @Test
    void failedConversionLeavesNoFile() throws Exception {
        Path mixed = FixtureCorpus.npyFiles().stream().filter(p -> FixtureCorpus.label(p).endsWith("numpy-2.4.6/mixed.npy"))
                .findFirst().orElseThrow();
        Path copy = dir.resolve("mixed.npy");
        Files.copy(mixed, copy);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = NpyconvCommand.execute(new String[] {"convert", copy.toString(), "-o", dir.resolve("m.parquet").toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertEquals(1, code, err.toString());
        assertTrue(err.toString().startsWith("error: column value mixes "), err.toString());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("mixed.npy", "mixed.npy.npyidx"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        code = NpyconvCommand.execute(new String[] {"convert", copy.toString(), "-o", dir.resolve("m.parquet").toString(),
            "--on-mixed", "json"}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("converted "), out.toString());
    }
}
