package org.npyconv.converter.output;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap arrays for compressed page bodies, reused from one row group to the next (one pool per
 * Parquet file, shared by the encoding threads).
 *
 * <p>Why: a page body lives from its encoding on a worker thread until the writing thread has
 * appended its row group, which is several row groups later. Fresh arrays of about a MiB each
 * therefore survived the young collections that copied them, were promoted, and died in the old
 * generation: converting ragged_f4.npy to Parquet spent ~430 ms of 2.2 s in stop-the-world pauses,
 * and its heap grew to four times the data in flight (docs/perf/session7.md). Pooled arrays are
 * promoted once and then hold page after page.
 *
 * <p>Arrays come in size classes of {@value #STEP} bytes, so bodies of nearly equal size (the usual
 * case: pages end at about {@link BulkPageEncoder#PAGE_BYTES}) share arrays; a request may get an
 * array up to two classes larger. Idle arrays are kept up to {@link #MAX_IDLE_BYTES} bytes in all;
 * there are never more than the row groups in flight hold, so memory stays bounded by the chunk
 * window, not by the input.
 */
final class PageArrays {
    /** Size class width; also the smallest pooled array. */
    static final int STEP = 64 << 10;
    /** Largest pooled array: a zstd bound of {@link PageBodies#ONE_CALL_BYTES} and a little more. */
    static final int MAX_POOLED = PageBodies.ONE_CALL_BYTES + 4 * STEP;
    static final long MAX_IDLE_BYTES = 256L << 20;
    /** How many classes above the requested one an idle array may come from. */
    private static final int SLACK_CLASSES = 2;

    private final ConcurrentLinkedQueue<byte[]>[] idle;
    private final AtomicLong idleBytes = new AtomicLong();
    private final long maxIdleBytes;

    PageArrays() {
        this(MAX_IDLE_BYTES);
    }

    @SuppressWarnings("unchecked")
    PageArrays(long maxIdleBytes) {
        this.maxIdleBytes = maxIdleBytes;
        idle = new ConcurrentLinkedQueue[MAX_POOLED / STEP + 1];
        for (int c = 0; c < idle.length; c++) {
            idle[c] = new ConcurrentLinkedQueue<>();
        }
    }

    /** Whether {@link #take} serves arrays of {@code length} bytes. */
    static boolean pools(long length) {
        return length <= MAX_POOLED;
    }

    /** An array of at least {@code length} bytes ({@link #pools}), for the caller alone until {@link #giveBack}. */
    byte[] take(int length) {
        int c = Math.max(1, (length + STEP - 1) / STEP);
        for (int k = c, last = Math.min(idle.length - 1, c + SLACK_CLASSES); k <= last; k++) {
            byte[] a = idle[k].poll();
            if (a != null) {
                idleBytes.addAndGet(-a.length);
                return a;
            }
        }
        return new byte[c * STEP];
    }

    /** Returns an array from {@link #take}; it must not be used afterwards. */
    void giveBack(byte[] a) {
        if (idleBytes.addAndGet(a.length) > maxIdleBytes) {
            idleBytes.addAndGet(-a.length);
            return;
        }
        idle[a.length / STEP].add(a);
    }

    /** Bytes held idle (tests). */
    long idleBytes() {
        return idleBytes.get();
    }
}
