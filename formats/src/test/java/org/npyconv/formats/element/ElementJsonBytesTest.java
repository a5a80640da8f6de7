package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ElementJson} into a {@link JsonBytes} (the direct paths: numeric ndarray data, numbers,
 * short strings, members) writes exactly the bytes of its text path (into a StringBuilder, encoded
 * as UTF-8), element for element.
 */
class ElementJsonBytesTest {
    private static final String[] NUMERIC = {"<f2", ">f2", "<f4", ">f4", "<f8", ">f8", "|i1", "<i2", ">i2", "<i4", ">i4",
        "<i8", ">i8", "|u1", "<u2", ">u4", "<u8", ">u8", "|b1", "<c8", "<M8[s]"};

    @Test
    void directPathsWriteTheTextPathsBytes() throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 3000; round++) {
            Object element = element(random, 0);
            assertSameBytes(element, random.nextInt(0, 300));
        }
    }

    @Test
    void errorsLeaveTheSameOutputBehind() throws IOException {
        // Too deep for the limit at the ndarray's data array (the direct path checks the depth too).
        List<Object> outer = new ArrayList<>();
        outer.add(ndarray("<f4", new long[] {3}, new SplittableRandom(1)));
        for (int limit = 1; limit < 5; limit++) {
            String text = textOf(outer, limit);
            assertEquals(text, bytesOf(outer, limit, 64));
        }
    }

    private static void assertSameBytes(Object element, int capacity) throws IOException {
        String text = textOf(element, ElementJson.DEFAULT_MAX_DEPTH);
        assertEquals(text, bytesOf(element, ElementJson.DEFAULT_MAX_DEPTH, capacity), () -> "element " + text);
    }

    private static String textOf(Object element, int maxDepth) throws IOException {
        StringBuilder sb = new StringBuilder();
        try {
            ElementJson.write(element, sb, maxDepth);
        } catch (RuntimeException e) {
            sb.append("!").append(e.getMessage());
        }
        return sb.toString();
    }

    private static String bytesOf(Object element, int maxDepth, int capacity) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonBytes out = new JsonBytes(bytes::write, capacity);
        String failure = "";
        try {
            ElementJson.write(element, out, maxDepth);
        } catch (RuntimeException e) {
            failure = "!" + e.getMessage();
        }
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8) + failure;
    }

    private static Object element(SplittableRandom r, int depth) {
        switch (depth > 3 ? r.nextInt(6) : r.nextInt(10)) {
            case 0: return r.nextLong() >> r.nextInt(64);
            case 1: return randomDouble(r);
            case 2: return (float) randomDouble(r);
            case 3: return string(r);
            case 4: return r.nextBoolean() ? null : r.nextBoolean();
            case 5: {
                String dt = NUMERIC[r.nextInt(NUMERIC.length)];
                return NumpyScalar.of(NumpyDtype.parse(dt), randomBytes(r, NumpyDtype.parse(dt).itemSize()));
            }
            case 6: {
                long[] shape = r.nextBoolean() ? new long[] {r.nextInt(0, 20)} : new long[] {r.nextInt(1, 4), r.nextInt(0, 4)};
                if (r.nextInt(4) == 0) {
                    NumpyDtype dt = NumpyDtype.parse(NUMERIC[r.nextInt(NUMERIC.length)]);
                    int n = (int) (shape[0] * (shape.length > 1 ? shape[1] : 1));
                    return NdArray.ofBytes(dt, shape, true, randomBytes(r, n * dt.itemSize())); // Fortran order
                }
                return ndarray(NUMERIC[r.nextInt(NUMERIC.length)], shape, r);
            }
            case 7: {
                Map<Object, Object> m = new LinkedHashMap<>();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    m.put(r.nextInt(8) == 0 ? (Object) (long) i : string(r), element(r, depth + 1));
                }
                return m;
            }
            default: {
                List<Object> l = new ArrayList<>();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    l.add(element(r, depth + 1));
                }
                if (!l.isEmpty() && r.nextInt(4) == 0) {
                    l.add(l.get(0)); // a shared value: written twice
                }
                return l;
            }
        }
    }

    private static NdArray ndarray(String dtype, long[] shape, SplittableRandom r) {
        NumpyDtype dt = NumpyDtype.parse(dtype);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return NdArray.of(dt, shape, randomBytes(r, (int) n * dt.itemSize()));
    }

    /** Random bits, but often floats' interesting values (integers, halves, specials, tiny). */
    private static byte[] randomBytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        if (r.nextInt(3) == 0 && n % 4 == 0) {
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + 4 <= n; i += 4) {
                bb.putFloat(i, (float) Math.rint(r.nextDouble(-1e6, 1e6)) / (1 << r.nextInt(4)));
            }
        }
        return b;
    }

    private static double randomDouble(SplittableRandom r) {
        switch (r.nextInt(5)) {
            case 0: return Double.longBitsToDouble(r.nextLong());
            case 1: return Math.rint(r.nextDouble(-1e17, 1e17));
            case 2: return r.nextDouble();
            case 3: return new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE, Double.MAX_VALUE, 1e16, 1e-5, 0.0001}[r.nextInt(10)];
            default: return r.nextInt(-100, 100) / 8.0;
        }
    }

    private static final char[] CHARS = {'a', 'Z', '"', '\\', '\n', '\t', 0x01, 0x1F, 0x7F, 0xE9, 0x20AC, 0xD83D, 0xDE00, ' ', '/'};

    private static String string(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(8) == 0 ? r.nextInt(150, 1500) : r.nextInt(0, 12);
        for (int i = 0; i < n; i++) {
            sb.append(CHARS[r.nextInt(CHARS.length)]);
        }
        return sb.toString();
    }
}
