package org.npyconv.indexer.hostile;

/** Jazzer entry point ({@code tools/hostile/fuzz.sh PickleReaderFuzzer}) for {@link FuzzTarget#PICKLE_READER}. */
public final class PickleReaderFuzzer {
    private PickleReaderFuzzer() {}

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzTarget.PICKLE_READER.fuzz(data);
    }
}
