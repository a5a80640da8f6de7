package org.npyconv.indexer;

import java.util.Arrays;

/**
 * Memo entries that elements refer to with GET, each with an upper bound of the last element that
 * does: what a streaming reader must keep, and until when. An open-addressing table of primitives
 * with a hard cap ({@link #MAX_ENTRIES}); past it the indexer stops recording and says so in the
 * sidecar, and readers fall back to re-evaluating the defining element on a miss.
 */
final class CrossReferences {
    static final int MAX_ENTRIES = 1 << 18;

    private static final int HINTS = 256;

    private long[] keys = new long[1024];
    /** By the low bits of a memo index: the table slot where it was last found (never beyond the table: it only grows). */
    private final int[] hint = new int[HINTS];
    private long[] lastUse = new long[1024];
    private int size;
    private boolean complete = true;

    CrossReferences() {
        Arrays.fill(keys, -1);
    }

    void reference(long memoIndex, long element) {
        // Elements refer to the same few entries again and again (a list of dicts: every key after
        // the first dict), so the slot of each is remembered in a small direct-mapped hint before
        // the hash probe; a stale hint (after grow) fails the key comparison and probes as usual.
        int h = hint[(int) memoIndex & (HINTS - 1)];
        if (keys[h] == memoIndex) {
            if (element > lastUse[h]) {
                lastUse[h] = element;
            }
            return;
        }
        int mask = keys.length - 1;
        int i = mix(memoIndex) & mask;
        while (keys[i] != -1) {
            if (keys[i] == memoIndex) {
                if (element > lastUse[i]) {
                    lastUse[i] = element;
                }
                hint[(int) memoIndex & (HINTS - 1)] = i;
                return;
            }
            i = (i + 1) & mask;
        }
        if (!complete) {
            return;
        }
        if (size >= MAX_ENTRIES) {
            complete = false;
            return;
        }
        keys[i] = memoIndex;
        lastUse[i] = element;
        hint[(int) memoIndex & (HINTS - 1)] = i;
        size++;
        if (size * 2 > keys.length) {
            grow();
        }
    }

    /**
     * {@link #reference} for {@code n} references in order: the GETs of a fused element run, in
     * one call. The hinted hit, nearly every reference of a list of dicts, is checked here without
     * a call (C1 does not inline {@code reference}).
     */
    void referenceAll(long[] memoIndex, long[] element, int n) {
        final long[] k = keys;
        final long[] uses = lastUse;
        for (int j = 0; j < n; j++) {
            final long index = memoIndex[j];
            final int h = hint[(int) index & (HINTS - 1)];
            if (k == keys && k[h] == index) {
                if (element[j] > uses[h]) {
                    uses[h] = element[j];
                }
            } else {
                reference(index, element[j]); // may grow the table: the locals are then stale, hence k == keys
            }
        }
    }

    boolean complete() {
        return complete;
    }

    /** The recorded memo indices ascending, and their last uses, as two parallel arrays. */
    long[][] sorted() {
        long[] packedKeys = new long[size];
        int n = 0;
        for (long key : keys) {
            if (key != -1) {
                packedKeys[n++] = key;
            }
        }
        Arrays.sort(packedKeys);
        long[] uses = new long[size];
        for (int j = 0; j < size; j++) {
            uses[j] = lastUseOf(packedKeys[j]);
        }
        return new long[][] {packedKeys, uses};
    }

    private long lastUseOf(long memoIndex) {
        int mask = keys.length - 1;
        int i = mix(memoIndex) & mask;
        while (keys[i] != memoIndex) {
            i = (i + 1) & mask;
        }
        return lastUse[i];
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldUses = lastUse;
        keys = new long[oldKeys.length * 2];
        lastUse = new long[oldKeys.length * 2];
        Arrays.fill(keys, -1);
        size = 0;
        boolean wasComplete = complete;
        complete = true;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != -1) {
                reference(oldKeys[j], oldUses[j]);
            }
        }
        complete = wasComplete;
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
