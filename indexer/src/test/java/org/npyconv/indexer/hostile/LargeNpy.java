package org.npyconv.indexer.hostile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes large object-array {@code .npy} files directly (no Python), in NumPy's protocol-4 layout
 * without frames: {@code _reconstruct(ndarray, (0,), b'b')}, the state tuple, and the element list
 * as {@code MARK e... APPENDS} batches of 1000. Elements are strings ({@code SHORT_BINUNICODE})
 * or zero-filled bytes ({@code BINBYTES8}) whose payload is left as a hole in a sparse file, so a
 * pickle of many GiB costs no disk space, or small bytes with content ({@code SHORT_BINBYTES}).
 * Not thread-safe; close to finish the file. Public (and in indexer's test-jar) because the
 * converter's big-file test writes its input with it too.
 */
public final class LargeNpy implements AutoCloseable {
    private static final int BATCH = 1000;

    private final FileChannel out;
    private final long count;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long position;
    private long written;

    private LargeNpy(FileChannel out, long count) {
        this.out = out;
        this.count = count;
    }

    /** Starts {@code file} as a 1-d object array of {@code count} elements; add exactly that many. */
    public static LargeNpy create(Path file, long count) throws IOException {
        LargeNpy npy = new LargeNpy(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), count);
        npy.header();
        npy.preamble();
        return npy;
    }

    private void header() throws IOException {
        String dict = "{'descr': '|O', 'fortran_order': False, 'shape': (" + count + ",), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        buf.putShort((short) text.length());
        put(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void preamble() throws IOException {
        put(new byte[] {(byte) 0x80, 4});
        global("numpy.core.multiarray", "_reconstruct");
        global("numpy", "ndarray");
        put(new byte[] {'K', 0, (byte) 0x85, 'C', 1, 'b', (byte) 0x87, 'R'});
        put(new byte[] {'(', 'K', 1});
        put((byte) 0x8a);
        put((byte) 8);
        buf.putLong(count);
        put((byte) 0x85);
        global("numpy", "dtype");
        put(new byte[] {(byte) 0x8c, 2, 'O', '8', (byte) 0x89, (byte) 0x88, (byte) 0x87, 'R'});
        put(new byte[] {'(', 'K', 3, (byte) 0x8c, 1, '|', 'N', 'N', 'N', 'J', -1, -1, -1, -1, 'J', -1, -1, -1, -1, 'K', 63, 't',
            'b'});
        put(new byte[] {(byte) 0x89, ']'});
    }

    private void global(String module, String name) throws IOException {
        put((byte) 'c');
        put((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Adds a str element (UTF-8 of at most 255 bytes). */
    public LargeNpy string(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        beforeElement();
        put((byte) 0x8c);
        put((byte) b.length);
        put(b);
        afterElement();
        return this;
    }

    /** Adds a bytes element of {@code length} zero bytes, left as a hole in the file. */
    public LargeNpy zeros(long length) throws IOException {
        beforeElement();
        put((byte) 0x8e);
        buf.putLong(length);
        flush();
        position += length; // sparse: nothing is written
        afterElement();
        return this;
    }

    /** Adds a bytes element with the given content (at most 255 bytes). */
    public LargeNpy bytes(byte[] b) throws IOException {
        if (b.length > 255) {
            throw new IllegalArgumentException("SHORT_BINBYTES holds at most 255 bytes: " + b.length);
        }
        beforeElement();
        put((byte) 'C');
        put((byte) b.length);
        put(b);
        afterElement();
        return this;
    }

    private void beforeElement() throws IOException {
        if (written == count) {
            throw new IllegalStateException("more elements than the header's shape");
        }
        if (written % BATCH == 0) {
            put((byte) '(');
        }
    }

    private void afterElement() throws IOException {
        written++;
        if (written % BATCH == 0 || written == count) {
            put((byte) 'e');
        }
    }

    private void put(byte b) throws IOException {
        ensure(1);
        buf.put(b);
    }

    private void put(byte[] b) throws IOException {
        ensure(b.length);
        buf.put(b);
    }

    private void ensure(int n) throws IOException {
        if (buf.remaining() < n + 16) {
            flush();
        }
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            position += out.write(buf, position);
        }
        buf.clear();
    }

    @Override
    public void close() throws IOException {
        if (written != count) {
            throw new IllegalStateException(written + " elements written, the header says " + count);
        }
        put(new byte[] {'t', 'b', '.'});
        flush();
        out.truncate(position);
        out.close();
    }
}
