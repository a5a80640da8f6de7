package org.npyconv.indexer;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * Run in a JVM with a small heap by {@link FlatMemoryTest}: indexes a large file, streams every
 * element, and reads random elements. Prints {@code elements=N} and exits 0 when all went well.
 */
public final class FlatMemoryProbe {
    private FlatMemoryProbe() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int gets = Integer.parseInt(args[1]);
        Indexer.build(file, Indexer.sidecarPath(file), Indexer.DEFAULT_CHECKPOINT_INTERVAL, Indexer.Progress.NONE);
        long streamed = 0;
        try (NpyObjectArray array = NpyObjectArray.open(file)) {
            Iterator<Object> it = array.iterator();
            while (it.hasNext()) {
                it.next();
                streamed++;
            }
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < gets; i++) {
                array.get(random.nextLong(array.size()));
            }
            array.get(array.size() - 1);
        }
        System.out.println("elements=" + streamed + " maxHeap=" + Runtime.getRuntime().maxMemory());
    }
}
