package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Parquet written through the column writers directly ({@link Shredder}) is byte-for-byte the file
 * the record-consumer path writes, for every object fixture (nested lists, structs, maps, tensors,
 * nulls at every level), with several row groups.
 */
class ParquetShredderTest {
    @TempDir
    Path tmp;
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        ParquetSink.direct = true;
        allocator.close();
    }

    private Path convert(Path npy, String out, boolean direct) throws IOException {
        ParquetSink.direct = direct;
        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            Path output = npy.resolveSibling(out);
            ChunkedOutput.convert(array, output, ConvertOptions.of(OutputFormat.PARQUET).withRowsPerChunk(5)
                    .withThreads(1).withOnMixed(OnMixed.JSON).withVersion("test"), allocator);
            return output;
        } catch (UnsupportedInputException e) {
            return null;
        } finally {
            ParquetSink.direct = true;
        }
    }

    @Test
    void directColumnWritersWriteTheSameFileAsTheRecordConsumer() throws Exception {
        int compared = 0;
        for (Path fixture : ConvertPipelineTest.objectFixtures()) {
            Path dir = Files.createDirectories(tmp.resolve(fixture.getParent().getFileName() + "-" + fixture.getFileName()));
            Path npy = Files.copy(fixture, dir.resolve(fixture.getFileName()));
            Path direct = convert(npy, "direct.parquet", true);
            Path records = convert(npy, "records.parquet", false);
            assertEquals(direct == null, records == null, npy.toString());
            if (direct != null) {
                assertEquals(-1, Files.mismatch(direct, records), "direct vs record consumer: " + npy);
                compared++;
            }
        }
        assertTrue(compared > 100, "compared " + compared);
    }
}
