package org.npyconv.converter.output;

import java.util.Arrays;

/**
 * The dictionary of one column chunk as parquet-java's dictionary writers build it: distinct
 * values numbered in order of first appearance, kept as their PLAIN encoding (which is the
 * dictionary page's body: {@code [length][bytes]} for strings, the little-endian value for
 * numbers), and {@link #byteSize} counted as theirs ({@code dictionaryByteSize}: 4 + length per
 * string, the PLAIN width per number). Values are looked up by their PLAIN bytes in a page buffer,
 * with an open-addressing table of ids; equal means equal bytes (so a float's bits: -0.0 and 0.0
 * stay apart, as in parquet-java's maps). Reusable after {@link #reset}; not thread-safe.
 */
final class PageDictionary {
    /** parquet-java's limit on a dictionary (its default dictionary page size): past it, the chunk's writer falls back to PLAIN. */
    static final int MAX_BYTES = 1 << 20;

    /** Bytes of each value (0: strings with their length prefix). */
    private final int width;
    private byte[] plain = new byte[1 << 12];
    private int plainSize;
    private int[] starts = new int[256];
    private int[] hashes = new int[256];
    private int count;
    private int[] table = new int[512];

    PageDictionary(int width) {
        this.width = width;
    }

    void reset() {
        if (plain.length > 4 * MAX_BYTES) {
            plain = new byte[1 << 12];
        }
        plainSize = 0;
        count = 0;
        if (table.length > 1 << 16) {
            table = new int[512];
            starts = new int[256];
            hashes = new int[256];
        } else {
            Arrays.fill(table, 0);
        }
    }

    /** Distinct values so far. */
    int size() {
        return count;
    }

    /** parquet-java's {@code dictionaryByteSize}: the PLAIN size of the distinct values. */
    int byteSize() {
        return plainSize;
    }

    /** The dictionary page's body (PLAIN values in id order): {@code bytes()[0, byteSize())}. */
    byte[] bytes() {
        return plain;
    }

    /**
     * The id of the value whose PLAIN encoding starts at {@code at} in {@code page} (a string's
     * length prefix, or a number's bytes), added if new.
     */
    int id(byte[] page, int at) {
        int from = width == 0 ? at + 4 : at;
        int len = width == 0 ? lengthAt(page, at) : width;
        int h = hash(page, from, len);
        int mask = table.length - 1;
        int slot = h & mask;
        while (true) {
            int other = table[slot] - 1;
            if (other < 0) {
                break;
            }
            if (hashes[other] == h && same(page, from, len, other)) {
                return other;
            }
            slot = (slot + 1) & mask;
        }
        int id = count;
        int entry = width == 0 ? 4 + len : len;
        if (plainSize + entry > plain.length) {
            plain = Arrays.copyOf(plain, Math.max(plainSize + entry, plain.length * 2));
        }
        System.arraycopy(page, at, plain, plainSize, entry);
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            hashes = Arrays.copyOf(hashes, count * 2);
        }
        starts[id] = plainSize;
        hashes[id] = h;
        plainSize += entry;
        count++;
        table[slot] = id + 1;
        if (2 * count > table.length) {
            grow();
        }
        return id;
    }

    private void grow() {
        int[] t = new int[table.length * 2];
        int mask = t.length - 1;
        for (int id = 0; id < count; id++) {
            int slot = hashes[id] & mask;
            while (t[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            t[slot] = id + 1;
        }
        table = t;
    }

    private boolean same(byte[] page, int from, int len, int id) {
        int at = starts[id];
        if (width == 0) {
            return lengthAt(plain, at) == len && Arrays.equals(page, from, from + len, plain, at + 4, at + 4 + len);
        }
        return Arrays.equals(page, from, from + len, plain, at, at + len);
    }

    private static int hash(byte[] a, int from, int len) {
        int h = len;
        for (int k = from; k < from + len; k++) {
            h = 31 * h + a[k];
        }
        return h ^ (h >>> 16) * 0x45d9f3b;
    }

    static int lengthAt(byte[] a, int at) {
        return (a[at] & 0xFF) | (a[at + 1] & 0xFF) << 8 | (a[at + 2] & 0xFF) << 16 | (a[at + 3] & 0xFF) << 24;
    }
}
