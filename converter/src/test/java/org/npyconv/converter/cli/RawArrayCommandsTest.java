package org.npyconv.converter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;

/**
 * {@code get}, {@code export} and {@code index} on every non-object fixture (numeric, bool, datetime,
 * strings, void, structured; both NumPy versions): values equal Python's reading of the same file,
 * and no sidecar is ever written (docs/numeric.md).
 */
class RawArrayCommandsTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> rawFixtures() {
        return FixtureCorpus.npyFiles().stream()
                .filter(p -> !FixtureCorpus.expected(p).path("object").asBoolean())
                .filter(p -> FixtureCorpus.expected(p).has("elements"))
                .map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    private static long[] shape(Path fixture) {
        List<Long> dims = new ArrayList<>();
        FixtureCorpus.expected(fixture).path("header").path("shape").forEach(d -> dims.add(d.asLong()));
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rawFixtures")
    void exportWritesPythonsItems(String label, Path fixture) throws Exception {
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
        assertEquals(String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"), CliRun.of("export", npy.toString()).out());
        CliRun index = CliRun.of("index", npy.toString());
        assertEquals(0, index.exitCode(), index.err());
        assertTrue(index.out().startsWith("no index needed: "), index.out());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("a.jsonl", "a.npy"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Every flat position, the same from the end, the full multi-index of each item, and a[i] sub-arrays. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rawFixtures")
    void getReadsEveryItemAndRow(String label, Path fixture) {
        List<?> expected = JsonValues.expectedElements(fixture);
        long[] shape = shape(fixture);
        int n = expected.size();
        if (n == 0) {
            CliRun run = CliRun.of("get", fixture.toString(), "0");
            assertEquals(1, run.exitCode());
            assertTrue(run.err().startsWith("error: ") && run.out().isEmpty(), run.err());
            return;
        }
        List<String> args = new ArrayList<>(List.of("get", "--json", fixture.toString()));
        for (int i = 0; i < n; i++) {
            args.add(Integer.toString(i));
            args.add(Integer.toString(i - n));
            args.add(multiIndex(i, shape));
        }
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.out().split("\n");
        assertEquals(3 * n, lines.length);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                assertNull(JsonValues.difference(expected.get(i), lines[3 * i + k]), "item " + i + " form " + k);
            }
        }
        if (shape.length >= 2 && shape[0] > 0) {
            int rowSize = n / (int) shape[0];
            for (int r = 0; r < shape[0]; r++) {
                CliRun row = CliRun.of("get", "--json", fixture.toString(), r + ",");
                assertEquals(0, row.exitCode(), row.err());
                Map<?, ?> nd = (Map<?, ?>) ((Map<?, ?>) JsonValues.parse(row.out().strip())).get("$ndarray");
                assertEquals(java.util.Arrays.stream(shape).skip(1).boxed().map(Object::toString).toList(),
                        ((List<?>) nd.get("shape")).stream().map(Object::toString).toList());
                // Python's items of row r, in the sub-array's own dtype and shape (checked above)
                Map<String, Object> inner = new java.util.LinkedHashMap<>();
                nd.forEach((k, v) -> inner.put((String) k, v));
                inner.put("data", expected.subList(r * rowSize, (r + 1) * rowSize));
                assertNull(JsonValues.difference(Map.of("$ndarray", inner), row.out().strip()), "row " + r);
            }
        }
    }

    private static String multiIndex(int flat, long[] shape) {
        if (shape.length <= 1) {
            return Integer.toString(flat);
        }
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < idx.length; d++) {
            sb.append(d > 0 ? "," : "").append(idx[d]);
        }
        return sb.toString();
    }

    @Test
    void badPositionsFailWithOneLineAndNoOutput() {
        Path fixture = FixtureCorpus.root().resolve("fixtures/numpy-2.4.6/num_3d.npy");
        for (String bad : new String[] {"24", "-25", "2,", "0,3", "0,0,4", "0,0,0,0", "x", "1,,2"}) {
            CliRun run = CliRun.of("get", fixture.toString(), "0", bad);
            assertEquals(1, run.exitCode(), bad);
            assertEquals("", run.out(), bad);
            assertTrue(run.err().startsWith("error: ") && run.err().strip().lines().count() == 1, run.err());
        }
    }

    @Test
    void truncatedDataFailsEveryCommandWithoutPartialOutput() throws Exception {
        Path fixture = FixtureCorpus.root().resolve("fixtures/numpy-2.4.6/num_f8.npy");
        byte[] bytes = Files.readAllBytes(fixture);
        Path cut = tmp.resolve("cut.npy");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        Path out = tmp.resolve("cut.jsonl");
        for (String[] args : new String[][] {{"get", cut.toString(), "0"}, {"export", cut.toString(), "-o", out.toString()},
            {"convert", cut.toString(), "-o", tmp.resolve("cut.parquet").toString()}}) {
            CliRun run = CliRun.of(args);
            assertEquals(1, run.exitCode(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.err().startsWith("error: data is truncated"), run.err());
            assertEquals("", run.out());
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("cut.npy"), files.map(p -> p.getFileName().toString()).toList());
        }
    }
}
