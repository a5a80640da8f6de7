package org.npyconv.converter.output;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Compresses the pages (and dictionary pages) that {@link BulkPageEncoder} and
 * {@link LeafPageEncoder} encode. zstd goes in one call, level 1 as {@link ParquetCompressors}: a
 * third less CPU than parquet-java's compressor, which streams the page through
 * {@code ZstdOutputStream} and copies its output twice. The same zstd library, a standard frame
 * that every reader decodes. Pages over {@link #ONE_CALL_BYTES} (a few huge values) and the other
 * codecs go through parquet-java's compressor, which needs no output buffer of the page's size.
 * One per encoder (it keeps its output buffer); not thread-safe.
 */
final class PageBody {
    /** Largest page compressed in one call (and largest scratch array an encoder keeps). */
    static final int ONE_CALL_BYTES = 4 * BulkPageEncoder.PAGE_BYTES;

    private byte[] packed = new byte[0];

    /** {@code bytes[0, n)} compressed with {@code codec}, in an array of its own. */
    BytesInput compress(byte[] bytes, int n, CompressionCodecFactory.BytesInputCompressor compressor,
                        CompressionCodecName codec) throws IOException {
        if (codec == CompressionCodecName.UNCOMPRESSED) {
            return BytesInput.from(Arrays.copyOf(bytes, n));
        }
        if (codec == CompressionCodecName.ZSTD && n <= ONE_CALL_BYTES) {
            int bound = (int) Zstd.compressBound(n);
            if (packed.length < bound) {
                packed = new byte[bound];
            }
            long z = Zstd.compressByteArray(packed, 0, packed.length, bytes, 0, n, 1);
            if (Zstd.isError(z)) {
                throw new IllegalStateException("zstd: " + Zstd.getErrorName(z));
            }
            return BytesInput.from(Arrays.copyOf(packed, (int) z));
        }
        // Copied out: the compressor reuses its output buffer on its next page.
        return BytesInput.from(compressor.compress(BytesInput.from(bytes, 0, n)).toByteArray());
    }
}
