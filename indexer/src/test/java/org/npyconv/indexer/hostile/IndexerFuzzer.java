package org.npyconv.indexer.hostile;

/** Jazzer entry point ({@code tools/hostile/fuzz.sh IndexerFuzzer}) for {@link FuzzTarget#INDEXER}. */
public final class IndexerFuzzer {
    private IndexerFuzzer() {}

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzTarget.INDEXER.fuzz(data);
    }
}
