package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.converter.arrow.RawColumns;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.indexer.NpyRawArray;

/**
 * The bulk path for numeric arrays to uncompressed Arrow IPC ({@link BulkIpcConversion}, docs/numeric.md
 * "Speed"): it is taken exactly where it should be, its files are byte-for-byte those of the vector
 * path for every non-object fixture (both byte orders, every int/float width, 0-d, empty, tensors,
 * several batches with a short last one), pyarrow reads them as NumPy's values, and its memory does
 * not grow with the input.
 */
class BulkIpcTest {
    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        BulkIpcConversion.enabled = true;
    }

    private static Stream<Path> rawFixtures() {
        return FixtureCorpus.npyFiles().stream().filter(p -> !FixtureCorpus.expected(p).path("object").asBoolean());
    }

    private static ConvertOptions none(int rowsPerChunk) {
        return ConvertOptions.of(OutputFormat.ARROW).withCompression(Compression.NONE).withRowsPerChunk(rowsPerChunk)
                .withVersion("test");
    }

    /** Converts with the bulk path on or off; the batches the bulk path wrote, or -1 for a refusal. */
    private static long convert(Path npy, Path out, boolean bulk, ConvertOptions options) throws IOException {
        BulkIpcConversion.enabled = bulk;
        long before = BulkIpcConversion.BATCHES.sum();
        try (BufferAllocator allocator = new RootAllocator(); NpyRawArray array = NpyRawArray.open(npy)) {
            RawConversion.convert(array, out, options, allocator);
            return BulkIpcConversion.BATCHES.sum() - before;
        } catch (NpyconvException e) {
            return -1;
        } finally {
            BulkIpcConversion.enabled = true;
        }
    }

    /** Whether {@code npy} should take the bulk path: one int/float column, C order. */
    private static boolean qualifies(Path npy) throws IOException {
        try (NpyRawArray array = NpyRawArray.open(npy)) {
            return !array.fortranOrder() && RawColumns.of(array.itemDtype(), array.shape()).bulk() != null;
        } catch (NpyconvException e) {
            return false;
        }
    }

    @Test
    void bulkFilesAreByteForByteTheVectorPathsForEveryFixture() throws Exception {
        int bulk = 0;
        int bigEndian = 0;
        int tensors = 0;
        List<Map<String, String>> manifest = new ArrayList<>();
        for (Path fixture : rawFixtures().toList()) {
            String name = fixture.getParent().getFileName() + "-" + fixture.getFileName();
            Path fast = tmp.resolve(name + ".bulk.arrow");
            Path vectors = tmp.resolve(name + ".vectors.arrow");
            long batches = convert(fixture, fast, true, none(2));
            long none = convert(fixture, vectors, false, none(2));
            assertTrue(none <= 0, "the vector path writes no bulk batches: " + name);
            assertEquals(batches == -1, none == -1, "both refuse or neither: " + name);
            if (batches == -1) {
                continue;
            }
            assertEquals(-1, Files.mismatch(fast, vectors), "bulk vs vectors: " + name);
            // zstd: chunks compressed on 3 threads, written in order, the same bytes as the vector path.
            Path fastZstd = tmp.resolve(name + ".bulk.zstd.arrow");
            Path vectorsZstd = tmp.resolve(name + ".vectors.zstd.arrow");
            assertEquals(batches, convert(fixture, fastZstd, true, none(2).withCompression(Compression.ZSTD).withThreads(3)));
            convert(fixture, vectorsZstd, false, none(2).withCompression(Compression.ZSTD));
            assertEquals(-1, Files.mismatch(fastZstd, vectorsZstd), "zstd bulk vs vectors: " + name);
            boolean qualifies = qualifies(fixture);
            assertEquals(qualifies, batches > 0, "bulk path taken exactly for int/float columns in C order: " + name);
            if (qualifies) {
                bulk++;
                String descr = FixtureCorpus.expected(fixture).path("header").path("descr").asText();
                bigEndian += descr.startsWith(">") ? 1 : 0;
                try (NpyRawArray array = NpyRawArray.open(fixture)) {
                    tensors += array.shape().length > 1 ? 1 : 0;
                    long rows = array.shape().length == 0 ? 1 : array.shape()[0];
                    assertEquals(Math.max(1, (rows + 1) / 2), batches, name);
                }
                Map<String, String> entry = new LinkedHashMap<>();
                entry.put("name", name);
                entry.put("source", fixture.toAbsolutePath().toString());
                entry.put("fixture_json", fixture.resolveSibling(fixture.getFileName() + ".json").toAbsolutePath().toString());
                entry.put("arrow", fast.toString());
                manifest.add(entry);
            }
        }
        assertTrue(bulk >= 20 && bigEndian >= 2 && tensors >= 2,
                "bulk fixtures " + bulk + ", big-endian " + bigEndian + ", n-d " + tensors);
        pyarrowReadsNumpysValues(manifest);
    }

    /** tools/check_arrow.py (check_raw): the bulk outputs against pa.array / from_numpy_ndarray of np.load. */
    private void pyarrowReadsNumpysValues(List<Map<String, String>> manifest) throws Exception {
        Path python = Python.interpreter();
        Assumptions.assumeTrue(python != null, "no Python venv with pyarrow (tools/setup-python.sh)");
        Files.writeString(tmp.resolve("manifest.json"), FixtureCorpus.JSON.writeValueAsString(manifest));
        Python.Result r = Python.run(python, Python.script("check_arrow.py").toString(), tmp.toString());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains(manifest.size() + " passed, 0 failed"), r.output());
    }

    @Test
    void takenForArrowOfIntsAndFloatsOnly() throws Exception {
        Path f8 = npy(tmp.resolve("f8.npy"), "<f8", 1000, 8);
        assertEquals(4, convert(f8, tmp.resolve("a.arrow"), true, none(300)));
        assertEquals(4, convert(f8, tmp.resolve("b.arrow"), true, none(300).withCompression(Compression.ZSTD)));
        assertEquals(0, convert(f8, tmp.resolve("c.parquet"), true, ConvertOptions.of(OutputFormat.PARQUET)
                .withCompression(Compression.NONE)));
        assertEquals(0, convert(f8, tmp.resolve("d.arrow"), false, none(300)));
        Path dates = npy(tmp.resolve("m8.npy"), "<M8[us]", 10, 8);
        assertEquals(0, convert(dates, tmp.resolve("e.arrow"), true, none(300)));
        Path bigEndian = npy(tmp.resolve("i4.npy"), ">i4", 10, 4);
        assertEquals(1, convert(bigEndian, tmp.resolve("f.arrow"), true, none(300)));
    }

    @Test
    void arrowMemoryStaysAtOneChunkWhateverTheInputSize() throws Exception {
        // 4,000,000 doubles (32 MB): the bulk path holds one chunk's validity and values buffers.
        Path f8 = npy(tmp.resolve("big.npy"), "<f8", 4_000_000, 8);
        Path out = tmp.resolve("big.arrow");
        try (BufferAllocator allocator = new RootAllocator(2L << 20); NpyRawArray array = NpyRawArray.open(f8)) {
            ConversionSummary s = RawConversion.convert(array, out, none(ConvertOptions.DEFAULT_ROWS_PER_CHUNK), allocator);
            assertEquals(62, s.chunks());
            assertTrue(allocator.getPeakMemoryAllocation() <= 1L << 20, "peak " + allocator.getPeakMemoryAllocation());
        }
        readsBackAsWritten(out);
        // zstd on 2 threads: at most 2 chunks in flight, each 512 KiB of values and their compressed copy.
        try (BufferAllocator allocator = new RootAllocator(8L << 20); NpyRawArray array = NpyRawArray.open(f8)) {
            ConversionSummary s = RawConversion.convert(array, out, none(ConvertOptions.DEFAULT_ROWS_PER_CHUNK)
                    .withCompression(Compression.ZSTD).withThreads(2), allocator);
            assertEquals(62, s.chunks());
            assertTrue(allocator.getPeakMemoryAllocation() <= 4L << 20, "peak " + allocator.getPeakMemoryAllocation());
        }
        readsBackAsWritten(out);
    }

    private static void readsBackAsWritten(Path out) throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
             FileChannel in = FileChannel.open(out);
             ArrowFileReader reader = new ArrowFileReader(in, allocator, CommonsCompressionFactory.INSTANCE)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            long row = 0;
            while (reader.loadNextBatch()) {
                Float8Vector v = (Float8Vector) root.getVector(0);
                for (int i = 0; i < root.getRowCount(); i++, row++) {
                    assertEquals((double) row, v.get(i), 0.0);
                }
            }
            assertEquals(4_000_000, row);
        }
    }

    @Test
    void aFailureMidwayLeavesNothing() throws Exception {
        Path f8 = npy(tmp.resolve("f8.npy"), "<f8", 1000, 8);
        Path out = tmp.resolve("out.arrow");
        Files.writeString(out, "previous");
        ConvertOptions failing = none(100).withProgress(done -> {
            if (done > 300) {
                throw new IllegalStateException("stop");
            }
        });
        // The allocators' close() fails on any buffer left behind (also chunks compressed ahead).
        try (BufferAllocator allocator = new RootAllocator(); NpyRawArray array = NpyRawArray.open(f8)) {
            assertThrows(IllegalStateException.class, () -> RawConversion.convert(array, out, failing, allocator));
            assertThrows(IllegalStateException.class, () -> RawConversion.convert(array, out,
                    failing.withCompression(Compression.ZSTD).withThreads(3), allocator));
        }
        assertEquals("previous", Files.readString(out));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("f8.npy", "out.arrow"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** A 1-D {@code .npy} of {@code n} items of {@code descr}: item i holds i (as a double for {@code f8}). */
    static Path npy(Path file, String descr, int n, int width) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + n + ",), }";
        int total = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                .putShort((short) header.length()).flip();
        ByteBuffer data = ByteBuffer.allocate(1 << 16).order(descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(head);
            ch.write(ByteBuffer.wrap(header.getBytes(StandardCharsets.US_ASCII)));
            for (int i = 0; i < n; i++) {
                if (width == 8 && descr.endsWith("f8")) {
                    data.putDouble(i);
                } else if (width == 8) {
                    data.putLong(i);
                } else {
                    data.putInt(i);
                }
                if (!data.hasRemaining() || i == n - 1) {
                    data.flip();
                    while (data.hasRemaining()) {
                        ch.write(data);
                    }
                    data.clear();
                }
            }
        }
        return file;
    }
}
