package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.indexer.NpyObjectArray;

/**
 * Parquet row groups encoded in the workers ({@link ParquetSink#encode}) and the bulk PLAIN pages
 * ({@link BulkPageEncoder}): the bulk pages are taken for strings, binary, signed ints, floats and
 * lists of numbers, and hold exactly what parquet-java's column writers write (pyarrow: equal
 * tables, row groups, statistics; page indexes present; DuckDB: the same rows, and a filter on the
 * page statistics); the file does not depend on the thread count; levels are parquet-java's bytes.
 */
class ParquetBulkPagesTest {
    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        ParquetSink.bulkPages = true;
        ParquetSink.dictionaryProbe = true;
    }

    /** Row groups written leaf by leaf ({@link RowGroupEncoder}) by the last {@link #convert} call. */
    private static long leafGroups;

    @Test
    void levelsAreTheBytesParquetJavaWrites() throws Exception {
        Random random = new Random(7);
        LevelEncoder reused = new LevelEncoder(1);
        // Level widths, and dictionary id widths (0 for a one-entry dictionary, up to 17 bits).
        for (int maxLevel : new int[] {1, 2, 3, 5, 0, 63, 200, 1000, 100_000}) {
            for (int trial = 0; trial < 300; trial++) {
                LevelEncoder ours = maxLevel > 5 || maxLevel == 0 ? reused : new LevelEncoder(maxLevel);
                if (ours == reused) {
                    ours.reset(maxLevel);
                }
                int width = 32 - Integer.numberOfLeadingZeros(maxLevel);
                try (RunLengthBitPackingHybridEncoder theirs = new RunLengthBitPackingHybridEncoder(width, 64, 1 << 20,
                        HeapByteBufferAllocator.getInstance())) {
                    int runs = random.nextInt(60);
                    for (int k = 0; k < runs; k++) {
                        int level = random.nextInt(maxLevel + 1);
                        // Mostly short runs (bit-packed groups, the 63-group limit), some long ones (RLE).
                        int count = random.nextInt(4) == 0 ? random.nextInt(3000) : 1 + random.nextInt(9);
                        if (random.nextBoolean()) {
                            ours.run(level, count);
                        } else {
                            for (int j = 0; j < count; j++) {
                                ours.add(level);
                            }
                        }
                        for (int j = 0; j < count; j++) {
                            theirs.writeInt(level);
                        }
                    }
                    ours.finish();
                    byte[] want = theirs.toBytes().toByteArray();
                    byte[] got = java.util.Arrays.copyOf(ours.bytes(), ours.size());
                    assertArrayEquals(want, got, "max level " + maxLevel + ", trial " + trial);
                }
            }
        }
    }

    /** Converts with the bulk pages on or off; the row groups written from bulk pages, or -1 when Parquet refuses the column. */
    private static long convert(Path npy, Path out, boolean bulk, ConvertOptions options) throws IOException {
        ParquetSink.bulkPages = bulk;
        long before = ParquetSink.BULK_ROW_GROUPS.sum();
        long leafBefore = ParquetSink.LEAF_ROW_GROUPS.sum();
        leafGroups = 0;
        try (BufferAllocator allocator = new RootAllocator(); NpyObjectArray array = NpyObjectArray.open(npy)) {
            ChunkedOutput.convert(array, out, options, allocator);
            leafGroups = ParquetSink.LEAF_ROW_GROUPS.sum() - leafBefore;
            return ParquetSink.BULK_ROW_GROUPS.sum() - before;
        } catch (UnsupportedInputException e) {
            return -1;
        } finally {
            ParquetSink.bulkPages = true;
        }
    }

    @Test
    void bulkPagesHoldWhatTheColumnWritersWriteForEveryObjectFixture() throws Exception {
        List<String> pairs = new ArrayList<>();
        for (Path fixture : ConvertPipelineTest.objectFixtures()) {
            Path dir = Files.createDirectories(tmp.resolve(fixture.getParent().getFileName() + "-" + fixture.getFileName()));
            Path npy = Files.copy(fixture, dir.resolve(fixture.getFileName()));
            for (Compression c : List.of(Compression.NONE, Compression.ZSTD)) {
                ConvertOptions options = ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(7).withThreads(1)
                        .withOnMixed(OnMixed.JSON).withCompression(c).withVersion("test");
                Path fast = dir.resolve(c + ".bulk.parquet");
                Path slow = dir.resolve(c + ".writers.parquet");
                long groups = convert(npy, fast, true, options);
                long none = convert(npy, slow, false, options);
                assertEquals(groups == -1, none == -1, "both refuse or neither: " + npy);
                assertTrue(none <= 0, "no bulk pages when off: " + npy);
                if (groups > 0) {
                    pairs.add(fast.toString());
                    pairs.add(slow.toString());
                }
            }
        }
        assertTrue(pairs.size() / 2 >= 20, "bulk pages taken for " + pairs.size() / 2 + " conversions");
        BulkParquetTest.duckdbReadsTheSameRows(pairs);
        pyarrowReadsTheSameFiles(pairs);
    }

    /** An object array written by NumPy; {@code values} is a Python expression for the list of elements. */
    private Path generated(String name, String values) throws Exception {
        return Python.saveObjectArray(tmp.resolve(name).resolve(name + ".npy"), values);
    }

    /**
     * Columns big enough for many pages per row group and several row groups (page row limit, page
     * byte limit, nulls, empty lists, NaN, -0.0): bulk pages equal the column writers' output in
     * pyarrow and DuckDB, a DuckDB filter over the page statistics finds the right rows, and the
     * files for 1 and 3 threads are byte for byte the same.
     */
    @Test
    void bigColumnsAcrossPagesAndRowGroupsAndThreadCounts() throws Exception {
        String[] cases = {
            "[None if i % 101 == 0 else 'v%07d-%s' % (i, 'x' * (i % 13)) for i in range(120_000)]",
            "[None if i % 97 == 0 else ('%d' % i).encode() * (i % 5) for i in range(60_000)]",
            // Pages of one 5 MB value: copied value by value, zstd streamed, statistics on views
            "[rng.bytes(5_000_000) if i % 10 == 0 else rng.bytes(i % 50) for i in range(40)]",
            // One 8-byte prefix for all, NULs after it: min/max need the full comparison
            "['abcdefgh' + '\\x00' * (i % 3) + str(i * 7919 % 30_011) for i in range(30_000)] + ['abcdefgh', 'abcdefg', '']",
            "[None if i % 89 == 0 else np.zeros(0, 'f4') if i % 83 == 0 else rng.standard_normal(i % 700).astype('f4') for i in range(3_000)]",
            "[np.array([np.nan, -0.0, 0.0, i], 'f8') if i % 50 == 0 else rng.standard_normal(i % 300) for i in range(4_000)]",
            // No NaN, min at ±0: the minimum is -0.0 in parquet-java's order
            "[np.concatenate([[0.0, -0.0], np.abs(rng.standard_normal(10))]) for i in range(20_000)]",
            "[np.concatenate([[-0.0, 0.0], np.abs(rng.standard_normal(10))]).astype('f4') for i in range(20_000)]",
            // Values that rarely repeat in a page: a dictionary does not pay (np.arange(i % 40) would
            // keep one, and so would a page of 260,000 random int16: no bulk pages for those).
            "[rng.integers(-2**31, 2**31 - 1, i % 40).astype('<i4') for i in range(20_000)]",
            "[rng.integers(-30_000, 30_000, i % 40).astype('i2') for i in range(400)]",
            "[np.arange(-100, 100, dtype='i1'), None, np.arange(126, 99, -1, dtype='i1')]",
            "[rng.integers(-2**62, 2**62, i % 300).astype('>i8') for i in range(5_000)]",
            "[int(i * 7919 % 100_003) - 50_000 for i in range(70_000)]",
            "[float(i) / 3 for i in range(70_000)] + [float('nan'), -0.0]",
        };
        List<String> pairs = new ArrayList<>();
        int k = 0;
        for (String values : cases) {
            Path npy = generated("big" + k++, values);
            ConvertOptions options = ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(30_000).withVersion("test")
                    .withCompression(Compression.ZSTD);
            Path one = npy.resolveSibling("t1.parquet");
            Path three = npy.resolveSibling("t3.parquet");
            Path slow = npy.resolveSibling("writers.parquet");
            assertTrue(convert(npy, one, true, options.withThreads(1)) > 0, "bulk pages taken: " + values);
            assertTrue(convert(npy, three, true, options.withThreads(3)) > 0, values);
            assertEquals(0, convert(npy, slow, false, options.withThreads(2)), values);
            assertEquals(-1, Files.mismatch(one, three), "1 and 3 threads: " + values);
            pairs.add(one.toString());
            pairs.add(slow.toString());
        }
        BulkParquetTest.duckdbReadsTheSameRows(pairs);
        pyarrowReadsTheSameFiles(pairs);
        // The page statistics and offset index at work: a range filter over a string column.
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), min(value), max(value) FROM read_parquet('"
                     + pairs.get(0).replace("'", "''") + "') WHERE value BETWEEN 'v0050000' AND 'v0050999~'")) {
            rs.next();
            assertEquals(1000 - 9, rs.getLong(1)); // 50000..50999 less the nulls, multiples of 101 (50096..50904)
            assertTrue(rs.getString(2).startsWith("v0050000"), rs.getString(2));
            assertTrue(rs.getString(3).startsWith("v0050999"), rs.getString(3));
        }
    }

    /**
     * The dictionary decision: a column of few distinct strings keeps parquet-java's dictionary (no
     * bulk pages), a column of distinct ones gets bulk PLAIN pages; both read back the same.
     */
    @Test
    void repetitiveColumnsKeepTheDictionary() throws Exception {
        Path few = generated("few", "[('red', 'green', 'blue')[i % 3] for i in range(50_000)]");
        Path nums = generated("nums", "[np.arange(i % 4, dtype='f8') for i in range(50_000)]");
        Path many = generated("many", "['s%d' % (i * 7919 % 1_000_003) for i in range(50_000)]");
        ConvertOptions options = ConvertOptions.of(OutputFormat.PARQUET).withVersion("test").withThreads(2);
        assertEquals(0, convert(few, few.resolveSibling("o.parquet"), true, options));
        assertEquals(0, convert(nums, nums.resolveSibling("o.parquet"), true, options));
        assertTrue(convert(many, many.resolveSibling("o.parquet"), true, options) > 0);
        Path script = tmp.resolve("dict.py");
        Files.writeString(script, String.join("\n",
                "import sys, pyarrow.parquet as pq",
                "for p in sys.argv[1:]:",
                "    md = pq.ParquetFile(p).metadata",
                "    print(p.split('/')[-2], all(md.row_group(g).column(0).has_dictionary_page for g in range(md.num_row_groups)))", ""));
        Python.Result r = Python.run(Python.interpreter(), script.toString(), few.resolveSibling("o.parquet").toString(),
                nums.resolveSibling("o.parquet").toString(), many.resolveSibling("o.parquet").toString());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("few True") && r.output().contains("nums True") && r.output().contains("many False"),
                r.output());
    }

    /**
     * The dictionary probe before the column writers: for dicts of unique names and random scores
     * it turns the dictionary off where parquet-java drops it after the first page anyway, so the
     * file is byte for byte the one written without the probe; over the fixture corpus the values
     * and statistics are the same with and without it.
     */
    @Test
    void theDictionaryProbeOnlySkipsDictionariesParquetJavaWouldDrop() throws Exception {
        Path npy = generated("dicts", "[{'id': i, 'name': 'n%x' % (i * 2654435761 % 2**32), 'score': float(rng.standard_normal()),"
                + " 'tags': ['t%d' % (i % 7)] * (i % 3)} for i in range(60_000)]");
        ConvertOptions options = ConvertOptions.of(OutputFormat.PARQUET).withVersion("test").withThreads(2);
        long before = ParquetSink.PLAIN_ONLY_CHUNKS.sum();
        // The column writers' route (dicts take the leaf pages otherwise).
        convert(npy, npy.resolveSibling("probe.parquet"), false, options);
        assertTrue(ParquetSink.PLAIN_ONLY_CHUNKS.sum() - before >= 3, "id, name and score of the one row group");
        ParquetSink.dictionaryProbe = false;
        convert(npy, npy.resolveSibling("writers.parquet"), false, options);
        assertEquals(-1, Files.mismatch(npy.resolveSibling("probe.parquet"), npy.resolveSibling("writers.parquet")));
        List<String> pairs = new ArrayList<>();
        for (Path fixture : ConvertPipelineTest.objectFixtures()) {
            Path dir = Files.createDirectories(tmp.resolve("probe-" + fixture.getParent().getFileName() + "-" + fixture.getFileName()));
            Path copy = Files.copy(fixture, dir.resolve(fixture.getFileName()));
            ConvertOptions small = ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(7).withThreads(1)
                    .withOnMixed(OnMixed.JSON).withVersion("test");
            ParquetSink.dictionaryProbe = true;
            if (convert(copy, dir.resolve("probe.parquet"), false, small) < 0) {
                continue;
            }
            ParquetSink.dictionaryProbe = false;
            convert(copy, dir.resolve("writers.parquet"), false, small);
            pairs.add(dir.resolve("probe.parquet").toString());
            pairs.add(dir.resolve("writers.parquet").toString());
        }
        ParquetSink.dictionaryProbe = true;
        assertTrue(pairs.size() / 2 > 100, "compared " + pairs.size() / 2);
        pyarrowReadsTheSameFiles(pairs);
    }

    /** With 2 threads the row groups are encoded on the producer's workers, not on the writing thread. */
    @Test
    void rowGroupsAreEncodedInTheWorkers() throws Exception {
        Path npy = generated("workers", "[{'id': i, 'tags': ['a'] * (i % 3)} for i in range(20_000)]");
        long before = ParquetSink.WORKER_ROW_GROUPS.sum();
        convert(npy, npy.resolveSibling("o.parquet"), true, ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(1000)
                .withThreads(2).withVersion("test"));
        assertEquals(20, ParquetSink.WORKER_ROW_GROUPS.sum() - before);
    }

    /**
     * Struct and list columns encoded leaf by leaf ({@link RowGroupEncoder}): nulls at every level
     * (a null dict, a missing key, a None value, a None list, an empty list, a None list item),
     * structs in structs with lists inside, lists of numbers and of strings in structs, top-level
     * lists of strings, chunks where a field is null throughout or every list empty, dictionaries
     * kept and dropped. The leaf pages are taken for every row group, the files equal the column
     * writers' in pyarrow (whole file and row group by row group, statistics) and DuckDB, and the
     * file does not depend on the thread count.
     */
    @Test
    void structAndListColumnsTakeLeafPagesAndHoldWhatTheColumnWritersWrite() throws Exception {
        String[] cases = {
            // The dicts bench shape, with nulls everywhere
            "[None if i % 97 == 0 else {'id': None if i % 31 == 0 else i, 'name': 'n%x' % (i * 2654435761 % 2**32),"
                    + " 'score': float(rng.standard_normal()) if i % 13 else None,"
                    + " 'tags': None if i % 17 == 0 else [None if (i + j) % 11 == 0 else 't%d' % ((i * j) % 40) for j in range(i % 4)]}"
                    + " for i in range(50_000)]",
            // Missing keys (null fields), empty dicts (all fields null), a field null for whole chunks
            "[{} if i % 50 == 0 else {'a': i} if i % 7 else {'a': -i, 'b': 'x' * (i % 5)} for i in range(30_000)]"
                    + " + [{'a': None, 'b': None}] * 5000",
            // Structs in structs, lists inside them, lists of numbers
            "[{'outer': None if i % 23 == 0 else {'inner': None if i % 5 == 0 else {'v': float(i) / 7, 'w': [i, -i] * (i % 3)},"
                    + " 'label': 'L%d' % (i % 9)}, 'xs': None if i % 19 == 0 else [float(j) for j in range(i % 6)]} for i in range(40_000)]",
            // Top-level lists of strings (no BulkPageEncoder shape): dictionary, then distinct
            "[None if i % 29 == 0 else ['red', 'green', None, 'blue'][: i % 5] for i in range(40_000)]",
            "[['s%d' % (i * 7919 + j) for j in range(i % 3)] for i in range(40_000)]",
            // Every list empty in a chunk, strings that repeat a little (dictionary dropped on the first page)
            "[{'k': [], 'n': i % 3} for i in range(30_000)] + [{'k': ['a' * (i % 300)], 'n': i} for i in range(30_000)]",
        };
        List<String> pairs = new ArrayList<>();
        int k = 0;
        for (String values : cases) {
            Path npy = generated("nested" + k++, values);
            ConvertOptions options = ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(30_000).withVersion("test")
                    .withCompression(Compression.ZSTD);
            Path one = npy.resolveSibling("t1.parquet");
            Path three = npy.resolveSibling("t3.parquet");
            Path slow = npy.resolveSibling("writers.parquet");
            long groups = convert(npy, one, true, options.withThreads(1));
            assertTrue(groups > 0 && leafGroups == groups, "leaf pages for every row group (" + leafGroups + " of " + groups + "): " + values);
            convert(npy, three, true, options.withThreads(3));
            assertEquals(0, convert(npy, slow, false, options.withThreads(2)), values);
            assertEquals(-1, Files.mismatch(one, three), "1 and 3 threads: " + values);
            pairs.add(one.toString());
            pairs.add(slow.toString());
        }
        BulkParquetTest.duckdbReadsTheSameRows(pairs);
        pyarrowReadsTheSameFiles(pairs);
        pyarrowReadsTheSameRowGroups(pairs);
    }

    /**
     * The dicts bench shape (1,000 tags, unique names, random scores) over several row groups: leaf
     * pages for every row group, a dictionary for {@code tags} and none for the other leaves, as the
     * column writers decide; with a compression codec each.
     */
    @Test
    void theDictsShapeTakesLeafPagesWithTheColumnWritersDictionaries() throws Exception {
        Path npy = generated("dictshape", "[{'id': i, 'name': ''.join(chr(97 + int(c)) for c in rng.integers(0, 26, 3 + i % 6)),"
                + " 'score': float(rng.standard_normal()), 'tags': ['tag-%d' % t for t in rng.integers(0, 50, i % 5)]}"
                + " for i in range(100_000)]");
        List<String> pairs = new ArrayList<>();
        for (Compression c : List.of(Compression.ZSTD, Compression.SNAPPY, Compression.NONE)) {
            ConvertOptions options = ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(65_536).withVersion("test")
                    .withThreads(2).withCompression(c);
            Path fast = npy.resolveSibling(c + ".leaf.parquet");
            Path slow = npy.resolveSibling(c + ".writers.parquet");
            assertEquals(2, convert(npy, fast, true, options));
            assertEquals(2, leafGroups);
            assertEquals(0, convert(npy, slow, false, options));
            pairs.add(fast.toString());
            pairs.add(slow.toString());
        }
        BulkParquetTest.duckdbReadsTheSameRows(pairs);
        pyarrowReadsTheSameFiles(pairs);
        Path script = tmp.resolve("dictpages.py");
        Files.writeString(script, String.join("\n",
                "import sys, pyarrow.parquet as pq",
                "for p in sys.argv[1:]:",
                "    md = pq.ParquetFile(p).metadata",
                "    print([[md.row_group(g).column(c).has_dictionary_page for c in range(md.num_columns)] for g in range(md.num_row_groups)])",
                ""));
        Python.Result r = Python.run(Python.interpreter(), script.toString(), pairs.get(0), pairs.get(1));
        assertEquals(0, r.exit(), r.output());
        String want = "[[False, False, False, True], [False, False, False, True]]";
        assertEquals(want + "\n" + want, r.output().strip(), "tags alone keeps a dictionary, in both files");
    }

    /**
     * A dictionary that passes 1 MiB after the first page: parquet-java falls back to PLAIN from
     * that page on, and so do the leaf pages (dictionary pages first, then PLAIN, in one chunk);
     * the values read back the same.
     */
    @Test
    void aDictionaryPastItsLimitFallsBackToPlainFromThatPage() throws Exception {
        Path npy = generated("overflow", "[{'s': 'few%d' % (i % 4) if i < 25_000 else 'many-%d-%s' % (i, 'y' * 60)} for i in range(60_000)]");
        ConvertOptions options = ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(60_000).withVersion("test").withThreads(1);
        Path fast = npy.resolveSibling("leaf.parquet");
        Path slow = npy.resolveSibling("writers.parquet");
        assertEquals(1, convert(npy, fast, true, options));
        assertEquals(1, leafGroups);
        assertEquals(0, convert(npy, slow, false, options));
        List<String> pairs = List.of(fast.toString(), slow.toString());
        BulkParquetTest.duckdbReadsTheSameRows(pairs);
        pyarrowReadsTheSameFiles(pairs);
        Path script = tmp.resolve("fallback.py");
        Files.writeString(script, String.join("\n",
                "import sys, pyarrow.parquet as pq",
                "for p in sys.argv[1:]:",
                "    c = pq.ParquetFile(p).metadata.row_group(0).column(0)",
                "    print(c.has_dictionary_page, sorted(c.encodings))",
                ""));
        Python.Result r = Python.run(Python.interpreter(), script.toString(), fast.toString(), slow.toString());
        assertEquals(0, r.exit(), r.output());
        String want = "True ['BIT_PACKED', 'PLAIN', 'PLAIN_DICTIONARY', 'RLE']";
        assertEquals(want + "\n" + want, r.output().strip());
    }

    /** pyarrow reads each row group of both files on its own ({@code read_row_group}) with equal values. */
    private void pyarrowReadsTheSameRowGroups(List<String> pairs) throws Exception {
        Path script = tmp.resolve("groups.py");
        Files.writeString(script, String.join("\n",
                "import sys, pyarrow.parquet as pq",
                "args = sys.argv[1:]",
                "bad = 0",
                "def key(v):",
                "    if isinstance(v, float): return ('f', repr(v))",
                "    if isinstance(v, list): return [key(x) for x in v]",
                "    if isinstance(v, dict): return {k: key(x) for k, x in v.items()}",
                "    return v",
                "for fast, slow in zip(args[0::2], args[1::2]):",
                "    a, b = pq.ParquetFile(fast), pq.ParquetFile(slow)",
                "    for g in range(a.metadata.num_row_groups):",
                "        ga, gb = a.read_row_group(g), b.read_row_group(g)",
                "        if [key(v) for v in ga.column(0).to_pylist()] != [key(v) for v in gb.column(0).to_pylist()]:",
                "            bad += 1",
                "            print('FAIL', fast, 'row group', g)",
                "print(f'{bad} row groups differ')",
                "sys.exit(1 if bad else 0)", ""));
        List<String> args = new ArrayList<>();
        args.add(script.toString());
        args.addAll(pairs);
        Python.Result r = Python.run(Python.interpreter(), args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("0 row groups differ"), r.output());
    }

    /**
     * pyarrow: same schema and metadata, the same values (as Python objects, so NaN equals NaN and
     * -0.0 differs from 0.0), the same row groups with the same statistics, and a column and
     * offset index on every column chunk of the bulk file.
     */
    private void pyarrowReadsTheSameFiles(List<String> pairs) throws Exception {
        Path python = Python.interpreter();
        assumeTrue(python != null, "no Python venv with pyarrow (tools/setup-python.sh)");
        Path script = tmp.resolve("compare.py");
        Files.writeString(script, String.join("\n",
                "import sys, math, pyarrow.parquet as pq",
                "args = sys.argv[1:]",
                "bad = 0",
                "def key(v):",
                "    if isinstance(v, float): return ('f', repr(v))",
                "    if isinstance(v, list): return [key(x) for x in v]",
                "    if isinstance(v, dict): return {k: key(x) for k, x in v.items()}",
                "    return v",
                "for fast, slow in zip(args[0::2], args[1::2]):",
                "    a, b = pq.ParquetFile(fast), pq.ParquetFile(slow)",
                "    ta, tb = a.read(), b.read()",
                "    problems = []",
                "    if not ta.schema.equals(tb.schema, check_metadata=True): problems.append('schemas differ')",
                "    if [key(v) for v in ta.column(0).to_pylist()] != [key(v) for v in tb.column(0).to_pylist()]: problems.append('values differ')",
                "    ma, mb = a.metadata, b.metadata",
                "    if ma.num_row_groups != mb.num_row_groups: problems.append('row groups')",
                "    for g in range(min(ma.num_row_groups, mb.num_row_groups)):",
                "        if ma.row_group(g).num_rows != mb.row_group(g).num_rows: problems.append(f'rows of group {g}')",
                "        for c in range(ma.num_columns):",
                "            ca, cb = ma.row_group(g).column(c), mb.row_group(g).column(c)",
                "            if not (ca.has_column_index and ca.has_offset_index): problems.append(f'page index of group {g}')",
                "            sa, sb = ca.statistics, cb.statistics",
                "            fa = (sa.null_count, sa.has_min_max, repr(sa.min) if sa.has_min_max else None, repr(sa.max) if sa.has_min_max else None)",
                "            fb = (sb.null_count, sb.has_min_max, repr(sb.min) if sb.has_min_max else None, repr(sb.max) if sb.has_min_max else None)",
                "            if fa != fb: problems.append(f'statistics of group {g}: {fa} != {fb}')",
                "            if ca.num_values != cb.num_values: problems.append(f'values of group {g}')",
                "            if ca.compression != cb.compression: problems.append('codec')",
                "    if problems:",
                "        bad += 1",
                "        print('FAIL', fast, problems[:5])",
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
