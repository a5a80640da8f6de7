package org.npyconv.converter.output;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The compressed bodies of one row group's pages (and dictionary pages), as {@link BulkPageEncoder}
 * and {@link LeafPageEncoder} encode them. Large bodies live in arrays lent by a {@link PageArrays}
 * pool until {@link #close} gives them back, which the row group's owner does once the writer has
 * appended it ({@link ParquetSink}): {@code ParquetFileWriter} writes a page's bytes before
 * {@code writeDataPage} returns and keeps no reference to them.
 *
 * <p>zstd goes in one call, level 1 as {@link ParquetCompressors}, straight into the lent array: a
 * third less CPU than parquet-java's compressor, which streams the page through
 * {@code ZstdOutputStream} and copies its output twice. The same zstd library, a standard frame
 * that every reader decodes. Pages over {@link #ONE_CALL_BYTES} (a few huge values) and the other
 * codecs go through parquet-java's compressor, which needs no output buffer of the page's size.
 * The compressor is borrowed for the encoding only; not thread-safe.
 */
final class PageBodies implements AutoCloseable {
    /** Largest page compressed in one call (and largest scratch array an encoder keeps). */
    static final int ONE_CALL_BYTES = 4 * BulkPageEncoder.PAGE_BYTES;

    private final CompressionCodecFactory.BytesInputCompressor compressor;
    private final CompressionCodecName codec;
    private final PageArrays arrays;
    private final List<byte[]> lent = new ArrayList<>();

    PageBodies(CompressionCodecFactory.BytesInputCompressor compressor, CompressionCodecName codec, PageArrays arrays) {
        this.compressor = compressor;
        this.codec = codec;
        this.arrays = arrays;
    }

    /** {@code bytes[0, n)} compressed, in an array that the caller may reuse at once. */
    BytesInput compress(byte[] bytes, int n) throws IOException {
        if (codec == CompressionCodecName.UNCOMPRESSED) {
            if (n < PageArrays.STEP || !PageArrays.pools(n)) {
                return BytesInput.from(Arrays.copyOf(bytes, n));
            }
            byte[] a = arrays.take(n);
            lent.add(a);
            System.arraycopy(bytes, 0, a, 0, n);
            return BytesInput.from(a, 0, n);
        }
        if (codec == CompressionCodecName.ZSTD && n <= ONE_CALL_BYTES) {
            byte[] a = arrays.take((int) Zstd.compressBound(n));
            long z = Zstd.compressByteArray(a, 0, a.length, bytes, 0, n, 1);
            if (Zstd.isError(z)) {
                arrays.giveBack(a);
                throw new IllegalStateException("zstd: " + Zstd.getErrorName(z));
            }
            return keep(a, (int) z);
        }
        // Copied out: the compressor reuses its output buffer on its next page.
        return BytesInput.from(compressor.compress(BytesInput.from(bytes, 0, n)).toByteArray());
    }

    /**
     * {@code a[0, n)} as a body: in {@code a} itself when it fills at least half of it, else in a
     * smaller array (a small body gets an exact one, which is cheap garbage), so that a well
     * compressed page does not pin an array of its uncompressed size.
     */
    private BytesInput keep(byte[] a, int n) {
        if (2L * n >= a.length) {
            lent.add(a);
            return BytesInput.from(a, 0, n);
        }
        boolean pooled = n >= PageArrays.STEP;
        byte[] b = pooled ? arrays.take(n) : new byte[n];
        System.arraycopy(a, 0, b, 0, n);
        arrays.giveBack(a);
        if (pooled) {
            lent.add(b);
        }
        return BytesInput.from(b, 0, n);
    }

    /** Gives every lent array back; the bodies must not be read afterwards. */
    @Override
    public void close() {
        for (byte[] a : lent) {
            arrays.giveBack(a);
        }
        lent.clear();
    }
}
