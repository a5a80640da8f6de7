package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Memory stays flat: index build, streaming and random gets over files far larger than the heap,
 * in a JVM with {@code -Xmx64m}. The files are written by real NumPy at test time (not committed).
 */
@Tag("slow")
class FlatMemoryTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "10M short strings;np.array([f'{i:010d}' for i in range(10_000_000)], dtype=object);10000000",
        "100k ragged float32 of mean length 1000;"
            + "np.array([rng.random(int(n), dtype=np.float32) for n in rng.integers(0, 2001, 100_000)] + [None], dtype=object)[:-1];100000",
    })
    void indexStreamAndGetUnder64MegabytesOfHeap(String label, String expression, long count) throws Exception {
        Path npy = tmp.resolve("big.npy");
        python("import numpy as np; rng = np.random.default_rng(7); np.save(r'" + npy + "', " + expression + ", allow_pickle=True)");
        assertTrue(Files.size(npy) > 100_000_000L, "the input must dwarf the 64 MB heap: " + Files.size(npy));

        List<String> command = List.of(javaBinary(), "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                FlatMemoryProbe.class.getName(), npy.toString(), "2000");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "probe finished");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("elements=" + count + " "), output);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs Python with NumPy 2.x from the project's venv (tools/setup-python.sh). */
    static void python(String code) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("npyconv.root", "."));
        Path python = root.resolve(".venv/np2/bin/python");
        assertTrue(Files.isExecutable(python), "run tools/setup-python.sh first: no " + python);
        List<String> command = new ArrayList<>(List.of(python.toString(), "-c", code));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), output);
    }
}
