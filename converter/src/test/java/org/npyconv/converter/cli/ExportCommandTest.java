package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;

/** {@code npyconv export} of every object fixture: one JSON line per element, equal to Python's reading. */
class ExportCommandTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> objectFixtures() {
        return FixtureCorpus.npyFiles().stream()
                .filter(p -> FixtureCorpus.expected(p).path("object").asBoolean())
                .map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectFixtures")
    void exportWritesPythonsElementsAsJsonLines(String label, Path fixture) throws Exception {
        List<?> expected = JsonValues.expectedElements(fixture);
        Path npy = Files.copy(fixture, tmp.resolve("a.npy"));
        Path out = tmp.resolve("a.jsonl");
        CliRun run = CliRun.of("export", npy.toString(), "-o", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.out() + run.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(expected.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            assertNull(JsonValues.difference(expected.get(i), lines.get(i)), "line " + (i + 1));
        }
        CliRun toStdout = CliRun.of("export", npy.toString());
        assertEquals(String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"), toStdout.out());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("a.jsonl", "a.npy", "a.npy.npyidx"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
