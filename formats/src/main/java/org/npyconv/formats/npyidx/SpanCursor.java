package org.npyconv.formats.npyidx;

import java.nio.ByteBuffer;

/**
 * Walks element spans in order from a checkpoint, decoding the sidecar's span records
 * (docs/npyidx.md, section SPAN). Reuses its fields; allocation-free per element. Not thread-safe.
 *
 * <p>The records are copied from the (mapped) section into a small heap block and decoded there:
 * a conversion walks one record per element (ten million for a file of short strs), and decoding
 * them with relative {@code ByteBuffer.get()} calls, each updating the buffer's position, was a
 * quarter of the str fast path's CPU under the C1 compiler that conversions run on
 * (docs/perf/session5.md).
 */
public final class SpanCursor {
    /** Bytes decoded per copy from the section: a few hundred records. */
    private static final int BLOCK = 4096;
    /** Longest record: three varints of at most ten bytes. */
    private static final int MAX_RECORD = 30;

    private final ByteBuffer spans;
    private final byte[] block = new byte[BLOCK];
    private int at;
    private int limit;
    /** Section offset of the byte after the block's last one. */
    private int nextFill;
    private final long count;
    private long index;
    private long start;
    private long end;
    private long memoStart;
    private long memoEnd;

    SpanCursor(ByteBuffer spans, long count, long firstIndex, long firstStart, long firstMemo, int recordOffset) {
        this.spans = spans;
        this.nextFill = recordOffset;
        this.count = count;
        this.index = firstIndex - 1;
        this.end = firstStart;
        this.memoEnd = firstMemo;
        this.pendingFirst = true;
    }

    private boolean pendingFirst;

    /** Moves to the next element; false after the last. */
    public boolean next() {
        if (index + 1 >= count) {
            return false;
        }
        if (limit - at < MAX_RECORD) {
            refill();
        }
        // (A section that ends early, which its CRC makes practically impossible, fails in readVarint.)
        final int first = at < limit ? block[at] : -1;
        if (first >= 0 && (first & 2) == 0) {
            // The common record, one byte: a span under 32 bytes right after the previous one
            // (no gap) storing at most one memo entry (TAG_PLAIN or TAG_ONE_MEMO).
            at++;
            index++;
            pendingFirst = false;
            start = end;
            end += first >>> 2;
            memoStart = memoEnd;
            memoEnd += first & 1;
            return true;
        }
        long v = readVarint();
        long length = v >>> 2;
        int tag = (int) (v & 3);
        long gap = 0;
        long memoDelta;
        switch (tag) {
            case SidecarLayout.TAG_PLAIN:
                memoDelta = 0;
                break;
            case SidecarLayout.TAG_ONE_MEMO:
                memoDelta = 1;
                break;
            case SidecarLayout.TAG_MEMO:
                memoDelta = readVarint();
                break;
            default:
                gap = readVarint();
                memoDelta = readVarint();
                break;
        }
        index++;
        // The checkpoint gives the first element's start absolutely; its gap is relative to an element before the checkpoint.
        start = pendingFirst ? end : end + gap;
        pendingFirst = false;
        end = start + length;
        memoStart = memoEnd;
        memoEnd = memoStart + memoDelta;
        return true;
    }

    /**
     * Moves over up to {@code max} next elements at once, as long as each has the common one-byte
     * record (a span under 32 bytes starting where the previous one ended, storing at most one memo
     * entry), and copies those records to {@code records[0..n)}: a record's span length is
     * {@code records[k] >>> 2}, its memo entries {@code records[k] & 1}. Returns n, 0 when the next
     * record is not such a record (then {@link #next()} moves on); n may stop short of {@code max}
     * where the block of records copied so far ends. Afterwards the cursor stands on the last
     * element moved over, as after n calls of {@link #next()}.
     *
     * <p>Why: the short-str fast path decodes ten million records per file; one call per run of
     * them, with a plain copy out of the block, costs a fraction of one {@link #next()} per record
     * under the C1 compiler.
     */
    public int nextShortRun(byte[] records, int max) {
        long left = count - 1 - index;
        int want = (int) Math.min(Math.min(max, records.length), Math.max(0, left));
        if (want == 0) {
            return 0;
        }
        if (limit - at < MAX_RECORD) {
            // As next() does: refilling whenever fewer than `want` records remained would move the
            // block's rest for every call on a file of long spans, where runs are never found.
            refill();
        }
        final byte[] b = block;
        final int from = at;
        final int stop = Math.min(limit, from + want);
        int p = from;
        long length = 0;
        long memo = 0;
        int last = 0;
        while (p < stop) {
            int r = b[p];
            if (r < 0 || (r & 2) != 0) {
                break;
            }
            length += r >>> 2;
            memo += r & 1;
            last = r;
            p++;
        }
        int n = p - from;
        if (n == 0) {
            return 0;
        }
        System.arraycopy(b, from, records, 0, n);
        at = p;
        index += n;
        pendingFirst = false;
        start = end + length - (last >>> 2);
        end += length;
        memoStart = memoEnd + memo - (last & 1);
        memoEnd += memo;
        return n;
    }

    public long index() {
        return index;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    public long memoStart() {
        return memoStart;
    }

    public long memoEnd() {
        return memoEnd;
    }

    public ElementSpan span() {
        return new ElementSpan(index, start, end, memoStart, memoEnd);
    }

    /** Moves the undecoded bytes to the front of the block and copies the section's next ones after them. */
    private void refill() {
        int keep = limit - at;
        System.arraycopy(block, at, block, 0, keep);
        int n = Math.min(BLOCK - keep, spans.limit() - nextFill);
        spans.get(nextFill, block, keep, n);
        nextFill += n;
        limit = keep + n;
        at = 0;
    }

    private long readVarint() {
        final byte[] b = block;
        int p = at;
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= limit) {
                throw new IllegalStateException("span record runs past the end of the section");
            }
            byte x = b[p++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                at = p;
                return v;
            }
        }
        throw new IllegalStateException("varint longer than 64 bits");
    }
}
