package org.npyconv.formats.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.npyconv.formats.CorruptInputException;

/**
 * A member inflated from its start by zlib ({@code java.util.zip.Inflater}, raw deflate): several
 * times faster than {@link DeflateDecoder}, so sequential scans that begin at the start of a
 * member (the indexer's scan and checksum threads, streaming export) use it. zlib cannot enter a
 * stream at a bit offset, so random reads from checkpoints use {@link DeflateDecoder}.
 */
final class StartInflater implements MemberCursor {
    private static final int INPUT = 64 * 1024;

    private final FileChannel in;
    private final Path file;
    private final long dataOffset;
    private final long dataEnd;
    private final Inflater inflater = new Inflater(true);
    private final byte[] input = new byte[INPUT];
    private final byte[] scratch = new byte[INPUT];
    private long next;
    private long position;
    private boolean dummySent;

    StartInflater(FileChannel in, Path file, long dataOffset, long compressedSize) {
        this.in = in;
        this.file = file;
        this.dataOffset = dataOffset;
        this.dataEnd = dataOffset + compressedSize;
        this.next = dataOffset;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long skip(long n) throws IOException {
        long done = 0;
        while (done < n) {
            int k = inflate(scratch, 0, (int) Math.min(scratch.length, n - done));
            if (k < 0) {
                break;
            }
            done += k;
        }
        return done;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int k;
            if (dst.hasArray()) {
                k = inflate(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (k > 0) {
                    dst.position(dst.position() + k);
                }
            } else {
                k = inflate(scratch, 0, Math.min(scratch.length, dst.remaining()));
                if (k > 0) {
                    dst.put(scratch, 0, k);
                }
            }
            if (k < 0) {
                return total == 0 ? -1 : total;
            }
            total += k;
        }
        return total;
    }

    /** Inflates at least one byte into {@code b}; -1 at the end of the stream. */
    private int inflate(byte[] b, int off, int len) throws IOException {
        try {
            while (true) {
                int k = inflater.inflate(b, off, len);
                if (k > 0) {
                    position += k;
                    return k;
                }
                if (inflater.finished()) {
                    return -1;
                }
                if (inflater.needsDictionary()) {
                    throw corrupt("the deflate stream asks for a preset dictionary");
                }
                if (inflater.needsInput()) {
                    refill();
                }
            }
        } catch (DataFormatException e) {
            throw corrupt("invalid deflate data (" + e.getMessage() + ")");
        }
    }

    private void refill() throws IOException {
        if (next >= dataEnd) {
            // zlib's raw mode may want one byte past the end to finish; anything more is an early end.
            if (dummySent) {
                throw corrupt("the compressed data ends early (past the member's " + (dataEnd - dataOffset) + " bytes)");
            }
            dummySent = true;
            inflater.setInput(new byte[1]);
            return;
        }
        ByteBuffer buffer = ByteBuffer.wrap(input, 0, (int) Math.min(input.length, dataEnd - next));
        while (buffer.hasRemaining()) {
            if (in.read(buffer, next + buffer.position()) < 0) {
                throw new CorruptInputException("the archive ends inside a member's compressed data", file,
                        next + buffer.position(), "deflate");
            }
        }
        inflater.setInput(input, 0, buffer.position());
        next += buffer.position();
    }

    private CorruptInputException corrupt(String reason) {
        long at = Math.min(dataEnd, dataOffset + inflater.getBytesRead());
        return new CorruptInputException(reason, file, at, "deflate");
    }

    @Override
    public void release() {
        inflater.end();
    }
}
