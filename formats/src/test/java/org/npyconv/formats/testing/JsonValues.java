package org.npyconv.formats.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares JSON documents the way the element conventions require: objects in key order, integers
 * exactly, floats by their IEEE-754 double value from the text (so {@code -0.0} differs from
 * {@code 0.0}, and a float32 printed at float64 precision differs from its shortest form), an
 * integer never equal to a float.
 */
public final class JsonValues {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonValues() {}

    /** The first difference between two JSON texts as a path and both values, or {@code null} when equal. */
    public static String difference(String expectedJson, String actualJson) {
        return difference(parse(expectedJson), parse(actualJson), "$");
    }

    /** Like {@link #difference(String, String)} for an expected value already parsed by {@link #parse}. */
    public static String difference(Object expected, String actualJson) {
        return difference(expected, parse(actualJson), "$");
    }

    /**
     * The {@code elements} of a fixture's expected facts, parsed keeping every number as written
     * (a tree model would turn {@code -0.0} into {@code 0} and {@code 1.0} into {@code 1}).
     */
    public static List<?> expectedElements(java.nio.file.Path fixture) {
        try {
            String text = java.nio.file.Files.readString(fixture.resolveSibling(fixture.getFileName() + ".json"));
            Object facts = parse(text);
            return (List<?>) ((Map<?, ?>) facts).get("elements");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Object parse(String json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            return read(p);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    /** A number as written. */
    record NumberText(String text, boolean integral) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    String key = p.currentName();
                    p.nextToken();
                    m.put(key, read(p));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return new NumberText(p.getText(), true);
            case VALUE_NUMBER_FLOAT:
                return new NumberText(p.getText(), false);
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected token " + t);
        }
    }

    private static String difference(Object e, Object a, String path) {
        if (e instanceof NumberText && a instanceof NumberText) {
            NumberText x = (NumberText) e;
            NumberText y = (NumberText) a;
            boolean same = x.integral() == y.integral() && (x.integral()
                    ? new BigInteger(x.text()).equals(new BigInteger(y.text()))
                    : Double.doubleToRawLongBits(Double.parseDouble(x.text())) == Double.doubleToRawLongBits(Double.parseDouble(y.text())));
            return same ? null : path + ": expected " + x + " but was " + y;
        }
        if (e instanceof Map && a instanceof Map) {
            Map<?, ?> x = (Map<?, ?>) e;
            Map<?, ?> y = (Map<?, ?>) a;
            if (!new ArrayList<>(x.keySet()).equals(new ArrayList<>(y.keySet()))) {
                return path + ": expected keys " + x.keySet() + " but was " + y.keySet();
            }
            for (Object key : x.keySet()) {
                String d = difference(x.get(key), y.get(key), path + "." + key);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (e instanceof List && a instanceof List) {
            List<?> x = (List<?>) e;
            List<?> y = (List<?>) a;
            if (x.size() != y.size()) {
                return path + ": expected " + x.size() + " items but was " + y.size();
            }
            Iterator<?> i = x.iterator();
            Iterator<?> j = y.iterator();
            for (int k = 0; i.hasNext(); k++) {
                String d = difference(i.next(), j.next(), path + "[" + k + "]");
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return Objects.equals(e, a) ? null : path + ": expected " + e + " but was " + a;
    }
}
