package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npyconv.formats.npyidx.SidecarIndex;
import org.npyconv.formats.npyidx.SpanCursor;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * {@link SpanCursor#nextShortRun} moves over exactly the spans that as many {@link SpanCursor#next}
 * calls would: over every object fixture, from every checkpoint, with run lengths from 1 to 300
 * (past the record block's refill point), the records it hands out and the cursor it leaves give
 * the same starts, ends and memo counters.
 */
class SpanCursorRunTest {
    @TempDir
    Path tmp;

    @Test
    void runsAgreeWithSingleSteps() throws Exception {
        long inRuns = 0;
        int files = 0;
        for (Path fixture : FixtureCorpus.npyFiles()) {
            if (!FixtureCorpus.expected(fixture).path("object").asBoolean()) {
                continue;
            }
            Path npy = Files.copy(fixture, tmp.resolve("f" + files++ + ".npy"));
            Path index = Indexer.sidecarPath(npy);
            Indexer.build(npy, index, 7, Indexer.Progress.NONE);
            try (SidecarIndex sidecar = SidecarIndex.open(index)) {
                long count = sidecar.elementCount();
                if (count == 0) {
                    continue;
                }
                List<long[]> single = new ArrayList<>();
                SpanCursor one = sidecar.cursorNear(0);
                while (one.next()) {
                    single.add(state(one));
                }
                for (long from : new long[] {0, Math.min(7, count - 1), count - 1}) {
                    for (int max : new int[] {1, 3, 256, 300}) {
                        inRuns += walkWithRuns(sidecar.cursorNear(from), single, max, npy + " from " + from);
                    }
                }
            }
        }
        assertTrue(files > 20, "fixtures " + files);
        assertTrue(inRuns > 10_000, "runs moved over " + inRuns + " spans");
    }

    /** Walks to the end by runs (single steps where none is possible); returns the spans run over. */
    private static long walkWithRuns(SpanCursor cursor, List<long[]> single, int max, String what) {
        byte[] records = new byte[max];
        long inRuns = 0;
        while (true) {
            long previousEnd = cursor.end();
            long previousMemo = cursor.memoEnd();
            long first = cursor.index() + 1;
            int n = cursor.nextShortRun(records, max);
            if (n == 0) {
                if (!cursor.next()) {
                    break;
                }
                assertArrayEquals(single.get((int) cursor.index()), state(cursor), what);
                continue;
            }
            inRuns += n;
            long start = previousEnd;
            long memo = previousMemo;
            for (int k = 0; k < n; k++) {
                long[] expected = single.get((int) (first + k));
                long end = start + (records[k] >>> 2);
                long memoEnd = memo + (records[k] & 1);
                assertArrayEquals(expected, new long[] {first + k, start, end, memo, memoEnd}, what + " run element " + k);
                start = end;
                memo = memoEnd;
            }
            assertArrayEquals(single.get((int) cursor.index()), state(cursor), what + " after a run of " + n);
        }
        assertEquals(single.size() - 1, cursor.index(), what);
        return inRuns;
    }

    private static long[] state(SpanCursor c) {
        return new long[] {c.index(), c.start(), c.end(), c.memoStart(), c.memoEnd()};
    }
}
