package org.npyconv.indexer.hostile;

/** Jazzer entry point ({@code tools/hostile/fuzz.sh HeaderFuzzer}) for {@link FuzzTarget#HEADER}. */
public final class HeaderFuzzer {
    private HeaderFuzzer() {}

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzTarget.HEADER.fuzz(data);
    }
}
