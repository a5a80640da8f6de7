package org.npyconv.converter.output;

import java.util.Arrays;

/**
 * The memo entries that later elements of a task refer back to, as {@link TypedSpans} needs them:
 * a str as its UTF-8 bytes, a bytes object as its bytes, anything else only as "not a leaf" (a
 * back-reference to a shared container sends its element to the general evaluator). The index's
 * MEMO section says which entries are referred to across elements and until which element
 * ({@code retainedLastUse}), so only those are kept, and {@link #sweep} drops them once no later
 * element of the task can refer to them: memory follows the live shared entries (dict keys, a
 * vocabulary of tags), not the task's size. Open addressing over memo indexes; one per task, not
 * thread-safe.
 */
final class SharedMemo {
    static final byte STR = 1;
    static final byte BYTES = 2;
    static final byte OTHER = 3;

    private long[] keys = new long[64];
    /** By slot ({@link #find}): read directly by {@link TypedSpans}'s hot loop. */
    byte[] kinds = new byte[64];
    /** By slot: a str's UTF-8 or a bytes object's bytes, else null. */
    byte[][] values = new byte[64][];
    private long[] lastUse = new long[64];
    private int size;

    /** The slot holding {@code memoIndex}, or -1. */
    int find(long memoIndex) {
        int mask = keys.length - 1;
        for (int s = hash(memoIndex) & mask; ; s = (s + 1) & mask) {
            byte k = kinds[s];
            if (k == 0) {
                return -1;
            }
            if (keys[s] == memoIndex) {
                return s;
            }
        }
    }

    byte kind(int slot) {
        return kinds[slot];
    }

    byte[] value(int slot) {
        return values[slot];
    }

    /** Keeps {@code memoIndex} until element {@code until} (inclusive); returns its slot. */
    int put(long memoIndex, byte kind, byte[] value, long until) {
        if ((size + 1) * 2 > keys.length) {
            rehash(keys.length * 2, Long.MIN_VALUE);
        }
        int mask = keys.length - 1;
        int s = hash(memoIndex) & mask;
        while (kinds[s] != 0 && keys[s] != memoIndex) {
            s = (s + 1) & mask;
        }
        if (kinds[s] == 0) {
            size++;
        }
        keys[s] = memoIndex;
        kinds[s] = kind;
        values[s] = value;
        lastUse[s] = until;
        return s;
    }

    /** Drops the entries no element from {@code element} on refers to. */
    void sweep(long element) {
        rehash(keys.length, element);
    }

    int size() {
        return size;
    }

    private void rehash(int capacity, long keepFrom) {
        long[] oldKeys = keys;
        byte[] oldKinds = kinds;
        byte[][] oldValues = values;
        long[] oldLast = lastUse;
        int live = 0;
        for (int s = 0; s < oldKinds.length; s++) {
            if (oldKinds[s] != 0 && oldLast[s] >= keepFrom) {
                live++;
            }
        }
        int cap = capacity;
        while (live * 2 > cap) {
            cap *= 2;
        }
        while (cap > 64 && live * 8 < cap) {
            cap /= 2;
        }
        keys = new long[cap];
        kinds = new byte[cap];
        values = new byte[cap][];
        lastUse = new long[cap];
        size = 0;
        for (int s = 0; s < oldKinds.length; s++) {
            if (oldKinds[s] != 0 && oldLast[s] >= keepFrom) {
                put(oldKeys[s], oldKinds[s], oldValues[s], oldLast[s]);
            }
        }
        Arrays.fill(oldValues, null);
    }

    private static int hash(long m) {
        long h = m * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
