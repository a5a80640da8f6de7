package org.npyconv.converter.output;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.codec.ZstandardCodec;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Page compressors for the threads that encode Parquet pages ({@link ParquetSink},
 * {@link BulkParquetConversion}). parquet-java's compressors are not thread-safe and keep their
 * output buffer between calls, so each encoding task borrows one for its pages and gives it back;
 * there are never more than the tasks running at once. Borrowing is not tied to a thread, so the
 * pool of another component's threads (the chunk producer's) can encode too. zstd at level 1:
 * pyarrow's level ({@code pa.Codec.default_compression_level('zstd') == 1}); parquet-java's default
 * of 3 costs about twice the CPU for a few per cent of size.
 */
final class ParquetCompressors implements AutoCloseable {
    private final CompressionCodecName codec;
    private final ConcurrentLinkedQueue<CompressionCodecFactory.BytesInputCompressor> idle = new ConcurrentLinkedQueue<>();
    private final List<CodecFactory> factories = new ArrayList<>();

    ParquetCompressors(CompressionCodecName codec) {
        this.codec = codec;
    }

    CompressionCodecName codec() {
        return codec;
    }

    /** A compressor for the caller alone until {@link #giveBack}. */
    CompressionCodecFactory.BytesInputCompressor borrow() {
        CompressionCodecFactory.BytesInputCompressor c = idle.poll();
        if (c != null) {
            return c;
        }
        CodecFactory f = new CodecFactory(configuration(), ParquetProperties.DEFAULT_PAGE_SIZE);
        synchronized (factories) {
            factories.add(f);
        }
        return f.getCompressor(codec);
    }

    void giveBack(CompressionCodecFactory.BytesInputCompressor c) {
        idle.add(c);
    }

    /** The configuration every Parquet writer of ours uses: zstd level 1. */
    static PlainParquetConfiguration configuration() {
        PlainParquetConfiguration conf = new PlainParquetConfiguration();
        conf.setInt(ZstandardCodec.PARQUET_COMPRESS_ZSTD_LEVEL, 1);
        return conf;
    }

    static CompressionCodecName codec(Compression c) {
        return switch (c) {
            case ZSTD -> CompressionCodecName.ZSTD;
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case LZ4 -> CompressionCodecName.LZ4_RAW;
            case NONE -> CompressionCodecName.UNCOMPRESSED;
        };
    }

    /** Releases every compressor made; call once no task uses one. */
    @Override
    public void close() {
        idle.clear();
        synchronized (factories) {
            factories.forEach(CodecFactory::release);
            factories.clear();
        }
    }
}
