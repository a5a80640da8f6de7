package org.npyconv.indexer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.npyconv.formats.npyidx.ElementKind;
import org.npyconv.formats.npyidx.KindCount;

/**
 * Counts elements per (kind, detail). Runs of equal kinds, the common case, cost one comparison each;
 * the map is bounded ({@link #MAX_KINDS}), further distinct kinds fold into {@link ElementKind#UNKNOWN}.
 */
final class KindTally {
    static final int MAX_KINDS = 4096;

    private final Map<List<Long>, long[]> counts = new LinkedHashMap<>();
    /** The run of equal (kind, detail) being counted, added to its entry when the run ends. */
    private int runKind = -1;
    private long runDetail;
    private long runLength;
    private long[] runEntry;

    /**
     * Counts elements {@code first, first + 1, ...} whose kinds (ordinals) and counted details are
     * {@code kind[from..to)} and {@code detail[from..to)}, in order:
     * runs of equal pairs are measured in a local loop (a batch of strs is one run).
     */
    void addAll(byte[] kind, long[] detail, boolean[] detailCounted, int from, int to, long first) {
        int i = from;
        while (i < to) {
            int ordinal = kind[i];
            long d = detailCounted[ordinal] ? detail[i] : 0;
            if (ordinal != runKind || d != runDetail) {
                startRun(ordinal, d, first + i - from);
            } else {
                runLength++;
            }
            int j = i + 1;
            while (j < to && kind[j] == ordinal && (detailCounted[ordinal] ? detail[j] : 0) == d) {
                j++;
            }
            runLength += j - i - 1;
            i = j;
        }
    }

    /** Kept out of {@link #addAll}'s loop, which should stay small. */
    private void startRun(int ordinal, long detail, long element) {
        endRun();
        List<Long> key = List.of((long) ordinal, detail);
        long[] entry = counts.get(key);
        if (entry == null) {
            if (counts.size() >= MAX_KINDS) {
                key = List.of((long) ElementKind.UNKNOWN.ordinal(), 0L);
                entry = counts.get(key);
            }
            if (entry == null) {
                entry = new long[] {0, element};
                counts.put(key, entry);
            }
        }
        runKind = ordinal;
        runDetail = detail;
        runEntry = entry;
        runLength = 1;
    }

    private void endRun() {
        if (runEntry != null) {
            runEntry[0] += runLength;
            runLength = 0;
        }
    }

    List<KindCount> counts() {
        endRun();
        List<KindCount> out = new ArrayList<>();
        counts.forEach((key, v) -> out.add(new KindCount(ElementKind.ofOrdinal(key.get(0).intValue()), key.get(1), v[0], v[1])));
        return out;
    }
}
