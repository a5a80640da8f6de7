package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Bytes {@code [offset, offset + length)} of another channel seen as a channel of their own
 * (position 0 is {@code offset}): a stored zip member read in place, or one section of a sidecar.
 * Reads never go past the region. Borrows the underlying channel unless told to own it, in which
 * case closing the region closes it. Thread-safe for positional reads, as the underlying channel is.
 */
public final class FileRegion extends ReadOnlyView {
    private final FileChannel file;
    private final long offset;
    private final long length;
    private final boolean owns;

    private FileRegion(FileChannel file, long offset, long length, boolean owns) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("bad region " + offset + "+" + length);
        }
        this.file = file;
        this.offset = offset;
        this.length = length;
        this.owns = owns;
    }

    /** A region of a borrowed channel; closing the region leaves {@code file} open. */
    public static FileRegion of(FileChannel file, long offset, long length) {
        return new FileRegion(file, offset, length, false);
    }

    /** A region that owns {@code file}: closing the region closes it. */
    public static FileRegion owning(FileChannel file, long offset, long length) {
        return new FileRegion(file, offset, length, true);
    }

    /** Where the region starts in the underlying channel. */
    public long offset() {
        return offset;
    }

    @Override
    public long size() {
        return length;
    }

    @Override
    public int read(ByteBuffer dst, long at) throws IOException {
        if (at < 0) {
            throw new IllegalArgumentException("negative position " + at);
        }
        if (at >= length) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), length - at);
        if (want == dst.remaining()) {
            return file.read(dst, offset + at);
        }
        int limit = dst.limit();
        dst.limit(dst.position() + want);
        try {
            return file.read(dst, offset + at);
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) throws IOException {
        if (at < 0 || size < 0 || at + size > length) {
            throw new IllegalArgumentException("mapping " + at + "+" + size + " outside a region of " + length);
        }
        return file.map(mode, offset + at, size);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        if (owns) {
            file.close();
        }
    }
}
