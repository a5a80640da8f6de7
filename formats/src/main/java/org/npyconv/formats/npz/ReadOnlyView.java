package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only {@link FileChannel} over bytes that are not a file of their own: a member of a zip
 * archive. Being a {@code FileChannel} is what lets the header reader, the pickle reader, the
 * indexer and random access run over an archive member unchanged — they only use positional
 * {@link #read(ByteBuffer, long)} and {@link #size()}. Subclasses supply those two; the relative
 * reads here are built on them. Writes and locks are refused.
 */
abstract class ReadOnlyView extends FileChannel {
    private long position;

    @Override
    public final int read(ByteBuffer dst) throws IOException {
        int n = read(dst, position);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public final long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!dsts[i].hasRemaining()) {
                continue;
            }
            int n = read(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public final long position() {
        return position;
    }

    @Override
    public final FileChannel position(long newPosition) {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public final long transferTo(long from, long count, WritableByteChannel target) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, 1 << 16));
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            int n = read(buffer, from + done);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                target.write(buffer);
            }
            done += n;
        }
        return done;
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) throws IOException {
        throw new UnsupportedOperationException("an archive member cannot be memory-mapped");
    }

    @Override
    public final int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public final long write(ByteBuffer[] srcs, int offset, int length) {
        throw new NonWritableChannelException();
    }

    @Override
    public final int write(ByteBuffer src, long at) {
        throw new NonWritableChannelException();
    }

    @Override
    public final FileChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public final void force(boolean metaData) {
        // nothing to write
    }

    @Override
    public final long transferFrom(ReadableByteChannel src, long at, long count) {
        throw new NonWritableChannelException();
    }

    @Override
    public final FileLock lock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("archive members cannot be locked");
    }

    @Override
    public final FileLock tryLock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("archive members cannot be locked");
    }
}
