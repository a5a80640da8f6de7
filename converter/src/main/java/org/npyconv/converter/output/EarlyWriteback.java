package org.npyconv.converter.output;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.npyconv.formats.Durability;

/**
 * Starts writing an output file to disk while it is still being written, so that the final
 * {@code force} before the rename (docs/converter.md, "Atomic output") waits only for the tail.
 *
 * <p>Why: Linux keeps written pages dirty in the page cache until the dirty limits (gigabytes on a
 * large machine) or a sync. Writing 400 MB from page cache to page cache takes a fraction of a
 * second, after which a single {@code fsync} waited another 0.6–0.9 s for the disk with nothing
 * else to do. Here a background thread syncs the data written so far each time {@code step} more
 * bytes have been written (one sync at a time), overlapping the disk with the writing.
 *
 * <p>Not a durability guarantee by itself: the caller still forces the file at the end. A failed
 * background sync is reported by {@link #close}. The thread is a daemon, ended by {@link #close}.
 */
final class EarlyWriteback implements AutoCloseable {
    /** Bytes between syncs: large enough that the syscalls cost nothing, small enough to overlap. */
    static final long DEFAULT_STEP = 32L << 20;

    private final FileChannel channel;
    private final long step;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "npyconv-writeback");
        t.setDaemon(true);
        return t;
    });
    private Future<?> running;
    private long synced;
    private int started;

    /**
     * The write-back for an output of {@code durability}: syncing early only pays when the file is
     * forced at the end ({@link Durability#FSYNC}); otherwise one that never syncs.
     */
    static EarlyWriteback of(FileChannel channel, Durability durability) {
        return new EarlyWriteback(channel, durability == Durability.FSYNC ? DEFAULT_STEP : Long.MAX_VALUE);
    }

    EarlyWriteback(FileChannel channel, long step) {
        this.channel = channel;
        this.step = step;
    }

    /** Told the channel's size so far; starts a sync when {@code step} bytes came since the last one and none is running. */
    void written(long bytes) throws IOException {
        if (bytes - synced < step || running != null && !running.isDone()) {
            return;
        }
        check();
        synced = bytes;
        started++;
        running = thread.submit(() -> {
            channel.force(false);
            return null;
        });
    }

    /** Background syncs started so far (tests). */
    int syncsStarted() {
        return started;
    }

    /** Waits for the running sync, if any; rethrows its failure. */
    private void check() throws IOException {
        if (running == null) {
            return;
        }
        try {
            running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the output to reach the disk");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("background sync of the output failed", cause);
        } finally {
            running = null;
        }
    }

    /** Waits for the running sync and ends the thread. */
    @Override
    public void close() throws IOException {
        try {
            check();
        } finally {
            // Not shutdownNow: interrupting a thread inside force() would close the output channel.
            thread.shutdown();
        }
    }
}
