package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.npyconv.formats.pickle.PickleBytes.be8;
import static org.npyconv.formats.pickle.PickleBytes.le2;
import static org.npyconv.formats.pickle.PickleBytes.le4;
import static org.npyconv.formats.pickle.PickleBytes.le8;
import static org.npyconv.formats.pickle.PickleBytes.utf8;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One case per opcode (several for opcodes whose argument has interesting forms), each a tiny
 * hand-assembled pickle {@code <opcode + argument> STOP}. Each case runs at offset 0 and behind 13
 * junk bytes, with the default window and a 16-byte one, so offsets are checked as absolute and
 * every argument is split across window refills.
 */
class PickleReaderOpcodeTest {
    /** Checks the current opcode's argument; {@code base} is the absolute offset of the opcode. */
    @FunctionalInterface
    interface Check {
        void accept(PickleReader r, long base);
    }

    /** A tiny pickle whose first opcode is {@code op}, followed by STOP. */
    record Case(String label, PickleOpcode op, byte[] pickle, Check check) {
        @Override
        public String toString() {
            return label;
        }
    }

    private static final List<Case> CASES = new ArrayList<>();

    private static void add(String label, PickleOpcode op, byte[] argBytes, Check check) {
        CASES.add(new Case(label, op, PickleBytes.of(op.code(), argBytes, "."), check));
    }

    private static void add(PickleOpcode op, byte[] argBytes, Check check) {
        add(op.name(), op, argBytes, check);
    }

    private static void noArg(PickleOpcode op) {
        add(op, new byte[0], (r, base) -> {
            assertEquals(-1, r.payloadOffset());
            assertEquals(0, r.payloadLength());
            assertThrows(IllegalStateException.class, r::intArg);
            assertThrows(IllegalStateException.class, r::stringArg);
        });
    }

    private static Check intIs(long v) {
        return (r, base) -> {
            assertTrue(r.intArgFitsLong());
            assertEquals(v, r.intArg());
            assertEquals(BigInteger.valueOf(v), r.bigIntArg());
            assertFalse(r.isBoolInt());
        };
    }

    private static Check bigIs(BigInteger v) {
        return (r, base) -> {
            assertFalse(r.intArgFitsLong());
            assertThrows(IllegalStateException.class, r::intArg);
            assertEquals(v, r.bigIntArg());
        };
    }

    private static Check floatIs(long bits) {
        return (r, base) -> assertEquals(bits, Double.doubleToRawLongBits(r.floatArg()));
    }

    /** A text argument: its decoded value, and its raw payload at {@code base + payloadAt}. */
    private static Check textIs(String value, int payloadAt, byte[] raw) {
        return (r, base) -> {
            assertEquals(value, r.stringArg());
            assertEquals(base + payloadAt, r.payloadOffset());
            assertEquals(raw.length, r.payloadLength());
            assertArrayEquals(raw, r.payloadBytes());
        };
    }

