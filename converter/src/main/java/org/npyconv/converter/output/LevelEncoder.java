package org.npyconv.converter.output;

import java.util.Arrays;

/**
 * Repetition or definition levels (or dictionary ids) in Parquet's RLE/bit-packed hybrid encoding, byte for byte as
 * parquet-java's {@code RunLengthBitPackingHybridEncoder} writes them (same run detection: a value
 * repeated 8 times turns into an RLE run, shorter stretches are bit-packed in groups of 8, at most
 * 63 groups per bit-packed run), but fed whole runs: {@link #run} of a million equal levels costs
 * what eight single levels cost. Levels of a page come in long runs (every value defined, every
 * list item after the first at repetition 1), so the bulk page encoder hands them over run by run.
 * Reusable after {@link #reset}; not thread-safe.
 */
final class LevelEncoder {
    private int bitWidth;
    private final int[] buffered = new int[8];
    private int numBuffered;
    private int previous;
    private int repeatCount;
    private int groupCount;
    private int headerAt = -1;
    private byte[] out = new byte[256];
    private int size;

    /** Levels of at most {@code maxLevel} (0 gives parquet-java's zero-width encoding). */
    LevelEncoder(int maxLevel) {
        this.bitWidth = 32 - Integer.numberOfLeadingZeros(maxLevel);
    }

    /** Starts over for values of at most {@code maxValue} (dictionary ids: the width changes page by page). */
    void reset(int maxValue) {
        bitWidth = 32 - Integer.numberOfLeadingZeros(maxValue);
        reset();
    }

    void reset() {
        numBuffered = 0;
        previous = 0;
        repeatCount = 0;
        groupCount = 0;
        headerAt = -1;
        size = 0;
    }

    /** {@code count} levels equal to {@code level}. */
    void run(int level, long count) {
        while (count > 0) {
            if (level == previous && repeatCount >= 8) {
                // In an RLE run already: the rest of the levels only lengthen it.
                repeatCount = Math.toIntExact(repeatCount + count);
                return;
            }
            add(level);
            count--;
        }
    }

    /** One level (parquet-java's {@code writeInt}). */
    void add(int level) {
        if (level == previous) {
            if (++repeatCount >= 8) {
                return;
            }
        } else {
            if (repeatCount >= 8) {
                rleRun();
            }
            repeatCount = 1;
            previous = level;
        }
        buffered[numBuffered++] = level;
        if (numBuffered == 8) {
            packGroup();
        }
    }

    /** Ends the levels; the encoding is then {@link #bytes()}[0, {@link #size()}). */
    void finish() {
        if (repeatCount >= 8) {
            rleRun();
        } else if (numBuffered > 0) {
            Arrays.fill(buffered, numBuffered, 8, 0);
            packGroup();
            endPackedRun();
        } else {
            endPackedRun();
        }
    }

    byte[] bytes() {
        return out;
    }

    int size() {
        return size;
    }

    private void packGroup() {
        if (groupCount >= 63) {
            endPackedRun();
        }
        if (headerAt < 0) {
            headerAt = size;
            put((byte) 0); // the run's header, set when the run ends
        }
        // Eight values of bitWidth bits, little-endian: bitWidth bytes.
        if (bitWidth <= 8) {
            long bits = 0;
            for (int k = 0; k < 8; k++) {
                bits |= (long) (buffered[k] & ((1 << bitWidth) - 1)) << (k * bitWidth);
            }
            for (int b = 0; b < bitWidth; b++) {
                put((byte) (bits >>> (8 * b)));
            }
        } else {
            // Dictionary ids of up to 32 bits.
            long mask = (1L << bitWidth) - 1;
            long bits = 0;
            int held = 0;
            for (int k = 0; k < 8; k++) {
                bits |= (buffered[k] & mask) << held;
                held += bitWidth;
                while (held >= 8) {
                    put((byte) bits);
                    bits >>>= 8;
                    held -= 8;
                }
            }
        }
        numBuffered = 0;
        repeatCount = 0;
        groupCount++;
    }

    private void endPackedRun() {
        if (headerAt < 0) {
            return;
        }
        out[headerAt] = (byte) ((groupCount << 1) | 1);
        headerAt = -1;
        groupCount = 0;
    }

    private void rleRun() {
        endPackedRun();
        int header = repeatCount << 1;
        while ((header & ~0x7F) != 0) {
            put((byte) ((header & 0x7F) | 0x80));
            header >>>= 7;
        }
        put((byte) header);
        for (int b = 0; b < (bitWidth + 7) / 8; b++) {
            put((byte) (previous >>> (8 * b)));
        }
        repeatCount = 0;
        numBuffered = 0;
    }

    private void put(byte b) {
        if (size == out.length) {
            out = Arrays.copyOf(out, size * 2);
        }
        out[size++] = b;
    }
}
