package org.npyconv.formats.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.UnsupportedInputException;

/** Headers assembled byte by byte: every acceptance rule and every rejection path with its offset. */
class NpyHeaderTest {
    private static final Path FILE = Path.of("built.npy");
    private static final String F8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";

    // ---- building .npy bytes ----

    /** Magic, version, little-endian length field of the version's width, then the text in the version's encoding. */
    static byte[] npy(int major, String text) {
        Charset cs = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        return npy(major, 0, text.getBytes(cs), -1);
    }

    /** With {@code declaredLength} {@code -1}, the length field states the text's length. */
    static byte[] npy(int major, int minor, byte[] text, long declaredLength) {
        long length = declaredLength < 0 ? text.length : declaredLength;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(NpyHeader.MAGIC);
        out.write(major);
        out.write(minor);
        int width = major == 1 ? 2 : 4;
        for (int i = 0; i < width; i++) {
            out.write((int) (length >>> (8 * i)) & 0xff);
        }
        out.writeBytes(text);
        return out.toByteArray();
    }

    /** NumPy's layout: the dict, spaces to a 64-byte boundary, a newline. */
    static String padded(String dict, int major) {
        int prefix = major == 1 ? 10 : 12;
        int pad = 64 - ((prefix + dict.length() + 1) % 64);
        return dict + " ".repeat(pad == 64 ? 0 : pad) + "\n";
    }

    static String dict(String descr, String fortran, String shape) {
        return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] cut(byte[] b, int length) {
        return Arrays.copyOf(b, length);
    }

    private static NpyHeader read(byte[] bytes, long base) throws IOException {
        byte[] embedded = new byte[(int) base + bytes.length];
        System.arraycopy(bytes, 0, embedded, (int) base, bytes.length);
        return NpyHeader.read(new BytesChannel(embedded, 7), base, FILE);
    }

    // ---- accepted ----

    @Test
    void numpyStyleVersion1Header() throws IOException {
        NpyHeader h = read(npy(1, padded(F8, 1)), 0);
        assertEquals(1, h.majorVersion());
        assertEquals(0, h.minorVersion());
        assertEquals("1.0", h.versionString());
        assertEquals("<f8", h.descr());
        assertEquals(Dtype.parse("<f8"), h.dtype());
        assertArrayEquals(new long[] {3}, h.shape());
        assertEquals(1, h.ndim());
        assertFalse(h.fortranOrder());
        assertEquals(118, h.headerLength());
        assertEquals(128, h.dataOffset());
        assertEquals(3, h.count());
        assertFalse(h.isObject());
        assertEquals(".npy 1.0 descr='<f8' shape=(3,) fortran_order=False data@128", h.toString());
    }

    static Stream<Arguments> versions() {
        return Stream.of(Arguments.of(1, 10), Arguments.of(2, 12), Arguments.of(3, 12));
    }

    @ParameterizedTest(name = "version {0}.0")
    @MethodSource("versions")
    void dataOffsetFollowsTheLengthFieldWidth(int major, int textOffset) throws IOException {
        String text = padded(dict("'|O'", "True", "(2, 3)"), major);
        for (long base : new long[] {0, 1, 4099}) {
            NpyHeader h = read(npy(major, text), base);
            assertEquals(major + ".0", h.versionString());
            assertEquals(text.length(), h.headerLength());
            assertEquals(base + textOffset + text.length(), h.dataOffset());
            assertEquals(base, h.startOffset());
            assertTrue(h.fortranOrder());
            assertTrue(h.isObject());
            assertEquals(6, h.count());
        }
    }

    @Test
    void shapesAndCounts() throws IOException {
        assertEquals(1, read(npy(1, dict("'<i4'", "False", "()")), 0).count());
        assertEquals(0, read(npy(1, dict("'<i4'", "False", "(0, 3)")), 0).count());
        assertEquals(2, read(npy(1, dict("'<i4'", "False", "(3, 0)")), 0).ndim());
        long big = 1L << 40;
        assertEquals(big * 8, read(npy(1, dict("'|u1'", "False", "(" + big + ", 8)")), 0).count());
        assertEquals(64, read(npy(1, dict("'<i4'", "False", "(" + "1, ".repeat(64) + ")")), 0).ndim());
    }