    private static Check bytesIs(byte[] value, int payloadAt) {
        return (r, base) -> {
            assertEquals(base + payloadAt, r.payloadOffset());
            assertEquals(value.length, r.payloadLength());
            assertArrayEquals(value, r.payloadBytes());
            ByteBuffer dst = ByteBuffer.allocate(value.length + 3);
            dst.put((byte) 7);
            r.copyPayload(dst);
            assertEquals(value.length + 1, dst.position());
            assertArrayEquals(value, java.util.Arrays.copyOfRange(dst.array(), 1, value.length + 1));
            assertThrows(IllegalStateException.class, r::stringArg);
        };
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static {
        // Protocol 0.
        noArg(PickleOpcode.MARK);
        CASES.add(new Case("STOP", PickleOpcode.STOP, PickleBytes.of("."), (r, base) -> { }));
        noArg(PickleOpcode.POP);
        noArg(PickleOpcode.DUP);
        add(PickleOpcode.FLOAT, latin1("-1.25\n"), floatIs(Double.doubleToRawLongBits(-1.25)));
        add("FLOAT 1_0.5e1", PickleOpcode.FLOAT, latin1(" 1_0.5e1 \n"), floatIs(Double.doubleToRawLongBits(105.0)));
        add("FLOAT nan", PickleOpcode.FLOAT, latin1("nan\n"), floatIs(0x7ff8000000000000L));
        add("FLOAT -nan", PickleOpcode.FLOAT, latin1("-NaN\n"), floatIs(0xfff8000000000000L));
        add("FLOAT inf", PickleOpcode.FLOAT, latin1("inf\n"), floatIs(Double.doubleToRawLongBits(Double.POSITIVE_INFINITY)));
        add("FLOAT -infinity", PickleOpcode.FLOAT, latin1("-Infinity\n"),
                floatIs(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY)));
        add("FLOAT 1e400", PickleOpcode.FLOAT, latin1("1e400\n"), floatIs(Double.doubleToRawLongBits(Double.POSITIVE_INFINITY)));
        add("FLOAT -0.0", PickleOpcode.FLOAT, latin1("-0.0\n"), floatIs(0x8000000000000000L));
        add(PickleOpcode.INT, latin1("42\n"), (r, base) -> {
            intIs(42).accept(r, base);
            assertEquals(base + 1, r.payloadOffset());
            assertEquals(2, r.payloadLength());
        });
        add("INT True", PickleOpcode.INT, latin1("01\n"), (r, base) -> {
            assertTrue(r.isBoolInt());
            assertTrue(r.boolArg());
            assertEquals(1, r.intArg());
        });
        add("INT False", PickleOpcode.INT, latin1("00\n"), (r, base) -> {
            assertTrue(r.isBoolInt());
            assertFalse(r.boolArg());
        });
        add("INT 001 is no bool", PickleOpcode.INT, latin1("001\n"), intIs(1));
        add("INT min", PickleOpcode.INT, latin1("-9223372036854775808\n"), intIs(Long.MIN_VALUE));
        add("INT max", PickleOpcode.INT, latin1("+9_223_372_036_854_775_807\n"), intIs(Long.MAX_VALUE));
        add("INT max+1", PickleOpcode.INT, latin1("9223372036854775808\n"), bigIs(BigInteger.ONE.shiftLeft(63)));
        add("INT CRLF", PickleOpcode.INT, latin1("-7\r\n"), intIs(-7));
        add(PickleOpcode.LONG, latin1("123L\n"), intIs(123));
        add("LONG no L", PickleOpcode.LONG, latin1("-5\n"), intIs(-5));
        add("LONG big", PickleOpcode.LONG, latin1("-123456789012345678901234567890L\n"),
                bigIs(new BigInteger("-123456789012345678901234567890")));
        noArg(PickleOpcode.NONE);
        add(PickleOpcode.PERSID, latin1("id\\x41 7\n"), textIs("idA 7", 1, latin1("id\\x41 7")));
        noArg(PickleOpcode.REDUCE);
        add(PickleOpcode.STRING, latin1("'a\\nb\\'\\xe9'\n"), textIs("a\nb'\u00e9", 1, latin1("'a\\nb\\'\\xe9'")));
        add("STRING double quotes", PickleOpcode.STRING, latin1("\"x\\\\y\"\n"), textIs("x\\y", 1, latin1("\"x\\\\y\"")));
        add("STRING lone quote", PickleOpcode.STRING, latin1("'\n"), textIs("", 1, latin1("'")));
        add(PickleOpcode.UNICODE, latin1("caf\\u00e9 \\U0001f600 \\\\u0041 \u00e9\n"),
                textIs("caf\u00e9 \ud83d\ude00 \\\\u0041 \u00e9", 1, latin1("caf\\u00e9 \\U0001f600 \\\\u0041 \u00e9")));
        add("UNICODE lone surrogate", PickleOpcode.UNICODE, latin1("\\ud800\n"), textIs("\ud800", 1, latin1("\\ud800")));
        noArg(PickleOpcode.APPEND);
        noArg(PickleOpcode.BUILD);
        add(PickleOpcode.GLOBAL, latin1("numpy._core.multiarray\n_reconstruct\n"), (r, base) -> {
            textIs("numpy._core.multiarray _reconstruct", 1,
                    latin1("numpy._core.multiarray\n_reconstruct")).accept(r, base);
            assertEquals("numpy._core.multiarray", r.globalModule());
            assertEquals("_reconstruct", r.globalName());
        });
        noArg(PickleOpcode.DICT);
        add(PickleOpcode.GET, latin1("7\n"), (r, base) -> {
            intIs(7).accept(r, base);
            assertEquals(7, r.memoIndex());
        });
        add(PickleOpcode.INST, latin1("collections\nOrderedDict\n"), (r, base) -> {
            textIs("collections OrderedDict", 1, latin1("collections\nOrderedDict")).accept(r, base);
            assertEquals("collections", r.globalModule());
            assertEquals("OrderedDict", r.globalName());
        });
        noArg(PickleOpcode.LIST);
        add(PickleOpcode.PUT, latin1("3\n"), (r, base) -> {
            intIs(3).accept(r, base);
            assertEquals(3, r.memoIndex());
        });
        noArg(PickleOpcode.SETITEM);
        noArg(PickleOpcode.TUPLE);

        // Protocol 1.
        noArg(PickleOpcode.POP_MARK);
        add(PickleOpcode.BININT, le4(-2), intIs(-2));
        add("BININT min", PickleOpcode.BININT, le4(Integer.MIN_VALUE), intIs(Integer.MIN_VALUE));
        add(PickleOpcode.BININT1, PickleBytes.of(0xff), intIs(255));
        add(PickleOpcode.BININT2, le2(0xffff), intIs(65535));
        noArg(PickleOpcode.BINPERSID);
        add(PickleOpcode.BINSTRING, PickleBytes.of(le4(3), latin1("\u00e9ab")), textIs("\u00e9ab", 5, latin1("\u00e9ab")));
        add(PickleOpcode.SHORT_BINSTRING, PickleBytes.of(2, "hi"), textIs("hi", 2, latin1("hi")));
        add(PickleOpcode.BINUNICODE, PickleBytes.of(le4(8), utf8("\u00e9"), 0xed, 0xa0, 0x80, utf8("\u20ac")),
                textIs("\u00e9\ud800\u20ac", 5, PickleBytes.of(utf8("\u00e9"), 0xed, 0xa0, 0x80, utf8("\u20ac"))));
        noArg(PickleOpcode.EMPTY_DICT);
        noArg(PickleOpcode.APPENDS);
        add(PickleOpcode.BINGET, PickleBytes.of(5), (r, base) -> {
            intIs(5).accept(r, base);
            assertEquals(5, r.memoIndex());
        });
        add(PickleOpcode.LONG_BINGET, le4(-1), intIs(0xffffffffL));
        noArg(PickleOpcode.EMPTY_LIST);
        noArg(PickleOpcode.OBJ);
        add(PickleOpcode.BINPUT, PickleBytes.of(1), intIs(1));
        add(PickleOpcode.LONG_BINPUT, le4(256), intIs(256));
        noArg(PickleOpcode.EMPTY_TUPLE);
        noArg(PickleOpcode.SETITEMS);
        add(PickleOpcode.BINFLOAT, be8(-1.25), floatIs(Double.doubleToRawLongBits(-1.25)));
        add("BINFLOAT nan payload", PickleOpcode.BINFLOAT, le8(Long.reverseBytes(0x7ff0000000000001L)),
                floatIs(0x7ff0000000000001L));

        // Protocol 2.
        add(PickleOpcode.PROTO, PickleBytes.of(5), (r, base) -> {
            intIs(5).accept(r, base);
            assertEquals(5, r.protocol());
        });
        noArg(PickleOpcode.NEWOBJ);
        add(PickleOpcode.EXT1, PickleBytes.of(7), intIs(7));
        add(PickleOpcode.EXT2, le2(0x1234), intIs(0x1234));
        add(PickleOpcode.EXT4, le4(0x12345678), intIs(0x12345678));
        noArg(PickleOpcode.TUPLE1);
        noArg(PickleOpcode.TUPLE2);
        noArg(PickleOpcode.TUPLE3);
        noArg(PickleOpcode.NEWTRUE);
        noArg(PickleOpcode.NEWFALSE);
        add(PickleOpcode.LONG1, PickleBytes.of(2, 0x00, 0x80), (r, base) -> {
            intIs(-32768).accept(r, base);
            assertEquals(base + 2, r.payloadOffset());
            assertEquals(2, r.payloadLength());
        });
        add("LONG1 zero", PickleOpcode.LONG1, PickleBytes.of(0), intIs(0));
        add("LONG1 min", PickleOpcode.LONG1, PickleBytes.of(8, le8(Long.MIN_VALUE)), intIs(Long.MIN_VALUE));
        add("LONG1 2^64", PickleOpcode.LONG1, PickleBytes.of(9, le8(0), 1), bigIs(BigInteger.ONE.shiftLeft(64)));
        add("LONG1 redundant sign bytes", PickleOpcode.LONG1, PickleBytes.of(10, le8(-5), 0xff, 0xff), intIs(-5));
        add(PickleOpcode.LONG4, PickleBytes.of(le4(2), 0xff, 0x7f), intIs(32767));
        add("LONG4 big", PickleOpcode.LONG4, PickleBytes.of(le4(300), PickleBytes.repeat(0, 299), 0x80),
                bigIs(BigInteger.ONE.shiftLeft(2399).negate()));

        // Protocol 3.
        add(PickleOpcode.BINBYTES, PickleBytes.of(le4(3), "abc"), bytesIs(latin1("abc"), 5));
        add(PickleOpcode.SHORT_BINBYTES, PickleBytes.of(0), bytesIs(new byte[0], 2));
        add("SHORT_BINBYTES 255", PickleOpcode.SHORT_BINBYTES, PickleBytes.of(255, PickleBytes.repeat(0xab, 255)),
                bytesIs(PickleBytes.repeat(0xab, 255), 2));

        // Protocol 4.
        add(PickleOpcode.SHORT_BINUNICODE, PickleBytes.of(4, utf8("\ud83d\ude00")), textIs("\ud83d\ude00", 2, utf8("\ud83d\ude00")));
        add(PickleOpcode.BINUNICODE8, PickleBytes.of(le8(5), "hello"), textIs("hello", 9, latin1("hello")));
        add(PickleOpcode.BINBYTES8, PickleBytes.of(le8(40), PickleBytes.repeat(1, 40)), bytesIs(PickleBytes.repeat(1, 40), 9));
        noArg(PickleOpcode.EMPTY_SET);
        noArg(PickleOpcode.ADDITEMS);
        noArg(PickleOpcode.FROZENSET);
        noArg(PickleOpcode.NEWOBJ_EX);
        noArg(PickleOpcode.STACK_GLOBAL);
        add(PickleOpcode.MEMOIZE, new byte[0], (r, base) -> {
            assertEquals(1L << 32, r.memoIndex());
            assertEquals((1L << 32) + 1, r.memoSize());
            assertThrows(IllegalStateException.class, r::intArg);
        });
        add(PickleOpcode.FRAME, le8(1), (r, base) -> { // the frame holds the STOP that follows
            intIs(1).accept(r, base);
            assertEquals(-1, r.payloadOffset());
        });

        // Protocol 5.
        add(PickleOpcode.BYTEARRAY8, PickleBytes.of(le8(3), 0, 1, 2), bytesIs(new byte[] {0, 1, 2}, 9));
        noArg(PickleOpcode.NEXT_BUFFER);
        noArg(PickleOpcode.READONLY_BUFFER);
    }

