package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link JsonBytes} encodes exactly as the {@code OutputStreamWriter} export used to write through. */
class JsonBytesTest {
    /** Chars that exercise every width: ASCII, 2- and 3-byte, both surrogate halves (paired or not). */
    private static final char[] ALPHABET = {'a', '"', '\n', 0x7F, 0xE9, 0x7FF, 0x800, 0x20AC, 0xFFFF, 0xD83D, 0xDE00, 0xDBFF, 0xDC00};

    @Test
    void randomAppendsEncodeLikeOutputStreamWriterAndDrainWholeCharacters() throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 2000; round++) {
            List<String> pieces = new ArrayList<>();
            int count = random.nextInt(1, 20);
            for (int k = 0; k < count; k++) {
                StringBuilder sb = new StringBuilder();
                int length = random.nextInt(0, random.nextBoolean() ? 8 : 300);
                for (int i = 0; i < length; i++) {
                    sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
                }
                pieces.add(sb.toString());
            }
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            try (Writer w = new OutputStreamWriter(expected, StandardCharsets.UTF_8)) {
                for (String p : pieces) {
                    w.write(p);
                }
            }
            ByteArrayOutputStream actual = new ByteArrayOutputStream();
            JsonBytes out = new JsonBytes((b, off, len) -> {
                byte[] drained = java.util.Arrays.copyOfRange(b, off, len + off);
                // Whole characters only: a split sequence would not survive decoding on its own.
                assertArrayEquals(drained, new String(drained, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
                actual.write(b, off, len);
            }, random.nextInt(0, 200));
            for (String p : pieces) {
                if (p.length() == 1 && random.nextBoolean()) {
                    out.append(p.charAt(0));
                } else {
                    out.append(p);
                }
            }
            out.flush();
            assertEquals(expected.toString(StandardCharsets.ISO_8859_1), actual.toString(StandardCharsets.ISO_8859_1),
                    "pieces " + pieces);
        }
    }

    @Test
    void decimalsAsLongToString() throws IOException {
        long[] values = {0, 9, 10, 99, 100, -1, -10, Long.MAX_VALUE, Long.MIN_VALUE, 999_999_999_999_999_999L,
            1_000_000_000_000_000_000L, -999_999_999_999_999_999L};
        StringBuilder expected = new StringBuilder();
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        JsonBytes out = new JsonBytes(actual::write, 64);
        SplittableRandom random = new SplittableRandom(7);
        List<Long> all = new ArrayList<>();
        for (long v : values) {
            all.add(v);
        }
        for (int i = 0; i < 10_000; i++) {
            all.add(random.nextLong() >> random.nextInt(64));
        }
        for (long v : all) {
            expected.append(v).append(',');
            out.decimal(v);
            out.ascii(',');
        }
        out.flush();
        assertEquals(expected.toString(), actual.toString(StandardCharsets.US_ASCII));
    }
}
