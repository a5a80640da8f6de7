package org.npyconv.converter.output;

import java.util.Arrays;

/**
 * Strings laid out as in a PLAIN BINARY page (a little-endian u32 length, then the bytes), the
 * layout of the page buffers of {@link BulkPageEncoder} and {@link LeafPageEncoder} and of
 * {@link PageDictionary}'s values: their length, order and the prefix kept in statistics.
 * Offsets {@code at} point at the length.
 */
final class PlainStrings {
    /** Longest min/max kept whole in page statistics ({@link #statsLength}). */
    static final int STATS_PREFIX = 64 << 10;

    private PlainStrings() {}

    static int lengthAt(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    /**
     * The first 8 bytes of the string whose bytes start at {@code from} as an unsigned big-endian
     * number, zero-padded: a smaller prefix means a smaller string in unsigned lexicographic order;
     * equal prefixes need the full comparison (a shorter string padded with zeros ties with one
     * holding zeros).
     */
    static long prefix(byte[] b, int from, int len) {
        long key = 0;
        int m = Math.min(len, 8);
        for (int k = 0; k < m; k++) {
            key |= (long) (b[from + k] & 0xFF) << (56 - 8 * k);
        }
        return key;
    }

    /** Unsigned lexicographic order of the strings at {@code a} and {@code c} (parquet-java's order for BINARY). */
    static int compare(byte[] b, int a, int c) {
        return Arrays.compareUnsigned(b, a + 4, a + 4 + lengthAt(b, a), b, c + 4, c + 4 + lengthAt(b, c));
    }

    /**
     * The bytes of the string at {@code at} that the page statistics keep: all of it, or its first
     * {@value #STATS_PREFIX} bytes. A longer min or max never reaches the file whole: the footer
     * drops min/max over 4 KiB (parquet-java's {@code MAX_STATS_SIZE}) and the column index keeps
     * 64 bytes; every comparison with a value shorter than the prefix has the same outcome. So the
     * file is the same, and a row group waiting for the writer does not hold a copy of a 900 MiB
     * value.
     */
    static int statsLength(byte[] b, int at) {
        return Math.min(lengthAt(b, at), STATS_PREFIX);
    }
}
