package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.npyidx.SidecarIndex;
import org.npyconv.formats.testing.FixtureCorpus;

/** A sidecar that was damaged, truncated or outlived its file is never trusted. */
class SidecarIntegrityTest {
    @TempDir
    Path tmp;
    Path npy;
    Path index;

    @BeforeEach
    void indexAFixture() throws Exception {
        Path fixture = FixtureCorpus.root().resolve("fixtures/numpy-2.4.6/mixed.npy");
        npy = Files.copy(fixture, tmp.resolve("mixed.npy"));
        index = Indexer.sidecarPath(npy);
        Indexer.build(npy, index, 3, Indexer.Progress.NONE);
        assertEquals(IndexCheck.Status.CURRENT, IndexCheck.full(npy, index).status());
    }

    @Test
    void everyFlippedByteIsDetected() throws Exception {
        byte[] good = Files.readAllBytes(index);
        Path damaged = tmp.resolve("damaged.npyidx");
        for (int i = 0; i < good.length; i++) {
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] bad = good.clone();
                bad[i] ^= bit;
                Files.write(damaged, bad);
                int at = i;
                assertThrows(NpyconvException.class, () -> SidecarIndex.open(damaged).close(),
                        "flip of bit " + bit + " at byte " + at + " of " + good.length + " went unnoticed");
            }
        }
    }

    @Test
    void everyTruncationIsDetected() throws Exception {
        byte[] good = Files.readAllBytes(index);
        Path cut = tmp.resolve("cut.npyidx");
        for (int length = 0; length < good.length; length++) {
            Files.write(cut, Arrays.copyOf(good, length));
            int at = length;
            assertThrows(NpyconvException.class, () -> SidecarIndex.open(cut).close(), "truncated to " + at);
        }
    }

    @Test
    void aModifiedFileMakesTheIndexStale() throws Exception {
        Files.setLastModifiedTime(npy, FileTime.fromMillis(Files.getLastModifiedTime(npy).toMillis() + 5000));
        IndexCheck.Verdict verdict = IndexCheck.quick(npy, index);
        assertEquals(IndexCheck.Status.STALE, verdict.status());
        assertTrue(verdict.reason().contains("modified"), verdict.reason());
    }

    @Test
    void sameSizeAndTimeButOtherBytesIsCaughtByVerify() throws Exception {
        FileTime mtime = Files.getLastModifiedTime(npy);
        byte[] bytes = Files.readAllBytes(npy);
        bytes[bytes.length - 3] ^= 0x20;
        Files.write(npy, bytes);
        Files.setLastModifiedTime(npy, mtime);
        assertEquals(IndexCheck.Status.CURRENT, IndexCheck.quick(npy, index).status(), "quick check trusts size+time");
        assertEquals(IndexCheck.Status.STALE, IndexCheck.full(npy, index).status());
    }

    @Test
    void aDamagedIndexIsReportedAsDamaged() throws Exception {
        byte[] bytes = Files.readAllBytes(index);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(index, bytes);
        assertEquals(IndexCheck.Status.DAMAGED, IndexCheck.quick(npy, index).status());
    }
}
