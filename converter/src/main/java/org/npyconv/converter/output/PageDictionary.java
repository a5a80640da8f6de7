package org.npyconv.converter.output;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The dictionary of one column chunk as parquet-java's dictionary writers build it: distinct
 * values numbered in order of first appearance, kept in their PLAIN encoding (which is the
 * dictionary page's body: {@code [length][bytes]} for strings, the little-endian value for
 * numbers), and {@link #byteSize} counted as theirs ({@code dictionaryByteSize}: 4 + length per
 * string, the PLAIN width per number). Equal means equal bytes (a float's bits: -0.0 and 0.0 stay
 * apart, as in parquet-java's maps). Open addressing over one {@code long} per slot (hash and id),
 * so a probe touches one array. Reusable after {@link #reset}; not thread-safe.
 */
final class PageDictionary {
    /** parquet-java's limit on a dictionary (its default dictionary page size): past it, the chunk's writer falls back to PLAIN. */
    static final int MAX_BYTES = 1 << 20;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Bytes of each value (0: strings with their length prefix). */
    private final int width;
    private byte[] plain = new byte[1 << 12];
    private int plainSize;
    /** Per id: where its string starts in {@link #plain} (after the length), or the number's bits. */
    private long[] entries = new long[256];
    private int count;
    /** Slots: hash in the high half, id + 1 in the low half; 0 is empty. */
    private long[] table = new long[512];

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
            table = new long[512];
            entries = new long[256];
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

    /** Where string {@code id}'s bytes start in {@link #bytes()} (its length is the 4 bytes before). */
    int stringAt(int id) {
        return (int) entries[id];
    }

    /** The bits of number {@code id}. */
    long number(int id) {
        return entries[id];
    }

    /** The id of a number given by its PLAIN bits (the low {@code width} bytes), added if new. */
    int id(long bits) {
        long h = bits * 0x9E3779B97F4A7C15L;
        int hash = (int) (h ^ (h >>> 29) ^ (h >>> 32));
        int mask = table.length - 1;
        int slot = hash & mask;
        while (true) {
            long e = table[slot];
            if (e == 0) {
                break;
            }
            int other = (int) e - 1;
            if ((int) (e >>> 32) == hash && entries[other] == bits) {
                return other;
            }
            slot = (slot + 1) & mask;
        }
        ensurePlain(width);
        for (int b = 0; b < width; b++) {
            plain[plainSize++] = (byte) (bits >>> (8 * b));
        }
        return add(slot, hash, bits);
    }

    /** The id of the string {@code a[from, from + len)}, added if new. */
    int id(byte[] a, int from, int len) {
        int hash = hash(a, from, len);
        int mask = table.length - 1;
        int slot = hash & mask;
        while (true) {
            long e = table[slot];
            if (e == 0) {
                break;
            }
            if ((int) (e >>> 32) == hash) {
                int other = (int) e - 1;
                int at = (int) entries[other];
                if (PlainStrings.lengthAt(plain, at - 4) == len && Arrays.equals(a, from, from + len, plain, at, at + len)) {
                    return other;
                }
            }
            slot = (slot + 1) & mask;
        }
        ensurePlain(4 + len);
        plain[plainSize] = (byte) len;
        plain[plainSize + 1] = (byte) (len >>> 8);
        plain[plainSize + 2] = (byte) (len >>> 16);
        plain[plainSize + 3] = (byte) (len >>> 24);
        System.arraycopy(a, from, plain, plainSize + 4, len);
        plainSize += 4 + len;
        return add(slot, hash, plainSize - len);
    }

    private int add(int slot, int hash, long entry) {
        int id = count;
        if (count == entries.length) {
            entries = Arrays.copyOf(entries, count * 2);
        }
        entries[id] = entry;
        count++;
        table[slot] = (long) hash << 32 | (id + 1L);
        if (2 * count > table.length) {
            grow();
        }
        return id;
    }

    private void ensurePlain(int more) {
        if (plainSize + more > plain.length) {
            plain = Arrays.copyOf(plain, Math.max(plainSize + more, plain.length * 2));
        }
    }

    private void grow() {
        long[] t = new long[table.length * 2];
        int mask = t.length - 1;
        for (long e : table) {
            if (e != 0) {
                int slot = (int) (e >>> 32) & mask;
                while (t[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                t[slot] = e;
            }
        }
        table = t;
    }

    /**
     * A hash of 8-byte words, each mixed by a multiply and a shift: strings that differ in one
     * byte spread over the table.
     */
    private static int hash(byte[] a, int from, int len) {
        long h = len * 0x9E3779B97F4A7C15L;
        int k = from;
        int end = from + len;
        for (; k + 8 <= end; k += 8) {
            h = (h ^ (long) LONGS.get(a, k)) * 0xFF51AFD7ED558CCDL;
            h ^= h >>> 32;
        }
        long tail = 0;
        for (int shift = 0; k < end; k++, shift += 8) {
            tail |= (a[k] & 0xFFL) << shift;
        }
        h = (h ^ tail) * 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

}