    static Stream<Arguments> cases() {
        return CASES.stream().flatMap(c -> Stream.of(
                Arguments.of(c, 0, PickleReader.DEFAULT_WINDOW_SIZE),
                Arguments.of(c, 13, PickleReader.DEFAULT_WINDOW_SIZE),
                Arguments.of(c, 0, PickleReader.MIN_WINDOW_SIZE),
                Arguments.of(c, 13, PickleReader.MIN_WINDOW_SIZE)));
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} at {1}, window {2}")
    @MethodSource("cases")
    void readsOpcodeAndArgument(Case c, int prefix, int window) throws IOException {
        Path file = PickleBytes.write(dir, "p.pkl", prefix, c.pickle(), 5);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, prefix, ch.size(), file, window)) {
            assertNull(r.opcode());
            // The GET cases fetch keys no PUT stored: declare all 2^32 keys stored.
            r.seek(prefix, 1L << 32);
            assertSame(c.op(), r.next());
            assertSame(c.op(), r.opcode());
            assertEquals(prefix, r.opcodeOffset());
            long stopAt = prefix + c.pickle().length - 1;
            assertEquals(c.op() == PickleOpcode.STOP ? prefix + 1 : stopAt, r.endOffset());
            assertEquals(r.endOffset(), r.position());
            c.check().accept(r, prefix);
            if (c.op() != PickleOpcode.STOP) {
                assertSame(PickleOpcode.STOP, r.next());
                assertEquals(stopAt, r.opcodeOffset());
            }
            assertTrue(r.isStopped());
            assertNull(r.next());
            assertNull(r.next());
        }
    }

    @Test
    void everyOpcodeHasACase() {
        Set<PickleOpcode> covered = CASES.stream().map(Case::op).collect(Collectors.toCollection(
                () -> EnumSet.noneOf(PickleOpcode.class)));
        assertEquals(EnumSet.allOf(PickleOpcode.class), covered);
    }
}
