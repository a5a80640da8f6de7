package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ShortestFloatTest {
    /** Known Python reprs, including values Java 17's Double.toString prints with a digit too many. */
    @ParameterizedTest
    @CsvSource({
        "0.1, 0.1", "1e-07, 1.0E-7", "1e+16, 1.0E16", "1000000000000000.0, 1.0E15", "5e-324, 4.9E-324",
        "5.684341886080802e-14, 5.684341886080802E-14", "2.82879384806159e+17, 2.82879384806159E17",
        "1e+23, 1.0E23", "9007199254740992.0, 9007199254740992", "-0.0, -0.0", "123456.789, 123456.789",
        "2.2250738585072014e-308, 2.2250738585072014E-308", "0.0001, 0.0001", "1.7976931348623157e+308, 1.7976931348623157E308"
    })
    void doublesAsPythonReprs(String python, double value) {
        assertEquals(python, ShortestFloat.repr(value, ShortestFloat.Format.BINARY64));
    }

    static Stream<Arguments> pythonFloats() {
        List<JsonNode> rows = PythonOracle.rows();
        if (rows.isEmpty()) {
            return Stream.of(Arguments.of("python unavailable", null));
        }
        return rows.stream().filter(r -> r.get("kind").asText().equals("float"))
                .map(r -> Arguments.of(r.get("repr64").asText(), r));
    }

    /** Random bit patterns: Python's repr (binary64) and NumPy's shortest str (binary32, binary16). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pythonFloats")
    void matchesPythonAndNumpy(String label, JsonNode row) {
        assumeTrue(row != null, "no Python with NumPy in .venv");
        double d = Double.longBitsToDouble(row.get("f64").asLong());
        assertEquals(row.get("repr64").asText(), ShortestFloat.repr(d, ShortestFloat.Format.BINARY64));
        float f = Float.intBitsToFloat((int) row.get("f32").asLong());
        if (!Float.isNaN(f) && !Float.isInfinite(f)) {
            assertSameValue(row.get("repr32").asText(), ShortestFloat.repr(f, ShortestFloat.Format.BINARY32));
        }
        float h = NumpyScalar.halfToFloat(row.get("f16").asInt());
        if (!Float.isNaN(h) && !Float.isInfinite(h)) {
            assertSameValue(row.get("repr16").asText(), ShortestFloat.repr(h, ShortestFloat.Format.BINARY16));
        }
    }

    /** NumPy formats differently (1e+10 vs 10000000000.0); the digits must be the same value. */
    private static void assertSameValue(String numpy, String ours) {
        assertEquals(0, new BigDecimal(numpy).compareTo(new BigDecimal(ours)), numpy + " vs " + ours);
    }

    @Test
    void everyFloat16RoundTrips() {
        for (int bits = 1; bits < 0x7C00; bits++) {
            double h = NumpyScalar.halfToFloat(bits);
            double p = Double.parseDouble(ShortestFloat.repr(h, ShortestFloat.Format.BINARY16));
            double lo = NumpyScalar.halfToFloat(bits - 1);
            double hi = bits + 1 < 0x7C00 ? NumpyScalar.halfToFloat(bits + 1) : 65520.0 + (65520.0 - h);
            boolean even = (bits & 1) == 0;
            double toLow = (h - lo) / 2;
            double toHigh = (hi - h) / 2;
            boolean inside = even ? p >= h - toLow && p <= h + toHigh : p > h - toLow && p < h + toHigh;
            assertTrue(inside, "float16 " + h + " printed as " + p);
        }
    }

    @Test
    void randomDoublesRoundTripWithNoMoreDigitsThanJava() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 50_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                continue;
            }
            String s = ShortestFloat.repr(d, ShortestFloat.Format.BINARY64);
            assertEquals(d, Double.parseDouble(s), s);
            String java = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros().unscaledValue().toString();
            String ours = new BigDecimal(s.replace("-", "")).stripTrailingZeros().unscaledValue().toString();
            assertTrue(ours.length() <= java.length(), s + " longer than Java's " + Double.toString(d));
        }
    }

    /**
     * {@link ShortestFloat#writeRepr} (export's byte path, with the integer and Schubfach fast
     * paths) against {@link ShortestFloat#exactRepr} (the exact search alone): the same bytes for
     * 200,000 random bit patterns of each of binary64 and binary32, every finite float16, and
     * integers and powers of ten near the layout thresholds.
     */
    @Test
    void writtenReprEqualsRepr() throws Exception {
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        JsonBytes out = new JsonBytes(sink::write, 1 << 12);
        SplittableRandom random = new SplittableRandom(9);
        List<double[]> cases = new java.util.ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            cases.add(new double[] {Double.longBitsToDouble(random.nextLong()), 64});
            cases.add(new double[] {Float.intBitsToFloat(random.nextInt()), 32});
        }
        for (int bits = 0; bits < 0x10000; bits++) {
            cases.add(new double[] {NumpyScalar.halfToFloat(bits), 16});
        }
        for (int e = -30; e <= 30; e++) {
            for (double m : new double[] {1, 1.5, 9.999999, 123456789, 9007199254740991.0, 9007199254740993.0}) {
                cases.add(new double[] {m * Math.pow(10, e), 64});
                cases.add(new double[] {(float) (m * Math.pow(10, e)), 32});
            }
        }
        int compared = 0;
        for (double[] c : cases) {
            double v = c[0];
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                continue;
            }
            ShortestFloat.Format f = c[1] == 64 ? ShortestFloat.Format.BINARY64
                    : c[1] == 32 ? ShortestFloat.Format.BINARY32 : ShortestFloat.Format.BINARY16;
            sink.reset();
            ShortestFloat.writeRepr(v, f, out);
            out.flush();
            assertEquals(ShortestFloat.exactRepr(v, f), sink.toString(java.nio.charset.StandardCharsets.US_ASCII), f + " " + v);
            compared++;
        }
        assertTrue(compared > 450_000, "compared " + compared);
    }
}
