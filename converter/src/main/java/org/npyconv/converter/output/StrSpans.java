package org.npyconv.converter.output;

import java.io.Closeable;
import java.io.IOException;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.VarCharVector;
import org.npyconv.converter.arrow.ValueWriter;
import org.npyconv.formats.npyidx.SpanCursor;
import org.npyconv.indexer.NpyObjectArray;

/**
 * The fast path for a column of str elements (DESIGN.md "Speed"): a span that is one
 * {@code SHORT_BINUNICODE}/{@code BINUNICODE}/{@code BINUNICODE8} followed only by memo and frame
 * opcodes already holds the UTF-8 bytes Arrow wants, so they are copied straight from the file
 * window into the vector without building a Java String. Any other span (a shared reference, a
 * protocol-0 {@code UNICODE}, a lone surrogate written with surrogatepass) goes through the general
 * evaluator by random access. Reads through a {@link PickleWindow}; one pass, not thread-safe.
 */
final class StrSpans implements Closeable {
    private static final int WINDOW = 4 << 20;
    /** Bytes scanned ahead for 0xED at a time: a few thousand short strs. */
    private static final int SCAN_AHEAD = 64 << 10;
    private static final long PRESIZE_AT_MOST = 64L << 20;
    /** Off only in tests that compare the direct appends with {@code setSafe}. */
    static volatile boolean direct = true;
    /** Elements written without evaluation, over all conversions (tests read it). */
    static final java.util.concurrent.atomic.AtomicLong FAST_ELEMENTS = new java.util.concurrent.atomic.AtomicLong();
    private static final int SHORT_BINUNICODE = 0x8c;
    private static final int BINUNICODE = 'X';
    private static final int BINUNICODE8 = 0x8d;
    private static final int MEMOIZE = 0x94;
    private static final int FRAME = 0x95;
    private static final int BINPUT = 'q';
    private static final int LONG_BINPUT = 'r';

    private final NpyObjectArray array;
    private final SpanCursor cursor;
    private ValueWriter slow;
    private final long from;
    private final long to;
    private final PickleWindow window;
    private long fallbacks;
    private long fast;
    /**
     * File bytes {@code [cleanFrom, cleanUntil)} hold no 0xED byte, so no str inside them has a
     * surrogate: one scan over the window ahead serves the strs that follow, instead of a call and
     * loop set-up per str (a tenth of the fast path's CPU under C1 with 10-byte strs).
     */
    private long cleanFrom;
    private long cleanUntil;

    /** Elements {@code [from, to)}; the slow path writes into {@code vector}. */
    StrSpans(NpyObjectArray array, VarCharVector vector, long from, long to) throws IOException {
        this.array = array;
        this.from = from;
        this.to = to;
        this.window = new PickleWindow(array, WINDOW);
        this.cursor = from >= to ? null : array.index().cursorNear(from);
        this.slow = ValueWriter.of(vector);
        presize(vector);
    }

    /**
     * Allocates the rows of this range at once, and data for them at the average span length
     * around them (a str's UTF-8 bytes are part of its span), but at most {@value #PRESIZE_AT_MOST}
     * bytes: the doubling re-allocations of a vector grown from its default size, each a copy and a
     * zeroing, cost a fifth of the fast path. The average is read between the index checkpoints
     * before {@code from} and before {@code to}, not summed span by span (a second walk over every
     * span cost as much again). Data that outgrows the guess is grown the usual way.
     */
    private void presize(VarCharVector vector) {
        long rows = to - from;
        if (cursor == null || rows > Integer.MAX_VALUE / 8) {
            return;
        }
        SpanCursor first = array.index().cursorNear(from);
        SpanCursor last = array.index().cursorNear(to - 1);
        if (!first.next() || !last.next()) {
            return;
        }
        long bytes;
        if (last.index() > first.index()) {
            bytes = (long) ((double) (last.start() - first.start()) / (last.index() - first.index()) * rows);
        } else {
            // One checkpoint interval: few elements, summed.
            bytes = 0;
            do {
                if (first.index() >= from) {
                    bytes += first.end() - first.start();
                }
            } while (first.next() && first.index() < to);
        }
        vector.allocateNew(Math.max(1, Math.min(bytes, PRESIZE_AT_MOST)), (int) rows);
    }

