package org.npyconv.converter.output;

import org.apache.arrow.compression.ZstdCompressionCodec;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * The ZSTD codec of our Arrow IPC record batch bodies: every non-empty buffer is written compressed,
 * as Arrow C++ (pyarrow) writes them.
 *
 * <p>Why not Arrow Java's own codec: it stores a buffer that zstd does not shrink raw, with the
 * uncompressed length -1 (legal in the format). Buffers of a few bytes never shrink, so small record
 * batches (the last of a file, anything under a few hundred rows, incompressible float payloads)
 * came out with such buffers, and Polars 1.44's lazy reader ({@code pl.scan_ipc(f).slice(a, n)}, its
 * random read) fails on them ("RecordBatch requires all its arrays to have an equal number of
 * rows", "validity mask length must match the number of values") while reading pyarrow's files and
 * ours without compression fine (tools/check_polars.py). A buffer that does not shrink costs the zstd
 * frame's few bytes more; buffers that do shrink come out byte for byte as before.
 */
final class ZstdBodyCodec extends ZstdCompressionCodec {
    /** Hands this codec to {@link org.apache.arrow.vector.ipc.ArrowFileWriter}. */
    static final CompressionCodec.Factory FACTORY = new CompressionCodec.Factory() {
        @Override
        public CompressionCodec createCodec(CompressionUtil.CodecType codecType) {
            return of(codecType);
        }

        @Override
        public CompressionCodec createCodec(CompressionUtil.CodecType codecType, int compressionLevel) {
            return of(codecType);
        }

        private CompressionCodec of(CompressionUtil.CodecType codecType) {
            if (codecType != CompressionUtil.CodecType.ZSTD) {
                throw new IllegalArgumentException("only ZSTD: " + codecType);
            }
            return new ZstdBodyCodec();
        }
    };

    @Override
    public ArrowBuf compress(BufferAllocator allocator, ArrowBuf uncompressed) {
        long length = uncompressed.writerIndex();
        if (length == 0) {
            return super.compress(allocator, uncompressed); // the format's empty buffer: a zero length, no frame
        }
        ArrowBuf compressed = doCompress(allocator, uncompressed);
        writeUncompressedLength(compressed, length);
        uncompressed.close(); // as the base class does: compress() consumes its argument
        return compressed;
    }
}
