package org.npyconv.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.testing.FixtureCorpus;
import org.npyconv.formats.testing.JsonValues;

/**
 * Every element of every object fixture, read at random (each from a freshly opened array, so
 * nothing is cached from a neighbour) and streamed, equals Python's own reading of the same file.
 */
class ElementAccessTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> objectFixtures() {
        return FixtureCorpus.npyFiles().stream()
                .filter(p -> FixtureCorpus.expected(p).path("object").asBoolean())
                .filter(p -> FixtureCorpus.expected(p).has("elements"))
                .map(p -> Arguments.of(FixtureCorpus.label(p), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectFixtures")
    void randomGetsAndTheStreamEqualPythonsReading(String label, Path fixture) throws Exception {
        List<?> expected = JsonValues.expectedElements(fixture);
        Path npy = Files.copy(fixture, tmp.resolve("a.npy"));
        Indexer.build(npy, Indexer.sidecarPath(npy), 5, Indexer.Progress.NONE);

        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(label.hashCode()));
        // The first gets each from a freshly opened array (nothing cached from a neighbour), the
        // rest from one open array in random order, negative positions, as a long-lived user would.
        int cold = Math.min(order.size(), 40);
        for (int k = 0; k < cold; k++) {
            int i = order.get(k);
            try (NpyObjectArray array = NpyObjectArray.open(npy)) {
                assertNull(JsonValues.difference(expected.get(i), ElementJson.toJson(array.get(i))), "cold element " + i);
            }
        }
        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            for (int k = cold; k < order.size(); k++) {
                int i = order.get(k);
                Object value = array.get(i - expected.size());
                assertNull(JsonValues.difference(expected.get(i), ElementJson.toJson(value)), "element " + i);
            }
        }

        try (NpyObjectArray array = NpyObjectArray.open(npy)) {
            Iterator<Object> it = array.iterator();
            int i = 0;
            while (it.hasNext()) {
                assertNull(JsonValues.difference(expected.get(i), ElementJson.toJson(it.next())),
                        "streamed element " + i);
                i++;
            }
            assertEquals(expected.size(), i);
        }
    }
}