    @Test
    void shapeIsACopy() throws IOException {
        NpyHeader h = read(npy(1, F8), 0);
        h.shape()[0] = 99;
        assertArrayEquals(new long[] {3}, h.shape());
    }

    @Test
    void structuredDescrInJsonForm() throws IOException {
        NpyHeader h = read(npy(1, dict("[('a', '<i4'), ('b', '|O', (2, 3))]", "False", "(2,)")), 0);
        assertEquals(List.of(List.of("a", "<i4"), List.of("b", "|O", List.of(2L, 3L))), h.descr());
        assertTrue(h.isObject());
        assertEquals(52, h.dtype().itemSize());
        assertTrue(h.toString().contains("descr=[('a', '<i4'), ('b', '|O', (2, 3))]"), h.toString());
    }

    @Test
    void python2LongSuffixInVersions1And2Only() throws IOException {
        String text = dict("'<f8'", "False", "(3L, 4L)");
        assertArrayEquals(new long[] {3, 4}, read(npy(1, text), 0).shape());
        assertArrayEquals(new long[] {3, 4}, read(npy(2, text), 0).shape());
        assertRejected(npy(3, text), CorruptInputException.class, 12, "invalid integer literal");
    }

    @Test
    void latin1AndUtf8FieldNames() throws IOException {
        String text = dict("[('\u00e9t\u00e9', '<i4')]", "False", "(1,)");
        assertEquals("\u00e9t\u00e9", ((Dtype.Structured) read(npy(1, text), 0).dtype()).names().get(0));
        String utf8 = dict("[('\u6e29\u5ea6', '<f8')]", "False", "(1,)");
        assertEquals("\u6e29\u5ea6", ((Dtype.Structured) read(npy(3, utf8), 0).dtype()).names().get(0));
    }

    @Test
    void headerSizeLimitCountsCharacters() throws IOException {
        // 10000 characters exactly is allowed, also when UTF-8 needs more bytes for them.
        String dict = dict("[('NAME', '<i4')]", "False", "(1,)");
        String latin = dict.replace("NAME", "x".repeat(NpyHeader.MAX_HEADER_SIZE - dict.length() + 4));
        assertEquals(NpyHeader.MAX_HEADER_SIZE, latin.length());
        assertEquals(NpyHeader.MAX_HEADER_SIZE, read(npy(1, latin), 0).headerLength());
        String wide = dict.replace("NAME", "\u0394".repeat(NpyHeader.MAX_HEADER_SIZE - dict.length() + 4));
        NpyHeader h = read(npy(3, wide), 0);
        assertTrue(h.headerLength() > NpyHeader.MAX_HEADER_SIZE);

        assertRejected(npy(1, latin + " "), UnsupportedInputException.class, 8, "NumPy refuses it too");
        assertRejected(npy(3, wide + "\u0394"), UnsupportedInputException.class, 8, "10001 characters");
        // Over 4 bytes per allowed character is refused before decoding.
        assertRejected(npy(3, "\ud83d\ude00".repeat(NpyHeader.MAX_HEADER_SIZE + 1)), UnsupportedInputException.class, 8,
                "40004 bytes");
    }

    @Test
    void largerLimitOnRequest() throws IOException {
        String text = padded(dict("'<f8'", "False", "(3,)") + " ".repeat(20_000), 2);
        byte[] b = npy(2, text);
        assertThrows(UnsupportedInputException.class, () -> NpyHeader.read(new BytesChannel(b), 0, FILE));
        NpyHeader h = NpyHeader.read(new BytesChannel(b), 0, FILE, 30_000);
        assertEquals(12 + text.length(), h.dataOffset());
        assertThrows(IllegalArgumentException.class, () -> NpyHeader.read(new BytesChannel(b), 0, FILE, -1));
    }

