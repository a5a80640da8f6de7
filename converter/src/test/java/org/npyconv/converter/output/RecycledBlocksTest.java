package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.junit.jupiter.api.Test;

class RecycledBlocksTest {
    private static final long MB = 1 << 20;

    @Test
    void aFreedLargeBlockServesTheNextRequestOfASimilarSize() {
        try (RecycledBlocks blocks = new RecycledBlocks(64 * MB);
             BufferAllocator allocator = blocks.newRootAllocator()) {
            long address;
            try (ArrowBuf first = allocator.buffer(3 * MB)) {
                address = first.memoryAddress();
                first.setLong(0, 42);
            }
            try (ArrowBuf second = allocator.buffer(3 * MB - 100)) {
                assertEquals(1, blocks.reusedBlocks());
                assertEquals(address, second.memoryAddress());
                // Arrow's rounding policy (powers of two below 16 MiB) decides the capacity, as with malloc's memory.
                assertEquals(4 * MB, second.capacity());
                assertEquals(second.capacity(), allocator.getAllocatedMemory(), "accounted at the buffer's size");
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    @Test
    void smallRequestsNeitherTakeNorLeaveBlocks() {
        try (RecycledBlocks blocks = new RecycledBlocks(64 * MB);
             BufferAllocator allocator = blocks.newRootAllocator()) {
            allocator.buffer(8 * MB).close();
            allocator.buffer(2 * MB).close(); // a block of 8 MB is not pinned by a 2 MB request
            allocator.buffer(MB / 2).close(); // below MIN_BLOCK: malloc's
            allocator.buffer(9 * MB).close(); // larger than any block waiting
            assertEquals(0, blocks.reusedBlocks());
            allocator.buffer(7 * MB).close(); // fits the 8 MB block
            allocator.buffer(2 * MB).close(); // fits the 2 MB block
            assertEquals(2, blocks.reusedBlocks());
        }
    }

    @Test
    void atMostTheByteBoundWaits() {
        try (RecycledBlocks blocks = new RecycledBlocks(3 * MB);
             BufferAllocator allocator = blocks.newRootAllocator()) {
            ArrowBuf a = allocator.buffer(2 * MB);
            ArrowBuf b = allocator.buffer(2 * MB);
            a.close();
            b.close(); // over the bound: freed, not kept
            allocator.buffer(2 * MB).close();
            allocator.buffer(2 * MB).close();
            assertEquals(2, blocks.reusedBlocks(), "the one kept block serves both, one after the other");
            ArrowBuf c = allocator.buffer(2 * MB);
            ArrowBuf d = allocator.buffer(2 * MB);
            assertEquals(3, blocks.reusedBlocks(), "only one block was waiting");
            c.close();
            d.close();
        }
    }

    /** Vectors work on recycled memory: they zero what they need themselves. */
    @Test
    void vectorsOnReusedMemoryStartClean() {
        try (RecycledBlocks blocks = new RecycledBlocks(64 * MB);
             BufferAllocator allocator = blocks.newRootAllocator()) {
            int n = (int) (2 * MB / 4);
            try (Float4Vector dirty = new Float4Vector("x", allocator)) {
                dirty.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    dirty.set(i, 1.5f);
                }
                dirty.setValueCount(n);
            }
            try (Float4Vector fresh = new Float4Vector("y", allocator)) {
                fresh.allocateNew(n);
                fresh.setValueCount(n);
                assertEquals(1, blocks.reusedBlocks());
                assertEquals(n, fresh.getNullCount());
                assertEquals(0f, fresh.getDataBuffer().getFloat(4L * (n - 1)));
            }
        }
    }
}
