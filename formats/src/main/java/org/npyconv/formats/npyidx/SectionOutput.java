package org.npyconv.formats.npyidx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Appends one sidecar section to a channel through a small buffer, little-endian, keeping its
 * length and CRC32C as it goes so a section of any size never sits in memory whole.
 */
final class SectionOutput {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
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
        return flushed + buffer.position();
    }

    SectionOutput u8(int v) throws IOException {
        room(1).put((byte) v);
        return this;
    }

    SectionOutput u16(int v) throws IOException {
        room(2).putShort((short) v);
        return this;
    }

    SectionOutput u32(long v) throws IOException {
        room(4).putInt((int) v);
        return this;
    }

    SectionOutput u64(long v) throws IOException {
        room(8).putLong(v);
        return this;
    }

    /** Unsigned LEB128, as protobuf and DWARF write it. */
    SectionOutput varint(long v) throws IOException {
        ByteBuffer b = room(10);
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
        return this;
    }

    /** u32 byte length, then UTF-8 bytes. */
    SectionOutput string(String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        u32(bytes.length);
        for (int i = 0; i < bytes.length; i += buffer.capacity()) {
            int n = Math.min(buffer.capacity(), bytes.length - i);
            room(n).put(bytes, i, n);
        }
        return this;
    }

    /** Flushes and returns the section's CRC32C. */
    int finish() throws IOException {
        flush();
        return (int) crc.getValue();
    }

    private ByteBuffer room(int n) throws IOException {
        if (buffer.remaining() < n) {
            flush();
        }
        return buffer;
    }

    private void flush() throws IOException {
        buffer.flip();
        crc.update(buffer.array(), 0, buffer.limit());
        flushed += buffer.limit();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}
