package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.npyconv.formats.pickle.PickleBytes.le4;
import static org.npyconv.formats.pickle.PickleBytes.le8;
import static org.npyconv.formats.pickle.PickleBytes.utf8;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;

/** Errors with exact offsets, memo keys, seeking, long lines, ownership and sharing. */
class PickleReaderEdgeCaseTest {
    @TempDir
    Path dir;

    private final List<FileChannel> channels = new ArrayList<>();

    private Path file(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(dir, "p", ".pkl"), bytes);
    }

    /** A reader borrowing a channel that the test closes at its end (via {@link #closeChannels}). */
    private PickleReader reader(Path file, int window) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        channels.add(ch);
        return new PickleReader(ch, 0, ch.size(), file, window);
    }

    private PickleReader reader(byte[] pickle, int window) throws IOException {
        return reader(file(pickle), window);
    }

    @org.junit.jupiter.api.AfterEach
    void closeChannels() throws IOException {
        for (FileChannel ch : channels) {
            ch.close();
        }
    }

    private static void readToEnd(PickleReader r) {
        while (r.next() != null) {
            // nothing
        }
    }

    // ---- corrupt streams: the opcode that cannot be read, and why ---------------------------

    static Stream<Arguments> corruptStreams() {
        return Stream.of(
                Arguments.of("empty input", PickleBytes.of(), 0, "pickle ends before STOP"),
                Arguments.of("no STOP", PickleBytes.of(0x80, 4, 'N'), 3, "pickle ends before STOP"),
                Arguments.of("unknown byte 0xff", PickleBytes.of(0x80, 4, 'N', 0xff, '.'), 3, "unknown opcode byte 0xff"),
                Arguments.of("unknown byte 0x00", PickleBytes.of(0), 0, "unknown opcode byte 0x00"),
                Arguments.of("BININT cut", PickleBytes.of('J', 1, 2), 0, "needs 4 bytes but only 2 remain"),
                Arguments.of("BINSTRING negative", PickleBytes.of('T', le4(-1), '.'), 0, "BINSTRING has a negative length (-1)"),
                Arguments.of("LONG4 negative", PickleBytes.of(0x8b, le4(-5), '.'), 0, "LONG4 has a negative length (-5)"),
                Arguments.of("BINBYTES 4 GiB-1", PickleBytes.of('B', le4(-1), '.'), 0,
                        "BINBYTES claims 4294967295 bytes but only 1 remain"),
                Arguments.of("BINBYTES8 2^64-1", PickleBytes.of(0x8e, le8(-1), '.'), 0,
                        "BINBYTES8 claims 18446744073709551615 bytes but only 1 remain"),
                Arguments.of("BYTEARRAY8 2^63", PickleBytes.of(0x96, le8(Long.MIN_VALUE), '.'), 0,
                        "BYTEARRAY8 claims 9223372036854775808 bytes"),
                Arguments.of("BINUNICODE8 2^63-1", PickleBytes.of(0x8d, le8(Long.MAX_VALUE), '.'), 0,
                        "BINUNICODE8 claims 9223372036854775807 bytes but only 1 remain"),
                Arguments.of("SHORT_BINUNICODE past the end", PickleBytes.of(0x8c, 5, "abc"), 0,
                        "SHORT_BINUNICODE claims 5 bytes but only 3 remain"),
                Arguments.of("FRAME 2^64-1, rest intact", PickleBytes.of(0x80, 4, 0x95, le8(-1), 'N', '.'), 2,
                        "FRAME claims 18446744073709551615 bytes but only 2 remain"),
                Arguments.of("FRAME too long, then cut", PickleBytes.of(0x80, 4, 0x95, le8(100), 'N', 0x8c, 5, "ab"), 12,
                        "SHORT_BINUNICODE claims 5 bytes but only 2 remain (the FRAME at byte 2 announced 100 bytes"),
                Arguments.of("FRAME cut", PickleBytes.of(0x80, 4, 0x95, 1, 0), 2, "needs 8 bytes but only 2 remain"),
                Arguments.of("INT not a number", PickleBytes.of("I12x\n."), 0, "INT argument '12x' is not a decimal integer"),
                Arguments.of("INT empty", PickleBytes.of("I\n."), 0, "is not a decimal integer"),
                Arguments.of("INT double underscore", PickleBytes.of("I1__0\n."), 0, "is not a decimal integer"),
                Arguments.of("LONG two Ls", PickleBytes.of("L12LL\n."), 0, "LONG argument '12LL' is not a decimal integer"),
                Arguments.of("FLOAT two points", PickleBytes.of("F1.5.5\n."), 0, "FLOAT argument '1.5.5' is not a float"),
                Arguments.of("FLOAT hex", PickleBytes.of("F0x10\n."), 0, "is not a float"),
                Arguments.of("STRING unquoted", PickleBytes.of("Sabc\n."), 0, "STRING argument is not in quotes"),
                Arguments.of("STRING quotes differ", PickleBytes.of("S'abc\"\n."), 0, "does not end with its opening quote"),
                Arguments.of("STRING empty line", PickleBytes.of("S\n."), 0, "not in quotes"),
                Arguments.of("INT without newline", PickleBytes.of(0x80, 2, "I12"), 2, "pickle ends inside the text argument of INT"),
                Arguments.of("GLOBAL one line", PickleBytes.of("cmodule\n"), 0, "text argument of GLOBAL (no newline)"),
                Arguments.of("GET never stored", PickleBytes.of("g3\n."), 0, "GET of memo key 3, which has never been stored into (0 keys are)"),
                Arguments.of("BINGET past MEMOIZEs", PickleBytes.of('N', 0x94, 0x94, 'h', 2, '.'), 3,
                        "BINGET of memo key 2, which has never been stored into (2 keys are)"),
                Arguments.of("LONG_BINGET never stored", PickleBytes.of('N', 'q', 0, 'j', le4(1), '.'), 3, "LONG_BINGET of memo key 1"),
                Arguments.of("PUT negative", PickleBytes.of("Np-1\n."), 1, "PUT memo key -1 is out of range"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptStreams")
    void corruptStreamFailsAtTheOpcode(String label, byte[] pickle, long offset, String reason) throws IOException {
        for (int window : new int[] {PickleReader.MIN_WINDOW_SIZE, PickleReader.DEFAULT_WINDOW_SIZE}) {
            Path f = file(pickle);
            try (PickleReader r = reader(f, window)) {
                CorruptInputException e = assertThrows(CorruptInputException.class, () -> readToEnd(r));
                assertEquals(offset, e.offset(), e::getMessage);
                assertTrue(e.reason().contains(reason), () -> "'" + e.reason() + "' lacks '" + reason + "'");
                assertEquals(f, e.file());
                assertTrue(e.getMessage().endsWith(" in " + f), e.getMessage());
            }
        }
    }

    // ---- arguments that only fail when decoded ----------------------------------------------

    static Stream<Arguments> undecodableText() {
        return Stream.of(
                Arguments.of("UTF-8 0xff", PickleBytes.of('X', le4(1), 0xff, '.'), "invalid UTF-8: byte 0xFF at payload byte 0"),
                Arguments.of("UTF-8 overlong", PickleBytes.of(0x8c, 2, 0xc0, 0x80, '.'), "invalid UTF-8"),
                Arguments.of("UTF-8 overlong 3-byte", PickleBytes.of(0x8c, 3, 0xe0, 0x80, 0x80, '.'), "invalid UTF-8"),
                Arguments.of("UTF-8 above U+10FFFF", PickleBytes.of(0x8c, 4, 0xf4, 0x90, 0x80, 0x80, '.'), "invalid UTF-8"),
                Arguments.of("UTF-8 cut", PickleBytes.of(0x8c, 2, 0xe2, 0x82, '.'), "character cut off at payload byte 0"),
                Arguments.of("UTF-8 bad continuation", PickleBytes.of(0x8c, 2, 0xc3, 0x41, '.'), "byte 0x41 at payload byte 1"),
                Arguments.of("STRING bad \\x", PickleBytes.of("S'\\x4'\n."), "invalid \\x escape"),
                Arguments.of("STRING trailing backslash", PickleBytes.of("S'a\\'\n."), "trailing \\ in string"),
                Arguments.of("UNICODE cut \\u", PickleBytes.of("V\\u12\n."), "truncated \\uXXXX escape"),
                Arguments.of("UNICODE beyond U+10FFFF", PickleBytes.of("V\\U00110000\n."), "out of range"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("undecodableText")
    void undecodableTextIsCorruptAtItsOpcode(String label, byte[] pickle, String reason) throws IOException {
        try (PickleReader r = reader(pickle, PickleReader.MIN_WINDOW_SIZE)) {
            r.next(); // locating the payload succeeds
            CorruptInputException e = assertThrows(CorruptInputException.class, r::stringArg);
            assertEquals(0, e.offset());
            assertEquals(r.opcode().name(), e.construct());
            assertTrue(e.reason().contains(reason), e.reason());
        }
    }

    @Test
    void surrogatesAndFourByteUtf8Decode() throws IOException {
        try (PickleReader r = reader(PickleBytes.of(0x8c, 10, 0xed, 0xbf, 0xbf, 0xf0, 0x90, 0x80, 0x80, 'a', 0xc3, 0xa9, '.'), 16)) {
            r.next();
            assertEquals("\udfff\ud800\udc00a\u00e9", r.stringArg());
        }
    }

    // ---- memo keys --------------------------------------------------------------------------

    @Test
    void memoizeNumbersKeysAndFetchesAreChecked() throws IOException {
        byte[] p = PickleBytes.of(0x80, 4, 'N', 0x94, 'N', 0x94, 'h', 1, 'h', 0, '.');
        try (PickleReader r = reader(p, 16)) {
            assertEquals(0, r.memoSize());
            r.next();
            r.next();
            assertSame(PickleOpcode.MEMOIZE, r.next());
            assertEquals(0, r.memoIndex());
            assertEquals(1, r.memoSize());
            r.next();
            r.next();
            assertEquals(1, r.memoIndex());
            assertSame(PickleOpcode.BINGET, r.next());
            assertEquals(1, r.memoIndex());
            assertSame(PickleOpcode.BINGET, r.next());
            assertEquals(0, r.memoIndex());
            assertEquals(2, r.memoSize());
            assertSame(PickleOpcode.STOP, r.next());
        }
    }

    @Test
    void keysStoredOutOfSequenceCountLikePythonsMemo() throws IOException {
        // BINPUT 5, BINGET 5, BINPUT 0, MEMOIZE (stores at len(memo) = 2), BINPUT 1, BINPUT 1 again.
        byte[] p = PickleBytes.of('N', 'q', 5, 'h', 5, 'q', 0, 0x94, 'q', 1, 'q', 1, 'h', 2, '.');
        try (PickleReader r = reader(p, 16)) {
            r.next();
            r.next();
            assertEquals(1, r.memoSize());
            r.next();
            r.next();
            assertEquals(2, r.memoSize());
            assertSame(PickleOpcode.MEMOIZE, r.next());
            assertEquals(2, r.memoIndex());
            assertEquals(3, r.memoSize());
            r.next();
            assertEquals(4, r.memoSize());
            r.next();
            assertEquals(4, r.memoSize(), "storing a key again does not grow the memo");
            assertSame(PickleOpcode.BINGET, r.next());
            assertSame(PickleOpcode.STOP, r.next());
        }
    }

    @Test
    void seekForgetsOrRestoresTheMemo() throws IOException {
        byte[] p = PickleBytes.of('N', 'q', 0, 'q', 1, 'q', 2, 'h', 2, 0x94, '.');
        try (PickleReader r = reader(p, 16)) {
            readToEnd(r);
            assertEquals(4, r.memoSize());

            r.seek(7); // the BINGET: stored keys unknown, so it is not checked
            assertEquals(-1, r.memoSize());
            assertSame(PickleOpcode.BINGET, r.next());
            assertSame(PickleOpcode.MEMOIZE, r.next());
            assertThrows(IllegalStateException.class, r::memoIndex);

            r.seek(7, 3);
            assertSame(PickleOpcode.BINGET, r.next());
            assertSame(PickleOpcode.MEMOIZE, r.next());
            assertEquals(3, r.memoIndex());

            r.seek(7, 2);
            CorruptInputException e = assertThrows(CorruptInputException.class, r::next);
            assertEquals(7, e.offset());
        }
    }

    // ---- seek ------------------------------------------------------------------------------

    @Test
    void seekRereadsInsideAndOutsideTheWindow() throws IOException {
        // 300 SHORT_BINUNICODEs: with a 16-byte window most targets lie outside it.
        List<Object> parts = new ArrayList<>(List.of(0x80, 4, ']', '('));
        for (int i = 0; i < 300; i++) {
            String s = "s" + i;
            parts.add(0x8c);
            parts.add(s.length());
            parts.add(s);
        }
        parts.add('e');
        parts.add('.');
        byte[] p = PickleBytes.of(parts.toArray());
        for (int window : new int[] {16, 64 * 1024}) {
            try (PickleReader r = reader(p, window)) {
                List<Long> offsets = new ArrayList<>();
                List<String> strings = new ArrayList<>();
                PickleOpcode op;
                while ((op = r.next()) != null) {
                    if (op == PickleOpcode.SHORT_BINUNICODE) {
                        offsets.add(r.opcodeOffset());
                        strings.add(r.stringArg());
                    }
                }
                assertNull(r.next());
                for (int i : new int[] {299, 0, 150, 151, 7}) {
                    r.seek(offsets.get(i), 0);
                    assertSame(PickleOpcode.SHORT_BINUNICODE, r.next());
                    assertEquals(offsets.get(i), r.opcodeOffset());
                    assertEquals(strings.get(i), r.stringArg());
                }
                r.seek(p.length - 1, 0);
                assertSame(PickleOpcode.STOP, r.next());
                assertNull(r.next());
                r.seek(p.length, 0);
                assertEquals(p.length, assertThrows(CorruptInputException.class, r::next).offset());
                assertThrows(IllegalArgumentException.class, () -> r.seek(p.length + 1));
                assertThrows(IllegalArgumentException.class, () -> r.seek(-1));
            }
        }
    }

    // ---- long newline-terminated arguments ---------------------------------------------------

    @Test
    void linesLongerThanTheWindow() throws IOException {
        String module = "m".repeat(100);
        String name = "n".repeat(50);
        String text = "caf\u00e9".repeat(25_000);
        byte[] p = PickleBytes.of('c', module, '\n', name, '\n',
                'V', text, '\n',
                'I', "0".repeat(38), "7\n",
                'L', "9".repeat(60), "L\n",
                'F', "1".repeat(30), ".5\n", '.');
        try (PickleReader r = reader(p, 16)) {
            assertSame(PickleOpcode.GLOBAL, r.next());
            assertEquals(1, r.payloadOffset());
            assertEquals(151, r.payloadLength());
            assertEquals(module, r.globalModule());
            assertEquals(name, r.globalName());
            assertEquals(module + " " + name, r.stringArg());
            assertSame(PickleOpcode.UNICODE, r.next());
            assertEquals(153, r.opcodeOffset());
            assertEquals(text.length(), r.payloadLength());
            assertEquals(text, r.stringArg());
            assertSame(PickleOpcode.INT, r.next());
            assertEquals(7, r.intArg());
            assertSame(PickleOpcode.LONG, r.next());
            assertEquals(new java.math.BigInteger("9".repeat(60)), r.bigIntArg());
            assertSame(PickleOpcode.FLOAT, r.next());
            assertEquals(Double.parseDouble("1".repeat(30) + ".5"), r.floatArg());
            assertSame(PickleOpcode.STOP, r.next());
        }
    }

    /** A PERSID line of 64 MiB + 1 zero bytes (sparse): located without limit, not decoded. */
    @Test
    void hugeLinesAreLocatedButNotDecoded() throws IOException {
        long len = PickleReader.MAX_DECODED_LINE + 1L;
        Path f = dir.resolve("long-line.pkl");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(1 + len + 2);
            raf.write('P');
            raf.seek(1 + len);
            raf.write(PickleBytes.of("\n."));
        }
        try (PickleReader r = reader(f, PickleReader.DEFAULT_WINDOW_SIZE)) {
            assertSame(PickleOpcode.PERSID, r.next());
            assertEquals(len, r.payloadLength());
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class, r::stringArg);
            assertEquals(0, e.offset());
            assertSame(PickleOpcode.STOP, r.next());
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write('I');
        }
        try (PickleReader r = reader(f, PickleReader.DEFAULT_WINDOW_SIZE)) {
            assertThrows(UnsupportedInputException.class, r::next); // numbers are checked while scanning
        }
    }

    // ---- payload copies, accessors, lifecycle ------------------------------------------------

    @Test
    void copyPayloadIntoADirectBufferAndInChunks() throws IOException {
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        try (PickleReader r = reader(PickleBytes.of('B', le4(data.length), data, '.'), 16)) {
            r.next();
            ByteBuffer direct = ByteBuffer.allocateDirect(1010);
            direct.position(5);
            r.copyPayload(direct);
            assertEquals(1005, direct.position());
            byte[] back = new byte[1000];
            direct.position(5);
            direct.get(back);
            assertArrayEquals(data, back);

            ByteBuffer chunk = ByteBuffer.allocate(300);
            assertEquals(300, r.copyPayload(900 - 300, chunk));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 600, 900), chunk.array());
            chunk.clear();
            assertEquals(100, r.copyPayload(900, chunk));
            chunk.clear();
            assertEquals(0, r.copyPayload(1000, chunk));
            assertThrows(IllegalArgumentException.class, () -> r.copyPayload(1001, ByteBuffer.allocate(1)));
            assertThrows(java.nio.BufferOverflowException.class, () -> r.copyPayload(ByteBuffer.allocate(999)));
            assertSame(PickleOpcode.STOP, r.next());
        }
    }

    @Test
    void accessorsRefuseWhatTheOpcodeDoesNotHave() throws IOException {
        try (PickleReader r = reader(PickleBytes.of('N', 'K', 1, 0x8c, 1, 'a', '.'), 16)) {
            assertNull(r.opcode());
            assertThrows(IllegalStateException.class, r::opcodeOffset);
            assertThrows(IllegalStateException.class, r::intArg);
            r.next();
            assertThrows(IllegalStateException.class, r::intArg);
            assertThrows(IllegalStateException.class, r::payloadBytes);
            assertThrows(IllegalStateException.class, r::memoIndex);
            assertEquals(-1, r.payloadOffset());
            r.next();
            assertThrows(IllegalStateException.class, r::floatArg);
            assertThrows(IllegalStateException.class, r::boolArg);
            assertThrows(IllegalStateException.class, r::stringArg);
            r.next();
            assertThrows(IllegalStateException.class, r::globalModule);
            assertThrows(IllegalStateException.class, r::bigIntArg);
            assertArrayEquals(utf8("a"), r.payloadBytes());
        }
    }

    @Test
    void constructorChecksItsArguments() throws IOException {
        Path f = file(PickleBytes.of('.'));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertThrows(IllegalArgumentException.class, () -> new PickleReader(ch, 0, 1, f, 15));
            assertThrows(IllegalArgumentException.class, () -> new PickleReader(ch, 2, 1, f, 16));
            assertThrows(IllegalArgumentException.class, () -> new PickleReader(ch, -1, 1, f, 16));
            assertThrows(IllegalArgumentException.class, () -> PickleReader.open(f, 2));
        }
    }

    @Test
    void openOwnsItsChannelTheConstructorBorrows() throws IOException {
        Path f = file(PickleBytes.of('N', '.'));
        PickleReader owned = PickleReader.open(f, 0);
        assertEquals(f, owned.source());
        owned.close();
        owned.close(); // idempotent
        assertThrows(UncheckedIOException.class, owned::next); // its channel is closed

        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            PickleReader borrowed = new PickleReader(ch, 0, ch.size(), f, 16);
            borrowed.next();
            borrowed.close();
            assertTrue(ch.isOpen());
        }
    }

    /** Positional reads only: readers on many threads share one channel. */
    @Test
    void readersShareOneChannelAcrossThreads() throws Exception {
        List<Object> parts = new ArrayList<>(List.of(0x80, 4, ']', '('));
        for (int i = 0; i < 20_000; i++) {
            parts.add('X');
            String s = "element " + i;
            parts.add(le4(s.length()));
            parts.add(s);
        }
        parts.add('e');
        parts.add('.');
        Path f = file(PickleBytes.of(parts.toArray()));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int window = t % 2 == 0 ? 16 : 4096;
                results.add(pool.submit(() -> {
                    long hash = 0;
                    try (PickleReader r = new PickleReader(ch, 0, ch.size(), f, window)) {
                        PickleOpcode op;
                        while ((op = r.next()) != null) {
                            hash = hash * 31 + r.opcodeOffset() * 7 + op.ordinal();
                            if (op == PickleOpcode.BINUNICODE) {
                                hash = hash * 31 + r.stringArg().hashCode();
                            }
                        }
                    }
                    return hash;
                }));
            }
            long first = results.get(0).get();
            for (Future<Long> result : results) {
                assertEquals(first, result.get());
            }
            assertEquals(0, ch.position(), "positional reads leave the channel position alone");
        } finally {
            pool.shutdownNow();
        }
    }
}
