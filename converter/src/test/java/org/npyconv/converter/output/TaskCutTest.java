package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.indexer.NpyObjectArray;

/**
 * The task cutter bounds tasks by rows and pickle bytes; where the checkpoints around a full task
 * already show it under the byte bound it skips reading the span records. The cuts must be the
 * ones the record walk makes, for any file, checkpoint spacing, rows per chunk and byte bound.
 */
class TaskCutTest {
    @TempDir
    Path tmp;

    @Test
    void skippingByCheckpointsCutsWhereTheRecordWalkCuts() throws Exception {
        long compared = 0;
        long skippedBefore = ChunkProducer.CHECKPOINT_CUTS.sum();
        for (Path npy : FixtureCorpus.npyFiles()) {
            if (!isObjectArray(npy)) {
                continue;
            }
            for (int interval : new int[] {1, 7, 1024}) {
                Path index = tmp.resolve(npy.getParent().getFileName() + "-" + npy.getFileName() + "-" + interval + ".npyidx");
                org.npyconv.indexer.Indexer.build(npy, index, interval, org.npyconv.indexer.Indexer.Progress.NONE);
                try (NpyObjectArray array = NpyObjectArray.open(npy, NpyObjectArray.Options.defaults().withIndex(index))) {
                    for (int rows : new int[] {1, 2, 3, 7, 64, 1000, 65_536}) {
                        ChunkProducer producer = new ChunkProducer(array, null, null,
                                ConvertOptions.of(OutputFormat.ARROW).withRowsPerChunk(rows), null, null);
                        for (long limit : new long[] {1, 40, 300, 5_000, 1 << 20, ChunkProducer.TASK_PICKLE_BYTES}) {
                            List<Long> walked = producer.taskCuts(limit, false);
                            List<Long> skipping = producer.taskCuts(limit, true);
                            assertEquals(walked, skipping, npy + " interval " + interval + " rows " + rows + " limit " + limit);
                            compared++;
                        }
                    }
                }
            }
        }
        assertTrue(compared > 1000, "compared " + compared);
        long skipped = ChunkProducer.CHECKPOINT_CUTS.sum() - skippedBefore;
        assertTrue(skipped > 1000, "tasks cut without reading their records: " + skipped);
    }

    private static boolean isObjectArray(Path npy) {
        try {
            return NpyHeader.read(npy).isObject();
        } catch (Exception e) {
            return false;
        }
    }
}
