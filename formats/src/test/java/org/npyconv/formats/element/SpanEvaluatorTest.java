package org.npyconv.formats.element;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.NpyconvException;
import org.npyconv.formats.UnsupportedInputException;

/** The evaluator on hand-assembled opcodes: memo bookkeeping, inert globals, hostile input. */
class SpanEvaluatorTest {
    /** Assembles a pickle fragment: Integers are bytes, Strings their latin-1 bytes. */
    static byte[] ops(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof Integer) {
                out.write((Integer) p);
            } else if (p instanceof byte[]) {
                out.writeBytes((byte[]) p);
            } else {
                out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toByteArray();
    }

    static Object element(byte[] b) {
        return new SpanEvaluator().evaluateElement(b, 0, b.length, 0, 0, null, null);
    }

    static <T extends NpyconvException> T fails(Class<T> type, byte[] b, long absoluteOffset) {
        return assertThrows(type, () -> new SpanEvaluator().evaluate(b, 0, b.length, absoluteOffset, 0, null, null));
    }

    @Test
    void reduceOfOsSystemIsInertAndRunsNothing(@TempDir Path dir) {
        Path marker = dir.resolve("pwned");
        byte[] b = ops("cos\nsystem\n", "X", le32(("touch " + marker).length()), "touch " + marker, 0x85, "R");
        Object v = element(b);
        PyObject o = assertInstanceOf(PyObject.class, v);
        assertEquals("os.system", o.className());
        assertEquals(PyObject.Construction.REDUCE, o.construction());
        assertEquals(List.of("touch " + marker), o.args());
        assertEquals(GlobalSafety.DANGEROUS, ((PyGlobal) o.callable()).safety());
        assertFalse(Files.exists(marker), "nothing ran");
        assertTrue(ElementJson.toJson(v).startsWith("{\"$class\":\"os.system\",\"args\":["));
        assertEquals("os.system('touch " + marker + "')", ElementRepr.repr(v));
    }

    @Test
    void getattrChainStaysInert() {
        // builtins.getattr(builtins.__import__('os'), 'system')('id'), built by REDUCEs on REDUCE results
        byte[] b = ops("cbuiltins\ngetattr\n", "cbuiltins\n__import__\n", "X", le32(2), "os", 0x85, "R",
                "X", le32(6), "system", 0x86, "R", "X", le32(2), "id", 0x85, "R");
        PyObject call = assertInstanceOf(PyObject.class, element(b));
        assertNull(call.className(), "the callable is itself an inert call");
        PyObject getattr = assertInstanceOf(PyObject.class, call.callable());
        assertEquals("builtins.getattr", getattr.className());
        assertTrue(ElementJson.toJson(call).contains("\"callable\":{\"$class\":\"builtins.getattr\""));
    }

    @Test
    void newobjBuildAndItemsAreRecorded() {
        // mymod.Thing.__new__(Thing, 1) with state {'a': 2}, appends [3] and setitems {'k': 4}
        byte[] b = ops("cmymod\nThing\n", "K", 1, 0x85, 0x81, "}", "X", le32(1), "a", "K", 2, "s", "b",
                "(", "K", 3, "e", "(", "X", le32(1), "k", "K", 4, "u");
        PyObject o = assertInstanceOf(PyObject.class, element(b));
        assertEquals(PyObject.Construction.NEWOBJ, o.construction());
        assertEquals(List.of(1L), o.args());
        assertEquals(Map.of("a", 2L), o.state());
        assertEquals(List.of(3L), o.listItems());
        assertEquals(Map.of("k", 4L), o.dictItems());
        assertEquals("{\"$class\":\"mymod.Thing\",\"args\":[1],\"state\":{\"a\":2},\"listitems\":[3],\"dictitems\":{\"k\":4}}",
                ElementJson.toJson(o));
    }

    @Test
    void getOfAnUndefinedSlotGoesToTheResolver() {
        List<Long> asked = new ArrayList<>();
        byte[] b = ops("h", 7, "h", 7, 0x86, "j", le32(70000), 0x86);
        Object v = new SpanEvaluator().evaluateElement(b, 0, b.length, 0, 100, index -> {
            asked.add(index);
            return "m" + index;
        }, null);
        assertEquals(PyTuple.of(PyTuple.of("m7", "m7"), "m70000"), v);
        assertEquals(List.of(7L, 70000L), asked, "asked once per index");
    }

