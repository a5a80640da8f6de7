package org.npyconv.formats.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.npyconv.formats.pickle.PickleBytes.le4;
import static org.npyconv.formats.pickle.PickleBytes.le8;
import static org.npyconv.formats.pickle.PickleBytes.utf8;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;

/**
 * Offsets past 2 GiB and 4 GiB and payloads larger than any Java array, on sparse files (they take
 * no disk space; {@link TempDir} deletes them).
 */
class PickleReaderLargeFileTest {
    private static final long GIB = 1L << 30;
    private static final long FAR = 4 * GIB + 17;
    private static final long HUGE = 5 * GIB;

    @TempDir
    static Path dir;

    /** A small protocol-4 pickle written at {@link #FAR}; one FRAME covers the rest. */
    private static Path far;
    /** PROTO 4, BINBYTES8 of {@link #HUGE} zero bytes, STOP. */
    private static Path huge;

    private static final byte[] FAR_PICKLE = PickleBytes.of(
            0x80, 4, 0x95, le8(27), 0x8c, 5, "numpy", 0x94, 'X', le4(4), utf8("\u00e9\u00e9"), 0x94,
            'h', 0, 'J', le4(-7), 0x86, '.');

    @BeforeAll
    static void writeSparseFiles() throws IOException {
        far = dir.resolve("far.pkl");
        try (RandomAccessFile f = new RandomAccessFile(far.toFile(), "rw")) {
            f.setLength(FAR + FAR_PICKLE.length);
            f.seek(FAR);
            f.write(FAR_PICKLE);
        }
        huge = dir.resolve("huge.pkl");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(11 + HUGE + 1);
            f.write(PickleBytes.of(0x80, 4, 0x8e, le8(HUGE)));
            f.seek(11 + HUGE);
            f.write('.');
        }
    }

    @ParameterizedTest(name = "window {0}")
    @ValueSource(ints = {PickleReader.MIN_WINDOW_SIZE, PickleReader.DEFAULT_WINDOW_SIZE})
    void pickleBeyondFourGiB(int window) throws IOException {
        try (FileChannel ch = FileChannel.open(far, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, FAR, ch.size(), far, window)) {
            assertSame(PickleOpcode.PROTO, r.next());
            assertEquals(FAR, r.opcodeOffset());
            assertSame(PickleOpcode.FRAME, r.next());
            assertEquals(FAR + 2, r.opcodeOffset());
            assertEquals(27, r.intArg()); // the frame holds everything after it
            assertSame(PickleOpcode.SHORT_BINUNICODE, r.next());
            assertEquals(FAR + 11, r.opcodeOffset());
            assertEquals(FAR + 13, r.payloadOffset());
            assertEquals("numpy", r.stringArg());
            assertSame(PickleOpcode.MEMOIZE, r.next());
            assertEquals(0, r.memoIndex());
            assertSame(PickleOpcode.BINUNICODE, r.next());
            long binunicode = r.opcodeOffset();
            assertEquals(FAR + 19, binunicode);
            assertEquals(FAR + 24, r.payloadOffset());
            assertEquals(4, r.payloadLength());
            assertEquals(FAR + 28, r.endOffset());
            assertEquals("\u00e9\u00e9", r.stringArg());
            assertSame(PickleOpcode.MEMOIZE, r.next());
            assertEquals(1, r.memoIndex());
            assertSame(PickleOpcode.BINGET, r.next());
            assertSame(PickleOpcode.BININT, r.next());
            assertEquals(-7, r.intArg());
            assertSame(PickleOpcode.TUPLE2, r.next());
            assertSame(PickleOpcode.STOP, r.next());
            assertEquals(FAR + FAR_PICKLE.length - 1, r.opcodeOffset());
            assertNull(r.next());

            r.seek(binunicode, 1);
            assertSame(PickleOpcode.BINUNICODE, r.next());
            assertArrayEquals(utf8("\u00e9\u00e9"), r.payloadBytes());
        }
    }

    @ParameterizedTest(name = "window {0}")
    @ValueSource(ints = {PickleReader.MIN_WINDOW_SIZE, PickleReader.DEFAULT_WINDOW_SIZE})
    void fiveGiBPayloadIsSkippedNotRead(int window) throws IOException {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (FileChannel ch = FileChannel.open(huge, StandardOpenOption.READ);
                 PickleReader r = new PickleReader(ch, 0, ch.size(), huge, window)) {
                assertSame(PickleOpcode.PROTO, r.next());
                assertSame(PickleOpcode.BINBYTES8, r.next());
                assertEquals(2, r.opcodeOffset());
                assertEquals(11, r.payloadOffset());
                assertEquals(HUGE, r.payloadLength());
                assertEquals(11 + HUGE, r.endOffset());
                assertEquals(11 + HUGE, r.position());
                assertThrows(UnsupportedInputException.class, r::payloadBytes);

                ByteBuffer tail = ByteBuffer.allocate(8);
                assertEquals(3, r.copyPayload(HUGE - 3, tail));
                assertEquals(3, tail.position());
                assertArrayEquals(new byte[3], java.util.Arrays.copyOf(tail.array(), 3));
                assertThrows(java.nio.BufferOverflowException.class, () -> r.copyPayload(ByteBuffer.allocate(16)));

                assertSame(PickleOpcode.STOP, r.next());
                assertEquals(11 + HUGE, r.opcodeOffset());
                assertNull(r.next());
            }
        });
    }

    @Test
    void fiveGiBClaimOneByteShortIsCorrupt() throws IOException {
        try (FileChannel ch = FileChannel.open(huge, StandardOpenOption.READ);
             PickleReader r = new PickleReader(ch, 0, 11 + HUGE - 1, huge, PickleReader.MIN_WINDOW_SIZE)) {
            r.next();
            CorruptInputException e = assertThrows(CorruptInputException.class, r::next);
            assertEquals(2, e.offset());
            assertEquals("BINBYTES8", e.construct());
            assertEquals("BINBYTES8 claims 5368709120 bytes but only 5368709119 remain", e.reason());
        }
    }
}
