package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.npyconv.formats.testing.FixtureCorpus;

/** Structural JSON comparison: numbers by exact value (BigDecimal), objects in member order. */
final class JsonAssert {
    private JsonAssert() {}

    static JsonNode parse(String json) {
        try {
            return FixtureCorpus.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    static void assertSameJson(JsonNode expected, String actualJson, String label) {
        JsonNode actual = parse(actualJson);
        String diff = difference(expected, actual, "$");
        if (diff != null) {
            fail(label + ": " + diff + "\n  expected " + expected + "\n  actual   " + actualJson);
        }
    }

    /** The first difference as a path and message, or {@code null}. */
    static String difference(JsonNode e, JsonNode a, String path) {
        if (e.isNumber() && a.isNumber()) {
            BigDecimal x = e.decimalValue();
            BigDecimal y = a.decimalValue();
            return x.compareTo(y) == 0 ? null : path + ": " + x + " != " + y;
        }
        if (e.getNodeType() != a.getNodeType()) {
            return path + ": " + e.getNodeType() + " != " + a.getNodeType();
        }
        if (e.isArray()) {
            if (e.size() != a.size()) {
                return path + ": array of " + e.size() + " != " + a.size();
            }
            for (int i = 0; i < e.size(); i++) {
                String d = difference(e.get(i), a.get(i), path + "[" + i + "]");
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (e.isObject()) {
            List<String> ek = names(e);
            List<String> ak = names(a);
            if (!ek.equals(ak)) {
                return path + ": keys " + ek + " != " + ak;
            }
            Iterator<Map.Entry<String, JsonNode>> it = e.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> m = it.next();
                String d = difference(m.getValue(), a.get(m.getKey()), path + "." + m.getKey());
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return e.equals(a) ? null : path + ": " + e + " != " + a;
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
