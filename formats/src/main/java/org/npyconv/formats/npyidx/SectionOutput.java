package org.npyconv.formats.npyidx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Appends one sidecar section to a channel through a small buffer, little-endian, keeping its
 * length and CRC32C as it goes so a section of any size never sits in memory whole.
 *
 * <p>The buffer is a plain array with an index rather than a {@code ByteBuffer}: the span section
 * takes one or two varints per element (ten million for a file of short strs), and a
 * {@code ByteBuffer.put} per byte with its bounds and mode checks was a visible part of the scan.
 */
final class SectionOutput {
    private static final int CAPACITY = 1 << 16;

    private final FileChannel channel;
    private final byte[] buffer = new byte[CAPACITY];
    private final ByteBuffer view = ByteBuffer.wrap(buffer);
    private int used;
    private final CRC32C crc = new CRC32C();
    private final long start;
    private long flushed;

    SectionOutput(FileChannel channel) throws IOException {
        this.channel = channel;
        this.start = channel.position();
    }

    long start() {
        return start;
    }

    /** Bytes written so far. */
    long length() {
        return flushed + used;
    }

    SectionOutput u8(int v) throws IOException {
        room(1);
        buffer[used++] = (byte) v;
        return this;
    }

    SectionOutput u16(int v) throws IOException {
        room(2);
        buffer[used] = (byte) v;
        buffer[used + 1] = (byte) (v >>> 8);
        used += 2;
        return this;
    }

    SectionOutput u32(long v) throws IOException {
        room(4);
        for (int i = 0; i < 4; i++) {
            buffer[used + i] = (byte) (v >>> (8 * i));
        }
        used += 4;
        return this;
    }

    SectionOutput u64(long v) throws IOException {
        room(8);
        for (int i = 0; i < 8; i++) {
            buffer[used + i] = (byte) (v >>> (8 * i));
        }
        used += 8;
        return this;
    }

    /** Unsigned LEB128, as protobuf and DWARF write it. */
    SectionOutput varint(long v) throws IOException {
        room(10);
        final byte[] b = buffer;
        int p = used;
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        used = p;
        return this;
    }

    /** u32 byte length, then UTF-8 bytes. */
    SectionOutput string(String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        u32(bytes.length);
        for (int i = 0; i < bytes.length; i += CAPACITY) {
            int n = Math.min(CAPACITY, bytes.length - i);
            room(n);
            System.arraycopy(bytes, i, buffer, used, n);
            used += n;
        }
        return this;
    }

    /** Flushes and returns the section's CRC32C. */
    int finish() throws IOException {
        flush();
        return (int) crc.getValue();
    }

    private void room(int n) throws IOException {
        if (CAPACITY - used < n) {
            flush();
        }
    }

    private void flush() throws IOException {
        crc.update(buffer, 0, used);
        flushed += used;
        view.clear().limit(used);
        while (view.hasRemaining()) {
            channel.write(view);
        }
        used = 0;
    }
}
