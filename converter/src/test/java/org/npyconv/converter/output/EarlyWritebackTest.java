package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void anOutputThatIsNotForcedIsNeverSyncedEarly() throws Exception {
        try (FileChannel ch = FileChannel.open(Files.createFile(tmp.resolve("a")), StandardOpenOption.WRITE);
             EarlyWriteback w = EarlyWriteback.of(ch, Durability.RENAME)) {
            w.written(1L << 40);
            assertEquals(0, w.syncsStarted());
        }
    }

    @Test
    void aForcedOutputIsSyncedEveryStep() throws Exception {
        try (FileChannel ch = FileChannel.open(Files.createFile(tmp.resolve("b")), StandardOpenOption.WRITE);
             EarlyWriteback w = EarlyWriteback.of(ch, Durability.FSYNC)) {
            w.written(EarlyWriteback.DEFAULT_STEP - 1);
            assertEquals(0, w.syncsStarted());
            w.written(EarlyWriteback.DEFAULT_STEP);
            assertEquals(1, w.syncsStarted());
        }
    }
}
