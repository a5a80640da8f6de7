package org.npyconv.converter.output;

import java.io.Closeable;
import java.io.IOException;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
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
 * evaluator by random access. Short strs, most of a typical column, are appended a run at a time
 * ({@link #writeShortRun}): one call and one capacity check per up to {@value #RUN} strs instead of
 * several calls per str, which under the C1 compiler cost about 100 ns a str. Reads through a
 * {@link PickleWindow}; one pass, not thread-safe.
 */
final class StrSpans implements Closeable {
    private static final int WINDOW = 4 << 20;
    /** Bytes scanned ahead for 0xED at a time: a few thousand short strs. */
    private static final int SCAN_AHEAD = 64 << 10;
    /**
     * Payloads from this length on are checked by the scan ahead. Shorter ones, which mostly come
     * in runs (see {@link #writeShortRun}) and reach {@link #writeSpan} one per pickle batch, are
     * checked alone: scanning ahead for those would scan the whole file once more.
     */
    private static final int SCAN_AHEAD_FROM = 64;
    private static final long PRESIZE_AT_MOST = 64L << 20;
    /** Off only in tests that compare the direct appends with {@code setSafe}. */
    static volatile boolean direct = true;
    /** Elements written without evaluation, over all conversions (tests read it). */
    static final java.util.concurrent.atomic.AtomicLong FAST_ELEMENTS = new java.util.concurrent.atomic.AtomicLong();
    /** Of those, the elements appended by runs (tests read it). */
    static final java.util.concurrent.atomic.AtomicLong RUN_ELEMENTS = new java.util.concurrent.atomic.AtomicLong();
    private static final int SHORT_BINUNICODE = 0x8c;
    private static final int BINUNICODE = 'X';
    private static final int BINUNICODE8 = 0x8d;
    private static final int MEMOIZE = 0x94;
    private static final int BINPUT = 'q';
    private static final int LONG_BINPUT = 'r';
    private static final int OFFSET_WIDTH = BaseVariableWidthVector.OFFSET_WIDTH;
    /** Elements per run at most: a chunk's byte bound is checked between runs (ChunkProducer). */
    static final int RUN = ChunkProducer.BYTE_CHECK_EVERY;
    /** Off only in tests that compare runs with single-element appends. */
    static volatile boolean runs = true;

    private final NpyObjectArray array;
    private final SpanCursor cursor;
    private ValueWriter slow;
    private final long from;
    private final long to;
    private final PickleWindow window;
    private long fallbacks;
    private long fast;
    private long inRuns;
    /**
     * File bytes {@code [cleanFrom, cleanUntil)} hold no 0xED byte, so no str inside them has a
     * surrogate: for single strs of {@value #SCAN_AHEAD_FROM} bytes or more, one scan over the
     * window ahead serves the strs that follow, instead of a loop over each.
     */
    private long cleanFrom;
    private long cleanUntil;
    /** The span records of the current run (see {@link SpanCursor#nextShortRun}). */
    private final byte[] records = new byte[RUN];

    /** Elements {@code [from, to)}; the slow path writes into {@code vector}. */
    StrSpans(NpyObjectArray array, VarCharVector vector, long from, long to) throws IOException {
        this.array = array;
        this.from = from;
        this.to = to;
        this.window = new PickleWindow(array, WINDOW);
        this.cursor = from >= to ? null : array.index().cursorNear(from);
        this.slow = ValueWriter.of(vector);
        presize(vector);
        limitReadAhead();
    }

    /** Keeps the window from reading past the range's last span. */
    private void limitReadAhead() {
        if (cursor == null) {
            return;
        }
        SpanCursor last = array.index().cursorNear(to - 1);
        while (last.index() < to - 1 && last.next()) {
            // to element to - 1, within one checkpoint interval
        }
        if (last.index() == to - 1) {
            window.readAheadUntil(last.end());
        }
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

    /**
     * Writes the next elements from row {@code index} of {@code vector} on, at most {@code max} of
     * them, and returns how many; 0 when there are none left.
     */
    int writeRun(VarCharVector vector, int index, int max) throws IOException {
        if (cursor == null || !seekFrom()) {
            return 0;
        }
        int rows = (int) Math.min(max, to - 1 - cursor.index());
        if (rows <= 0) {
            return 0;
        }
        if (runs && direct) {
            long runStart = cursor.end(); // a one-byte record's span starts where the previous ended
            int n = cursor.nextShortRun(records, rows);
            if (n > 0) {
                writeShortRun(vector, index, runStart, n);
                return n;
            }
        }
        if (!cursor.next()) {
            return 0;
        }
        writeSpan(vector, index, cursor.start(), cursor.end(), cursor.index());
        return 1;
    }

    /** Moves the cursor to just before element {@code from}; false if the index ends first. */
    private boolean seekFrom() {
        while (cursor.index() < from - 1) {
            if (!cursor.next()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the {@code n} elements whose one-byte span records {@link SpanCursor#nextShortRun} just
     * put in {@link #records}, the first starting at file offset {@code runStart}, from row
     * {@code index} on. Spans of one {@code SHORT_BINUNICODE} or {@code BINUNICODE} and its memo
     * store are appended in one loop with raw memory writes, after one capacity check for the whole
     * run, with validity bits set together. Any other span stops the loop and goes through
     * {@link #writeSpan}, which judges it as for a single element; the loop resumes after it.
     */
    private void writeShortRun(VarCharVector vector, int index, long runStart, int n) throws IOException {
        long runBytes = cursor.end() - runStart;
        int off = window.load(runStart, runStart + runBytes);
        byte[] b = window.bytes();
        long firstElement = cursor.index() - n + 1;
        int p = off;
        int j = 0;
        while (j < n) {
            int done = j;
            if (vector.getLastSet() == index + j - 1 && reserve(vector, index + n, runBytes)) {
                long offsets = vector.getOffsetBuffer().memoryAddress();
                long data = vector.getDataBuffer().memoryAddress();
                int pos = MemoryUtil.getInt(offsets + (long) (index + j) * OFFSET_WIDTH);
                while (j < n) {
                    int length = records[j] >>> 2;
                    int header;
                    int m;
                    if (length >= 2 && b[p] == (byte) SHORT_BINUNICODE) {
                        header = 2;
                        m = b[p + 1] & 0xFF;
                    } else if (length >= 5 && b[p] == BINUNICODE) {
                        header = 5; // protocols 1-3
                        m = PickleWindow.littleInt(b, p + 1);
                    } else {
                        break;
                    }
                    int tail = length - header - m;
                    if (m < 0 || tail < 0) {
                        break;
                    }
                    // The memo store the record counts, and nothing else: MEMOIZE, BINPUT or LONG_BINPUT.
                    int after = p + header + m;
                    boolean memoOk = (records[j] & 1) == 0 ? tail == 0
                            : tail == 1 && b[after] == (byte) MEMOIZE || tail == 2 && b[after] == BINPUT
                                    || tail == 5 && b[after] == LONG_BINPUT;
                    if (!memoOk) {
                        break;
                    }
                    long d = data + pos;
                    int s = p + header;
                    if (m >= 8 && m <= 16) {
                        // The two words copied are the ones looked at for 0xED, the lead byte of
                        // every surrogate's encoding (a zero byte of w ^ 0xED..ED); cheaper than
                        // scanning the run's bytes, whose opcodes defeat an ASCII-only skip.
                        long w1 = MemoryUtil.getLong(b, s);
                        long w2 = MemoryUtil.getLong(b, s + m - 8);
                        long x1 = w1 ^ 0xEDEDEDEDEDEDEDEDL;
                        long x2 = w2 ^ 0xEDEDEDEDEDEDEDEDL;
                        long zeros = ((x1 - 0x0101010101010101L) & ~x1 | (x2 - 0x0101010101010101L) & ~x2)
                                & 0x8080808080808080L;
                        if (zeros != 0 && hasSurrogate(b, s, m)) {
                            break;
                        }
                        MemoryUtil.putLong(d, w1);
                        MemoryUtil.putLong(d + m - 8, w2);
                    } else if (m < 8 && s + 8 <= b.length && MemoryUtil.LITTLE_ENDIAN) {
                        // One word holds the payload and bytes after it, masked off (a borrow from
                        // them cannot reach the payload's bytes, which sit below in the word).
                        long x = MemoryUtil.getLong(b, s) ^ 0xEDEDEDEDEDEDEDEDL;
                        long zeros = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L & ~(-1L << 8 * m);
                        if (zeros != 0 && hasSurrogate(b, s, m)) {
                            break;
                        }
                        VarWidthAppend.copy(b, s, d, m);
                    } else {
                        if (hasSurrogate(b, s, m)) {
                            break;
                        }
                        VarWidthAppend.copy(b, s, d, m);
                    }
                    pos += m;
                    MemoryUtil.putInt(offsets + (long) (index + j + 1) * OFFSET_WIDTH, pos);
                    p += length;
                    j++;
                }
                setValidity(vector.getValidityBuffer().memoryAddress(), index + done, index + j);
                vector.setLastSet(index + j - 1);
                fast += j - done;
                inRuns += j - done;
            }
            if (j < n) {
                // Not a plain short str (or the buffers need growing): as a single element would go.
                long start = runStart + (p - off);
                int length = records[j] >>> 2;
                writeSpan(vector, index + j, start, start + length, firstElement + j);
                off = window.load(runStart, runStart + runBytes); // the same window, unless a span was huge
                b = window.bytes();
                p = off + (int) (start + length - runStart);
                j++;
            }
        }
    }

    /**
     * Whether rows up to {@code rows} and {@code bytes} more data bytes fit the buffers without
     * growing them: runs only ever append into room that is already there (pre-sized per task), and
     * leave growing to {@code setSafe} in {@link #writeSpan}, so buffers grow exactly as before.
     */
    private static boolean reserve(VarCharVector vector, int rows, long bytes) {
        if (vector.getValueCapacity() < rows) {
            return false;
        }
        int last = vector.getLastSet();
        long end = MemoryUtil.getInt(vector.getOffsetBuffer().memoryAddress() + (long) (last + 1) * OFFSET_WIDTH);
        return end >= 0 && end + bytes <= Math.min(vector.getDataBuffer().capacity(), Integer.MAX_VALUE);
    }

    /** Sets the validity bits of rows {@code [from, to)}. */
    private static void setValidity(long bits, int from, int to) {
        int i = from;
        for (; i < to && (i & 7) != 0; i++) {
            MemoryUtil.putByte(bits + (i >>> 3), (byte) (MemoryUtil.getByte(bits + (i >>> 3)) | 1 << (i & 7)));
        }
        for (; i + 8 <= to; i += 8) {
            MemoryUtil.putByte(bits + (i >>> 3), (byte) 0xFF);
        }
        for (; i < to; i++) {
            MemoryUtil.putByte(bits + (i >>> 3), (byte) (MemoryUtil.getByte(bits + (i >>> 3)) | 1 << (i & 7)));
        }
    }

    /** Writes the element {@code element}, whose span is {@code [start, end)}, at row {@code index}. */
    private void writeSpan(VarCharVector vector, int index, long start, long end, long element) throws IOException {
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
            slowPath(index, element);
            return;
        }
        // A short payload is checked itself; a long one against the bytes known to hold no 0xED.
        if (n > stop - payload || !onlyMemoAfter(b, payload + (int) n, stop)
                || (n < SCAN_AHEAD_FROM || mayHaveSurrogate(start - off, b, payload, (int) n))
                        && hasSurrogate(b, payload, (int) n)) {
            slowPath(index, element);
            return;
        }
        if (direct) {
            VarWidthAppend.set(vector, index, b, payload, (int) n);
        } else {
            vector.setSafe(index, b, payload, (int) n);
        }
        fast++;
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

    private void slowPath(int index, long element) {
        fallbacks++;
        slow.write(index, array.get(element));
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
        RUN_ELEMENTS.addAndGet(inRuns);
        window.close();
    }
}
