package org.npyconv.formats.npyidx;

import java.nio.ByteBuffer;

/**
 * Walks element spans in order from a checkpoint, decoding the sidecar's span records
 * (docs/npyidx.md, section SPAN). Reuses its fields; allocation-free per element. Not thread-safe.
 */
public final class SpanCursor {
    private final ByteBuffer spans;
    private final long count;
    private long index;
    private long start;
    private long end;
    private long memoStart;
    private long memoEnd;

    SpanCursor(ByteBuffer spans, long count, long firstIndex, long firstStart, long firstMemo, int recordOffset) {
        this.spans = spans.duplicate();
        this.spans.position(recordOffset);
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

    private long readVarint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = spans.get();
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalStateException("varint longer than 64 bits");
    }
}
