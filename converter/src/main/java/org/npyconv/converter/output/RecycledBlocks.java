package org.npyconv.converter.output;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Arrow memory for a conversion that hands the large blocks of a finished chunk to the next chunk
 * instead of returning them to the C library.
 *
 * <p>Why: a conversion allocates the same few large buffers for every chunk (a ragged float32
 * chunk's item buffer is ~32 MB) and frees them once the chunk is written. Blocks that large are
 * mapped fresh by malloc for each chunk and unmapped on free, so every chunk pays the kernel's
 * page faults and zeroing of its whole buffer again: a seventh of a ragged conversion's CPU
 * (docs/perf/session5.md). Kept here, a block is reused warm.
 *
 * <p>Bounded: at most {@code maxWaitingBytes} wait for reuse (beyond that, freed blocks go back to
 * malloc), so the resident memory stays that of the chunks in flight plus at most that much. Blocks below
 * {@link #MIN_BLOCK} go to malloc as usual (its own free lists serve them well). A block serves a
 * request of at most its size and at least half of it, so a small request never pins a big block.
 * Reused memory is not zeroed, exactly like a fresh {@code allocator.buffer(n)}: Arrow's vectors
 * zero what they need themselves.
 *
 * <p>Thread-safe (chunks are made on workers and freed on the writing thread). {@link #close()}
 * frees the waiting blocks; close the allocator first (try-with-resources in declaration order:
 * this, then the allocator).
 */
public final class RecycledBlocks implements AllocationManager.Factory, AutoCloseable {
    /**
     * The CLI's budget for a conversion: about two chunks' worth of the largest buffers (a ragged
     * float32 chunk's items are ~32 MB), since two to three chunks are in flight.
     */
    public static final long FOR_CONVERSION = 96L << 20;
    /** Smallest block kept for reuse: below it malloc reuses memory without page faults anyway. */
    static final long MIN_BLOCK = 1 << 20;
    /** Blocks are rounded up to this, so chunks whose buffers differ a little still share blocks. */
    private static final long GRAIN = 1 << 20;

    private final long maxWaitingBytes;
    private final List<long[]> waiting = new ArrayList<>(); // {address, capacity}
    private long waitingBytes;
    private long reused;
    private boolean closed;

    /** Keeps up to {@code maxWaitingBytes} of freed large blocks for reuse. */
    public RecycledBlocks(long maxWaitingBytes) {
        this.maxWaitingBytes = maxWaitingBytes;
    }

    /** A root allocator whose memory comes from this factory. */
    public BufferAllocator newRootAllocator() {
        return new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(this).build());
    }

    @Override
    public AllocationManager create(BufferAllocator accountingAllocator, long size) {
        if (size < MIN_BLOCK) {
            return UnsafeAllocationManager.FACTORY.create(accountingAllocator, size);
        }
        long[] block = take(size);
        if (block == null) {
            long capacity = (size + GRAIN - 1) / GRAIN * GRAIN;
            block = new long[] {MemoryUtil.allocateMemory(capacity), capacity};
        }
        return new Block(accountingAllocator, size, block);
    }

    @Override
    public ArrowBuf empty() {
        return UnsafeAllocationManager.FACTORY.empty();
    }

    /** Blocks handed out again so far (tests and measurements). */
    public synchronized long reusedBlocks() {
        return reused;
    }

    private synchronized long[] take(long size) {
        int best = -1;
        for (int i = 0; i < waiting.size(); i++) {
            long capacity = waiting.get(i)[1];
            if (capacity >= size && capacity / 2 <= size && (best < 0 || capacity < waiting.get(best)[1])) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        reused++;
        waitingBytes -= waiting.get(best)[1];
        return waiting.remove(best);
    }

    private void give(long[] block) {
        synchronized (this) {
            if (!closed && waitingBytes + block[1] <= maxWaitingBytes) {
                waiting.add(block);
                waitingBytes += block[1];
                return;
            }
        }
        MemoryUtil.freeMemory(block[0]);
    }

    /** Frees the blocks waiting for reuse; blocks freed later go straight back to malloc. */
    @Override
    public void close() {
        List<long[]> blocks;
        synchronized (this) {
            closed = true;
            blocks = new ArrayList<>(waiting);
            waiting.clear();
            waitingBytes = 0;
        }
        for (long[] b : blocks) {
            MemoryUtil.freeMemory(b[0]);
        }
    }

    /** One block lent to Arrow; given back when Arrow releases it. */
    private final class Block extends AllocationManager {
        private final long size;
        private final long[] block;

        Block(BufferAllocator accountingAllocator, long size, long[] block) {
            super(accountingAllocator);
            this.size = size;
            this.block = block;
        }

        @Override
        public long getSize() {
            return size;
        }

        @Override
        protected long memoryAddress() {
            return block[0];
        }

        @Override
        protected void release0() {
            give(block);
        }
    }
}