    @Test
    void getWithoutResolverFailsAtTheOpcode() {
        byte[] b = ops("N", "h", 3);
        CorruptInputException e = fails(CorruptInputException.class, b, 1000);
        assertEquals(1001, e.offset());
        assertEquals("BINGET", e.construct());
        assertTrue(e.reason().contains("memo index 3"), e.reason());
    }

    @Test
    void resolverFailuresPassThrough() {
        byte[] b = ops("h", 3);
        UnsupportedInputException mine = new UnsupportedInputException("gone", null, 5, "X");
        NpyconvException e = assertThrows(NpyconvException.class,
                () -> new SpanEvaluator().evaluate(b, 0, b.length, 0, 0, i -> { throw mine; }, null));
        assertSame(mine, e);
    }

    @Test
    void memoizeStoresAtTheCounterAndTellsTheSink() {
        Map<Long, Object> stored = new LinkedHashMap<>();
        // EMPTY_LIST MEMOIZE, then APPENDS after the store: the sink holds the same, completed list
        byte[] b = ops("]", 0x94, "(", "K", 1, "X", le32(1), "a", 0x94, "e", "q", 9, "p12\n");
        SpanResult r = new SpanEvaluator().evaluate(b, 0, b.length, 0, 5, null, stored::put);
        assertEquals(List.of(5L, 6L, 9L, 12L), new ArrayList<>(stored.keySet()));
        assertSame(r.items().get(0), stored.get(5L));
        assertEquals(List.of(1L, "a"), stored.get(5L));
        assertEquals(7, r.memoEnd(), "PUTs away from the counter do not advance it");
        byte[] next = ops("q", 7, "r", le32(8));
        assertEquals(9, new SpanEvaluator().evaluate(ops("N", next), 0, 1 + next.length, 0, 7, null, null).memoEnd());
    }

    @Test
    void aPreambleLeavesMarksAndItems() {
        byte[] b = ops(0x80, 4, "(", "K", 1, "]", "(");
        SpanResult r = new SpanEvaluator().evaluate(b, 0, b.length, 0, 0, null, null);
        assertEquals(2, r.items().size());
        assertEquals(List.of(0, 2), r.markPositions());
        assertFalse(r.isSingleItem());
        assertThrows(CorruptInputException.class, () -> new SpanEvaluator().evaluateElement(b, 0, b.length, 0, 0, null, null));
    }

    @Test
    void cyclesAreReferencesAndRenderersRefuseOrElide() {
        byte[] b = ops("]", "q", 0, "h", 0, "a");
        Object v = element(b);
        List<?> list = assertInstanceOf(List.class, v);
        assertSame(list, list.get(0));
        assertEquals("[[...]]", ElementRepr.repr(v));
        UnsupportedInputException e = assertThrows(UnsupportedInputException.class, () -> ElementJson.toJson(v));
        assertTrue(e.reason().contains("circular"), e.reason());
    }

    @Test
    void sharedReferencesDoNotExpandDuringEvaluation() {
        // l0 = [None]; l_{i+1} = [l_i, l_i] for 60 levels: 2^60 leaves as JSON, 200 bytes of pickle
        List<Object> parts = new ArrayList<>(List.of("]", "N", "a"));
        for (int i = 0; i < 60; i++) {
            parts.addAll(List.of(0x94, "0", "]", "h", i, "a", "h", i, "a"));
        }
        Object v = element(ops(parts.toArray()));
        assertInstanceOf(List.class, v);
        byte[] dups = ops("(", "N", ops(repeat("2", 100_000)), "l");
        assertEquals(100_001, ((List<?>) element(dups)).size());
    }

