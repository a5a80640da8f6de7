package org.npyconv.indexer.hostile;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.indexer.Indexer;
import org.npyconv.indexer.NpyObjectArray;

/**
 * Run in child JVMs by {@link RobustnessConcurrencyTest}. {@code read FILE}: opens the array with its
 * existing index (never rebuilding it) and prints {@code crc=N}, the CRC32C of every element's JSON
 * read in reverse order by {@code get}. {@code index FILE}: builds the index, prints {@code indexed}.
 */
public final class ConcurrencyProbe {
    private ConcurrencyProbe() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        if (args[0].equals("index")) {
            Indexer.build(file, Indexer.sidecarPath(file), Indexer.DEFAULT_CHECKPOINT_INTERVAL, Indexer.Progress.NONE);
            System.out.println("indexed");
            return;
        }
        NpyObjectArray.Options options = new NpyObjectArray.Options(null, false, Indexer.DEFAULT_CHECKPOINT_INTERVAL, m -> { });
        try (NpyObjectArray array = NpyObjectArray.open(file, options)) {
            System.out.println("crc=" + reverseCrc(array));
        }
    }

    static long reverseCrc(NpyObjectArray array) {
        CRC32C crc = new CRC32C();
        for (long i = array.size() - 1; i >= 0; i--) {
            crc.update(ElementJson.toJson(array.get(i)).getBytes(StandardCharsets.UTF_8));
        }
        return crc.getValue();
    }
}
