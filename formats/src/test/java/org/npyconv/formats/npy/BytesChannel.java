package org.npyconv.formats.npy;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only in-memory {@link SeekableByteChannel} for tests. With {@code maxRead} it returns at
 * most that many bytes per {@code read}, to prove callers loop on short reads.
 */
final class BytesChannel implements SeekableByteChannel {
    private final byte[] bytes;
    private final int maxRead;
    private long position;
    private boolean open = true;

    BytesChannel(byte[] bytes) {
        this(bytes, Integer.MAX_VALUE);
    }

    BytesChannel(byte[] bytes, int maxRead) {
        this.bytes = bytes;
        this.maxRead = maxRead;
    }

    @Override
    public int read(ByteBuffer dst) throws ClosedChannelException {
        ensureOpen();
        if (position >= bytes.length) {
            return -1;
        }
        int n = (int) Math.min(Math.min(dst.remaining(), maxRead), bytes.length - position);
        dst.put(bytes, (int) position, n);
        position += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() throws ClosedChannelException {
        ensureOpen();
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws ClosedChannelException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position");
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws ClosedChannelException {
        ensureOpen();
        return bytes.length;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
