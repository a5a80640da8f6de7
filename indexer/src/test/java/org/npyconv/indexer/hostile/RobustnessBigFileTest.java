package org.npyconv.indexer.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.npyidx.ElementSpan;
import org.npyconv.indexer.IndexCheck;
import org.npyconv.indexer.Indexer;
import org.npyconv.indexer.NpyObjectArray;

/**
 * Files whose pickle exceeds 4 GiB (docs/robustness.md, "Big files"): sparse files written by
 * {@link LargeNpy} at test time (never committed, deleted by {@code @TempDir}). No int overflow in
 * offsets, lengths or counts: the index, random access past 4 GiB, streaming through elements of
 * 900 MiB, and the documented refusal of a single element over 2 GiB.
 */
@Tag("slow")
class RobustnessBigFileTest {
    static final long MIB = 1L << 20;
    static final long BIG = 900 * MIB;
    static final int BIG_ELEMENTS = 5; // 4.4 GiB of payload
    static final int TAIL = 1000;

    @TempDir
    Path tmp;

    @Test
    void aPickleOverFourGibIndexesAndServesItsEnd() throws Exception {
        Path npy = tmp.resolve("big.npy");
        try (LargeNpy w = LargeNpy.create(npy, BIG_ELEMENTS + TAIL)) {
            for (int i = 0; i < BIG_ELEMENTS; i++) {
                w.zeros(BIG + i);
            }
            for (int i = 0; i < TAIL; i++) {
                w.string("tail " + i);
            }
        }
        assertTrue(Files.size(npy) > 4L << 30, "pickle over 4 GiB: " + Files.size(npy));
        Indexer.Result r = Indexer.build(npy, Indexer.sidecarPath(npy), 100, Indexer.Progress.NONE);
        assertEquals(BIG_ELEMENTS + TAIL, r.elements());
        assertEquals(IndexCheck.Status.CURRENT, IndexCheck.full(npy, Indexer.sidecarPath(npy)).status());

        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            assertEquals(BIG_ELEMENTS + TAIL, array.size());
            long expectedStart = -1;
            for (int i = 0; i < BIG_ELEMENTS; i++) {
                ElementSpan span = array.index().span(i);
                assertEquals(BIG + i + 9, span.length(), "BINBYTES8 opcode, 8-byte length, payload");
                if (i > 0) {
                    assertEquals(expectedStart, span.start());
                }
                expectedStart = span.end();
            }
            ElementSpan last = array.index().span(array.size() - 1);
            assertTrue(last.start() > 4L << 30, "the last element lies past 4 GiB: " + last);
            assertEquals("tail 999", array.get(-1));
            assertEquals("tail 0", array.get(BIG_ELEMENTS));
            assertEquals("tail 500", array.get(BIG_ELEMENTS + 500));
        }

        // Streaming through the 900 MiB elements and exporting every one needs a heap for one of them:
        // the CLI-equivalent export runs in a child JVM and the parent checks its output as it streams.
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx6g",
                "-cp", System.getProperty("java.class.path"), BigFileExportProbe.class.getName(), npy.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long lines = 0;
        long bytes = 0;
        byte[] tail = new byte[64];
        int tailLength = 0;
        try (InputStream in = child.getInputStream()) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
                bytes += n;
                int keep = Math.min(n, tail.length);
                System.arraycopy(tail, keep, tail, 0, tail.length - keep);
                System.arraycopy(buf, n - keep, tail, tail.length - keep, keep);
                tailLength = (int) Math.min(tail.length, tailLength + (long) n);
            }
        }
        assertTrue(child.waitFor(10, TimeUnit.MINUTES));
        assertEquals(0, child.exitValue());
        assertEquals(BIG_ELEMENTS + TAIL, lines);
        long base64 = 0;
        for (int i = 0; i < BIG_ELEMENTS; i++) {
            base64 += ("{\"$bytes\":\"\"}").length() + 4 * ((BIG + i + 2) / 3) + 1;
        }
        assertTrue(bytes > base64, "every big element written in full: " + bytes + " bytes");
        String end = new String(tail, tail.length - tailLength, tailLength, StandardCharsets.UTF_8);
        assertTrue(end.endsWith("\"tail 998\"\n\"tail 999\"\n"), end);
    }

    @Test
    void anElementOverTwoGibIsRefusedAsUnsupported() throws Exception {
        Path npy = tmp.resolve("huge-element.npy");
        try (LargeNpy w = LargeNpy.create(npy, 2)) {
            w.zeros(2560 * MIB).string("after");
        }
        Indexer.build(npy, Indexer.sidecarPath(npy), Indexer.DEFAULT_CHECKPOINT_INTERVAL, Indexer.Progress.NONE);
        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            assertEquals("after", array.get(1), "the element after it is served");
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class, () -> array.get(0));
            assertTrue(e.getMessage().startsWith("an element of " + (2560 * MIB + 9) + " bytes is larger than Java arrays allow"),
                    e.getMessage());
            Iterator<Object> it = array.iterator();
            assertThrows(UnsupportedInputException.class, it::next);
        }
    }
}