    static Stream<Arguments> deepPickles() {
        int n = 20_000;
        return Stream.of(
                Arguments.of("lists", ops(repeat("]", n), repeat("a", n - 1))),
                Arguments.of("tuples", ops(repeat("(", n), repeat("t", n))),
                Arguments.of("tuple1", ops("N", repeat(0x85, n))),
                Arguments.of("dicts", ops(repeat("}K\u0001", n), "N", repeat("s", n))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deepPickles")
    void deepNestingFailsCleanly(String label, byte[] b) {
        UnsupportedInputException e = fails(UnsupportedInputException.class, b, 0);
        assertTrue(e.reason().contains("deeper than 10000"), e.reason());
        assertTrue(e.offset() > 0);
    }

    @Test
    void nestingBelowTheLimitEvaluatesAndRendersIteratively() {
        int n = 9_999;
        Object v = element(ops("N", repeat(0x85, n)));
        String json = ElementJson.toJson(v);
        assertEquals(2 * n + 4, json.length());
        assertThrows(UnsupportedInputException.class, () -> ElementJson.write(v, new StringBuilder(), 100));
        assertTrue(ElementRepr.repr(v).startsWith("((((None,),),),)".substring(0, 4)));
    }

    static Stream<Arguments> corruptPickles() {
        return Stream.of(
                Arguments.of("truncated BINUNICODE", ops("N", "X", le32(1000), "abc"), 1, "BINUNICODE"),
                Arguments.of("huge BINBYTES8", ops("N", 0x8e, le64(1L << 62)), 1, "BINBYTES8"),
                Arguments.of("BINBYTES8 beyond 2^63", ops(0x8e, le64(-1L)), 0, "BINBYTES8"),
                Arguments.of("negative BINSTRING", ops("T", le32(-5)), 0, "BINSTRING"),
                Arguments.of("LONG4 too long", ops(0x8b, le32(1 << 30), "x"), 0, "LONG4"),
                Arguments.of("APPEND on empty", ops("a"), 0, "APPEND"),
                Arguments.of("APPEND to str", ops("X", le32(1), "s", "N", "a"), 7, "APPEND"),
                Arguments.of("TUPLE without mark", ops("N", "t"), 1, "TUPLE"),
                Arguments.of("odd DICT", ops("(", "N", "d"), 2, "DICT"),
                Arguments.of("unhashable key", ops("}", "]", "N", "s"), 3, "SETITEM"),
                Arguments.of("unknown opcode", ops("N", 0xff), 1, "opcode 0xff"),
                Arguments.of("STOP inside", ops("N", "."), 1, "STOP"),
                Arguments.of("STACK_GLOBAL of ints", ops("K", 1, "K", 2, 0x93), 4, "STACK_GLOBAL"),
                Arguments.of("REDUCE with a list", ops("cdatetime\ndate\n", "]", "R"), 16, "REDUCE"),
                Arguments.of("bad protocol", ops(0x80, 9), 0, "PROTO"),
                Arguments.of("unterminated GLOBAL", ops("cos"), 0, "GLOBAL"),
                Arguments.of("INT text", ops("Iabc\n"), 0, "INT"),
                Arguments.of("huge INT text", ops("I", repeat("9", 5000), "\n"), 0, "INT"),
                Arguments.of("invalid UTF-8", ops(0x8c, 2, 0xff, 0xfe), 0, "SHORT_BINUNICODE"),
                Arguments.of("ndarray data too short", ndarrayWithData(3, "ab"), -1, "BUILD"),
                Arguments.of("POP_MARK without mark", ops("N", "1"), 1, "POP_MARK"),
                Arguments.of("DUP of a mark", ops("(", "2"), 1, "DUP"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptPickles")
    void corruptInputNamesOffsetAndOpcode(String label, byte[] b, int offset, String opcode) {
        CorruptInputException e = fails(CorruptInputException.class, b, 500);
        assertEquals(500 + (offset < 0 ? b.length - 1 : offset), e.offset(), e.getMessage());
        assertEquals(opcode, e.construct(), e.getMessage());
    }

    @Test
    void outOfBandBuffersAreUnsupported() {
        UnsupportedInputException e = fails(UnsupportedInputException.class, ops("N", 0x97), 0);
        assertEquals("NEXT_BUFFER", e.construct());
    }

    @Test
    void persistentIdsAndExtensionCodesAreInert() {
        assertEquals(new PyPersistentId("abc"), element(ops("Pabc\n")));
        assertEquals(new PyPersistentId(5L), element(ops("K", 5, "Q")));
        assertEquals(new PyExtensionCode(300), element(ops(0x83, 44, 1)));
        PyObject o = assertInstanceOf(PyObject.class, element(ops(0x82, 7, ")", "R")));
        assertEquals(new PyExtensionCode(7), o.callable());
        assertEquals("{\"$persistent_id\":\"abc\"}", ElementJson.toJson(element(ops("Pabc\n"))));
    }

    @Test
    void copyregReconstructorOfAnUnknownClassIsInertWithThatClass() {
        byte[] b = ops("ccopy_reg\n_reconstructor\n", "(", "cmymod\nFoo\n", "c__builtin__\nobject\n", "N", "t", "R");
        PyObject o = assertInstanceOf(PyObject.class, element(b));
        assertEquals("mymod.Foo", o.className());
        assertEquals(PyObject.Construction.RECONSTRUCTOR, o.construction());
        byte[] set = ops("ccopyreg\n_reconstructor\n", "(", "cbuiltins\nset\n", "cbuiltins\nset\n", "(", "K", 1, "l", "t", "R");
        assertEquals(new java.util.LinkedHashSet<>(List.of(1L)), element(set));
    }

    @Test
    void ndarraySubclassesAndOtherNumpyCallsStayInert() {
        byte[] matrix = ops("cnumpy.core.multiarray\n_reconstruct\n", "cnumpy.matrixlib.defmatrix\nmatrix\n", "K", 0,
                0x85, "C", 1, "b", 0x87, "R");
        PyObject o = assertInstanceOf(PyObject.class, element(matrix));
        assertEquals("numpy.core.multiarray._reconstruct", o.className());
        PyObject load = assertInstanceOf(PyObject.class, element(ops("cnumpy\nload\n", "X", le32(1), "f", 0x85, "R")));
        assertEquals(GlobalSafety.UNKNOWN, ((PyGlobal) load.callable()).safety());
    }

    @Test
    void unpopularCodecsAndAllocatingCallsStayInert() {
        assertInstanceOf(PyObject.class, element(ops("c_codecs\nencode\n", "X", le32(1), "x", "X", le32(4), "zlib", 0x86, "R")));
        assertInstanceOf(PyObject.class, element(ops("cbuiltins\nbytearray\n", "J", le32(1 << 30), 0x85, "R")));
        assertArrayEquals(new byte[] {'x'}, (byte[]) element(ops("c_codecs\nencode\n", "X", le32(1), "x", "X", le32(6), "latin1", 0x86, "R")));
    }

    @Test
    void protocolZeroTextOpcodes() {
        assertEquals(Boolean.TRUE, element(ops("I01\n")));
        assertEquals(-12L, element(ops("I-12\n")));
        assertEquals(new java.math.BigInteger("123456789012345678901234567890"), element(ops("L123456789012345678901234567890L\n")));
        assertEquals(Double.NEGATIVE_INFINITY, element(ops("F-inf\n")));
        assertEquals("a\\b\u20ac\n", element(ops("Va\\u005cb\\u20ac\\u000a\n")));
        assertEquals("it's\u0001\u00ff", element(ops("S'it\\'s\\x01\\377'\n")));
    }

    private static byte[] ndarrayWithData(int count, String data) {
        return ops("cnumpy.core.multiarray\n_reconstruct\n", "cnumpy\nndarray\n", "K", 0, 0x85, "C", 1, "b", 0x87, "R",
                "(", "K", 1, "K", count, 0x85, "cnumpy\ndtype\n", "X", le32(2), "i1", 0x89, 0x88, 0x87, "R",
                0x89, "C", data.length(), data, "t", "b");
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >> (8 * i));
        }
        return b;
    }

    static byte[] repeat(Object part, int n) {
        byte[] one = ops(part);
        byte[] out = new byte[one.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(one, 0, out, i * one.length, one.length);
        }
        return out;
    }
}
