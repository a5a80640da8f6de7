package org.npyconv.converter.output;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;

/**
 * Appends a value to a string or binary vector the way {@code setSafe(index, bytes, at, n)} does,
 * but, when the value is the next one and fits the buffers already allocated, with three raw
 * memory writes instead of {@code setSafe}'s chain of capacity, hole-filling and bounds checks
 * (half the str fast path's CPU time, and too deep for the C1 compiler to inline). Any other case
 * (a gap before {@code index}, a buffer to grow) goes through {@code setSafe}. The buffers end up
 * byte for byte as {@code setSafe} leaves them: same offsets, data, validity bit and last-set row.
 */
final class VarWidthAppend {
    private static final int OFFSET_WIDTH = BaseVariableWidthVector.OFFSET_WIDTH;
    /** Values from this length on are copied with {@code Unsafe.copyMemory}. */
    private static final int SHORT = 64;

    private VarWidthAppend() {
    }

    /** Sets row {@code index} of {@code vector} to the bytes {@code b[at, at + n)}. */
    static void set(BaseVariableWidthVector vector, int index, byte[] b, int at, int n) {
        if (index >= 0 && vector.getLastSet() == index - 1 && at >= 0 && n >= 0 && n <= b.length - at) {
            ArrowBuf offsets = vector.getOffsetBuffer();
            ArrowBuf validity = vector.getValidityBuffer();
            ArrowBuf data = vector.getDataBuffer();
            long offsetAt = (long) (index + 1) * OFFSET_WIDTH;
            // Every row below index is set (lastSet), so offset[index] is the data's end.
            if (offsetAt + OFFSET_WIDTH <= offsets.capacity() && (index >>> 3) < validity.capacity()) {
                int start = MemoryUtil.getInt(offsets.memoryAddress() + offsetAt - OFFSET_WIDTH);
                // (Offsets are ints: past 2 GiB of data, setSafe's own overflow error applies.)
                if (start >= 0 && (long) start + n <= Math.min(data.capacity(), Integer.MAX_VALUE)) {
                    copy(b, at, data.memoryAddress() + start, n);
                    MemoryUtil.putInt(offsets.memoryAddress() + offsetAt, start + n);
                    long bits = validity.memoryAddress() + (index >>> 3);
                    MemoryUtil.putByte(bits, (byte) (MemoryUtil.getByte(bits) | 1 << (index & 7)));
                    vector.setLastSet(index);
                    return;
                }
            }
        }
        vector.setSafe(index, b, at, n);
    }

    /**
     * {@code b[at, at + n)} to memory at {@code address}. Short values go as 8-byte words (the last
     * one overlapping the one before, so nothing outside the range is read or written): the C1
     * compiler does not make {@code Unsafe.copyMemory} from a heap array an intrinsic, and its
     * checks cost more than copying a ten-byte string.
     */
    static void copy(byte[] b, int at, long address, int n) {
        if (n >= SHORT) {
            MemoryUtil.copyToMemory(b, at, address, n);
        } else if (n >= 8) {
            int k = 0;
            for (; k < n - 8; k += 8) {
                MemoryUtil.putLong(address + k, MemoryUtil.getLong(b, at + k));
            }
            MemoryUtil.putLong(address + n - 8, MemoryUtil.getLong(b, at + n - 8));
        } else {
            for (int k = 0; k < n; k++) {
                MemoryUtil.putByte(address + k, b[at + k]);
            }
        }
    }
}
