package org.npyconv.indexer.hostile;

/** Jazzer entry point ({@code tools/hostile/fuzz.sh ElementsFuzzer}) for {@link FuzzTarget#ELEMENTS}. */
public final class ElementsFuzzer {
    private ElementsFuzzer() {}

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzTarget.ELEMENTS.fuzz(data);
    }
}