    @Test
    void twoArgumentReadStartsAtZeroAndLeavesChannelAtData() throws IOException {
        byte[] b = npy(1, padded(F8, 1));
        BytesChannel ch = new BytesChannel(Arrays.copyOf(b, b.length + 24));
        ch.position(50);
        NpyHeader h = NpyHeader.read(ch, FILE);
        assertEquals(128, h.dataOffset());
        assertEquals(128, ch.position());
        assertTrue(ch.isOpen(), "the channel is borrowed, not closed");
    }

    @Test
    void readsFromAPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.npy");
        Files.write(file, npy(1, padded(F8, 1)));
        NpyHeader h = NpyHeader.read(file);
        assertEquals(file, h.source());
        assertEquals(128, h.dataOffset());
        Files.write(file, bytes(0x93, 'N', 'U'));
        CorruptInputException e = assertThrows(CorruptInputException.class, () -> NpyHeader.read(file));
        assertEquals(file, e.file());
    }

    @Test
    void negativeBaseIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> NpyHeader.read(new BytesChannel(new byte[0]), -1, FILE));
    }

    // ---- rejected ----

    /** Bytes, expected exception, offset relative to the header start, a fragment of the reason. */
    static Stream<Arguments> rejected() {
        byte[] v1 = npy(1, padded(F8, 1));
        byte[] v2 = npy(2, padded(F8, 2));
        return Stream.of(
                // magic: offset 0
                Arguments.of("empty", new byte[0], CorruptInputException.class, 0, "empty"),
                Arguments.of("3 bytes", cut(v1, 3), CorruptInputException.class, 0, "too short"),
                Arguments.of("5 bytes", cut(v1, 5), CorruptInputException.class, 0, "too short"),
                Arguments.of("wrong magic", withByte(v1, 5, 'Z'), CorruptInputException.class, 0, "b'\\x93NUMPZ'"),
                Arguments.of("zip", withBytes(v1, 0, 'P', 'K', 3, 4), CorruptInputException.class, 0, "zip archive"),
                Arguments.of("wrong magic, short", bytes('N', 'U'), CorruptInputException.class, 0, "b'NU'"),
                // version: offset 6
                Arguments.of("6 bytes", cut(v1, 6), CorruptInputException.class, 6, "version"),
                Arguments.of("7 bytes", cut(v1, 7), CorruptInputException.class, 6, "version"),
                Arguments.of("version 0.0", withBytes(v1, 6, 0, 0), UnsupportedInputException.class, 6, "version 0.0"),
                Arguments.of("version 1.1", withBytes(v1, 6, 1, 1), UnsupportedInputException.class, 6, "version 1.1"),
                Arguments.of("version 4.0", withBytes(v1, 6, 4, 0), UnsupportedInputException.class, 6, "version 4.0"),
                Arguments.of("version 255.255", withBytes(v1, 6, 255, 255), UnsupportedInputException.class, 6,
                        "unsupported .npy format version 255.255"),
                // length field: offset 8
                Arguments.of("v1 9 bytes", cut(v1, 9), CorruptInputException.class, 8, "2-byte header length"),
                Arguments.of("v1 8 bytes", cut(v1, 8), CorruptInputException.class, 8, "2-byte header length"),
                Arguments.of("v2 11 bytes", cut(v2, 11), CorruptInputException.class, 8, "4-byte header length"),
                Arguments.of("v1 length past EOF", npy(1, 0, "{}".getBytes(StandardCharsets.ISO_8859_1), 3),
                        CorruptInputException.class, 8, "header length 3 points past the end of the file (2 bytes"),
                Arguments.of("v1 text cut short", cut(v1, 100), CorruptInputException.class, 8, "points past the end"),
                Arguments.of("v2 length 2^32-1", npy(2, 0, new byte[100], 0xFFFF_FFFFL), CorruptInputException.class, 8,
                        "header length 4294967295 points past"),
                Arguments.of("v1 over the limit", npy(1, padded(F8, 1) + " ".repeat(10_000)),
                        UnsupportedInputException.class, 8, "over the limit of 10000 characters"),
                // text: offset 10 (v1) or 12 (v2, v3)
                Arguments.of("v3 bad UTF-8", npy(3, 0, bytes('{', 0xC3, 0x28, '}'), -1), CorruptInputException.class, 12,
                        "not valid UTF-8 [bad byte sequence at byte 13"),
                Arguments.of("v3 truncated UTF-8", npy(3, 0, bytes('{', '}', 0xE6, 0xB8), -1), CorruptInputException.class,
                        12, "not valid UTF-8"),
                Arguments.of("v3 encoded surrogate", npy(3, 0, bytes('{', '}', 0xED, 0xA0, 0x80), -1),
                        CorruptInputException.class, 12, "not valid UTF-8"),
                Arguments.of("empty text", npy(1, ""), CorruptInputException.class, 10, "empty"),
                Arguments.of("blank text", npy(2, "   \n"), CorruptInputException.class, 12, "empty"),
                Arguments.of("syntax v1", npy(1, "{'descr' 5}"), CorruptInputException.class, 10,
                        "expected ':', found '5' [character 9 of the text, byte 19 of the file]"),
                Arguments.of("syntax v3 offset in bytes", npy(3, "{'\u00e9': x}"), CorruptInputException.class, 12,
                        "name 'x' is not allowed in a .npy header (only literals are) [character 6 of the text, byte 19 of the file]"),
                Arguments.of("expression", npy(1, "__import__('os').system('true')"), CorruptInputException.class, 10,
                        "name '__import__' is not allowed"),
                Arguments.of("call in dict", npy(1, dict("dtype('<f8')", "False", "(3,)")), CorruptInputException.class,
                        10, "name 'dtype' is not allowed"),
                Arguments.of("NUL in text", npy(1, F8 + "\0"), CorruptInputException.class, 10, "U+0000"),
                Arguments.of("not a dict", npy(1, "[1, 2]"), CorruptInputException.class, 10,
                        "header is not a dictionary: [1, 2]"),
                Arguments.of("tuple of dict", npy(1, F8 + ","), CorruptInputException.class, 10, "not a dictionary"),
                Arguments.of("no descr", npy(1, "{'fortran_order': False, 'shape': (3,)}"), CorruptInputException.class,
                        10, "header dict has no 'descr' key"),
                Arguments.of("no fortran_order", npy(1, "{'descr': '<f8', 'shape': (3,)}"), CorruptInputException.class,
                        10, "header dict has no 'fortran_order' key"),
                Arguments.of("no shape", npy(1, "{'descr': '<f8', 'fortran_order': False}"),
                        CorruptInputException.class, 10, "header dict has no 'shape' key"),
                Arguments.of("extra key", npy(1, F8.replace("}", "'x': 1}")), CorruptInputException.class, 10,
                        "header dict has an unexpected key 'x'"),
                Arguments.of("extra int key", npy(1, F8.replace("}", "3: 1}")), CorruptInputException.class, 10,
                        "header dict has an unexpected key 3"),
                Arguments.of("shape list", npy(1, dict("'<f8'", "False", "[3]")), CorruptInputException.class, 10,
                        "shape is not valid: [3]"),
                Arguments.of("shape int", npy(1, dict("'<f8'", "False", "3")), CorruptInputException.class, 10,
                        "shape is not valid: 3"),
                Arguments.of("shape bool", npy(1, dict("'<f8'", "False", "(True,)")), CorruptInputException.class, 10,
                        "shape is not valid: (True,)"),
                Arguments.of("shape str", npy(1, dict("'<f8'", "False", "('3',)")), CorruptInputException.class, 10,
                        "shape is not valid"),
                Arguments.of("shape None", npy(1, dict("'<f8'", "False", "(None,)")), CorruptInputException.class, 10,
                        "shape is not valid: (None,)"),
                Arguments.of("negative dimension", npy(1, dict("'<f8'", "False", "(2, -1)")), CorruptInputException.class,
                        10, "negative dimension -1 in shape (2, -1)"),
                Arguments.of("dimension 2^63", npy(1, dict("'<f8'", "False", "(9223372036854775808,)")),
                        CorruptInputException.class, 10, "exceeds NumPy's maximum"),
                Arguments.of("dimension -2^64", npy(1, dict("'<f8'", "False", "(-18446744073709551616,)")),
                        CorruptInputException.class, 10, "is negative"),
                Arguments.of("65 dimensions", npy(1, dict("'<f8'", "False", "(" + "1, ".repeat(65) + ")")),
                        CorruptInputException.class, 10, "65 dimensions; NumPy supports at most 64"),
                Arguments.of("count overflow", npy(1, dict("'|u1'", "False", "(4611686018427387904, 4)")),
                        CorruptInputException.class, 10, "array is too big"),
                Arguments.of("bytes overflow", npy(1, dict("'<f8'", "False", "(2305843009213693952,)")),
                        CorruptInputException.class, 10, "array is too big"),
                Arguments.of("overflow beside a zero", npy(1, dict("'|u1'", "False", "(0, 4611686018427387904, 4)")),
                        CorruptInputException.class, 10, "array is too big"),
                Arguments.of("fortran_order int", npy(1, dict("'<f8'", "1", "(3,)")), CorruptInputException.class, 10,
                        "fortran_order is not a valid bool: 1"),
                Arguments.of("fortran_order None", npy(2, dict("'<f8'", "None", "(3,)")), CorruptInputException.class, 12,
                        "fortran_order is not a valid bool: None"),
                Arguments.of("descr int", npy(1, dict("5", "False", "(3,)")), CorruptInputException.class, 10,
                        "descr is not a valid dtype descriptor: 5"),
                Arguments.of("descr unknown", npy(1, dict("'<zz9'", "False", "(3,)")), CorruptInputException.class, 10,
                        "data type '<zz9' not understood"),
                Arguments.of("descr name", npy(1, dict("'float64'", "False", "(3,)")), UnsupportedInputException.class,
                        10, "never writes"),
                Arguments.of("descr v3", npy(3, dict("[('a', '<i4'), ('a', '<i4')]", "False", "(3,)")),
                        CorruptInputException.class, 12, "already used"));
    }

    private static byte[] withByte(byte[] b, int at, int value) {
        return withBytes(b, at, value);
    }

    private static byte[] withBytes(byte[] b, int at, int... values) {
        byte[] copy = b.clone();
        for (int i = 0; i < values.length; i++) {
            copy[at + i] = (byte) values[i];
        }
        return copy;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rejected")
    void rejectedWithOffsetAtBase0(String name, byte[] bytes, Class<? extends NpyconvException> type, int offset,
            String reason) {
        assertRejected(bytes, type, offset, reason);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rejected")
    void rejectedWithOffsetAtBase777(String name, byte[] bytes, Class<? extends NpyconvException> type, int offset,
            String reason) {
        NpyconvException e = assertThrows(NpyconvException.class, () -> read(bytes, 777));
        assertExactly(type, e);
        assertEquals(777 + offset, e.offset(), e::getMessage);
    }

    private static void assertRejected(byte[] bytes, Class<? extends NpyconvException> type, int offset, String reason) {
        NpyconvException e = assertThrows(NpyconvException.class, () -> read(bytes, 0));
        assertExactly(type, e);
        assertEquals(offset, e.offset(), e::getMessage);
        assertEquals(FILE, e.file());
        assertEquals("header", e.construct());
        assertTrue(e.reason().contains(reason), () -> "reason '" + e.reason() + "' lacks '" + reason + "'");
    }

    private static void assertExactly(Class<? extends NpyconvException> type, NpyconvException e) {
        if (e.getClass() != type) {
            fail("expected " + type.getSimpleName() + ", got " + e, e);
        }
    }

    @Test
    void offsetsBeyondTheChannelAreAnEmptyFile() {
        CorruptInputException e = assertThrows(CorruptInputException.class,
                () -> NpyHeader.read(new BytesChannel(new byte[10]), 50, FILE));
        assertEquals(50, e.offset());
    }
}
