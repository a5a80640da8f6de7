package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The worst hostile cases (expansion bombs, 100 000-deep nesting, a 300 000-item stack, a huge
 * int, a 2^62-byte allocation request) in a separate JVM with {@code -Xmx64m}: the real
 * {@code npyconv} entry point exits 0 or 1 with one {@code error:} line, never runs out of memory,
 * within {@link #BOUND_SECONDS} (including JVM start-up).
 */
class HostileMemoryTest {
    static final int BOUND_SECONDS = 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "dag_bomb_1000x30, get, 1", "dag_bomb_1000x30, export, 1",
        "dup_bomb_2x100, get, 1", "dup_bomb_2x100, export, 1",
        "dag_bomb_across_elements, get, 1", "dag_bomb_across_elements, export, 1",
        "deep_list_100k, get, 1", "deep_tuple_100k, export, 1", "deep_dict_100k, export, 1",
        "deep_stack_300k, index, 1",
        "long4_256kib, get, 1", "long_text_int, export, 1",
        "zero_bytes_bomb, export, 0", "numpy_ndarray_call_huge, export, 0", "ndarray_element_huge_shape, get, 1",
        "len_binbytes8_2e62, index, 1", "len_frame_18446744073709551615, export, 1",
    })
    void boundedMemoryInAForkedJvm(String name, String command, int exit) throws Exception {
        Path source = HostileCorpusTest.corpus().resolve(name + ".npy");
        Path copy = Files.copy(source, tmp.resolve(source.getFileName()));
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), NpyconvCommand.class.getName()));
        switch (command) {
            case "get":
                // For dag_bomb_across_elements the last element, which references all the others.
                args.addAll(List.of("get", "--json", copy.toString(), name.equals("dag_bomb_across_elements") ? "-1" : "0"));
                break;
            default:
                args.addAll(List.of(command, copy.toString()));
        }
        Path out = tmp.resolve("stdout");
        long began = System.nanoTime();
        Process p = new ProcessBuilder(args).redirectOutput(out.toFile()).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean finished = p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        long millis = (System.nanoTime() - began) / 1_000_000;
        System.out.printf("forked -Xmx64m %-32s %-7s exit %s %6d ms  %s%n", name, command, finished ? p.exitValue() : "-",
                millis, err.strip());
        assertTrue(finished, name + " " + command + " did not finish in " + BOUND_SECONDS + " s");
        boolean ok = exit == 0;
        assertEquals(exit, p.exitValue(), err);
        assertFalse(err.contains("out of memory") || err.contains("OutOfMemory") || err.contains("\tat "), err);
        if (!ok) {
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("error: "), err);
        }
    }
}
