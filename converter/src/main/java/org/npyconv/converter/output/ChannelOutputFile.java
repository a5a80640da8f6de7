package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * parquet-java's {@link OutputFile} over a {@link FileChannel} the caller owns (parquet-java's
 * {@code LocalOutputFile} opens its own stream), so that {@link EarlyWriteback} can sync the file
 * while {@link BulkParquetConversion} writes it. Small writes (page headers, the footer's pieces) are
 * gathered in a 64 KiB buffer; page bodies go to the channel directly. Closing the stream flushes it
 * and leaves the channel open.
 */
final class ChannelOutputFile implements OutputFile {
    private static final int BUFFER = 64 << 10;
    private final FileChannel channel;

    ChannelOutputFile(FileChannel channel) {
        this.channel = channel;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
        return new Stream();
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        return new Stream();
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return "channel";
    }

    private final class Stream extends PositionOutputStream {
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        private long written;

        @Override
        public long getPos() {
            return written + buffer.position();
        }

        @Override
        public void write(int b) throws IOException {
            if (!buffer.hasRemaining()) {
                flush();
            }
            buffer.put((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len <= buffer.remaining()) {
                buffer.put(b, off, len);
                return;
            }
            flush();
            if (len < BUFFER) {
                buffer.put(b, off, len);
            } else {
                drain(ByteBuffer.wrap(b, off, len));
            }
        }

        @Override
        public void flush() throws IOException {
            buffer.flip();
            drain(buffer);
            buffer.clear();
        }

        private void drain(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                written += channel.write(b);
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