    /** Writes the next element at {@code index} of {@code vector}; {@code false} when there is none. */
    boolean writeNext(VarCharVector vector, int index) throws IOException {
        if (cursor == null) {
            return false;
        }
        boolean more = cursor.next();
        while (more && cursor.index() < from) {
            more = cursor.next();
        }
        if (!more || cursor.index() >= to) {
            return false;
        }
        long start = cursor.start();
        long end = cursor.end();
        int off = window.load(start, end);
        int stop = off + (int) (end - start);
        byte[] b = window.bytes();
        int op = b[off] & 0xFF;
        int payload;
        long n;
        if (op == SHORT_BINUNICODE && stop - off >= 2) {
            n = b[off + 1] & 0xFF;
            payload = off + 2;
        } else if (op == BINUNICODE && stop - off >= 5) {
            n = Integer.toUnsignedLong(PickleWindow.littleInt(b, off + 1));
            payload = off + 5;
        } else if (op == BINUNICODE8 && stop - off >= 9) {
            n = PickleWindow.littleInt(b, off + 1) & 0xFFFFFFFFL | (long) PickleWindow.littleInt(b, off + 5) << 32;
            payload = off + 9;
        } else {
            return slowPath(index);
        }
        if (n > stop - payload || !onlyMemoAfter(b, payload + (int) n, stop)
                || mayHaveSurrogate(start - off, b, payload, (int) n) && hasSurrogate(b, payload, (int) n)) {
            return slowPath(index);
        }
        if (direct) {
            VarWidthAppend.set(vector, index, b, payload, (int) n);
        } else {
            vector.setSafe(index, b, payload, (int) n);
        }
        fast++;
        return true;
    }

    /** Sends the slow path's values to {@code vector} from now on (a new chunk). */
    void retarget(VarCharVector vector) {
        slow = ValueWriter.of(vector);
    }

    /** Elements copied straight from their spans. */
    long fastCount() {
        return fast;
    }

    /** Elements that needed the general evaluator. */
    long fallbacks() {
        return fallbacks;
    }

    private boolean slowPath(int index) {
        fallbacks++;
        slow.write(index, array.get(cursor.index()));
        return true;
    }

    /**
     * False when the payload at window index {@code at} (file offset {@code base + at}) lies in
     * bytes known to hold no 0xED, the lead byte of every surrogate's encoding; else scans the
     * window from {@code at} to its first 0xED (or its end) to widen that knowledge and says
     * whether the payload still reaches past it.
     */
    private boolean mayHaveSurrogate(long base, byte[] b, int at, int n) {
        long from = base + at;
        if (from >= cleanFrom && from + n <= cleanUntil) {
            return false;
        }
        // Not to the window's end: a task's strs fill a fraction of the 4 MiB window.
        int end = Math.min(window.loaded(), Math.max(at + n, at + SCAN_AHEAD));
        int i = at;
        while (i + 8 <= end) {
            long w = MemoryUtil.getLong(b, i);
            if ((w & 0x8080808080808080L) != 0) {
                long x = w ^ 0xEDEDEDEDEDEDEDEDL; // a zero byte where w has 0xED
                long zero = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
                if (zero != 0) {
                    break; // an 0xED in these eight bytes: the byte loop below finds it
                }
            }
            i += 8;
        }
        while (i < end && b[i] != (byte) 0xED) {
            i++;
        }
        cleanFrom = from;
        cleanUntil = base + i;
        return from + n > cleanUntil;
    }

    private static boolean onlyMemoAfter(byte[] b, int at, int stop) {
        return PickleWindow.skipMemo(b, at, stop) == stop;
    }

    /**
     * Python pickles a lone surrogate with surrogatepass: ED A0..BF xx, which is not UTF-8. ASCII
     * runs are skipped eight bytes at a time (an ED byte has its high bit set).
     */
    private static boolean hasSurrogate(byte[] b, int at, int n) {
        int i = at;
        int end = at + n - 1;
        while (i + 8 <= end && (MemoryUtil.getLong(b, i) & 0x8080808080808080L) == 0) {
            i += 8;
        }
        for (; i < end; i++) {
            if (b[i] == (byte) 0xED && (b[i + 1] & 0xFF) >= 0xA0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        FAST_ELEMENTS.addAndGet(fast);
        window.close();
    }
}
