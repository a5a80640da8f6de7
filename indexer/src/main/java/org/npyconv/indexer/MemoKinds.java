package org.npyconv.indexer;

import java.util.Arrays;

/**
 * What the structural scan remembers about memo entries, so a GET pushes a slot of the right kind:
 * a pinned table (entries of the preamble, globals and dtypes: few, used by every element, never
 * evicted; at most {@link #MAX_PINNED}) and a direct-mapped cache for everything else (a collision
 * loses a guess, never correctness). Primitive arrays only: one lookup per GET, no boxing.
 */
final class MemoKinds {
    static final int MAX_PINNED = 1 << 16;
    private static final int CACHE_BITS = 16;

    /** Mask of a memo index's slot in the direct-mapped cache. */
    static final int CACHE_MASK = (1 << CACHE_BITS) - 1;
    /** The multiplier of {@link #pinnedSlot}'s hash. */
    static final long PINNED_HASH = 0x9E3779B97F4A7C15L;

    // Package-private: ElementScanner's fused element loop probes the pinned table and fills the
    // cache itself, the same way find() and put() do, because C1 inlines neither (a call per GET
    // and per MEMOIZE of a file of small dicts). It never pins, so the pinned arrays it reads stay put.
    long[] pinnedKey = new long[64];
    byte[] pinnedKind = new byte[64];
    long[] pinnedDetail = new long[64];
    long[] pinnedPayloadOffset = new long[64];
    int[] pinnedPayloadLength = new int[64];
    private int pinnedSize;
    /**
     * By a memo index's low bits: whether an index with those bits may be pinned (never cleared,
     * as entries are never unpinned). Most GETs inside the element list are of unpinned entries;
     * this spares them the hash probe.
     */
    final boolean[] mayBePinned = new boolean[1 << CACHE_BITS];

    final long[] cacheKey = new long[1 << CACHE_BITS];
    final byte[] cacheKind = new byte[1 << CACHE_BITS];
    final long[] cacheDetail = new long[1 << CACHE_BITS];
    final long[] cachePayloadOffset = new long[1 << CACHE_BITS];
    final int[] cachePayloadLength = new int[1 << CACHE_BITS];

    // The last lookup's result.
    byte kind;
    long detail;
    long payloadOffset;
    int payloadLength;

    MemoKinds() {
        Arrays.fill(pinnedKey, -1);
        Arrays.fill(cacheKey, -1);
    }

    /**
     * Remembers entry {@code index}. {@code fresh} says it was never stored before (the common
     * case: Python's picklers store each index once), which spares a probe of the pinned table.
     */
    void put(long index, boolean fresh, boolean pin, byte kind, long detail, long payloadOffset, int payloadLength) {
        if (fresh && !pin) {
            cache(index, kind, detail, payloadOffset, payloadLength);
            return;
        }
        int p = pinnedSlot(index);
        if (pin || pinnedKey[p] == index) {
            if (pinnedKey[p] == index || pinnedSize < MAX_PINNED) {
                if (pinnedKey[p] != index) {
                    pinnedKey[p] = index;
                    pinnedSize++;
                    mayBePinned[(int) index & CACHE_MASK] = true;
                }
                pinnedKind[p] = kind;
                pinnedDetail[p] = detail;
                pinnedPayloadOffset[p] = payloadOffset;
                pinnedPayloadLength[p] = payloadLength;
                if (pinnedSize * 2 > pinnedKey.length) {
                    growPinned();
                }
                return;
            }
        }
        cache(index, kind, detail, payloadOffset, payloadLength);
    }

    /**
     * Remembers the fresh, unpinned entries of a fused str run in one call: slot {@code i} of
     * {@code [from, to)} was stored at key {@code keys[i]} (-1: not stored). What {@link #put} does
     * per entry, without a call per str under C1 (which does not inline {@code put}).
     */
    void cacheRun(long[] keys, long[] payloadOffsets, int[] payloadLengths, int from, int to, byte kind, long detail) {
        final int mask = (1 << CACHE_BITS) - 1;
        for (int slot = from; slot < to; slot++) {
            final long index = keys[slot];
            if (index >= 0) {
                final int i = (int) (index & mask);
                cacheKey[i] = index;
                cacheKind[i] = kind;
                cacheDetail[i] = detail;
                cachePayloadOffset[i] = payloadOffsets[slot];
                cachePayloadLength[i] = payloadLengths[slot];
            }
        }
    }

    private void cache(long index, byte kind, long detail, long payloadOffset, int payloadLength) {
        int i = (int) (index & ((1 << CACHE_BITS) - 1));
        cacheKey[i] = index;
        cacheKind[i] = kind;
        cacheDetail[i] = detail;
        cachePayloadOffset[i] = payloadOffset;
        cachePayloadLength[i] = payloadLength;
    }

    /** Looks {@code index} up; on success the fields hold its kind and details. */
    boolean find(long index) {
        int p = pinnedSlot(index);
        if (pinnedKey[p] == index) {
            kind = pinnedKind[p];
            detail = pinnedDetail[p];
            payloadOffset = pinnedPayloadOffset[p];
            payloadLength = pinnedPayloadLength[p];
            return true;
        }
        int i = (int) (index & ((1 << CACHE_BITS) - 1));
        if (cacheKey[i] == index) {
            kind = cacheKind[i];
            detail = cacheDetail[i];
            payloadOffset = cachePayloadOffset[i];
            payloadLength = cachePayloadLength[i];
            return true;
        }
        return false;
    }

    /** The pinned table's slot for {@code index}: where it is, or the empty slot it would take. */
    private int pinnedSlot(long index) {
        int mask = pinnedKey.length - 1;
        long h = index * PINNED_HASH;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (pinnedKey[i] != -1 && pinnedKey[i] != index) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void growPinned() {
        long[] keys = pinnedKey;
        byte[] kinds = pinnedKind;
        long[] details = pinnedDetail;
        long[] offsets = pinnedPayloadOffset;
        int[] lengths = pinnedPayloadLength;
        int size = keys.length * 2;
        pinnedKey = new long[size];
        Arrays.fill(pinnedKey, -1);
        pinnedKind = new byte[size];
        pinnedDetail = new long[size];
        pinnedPayloadOffset = new long[size];
        pinnedPayloadLength = new int[size];
        for (int j = 0; j < keys.length; j++) {
            if (keys[j] != -1) {
                int p = pinnedSlot(keys[j]);
                pinnedKey[p] = keys[j];
                pinnedKind[p] = kinds[j];
                pinnedDetail[p] = details[j];
                pinnedPayloadOffset[p] = offsets[j];
                pinnedPayloadLength[p] = lengths[j];
            }
        }
    }
}
