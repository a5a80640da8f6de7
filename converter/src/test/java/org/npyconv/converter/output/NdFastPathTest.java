package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.indexer.NpyObjectArray;

/**
 * {@link NdSpans} (1-D numeric ndarray payloads copied from the file) writes exactly the bytes the
 * general evaluator writes: every {@code ragged_*} fixture, plus arrays written on the fly that
 * exercise big-endian dtypes, empty and palindromic first arrays, several chunks and a None, to
 * Arrow IPC and Parquet, fast paths on and off.
 */
class NdFastPathTest {
    @TempDir
    Path tmp;
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        ChunkProducer.fastPaths = true;
        allocator.close();
    }

    private Path convert(Path npy, String out, boolean fast, OutputFormat format, int rows, long maxBytes)
            throws IOException {
        ChunkProducer.fastPaths = fast;
        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            Path output = npy.resolveSibling(out);
            ChunkedOutput.convert(array, output, ConvertOptions.of(format).withRowsPerChunk(rows).withThreads(2)
                    .withMaxChunkBytes(maxBytes).withOnMixed(OnMixed.ERROR).withVersion("test"), allocator);
            return output;
        } catch (UnsupportedInputException e) {
            return null;
        } finally {
            ChunkProducer.fastPaths = true;
        }
    }

    private int compareBothPaths(Path npy, int rows, long maxBytes) throws IOException {
        int compared = 0;
        for (OutputFormat format : OutputFormat.values()) {
            String ext = format == OutputFormat.ARROW ? ".arrow" : ".parquet";
            Path fast = convert(npy, "fast-" + rows + ext, true, format, rows, maxBytes);
            Path slow = convert(npy, "slow-" + rows + ext, false, format, rows, maxBytes);
            assertEquals(fast == null, slow == null, npy.toString());
            if (fast != null) {
                assertEquals(-1, Files.mismatch(fast, slow), "fast vs general path: " + npy + " " + format + " rows " + rows);
                compared++;
            }
        }
        return compared;
    }

    @Test
    void fixturesGiveTheSameBytesWithAndWithoutTheFastPath() throws Exception {
        List<Path> ragged = new ArrayList<>();
        for (Path p : ConvertPipelineTest.objectFixtures()) {
            if (p.getFileName().toString().startsWith("ragged_")) {
                ragged.add(p);
            }
        }
        assertTrue(ragged.size() >= 20, ragged.toString());
        long before = ChunkProducer.ndFastElements.get();
        int compared = 0;
        for (Path fixture : ragged) {
            Path dir = Files.createDirectories(tmp.resolve(fixture.getParent().getFileName() + "-" + fixture.getFileName()));
            Path npy = Files.copy(fixture, dir.resolve(fixture.getFileName()));
            compared += compareBothPaths(npy, 65_536, 64L << 20);
            compared += compareBothPaths(npy, 3, 64L << 20);
        }
        assertTrue(compared >= 40, "compared " + compared);
        assertTrue(ChunkProducer.ndFastElements.get() - before > 50, "the fast path never ran");
    }

    @Test
    void generatedArraysGiveTheSameBytesWithAndWithoutTheFastPath() throws Exception {
        String[] cases = {
            // big-endian, a palindromic (zero) and an empty array first, then long ones (BINBYTES)
            "[np.zeros(3, '>f4'), np.zeros(0, '>f4')] + [np.arange(i * 37, dtype='>f4') for i in range(300)]",
            "[np.arange(i % 50, dtype='<i8') for i in range(3000)] + [None] + [np.arange(5, dtype='<i8')]",
            "[np.arange(i % 7, dtype='>u2') for i in range(900)]",
            "[np.arange(i % 9, dtype='<f2') for i in range(700)]",
            "[np.arange(i % 11, dtype='i1') for i in range(700)]",
            // float32 then one float64 array: the column is list<double>, found after the sample
            "[np.arange(i % 5, dtype='<f4') for i in range(2000)] + [np.arange(3, dtype='<f8')]",
        };
        long before = ChunkProducer.ndFastElements.get();
        int k = 0;
        for (String values : cases) {
            Path npy = Python.saveObjectArray(tmp.resolve("gen" + k).resolve("gen" + k + ".npy"), values);
            assertEquals(2, compareBothPaths(npy, 65_536, 64L << 20), values);
            assertEquals(2, compareBothPaths(npy, 500, 4096), values);
            k++;
        }
        assertTrue(ChunkProducer.ndFastElements.get() - before > 5000, "the fast path never ran");
    }
}
