package org.npyconv.formats.npy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.UnsupportedInputException;

class DtypeTest {
    private static final Path FILE = Path.of("x.npy");
    private static final long OFFSET = 10;

    /** Descr string, then NumPy 2.4's {@code dtype.str}, {@code itemsize} and {@code kind} for it (little-endian host). */
    static Stream<Arguments> scalars() {
        return Stream.of(
                Arguments.of("<f8", "<f8", 8, 'f'),
                Arguments.of("|b1", "|b1", 1, 'b'),
                Arguments.of("<b1", "|b1", 1, 'b'),
                Arguments.of(">b1", "|b1", 1, 'b'),
                Arguments.of("|O", "|O", 8, 'O'),
                Arguments.of("<O", "|O", 8, 'O'),
                Arguments.of("O", "|O", 8, 'O'),
                Arguments.of("O8", "|O", 8, 'O'),
                Arguments.of("|O4", "|O", 8, 'O'),
                Arguments.of("<U10", "<U10", 40, 'U'),
                Arguments.of(">U10", ">U10", 40, 'U'),
                Arguments.of("<U", "<U0", 0, 'U'),
                Arguments.of("U0", "<U0", 0, 'U'),
                Arguments.of("<U01", "<U1", 4, 'U'),
                Arguments.of("|S5", "|S5", 5, 'S'),
                Arguments.of("<S5", "|S5", 5, 'S'),
                Arguments.of("S", "|S0", 0, 'S'),
                Arguments.of("|S0", "|S0", 0, 'S'),
                Arguments.of("a5", "|S5", 5, 'S'),
                Arguments.of("|a5", "|S5", 5, 'S'),
                Arguments.of("<M8[ns]", "<M8[ns]", 8, 'M'),
                Arguments.of("|M8[ns]", "<M8[ns]", 8, 'M'),
                Arguments.of(">M8[ns]", ">M8[ns]", 8, 'M'),
                Arguments.of("M8", "<M8", 8, 'M'),
                Arguments.of("<M8", "<M8", 8, 'M'),
                Arguments.of("<M8[generic]", "<M8", 8, 'M'),
                Arguments.of("<m8[generic]", "<m8", 8, 'm'),
                Arguments.of("<m8[s]", "<m8[s]", 8, 'm'),
                Arguments.of("<M8[D]", "<M8[D]", 8, 'M'),
                Arguments.of("<M8[10ms]", "<M8[10ms]", 8, 'M'),
                Arguments.of("<M8[010ms]", "<M8[10ms]", 8, 'M'),
                Arguments.of("<M8[1ns]", "<M8[ns]", 8, 'M'),
                Arguments.of("<M8[0ns]", "<M8[0ns]", 8, 'M'),
                Arguments.of("<M8[2147483647ns]", "<M8[2147483647ns]", 8, 'M'),
                Arguments.of("<M8[Y]", "<M8[Y]", 8, 'M'),
                Arguments.of("<M8[M]", "<M8[M]", 8, 'M'),
                Arguments.of("<M8[W]", "<M8[W]", 8, 'M'),
                Arguments.of("<M8[h]", "<M8[h]", 8, 'M'),
                Arguments.of("<M8[m]", "<M8[m]", 8, 'M'),
                Arguments.of("<M8[us]", "<M8[us]", 8, 'M'),
                Arguments.of("<M8[\u03bcs]", "<M8[us]", 8, 'M'),
                Arguments.of("<M8[ps]", "<M8[ps]", 8, 'M'),
                Arguments.of("<M8[fs]", "<M8[fs]", 8, 'M'),
                Arguments.of("<M8[as]", "<M8[as]", 8, 'M'),
                Arguments.of(">m8[3h]", ">m8[3h]", 8, 'm'),
                Arguments.of("|V16", "|V16", 16, 'V'),
                Arguments.of("<V16", "|V16", 16, 'V'),
                Arguments.of("V0", "|V0", 0, 'V'),
                Arguments.of(">V16", "|V16", 16, 'V'),
                Arguments.of(">i4", ">i4", 4, 'i'),
                Arguments.of("<i8", "<i8", 8, 'i'),
                Arguments.of("|i1", "|i1", 1, 'i'),
                Arguments.of(">i1", "|i1", 1, 'i'),
                Arguments.of("<u2", "<u2", 2, 'u'),
                Arguments.of("|u1", "|u1", 1, 'u'),
                Arguments.of("<u8", "<u8", 8, 'u'),
                Arguments.of("i2", "<i2", 2, 'i'),
                Arguments.of("=i4", "<i4", 4, 'i'),
                Arguments.of("|f8", "<f8", 8, 'f'),
                Arguments.of("=f8", "<f8", 8, 'f'),
                Arguments.of("<f2", "<f2", 2, 'f'),
                Arguments.of("<f4", "<f4", 4, 'f'),
                Arguments.of(">f8", ">f8", 8, 'f'),
                Arguments.of("<f16", "<f16", 16, 'f'),
                Arguments.of("<c8", "<c8", 8, 'c'),
                Arguments.of("<c16", "<c16", 16, 'c'),
                Arguments.of(">c16", ">c16", 16, 'c'),
                Arguments.of("<c32", "<c32", 32, 'c'),
                Arguments.of("<f08", "<f8", 8, 'f'),
                Arguments.of("|S2147483647", "|S2147483647", 2147483647, 'S'),
                Arguments.of("<U536870911", "<U536870911", 2147483644, 'U'),
                Arguments.of("<V2147483647", "|V2147483647", 2147483647, 'V'));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("scalars")
    void scalarStringsMatchNumPy(String descr, String numpyStr, int itemSize, char kind) {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expectations recorded on a little-endian host");
        Dtype.Scalar dt = assertInstanceOf(Dtype.Scalar.class, Dtype.parse(descr));
        assertEquals(numpyStr, dt.str());
        assertEquals(itemSize, dt.itemSize());
        assertEquals(kind, dt.kind());
        assertEquals(numpyStr.charAt(0), dt.byteOrder());
        assertEquals(kind == 'O', dt.isObject());
        assertEquals(kind == 'O', dt.hasObject());
        assertEquals(dt, Dtype.parse(numpyStr), "dtype.str reads back as the same dtype");
    }

    @Test
    void datetimeUnitKeepsMultiplier() {
        assertEquals("10ms", ((Dtype.Scalar) Dtype.parse("<M8[10ms]")).datetimeUnit());
        assertEquals("ns", ((Dtype.Scalar) Dtype.parse("<m8[ns]")).datetimeUnit());
        assertEquals("", ((Dtype.Scalar) Dtype.parse("<M8")).datetimeUnit());
        assertEquals("", ((Dtype.Scalar) Dtype.parse("<f8")).datetimeUnit());
        assertTrue(((Dtype.Scalar) Dtype.parse("<M8[D]")).isDatetime());
    }

    /** Strings NumPy itself refuses ({@code TypeError: data type ... not understood}). */
    static Stream<String> notUnderstood() {
        return Stream.of("f3", "<f12", "<M16", "<m4", "<i16", "<u0", "<i0", "<f0", "<f8 ", " <f8", "<F8", "<float64",
                "<U10x", "<U-1", "<M8[ns", "<M8[xs]", "<M8[]", "<M8[ns]x", "<f4[ns]", "<U536870912", "S2147483648",
                "<U99999999999999", "<M8[2147483648ns]", "<M8[-1ns]", "<M8[1 ns]", "<M8[\u00b5s]", "", "<", "!f8",
                "x4", "|O2", "<b2", "<c4",
                // NumPy's strtol-based parsing tolerates these; np.save never writes them and we refuse them.
                "<M8[ 1ns]", "<M8[+1ns]", "|S+5", "|S 5");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("notUnderstood")
    void malformedStringsAreCorruptAtTheGivenOffset(String descr) {
        CorruptInputException e = assertThrows(CorruptInputException.class, () -> Descr.toDtype(descr, FILE, OFFSET));
        assertLocated(e);
    }

    /** Valid NumPy spellings that np.save never writes. */
    static Stream<String> validButUnhandled() {
        return Stream.of("float64", "int32", "d", "<d", "?", "b", "B", "i", "<i", ">l", "<M8[ns/2]", "T");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("validButUnhandled")
    void otherNumPySpellingsAreUnsupported(String descr) {
        UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                () -> Descr.toDtype(descr, FILE, OFFSET));
        assertLocated(e);
    }

    @Test
    void publicParseHasNoLocation() {
        CorruptInputException e = assertThrows(CorruptInputException.class, () -> Dtype.parse("<f3"));
        assertEquals(-1, e.offset());
        assertNull(e.file());
        assertEquals("data type '<f3' not understood (invalid item size) (dtype)", e.getMessage());
    }

    // ---- structured and subarray descrs (given as header literal text) ----

    private static Dtype descr(String literal) throws LiteralSyntaxException {
        return Descr.toDtype(PythonLiteral.parse(literal, false), FILE, OFFSET);
    }

    /** Descr literal, then NumPy's field names, offsets, itemsize and hasobject after descr_to_dtype. */
    static Stream<Arguments> structured() {
        return Stream.of(
                Arguments.of("[('a', '<i4'), ('b', '|O', (2, 3))]", List.of("a", "b"), List.of(0, 4), 52, true),
                Arguments.of("[('a', '|u1'), ('', '|V7'), ('b', '<f8')]", List.of("a", "b"), List.of(0, 8), 16, false),
                Arguments.of("[(('title', 'name'), '<i4')]", List.of("name"), List.of(0), 4, false),
                Arguments.of("[('x', [('y', '<f4', (2,))])]", List.of("x"), List.of(0), 8, false),
                Arguments.of("[('', '<i4')]", List.of(""), List.of(0), 4, false),
                Arguments.of("[('', '|V4')]", List.of(), List.of(), 4, false),
                Arguments.of("[('', '<i4', (2,))]", List.of(), List.of(), 8, false),
                Arguments.of("[('', [('a', '<i4')])]", List.of(""), List.of(0), 4, false),
                Arguments.of("[('a', '<i4', ())]", List.of("a"), List.of(0), 4, false),
                Arguments.of("[('a', '<i4', 3)]", List.of("a"), List.of(0), 12, false),
                Arguments.of("[('a', '<i4', [2, 3])]", List.of("a"), List.of(0), 24, false),
                Arguments.of("[('a', '<i4', (0,))]", List.of("a"), List.of(0), 0, false),
                Arguments.of("[]", List.of(), List.of(), 0, false),
                Arguments.of("[['a', '<i4']]", List.of("a"), List.of(0), 4, false),
                Arguments.of("[('a', ('<i4', (2,)), (3,))]", List.of("a"), List.of(0), 24, false),
                Arguments.of("[('a', '|O'), ('', '|V8')]", List.of("a"), List.of(0), 16, true),
                Arguments.of("[('a', '<i4'), ('', '|V4'), ('', '|V4')]", List.of("a"), List.of(0), 12, false),
                Arguments.of("[('\u03bc', '<i4'), ('b', [('c', '|O')])]", List.of("\u03bc", "b"), List.of(0, 4), 12, true));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("structured")
    void structuredLikeDescrToDtype(String literal, List<String> names, List<Integer> offsets, int itemSize,
            boolean hasObject) throws LiteralSyntaxException {
        Dtype.Structured dt = assertInstanceOf(Dtype.Structured.class, descr(literal));
        assertEquals(names, dt.names());
        assertEquals(offsets, dt.fields().stream().map(Dtype.Field::offset).toList());
        assertEquals(itemSize, dt.itemSize());
        assertEquals(hasObject, dt.hasObject());
        assertFalse(dt.isObject());
        assertEquals("|V" + itemSize, dt.str());
    }

    @Test
    void fieldDetails() throws LiteralSyntaxException {
        Dtype.Structured dt = (Dtype.Structured) descr("[(('T', 'n'), '<i4'), ('s', '|O', (2, 3))]");
        Dtype.Field n = dt.field("n");
        assertEquals("T", n.title());
        assertEquals(n, dt.field("T"));
        assertEquals(Dtype.parse("<i4"), n.dtype());
        Dtype.Subarray s = assertInstanceOf(Dtype.Subarray.class, dt.field("s").dtype());
        assertEquals(List.of(2, 3), s.shape());
        assertEquals(6, s.count());
        assertTrue(s.base().isObject());
        assertNull(dt.field("missing"));
    }

    @Test
    void topLevelSubarray() throws LiteralSyntaxException {
        Dtype.Subarray dt = assertInstanceOf(Dtype.Subarray.class, descr("('<i4', (2,))"));
        assertEquals(8, dt.itemSize());
        assertEquals("|V8", dt.str());
        assertEquals(List.of(1), ((Dtype.Subarray) descr("('<i4', 1)")).shape());
        assertEquals(Dtype.parse("<i4"), descr("('<i4', ())"), "an empty shape is no subarray");
    }

    /** Descr literals NumPy refuses. */
    static Stream<String> corruptDescrs() {
        return Stream.of("[('a', '<i4'), ('a', '<f8')]", "[('', '<i4'), ('', '<f8')]",
                "[(('t', 'a'), '<i4'), ('t', '<f8')]", "[(('a', 'a'), '<i4')]", "[('a', '<i4', (-1,))]",
                "[('a', '<i4', (2,), 4)]", "[('a',)]", "[(1, '<i4')]", "[(('a', 'b', 'c'), '<i4')]",
                "('<i8', (268435456,))", "('<i4', (2147483648,))", "[('a', '|V2147483647'), ('b', '|V1')]",
                "[('a', '<i4', (True,))]", "[('a', '<i4', 'x')]", "5", "None", "{'a': 1}", "True",
                "('<i4', (2,), 3)", "('<i4',)", "['<i4']", "[('a', 'f3')]", "[('a', [('b', 'x')])]");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("corruptDescrs")
    void invalidDescrsAreCorrupt(String literal) {
        CorruptInputException e = assertThrows(CorruptInputException.class, () -> descr(literal));
        assertLocated(e);
    }

    @Test
    void unusualButValidDescrsAreUnsupported() {
        assertLocated(assertThrows(UnsupportedInputException.class, () -> descr("[((5, 'a'), '<i4')]")));
        assertLocated(assertThrows(UnsupportedInputException.class, () -> descr("[('a', 'float64')]")));
    }

    private static void assertLocated(NpyconvException e) {
        assertEquals(OFFSET, e.offset());
        assertEquals(FILE, e.file());
        assertEquals("header", e.construct());
        assertTrue(e.getMessage().endsWith(" at byte 10 (header) in x.npy"), e.getMessage());
    }
}
