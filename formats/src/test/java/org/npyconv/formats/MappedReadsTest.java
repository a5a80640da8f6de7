package org.npyconv.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MappedReadsTest {
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    private Path randomFile(int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Path p = dir.resolve("data-" + size + "-" + seed);
        Files.write(p, bytes);
        return p;
    }

    /** Reads of odd sizes at odd places, into heap and direct buffers, across segment boundaries. */
    @ParameterizedTest
    @ValueSource(ints = {PAGE, 3 * PAGE, 1 << 20})
    void readsEqualTheFileAcrossSegments(int segment) throws IOException {
        int size = 5 * PAGE + 123;
        Path file = randomFile(size, segment);
        byte[] expected = Files.readAllBytes(file);
        Random r = new Random(7);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             MappedReads in = new MappedReads(ch, true, segment)) {
            assertTrue(in.isMapping());
            for (int i = 0; i < 500; i++) {
                int at = r.nextInt(size + 10);
                int want = r.nextInt(3 * PAGE);
                ByteBuffer dst = i % 2 == 0 ? ByteBuffer.allocate(want) : ByteBuffer.allocateDirect(want);
                int n = 0;
                while (dst.hasRemaining()) {
                    int got = in.read(dst, at + n);
                    if (got < 0) {
                        break;
                    }
                    n += got;
                }
                int available = Math.max(0, Math.min(want, size - at));
                assertEquals(available, n, "bytes read at " + at);
                byte[] actual = new byte[n];
                dst.flip().get(actual);
                assertArrayEquals(Arrays.copyOfRange(expected, Math.min(at, size), Math.min(at, size) + n), actual);
            }
        }
    }

    @Test
    void endOfFileLikeFileChannel() throws IOException {
        Path file = randomFile(1000, 1);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             MappedReads in = new MappedReads(ch, true, PAGE)) {
            assertEquals(-1, in.read(ByteBuffer.allocate(10), 1000));
            assertEquals(-1, in.read(ByteBuffer.allocate(10), 5000));
            assertEquals(0, in.read(ByteBuffer.allocate(0), 10));
            ByteBuffer tail = ByteBuffer.allocate(10);
            assertEquals(4, in.read(tail, 996));
            byte[] buf = new byte[50];
            assertEquals(30, in.readFully(970, buf, 5, 45));
            assertArrayEquals(Arrays.copyOfRange(Files.readAllBytes(file), 970, 1000), Arrays.copyOfRange(buf, 5, 35));
        }
    }

    /** A file truncated under a live mapping must fail the read with an IOException, not crash the JVM. */
    @Test
    void truncationUnderTheMappingIsAnIOException() throws IOException {
        Path file = randomFile(8 * PAGE, 2);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             MappedReads in = new MappedReads(ch, true, 1 << 20)) {
            assertEquals(16, in.read(ByteBuffer.allocate(16), 0)); // maps the whole file as one segment
            try (FileChannel w = FileChannel.open(file, StandardOpenOption.WRITE)) {
                w.truncate(PAGE);
            }
            IOException e = assertThrows(IOException.class, () -> in.read(ByteBuffer.allocate(100), 6 * PAGE));
            assertTrue(e.getMessage().contains("shrank"), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(6 * PAGE)), e.getMessage());
        }
    }

    @Test
    void positionalNeverMaps() throws IOException {
        Path file = randomFile(3 * PAGE, 3);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             MappedReads in = MappedReads.positional(ch)) {
            assertFalse(in.isMapping());
            byte[] buf = new byte[3 * PAGE];
            assertEquals(buf.length, in.readFully(0, buf, 0, buf.length));
            assertArrayEquals(Files.readAllBytes(file), buf);
        }
    }

    /** Channels that refuse to map (an inflating .npz member view) are read positionally instead. */
    @Test
    void unmappableChannelsFallBackToPositionalReads() throws IOException {
        Path file = randomFile(2 * PAGE + 5, 4);
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel view = new NoMapping(real);
             MappedReads in = MappedReads.mapped(view)) {
            byte[] buf = new byte[2 * PAGE + 5];
            assertEquals(buf.length, in.readFully(0, buf, 0, buf.length));
            assertArrayEquals(Files.readAllBytes(file), buf);
            assertFalse(in.isMapping());
        }
    }

    /** Delegates positional reads, refuses {@link #map}. */
    private static final class NoMapping extends FileChannel {
        private final FileChannel in;

        NoMapping(FileChannel in) {
            this.in = in;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return in.read(dst, position);
        }

        @Override
        public long size() throws IOException {
            return in.size();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException("no mapping");
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel position(long newPosition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void force(boolean metaData) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() {
            // the real channel is closed by its own try-with-resources
        }
    }
}
