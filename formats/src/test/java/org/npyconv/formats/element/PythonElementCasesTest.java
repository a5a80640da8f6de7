package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every element type and every allowlisted global, pickled by real Python + NumPy (1.x and 2.x) at
 * every protocol with the C and the pure-Python pickler, evaluated as one span and written as JSON;
 * compared with the JSON Python computes from the value itself ({@link PythonOracle}). Also checks
 * that no allowlisted value came out inert.
 */
class PythonElementCasesTest {
    static Stream<Arguments> elementCases() {
        List<JsonNode> rows = PythonOracle.rows();
        if (rows.isEmpty()) {
            return Stream.of(Arguments.of("python unavailable", null));
        }
        return rows.stream().filter(r -> r.get("kind").asText().equals("element"))
                .map(r -> Arguments.of("numpy " + r.get("numpy").asText() + " " + r.get("name").asText() + " p"
                        + r.get("protocol").asInt() + " " + r.get("pickler").asText(), r));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("elementCases")
    void evaluatesLikePython(String label, JsonNode row) {
        assumeTrue(row != null, "no Python with NumPy in .venv (run tools/setup-python.sh)");
        byte[] pickle = Base64.getDecoder().decode(row.get("pickle").asText());
        assertEquals('.', pickle[pickle.length - 1], "pickle ends with STOP");
        CountingSink sink = new CountingSink();
        SpanResult result = new SpanEvaluator().evaluate(pickle, 0, pickle.length - 1, 0, 0, null, sink);
        assertTrue(result.isSingleItem(), label + " leaves one item");
        Object element = result.items().get(0);
        assertTrue(!containsInert(element), label + " built an inert object: " + ElementRepr.repr(element));
        JsonAssert.assertSameJson(row.get("json"), ElementJson.toJson(element), label);
        ElementRepr.repr(element); // renders without failing
        assertEquals(sink.count, result.memoEnd(), "memo counter advanced once per store");
    }

    private static boolean containsInert(Object v) {
        return ElementJson.toJson(v).contains("\"$class\"");
    }

    /** Counts memo stores (Python's picklers number them 0, 1, 2, ...). */
    static final class CountingSink implements MemoSink {
        long count;

        @Override
        public void put(long memoIndex, Object value) {
            assertEquals(count, memoIndex, "memo indices are sequential");
            count++;
        }
    }
}
