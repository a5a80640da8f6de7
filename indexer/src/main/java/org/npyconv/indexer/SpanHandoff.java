package org.npyconv.indexer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.npyidx.SidecarWriter;

/**
 * Hands the scan's element batches to a second thread that records them (spans into the
 * {@link SidecarWriter}, kinds into the {@link KindTally}), so that the scanning thread only scans.
 * For a file of short strs, recording ten million spans was a third of the scanning thread's time;
 * the second core had only the checksum to do, which the reader now computes as it reads.
 *
 * <p>Batches are copied into one of a few fixed blocks (memory is flat: {@link #BLOCKS} times
 * {@link #BLOCK} elements) and recorded in the same calls, batch by batch, as the scanning thread
 * would have made: a batch longer than a block is split where the block fills, which gives the
 * same bytes because an element that ends where the next starts is recorded alike either way.
 * The writer and the tally belong to the recording thread until {@link #finish()} returns.
 */
final class SpanHandoff implements AutoCloseable {
    /** Elements per block: big enough that the hand-over per block costs nothing next to its copying. */
    static final int BLOCK = 8192;
    private static final int BLOCKS = 4;

    /** Elements of one or more batches, as the scanner's slot arrays held them. */
    private static final class Block {
        final long[] start;
        final long[] memoStart;
        final byte[] kind;
        final long[] detail;
        /** Elements in the block. */
        int size;
        /** Per batch: where it ends in the block (exclusive), and its end offset and memo counter. */
        final int[] batchTo;
        final long[] batchEnd;
        final long[] batchMemoEnd;
        int batches;
        /** The last block: the recording thread stops after it. */
        boolean last;

        Block(int capacity) {
            start = new long[capacity];
            memoStart = new long[capacity];
            kind = new byte[capacity];
            detail = new long[capacity];
            batchTo = new int[capacity];
            batchEnd = new long[capacity];
            batchMemoEnd = new long[capacity];
        }
    }

    private final SidecarWriter writer;
    private final KindTally kinds;
    private final boolean[] detailCounted = ElementScanner.detailCounted();
    private final BlockingQueue<Block> free = new ArrayBlockingQueue<>(BLOCKS);
    private final BlockingQueue<Block> full = new ArrayBlockingQueue<>(BLOCKS);
    private final Thread recorder;
    /** What the recording thread failed with; read after it ended. */
    private volatile Throwable failure;
    /** The block being filled (scanning thread only). */
    private Block filling;
    private boolean finished;
    /** Elements per block ({@link #BLOCK}; tests use tiny blocks to split batches). */
    private final int capacity;
    /** Elements recorded by the recording thread (read after {@link #finish()}: tests check the path is taken). */
    private long recorded;

    SpanHandoff(SidecarWriter writer, KindTally kinds, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("block capacity " + capacity);
        }
        this.writer = writer;
        this.kinds = kinds;
        this.capacity = capacity;
        for (int i = 0; i < BLOCKS; i++) {
            free.add(new Block(capacity));
        }
        recorder = new Thread(this::record, "npyconv-sidecar");
        recorder.setDaemon(true);
        recorder.start();
    }

    /** One batch, as {@link ElementScanner.Listener#elements} gives it; the arrays are copied. */
    void elements(long[] start, long[] memoStart, byte[] kind, long[] detail, int from, int to, long end,
            long memoEnd) throws IOException {
        if (failure != null) {
            finish(); // fail at the next batch, as the scanning thread itself would have, not at the end
        }
        int at = from;
        while (at < to) {
            Block b = filling;
            if (b == null) {
                b = filling = take(free);
            }
            int n = Math.min(to - at, capacity - b.size);
            System.arraycopy(start, at, b.start, b.size, n);
            System.arraycopy(memoStart, at, b.memoStart, b.size, n);
            System.arraycopy(kind, at, b.kind, b.size, n);
            System.arraycopy(detail, at, b.detail, b.size, n);
            b.size += n;
            at += n;
            // A split batch: the part in this block ends where the next part starts.
            b.batchTo[b.batches] = b.size;
            b.batchEnd[b.batches] = at < to ? start[at] : end;
            b.batchMemoEnd[b.batches] = at < to ? memoStart[at] : memoEnd;
            b.batches++;
            if (b.size == capacity) {
                send(b);
            }
        }
    }

    /**
     * Waits until every batch is recorded; rethrows what the recording failed with. The writer and
     * the tally are the caller's again afterwards.
     */
    void finish() throws IOException {
        end();
        if (failure != null) {
            Throwable f = failure;
            if (f instanceof IOException) {
                throw (IOException) f;
            }
            if (f instanceof RuntimeException) {
                throw (RuntimeException) f;
            }
            if (f instanceof Error) {
                throw (Error) f;
            }
            throw new NpyconvException("recording the spans failed", f);
        }
    }

    /** Elements recorded on the second thread, once {@link #finish()} has returned. */
    long recorded() {
        return recorded;
    }

    /** Stops the recording thread (after a failed scan: what it had is abandoned with the writer). */
    @Override
    public void close() throws IOException {
        end();
    }

    private void end() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        Block b = filling != null ? filling : take(free);
        b.last = true;
        send(b);
        try {
            recorder.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while recording spans");
        }
    }

    private void send(Block b) throws IOException {
        filling = null;
        try {
            full.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while recording spans");
        }
    }

    /** A free block; the recording thread returns every block it takes unless it died, which this notices rather than waiting forever. */
    private Block take(BlockingQueue<Block> queue) throws IOException {
        try {
            Block b;
            while ((b = queue.poll(100, TimeUnit.MILLISECONDS)) == null) {
                if (!recorder.isAlive()) {
                    throw new IOException("the span recording thread ended early", failure);
                }
            }
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while recording spans");
        }
    }

    /** The recording thread: blocks in order until the last; after a failure it only returns them. */
    private void record() {
        long done = 0;
        for (;;) {
            Block b;
            try {
                b = full.take();
            } catch (InterruptedException e) {
                failure = e;
                return;
            }
            if (failure == null) {
                try {
                    int from = 0;
                    for (int i = 0; i < b.batches; i++) {
                        int to = b.batchTo[i];
                        writer.elements(b.start, b.memoStart, from, to, b.batchEnd[i], b.batchMemoEnd[i]);
                        kinds.addAll(b.kind, b.detail, detailCounted, from, to, done);
                        done += to - from;
                        from = to;
                    }
                } catch (IOException | RuntimeException | Error e) {
                    failure = e instanceof UncheckedIOException ? ((UncheckedIOException) e).getCause() : e;
                }
            }
            if (b.last) {
                recorded = done;
                return;
            }
            b.size = 0;
            b.batches = 0;
            free.add(b);
        }
    }
}
