package org.npyconv.indexer.hostile;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.indexer.NpyObjectArray;

/** Run by {@link RobustnessBigFileTest} in a JVM with a large heap: {@code npyconv export}'s loop, to stdout. */
public final class BigFileExportProbe {
    private BigFileExportProbe() {}

    public static void main(String[] args) throws Exception {
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        try (NpyObjectArray array = NpyObjectArray.open(Path.of(args[0]))) {
            Iterator<Object> it = array.iterator();
            while (it.hasNext()) {
                ElementJson.write(it.next(), out);
                out.write('\n');
            }
        }
        out.flush();
    }
}
