package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.formats.Durability;

/** Early syncs happen only for outputs that are forced at the end anyway. */
class EarlyWritebackTest {
    @TempDir
    Path tmp;

    private static boolean writebackThreadRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("npyconv-writeback") && t.isAlive());
    }

    @Test
    void anOutputThatIsNotForcedIsNeverSyncedEarly() throws Exception {
        try (FileChannel ch = FileChannel.open(Files.createFile(tmp.resolve("a")), StandardOpenOption.WRITE);
             EarlyWriteback w = EarlyWriteback.of(ch, Durability.RENAME)) {
            w.written(1L << 40);
            assertFalse(writebackThreadRuns());
        }
    }

    @Test
    void aForcedOutputIsSyncedEveryStep() throws Exception {
        try (FileChannel ch = FileChannel.open(Files.createFile(tmp.resolve("b")), StandardOpenOption.WRITE);
             EarlyWriteback w = EarlyWriteback.of(ch, Durability.FSYNC)) {
            w.written(EarlyWriteback.DEFAULT_STEP);
            assertTrue(writebackThreadRuns());
        }
    }
}
