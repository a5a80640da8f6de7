package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.testing.FixtureCorpus;

/**
 * Every object-array fixture of the real-NumPy corpus: the whole pickle (from the data offset up
 * to, not including, STOP) evaluated as one span, each element of the array's object list written
 * as JSON and compared with the {@code elements} Python recorded (numbers by exact value).
 */
class FixtureElementsTest {
    static Stream<Arguments> objectFixtures() {
        List<Path> files;
        try {
            files = FixtureCorpus.npyFiles();
        } catch (IllegalStateException e) {
            files = List.of();
        }
        List<Arguments> cases = files.stream()
                .filter(f -> FixtureCorpus.expected(f).path("object").asBoolean(false))
                .map(f -> Arguments.of(FixtureCorpus.label(f), f)).toList();
        return cases.isEmpty() ? Stream.of(Arguments.of("no object fixtures yet", null)) : cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectFixtures")
    void elementsMatchPython(String label, Path fixture) throws IOException {
        assumeTrue(fixture != null, "the fixture corpus has no object arrays yet");
        byte[] file = Files.readAllBytes(fixture);
        int dataOffset = dataOffset(file);
        JsonNode expected = FixtureCorpus.expected(fixture);
        assertEquals(expected.path("header").path("data_offset").asInt(dataOffset), dataOffset, "data offset");
        assertEquals('.', file[file.length - 1], "the pickle ends the file with STOP");
        Object array = new SpanEvaluator(fixture, SpanEvaluator.DEFAULT_MAX_NESTING)
                .evaluateElement(file, dataOffset, file.length - 1, dataOffset, 0, null, null);
        assertTrue(array instanceof NdArray && ((NdArray) array).isObjectArray(), label + " is an object ndarray");
        List<Object> elements = ((NdArray) array).objects();
        JsonNode recorded = expected.get("elements");
        assertEquals(recorded.size(), elements.size(), "element count");
        for (int i = 0; i < elements.size(); i++) {
            JsonAssert.assertSameJson(recorded.get(i), ElementJson.toJson(elements.get(i)), label + " element " + i);
        }
    }

    /** Offset of the first data byte: 10 + header length (v1, uint16 LE at 8) or 12 + length (v2/v3, uint32 LE at 8). */
    static int dataOffset(byte[] file) {
        int major = file[6] & 0xFF;
        if (major == 1) {
            return 10 + ((file[8] & 0xFF) | (file[9] & 0xFF) << 8);
        }
        return 12 + ((file[8] & 0xFF) | (file[9] & 0xFF) << 8 | (file[10] & 0xFF) << 16 | (file[11] & 0xFF) << 24);
    }
}
