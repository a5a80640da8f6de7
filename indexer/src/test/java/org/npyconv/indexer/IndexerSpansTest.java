package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.npyidx.SidecarIndex;
import org.npyconv.formats.npyidx.SpanCursor;
import org.npyconv.formats.npyidx.ElementKind;
import org.npyconv.formats.npyidx.KindCount;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The indexer's element spans checked against Python's own {@code pickletools.genops} listing of
 * every object fixture: each element starts and ends on an opcode boundary, spans follow each other,
 * and the memo counter at each span start equals the number of memo puts Python saw before it.
 */
class IndexerSpansTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> objectFixtures() {
        return FixtureCorpus.npyFiles().stream()
                .filter(p -> FixtureCorpus.expected(p).path("object").asBoolean())
                .map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectFixtures")
    void spansFollowPythonsOpcodeListing(String label, Path fixture) throws Exception {
        JsonNode expected = FixtureCorpus.expected(fixture);
        Path npy = Files.copy(fixture, tmp.resolve("a.npy"));
        Path index = Indexer.sidecarPath(npy);
        Indexer.build(npy, index, 7, Indexer.Progress.NONE);

        // opcode position -> memo puts before it, from Python's listing
        TreeMap<Long, Long> memoBefore = new TreeMap<>();
        long puts = 0;
        for (JsonNode op : FixtureCorpus.ops(fixture)) {
            memoBefore.put(op.get("pos").asLong(), puts);
            String name = op.get("op").asText();
            if (name.equals("MEMOIZE") || name.endsWith("PUT")) {
                puts++;
            }
        }

        try (SidecarIndex sidecar = SidecarIndex.open(index)) {
            long count = expected.get("header").get("count").asLong();
            assertEquals(count, sidecar.elementCount(), "element count");
            List<long[]> spans = new ArrayList<>();
            if (count > 0) {
                SpanCursor cursor = sidecar.cursorNear(0);
                while (cursor.next()) {
                    spans.add(new long[] {cursor.start(), cursor.end(), cursor.memoStart(), cursor.memoEnd()});
                }
            }
            assertEquals(count, spans.size());
            long previousEnd = -1;
            for (int i = 0; i < spans.size(); i++) {
                long[] s = spans.get(i);
                assertTrue(memoBefore.containsKey(s[0]), "element " + i + " starts at opcode boundary " + s[0]);
                assertTrue(memoBefore.containsKey(s[1]), "element " + i + " ends at opcode boundary " + s[1]);
                assertTrue(s[0] >= previousEnd && s[1] > s[0], "element " + i + " follows the previous one");
                assertEquals(memoBefore.get(s[0]), s[2], "memo counter at element " + i);
                assertEquals(memoBefore.get(s[1]), s[3], "memo counter after element " + i);
                previousEnd = s[1];
                // random access agrees with sequential decoding
                assertEquals(s[0], sidecar.span(i).start());
            }
        }
        try (SidecarIndex sidecar = SidecarIndex.open(index)) {
            long counted = sidecar.kinds().stream().mapToLong(KindCount::count).sum();
            assertEquals(sidecar.elementCount(), counted, "kind counts add up to the element count");
            checkKindsAgainstPython(label, JsonValues.expectedElements(fixture), sidecar.kinds());
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of("a.npy", "a.npy.npyidx"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left behind");
        }
    }

    /**
     * Where Python's reading is unambiguous about kinds, the scan's summary agrees: an array of
     * only strings is all str, one of only ndarrays is all ndarray with the same dtypes (byte order
     * aside: NumPy swaps big-endian data to native order when it unpickles some protocols).
     */
    private static void checkKindsAgainstPython(String label, List<?> elements, List<KindCount> kinds) {
        if (elements == null || elements.isEmpty()) {
            return;
        }
        if (label.contains("strings") && elements.stream().allMatch(e -> e instanceof String)) {
            assertTrue(kinds.stream().allMatch(k -> k.kind() == ElementKind.STR || k.kind() == ElementKind.REFERENCE), label + " " + kinds);
        }
        if (elements.stream().allMatch(e -> e instanceof Map && ((Map<?, ?>) e).containsKey("$ndarray"))) {
            Set<String> expected = new TreeSet<>();
            for (Object e : elements) {
                expected.add(String.valueOf(((Map<?, ?>) ((Map<?, ?>) e).get("$ndarray")).get("dtype")).substring(1));
            }
            Set<String> found = new TreeSet<>();
            for (KindCount k : kinds) {
                assertTrue(k.kind() == ElementKind.NDARRAY || k.kind() == ElementKind.REFERENCE, kinds.toString());
                if (k.kind() == ElementKind.NDARRAY) {
                    assertTrue(k.dtype().length() > 1, label + ": ndarray dtype unknown in " + kinds);
                    found.add(k.dtype().substring(1));
                }
            }
            assertEquals(expected, found, label + ": ndarray dtypes");
        }
    }
}
