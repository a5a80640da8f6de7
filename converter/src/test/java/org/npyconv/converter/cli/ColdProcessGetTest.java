package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;

/**
 * {@code npyconv get --json} in a fresh JVM per call (nothing cached, as a user's shell runs it):
 * the protocol matrix of both NumPy versions (C pickler; the pure-Python one for `mixed`), elements from the middle and the end of each file.
 */
class ColdProcessGetTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> matrix() {
        return FixtureCorpus.npyFiles().stream()
                .filter(p -> p.getFileName().toString().matches("(mixed|shared|ragged_f4)_p[0-5]\\.npy|mixed_purepy_p[0-5]\\.npy"))
                .map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void getInAColdProcessEqualsPythonsReading(String label, Path fixture) throws Exception {
        List<?> expected = JsonValues.expectedElements(fixture);
        Path npy = Files.copy(fixture, tmp.resolve("a.npy"));
        int n = expected.size();
        int middle = new Random(label.hashCode()).nextInt(n);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                NpyconvCommand.class.getName(), "get", "--json", npy.toString(), String.valueOf(middle), "-1"));
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals("", err, "no notice for a first index build");
        String[] lines = out.split("\n");
        assertEquals(2, lines.length, out);
        assertNull(JsonValues.difference(expected.get(middle), lines[0]), "element " + middle);
        assertNull(JsonValues.difference(expected.get(n - 1), lines[1]), "last element");
        assertTrue(Files.exists(tmp.resolve("a.npy.npyidx")), "get built the index");
    }

    /**
     * A conversion in a fresh JVM writes its summary and nothing else: the logging library under
     * Arrow's allocator is named by a system property (start-up time) and must not announce it.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"out.arrow", "out.parquet"})
    void convertInAColdProcessPrintsOnlyItsSummary(String output) throws Exception {
        Path fixture = FixtureCorpus.npyFiles().stream().filter(f -> f.getFileName().toString().equals("strings_1001.npy"))
                .findFirst().orElseThrow();
        Path npy = Files.copy(fixture, tmp.resolve("s.npy"));
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                NpyconvCommand.class.getName(), "convert", npy.toString(), "-o", tmp.resolve(output).toString());
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals("", err);
        assertTrue(out.startsWith("converted 1001 rows of ") && out.indexOf('\n') == out.length() - 1, out);
    }
}
