package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.codec.ZstandardCodec;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.npyconv.converter.arrow.RawColumns;
import org.npyconv.indexer.NpyRawArray;

/**
 * The bulk path of {@link RawConversion} for Parquet: a 1-D column of {@code int32}, {@code int64},
 * {@code float} or {@code double} (any byte order, C order) is written as PLAIN pages straight
 * from the items' bytes through parquet-java's {@link ParquetFileWriter}, which still writes the
 * row groups, page headers, statistics, column and offset indexes and the footer. The record path
 * ({@link ParquetSink}) handed every value to a column writer one call at a time and first tried a
 * dictionary per row group, which random numbers never fit: 6–8 s for 400 MB of doubles.
 *
 * <p>Same schema, footer metadata ({@code ARROW:schema}, npy keys), row groups (one per chunk),
 * values and min/max/null-count statistics as the record path (checked by pyarrow and DuckDB in
 * {@code BulkParquetTest}); not the same bytes: always PLAIN (the record path keeps a dictionary
 * for low-cardinality data), pages of at most 1 MiB of values, no size statistics. Memory: one
 * page's values.
 */
final class BulkParquetConversion {
    /** Off only in tests, to compare with the record path. */
    static volatile boolean enabled = true;
    /** Files written by this path since start-up: lets tests see that it was taken. */
    static final LongAdder FILES = new LongAdder();
    /** parquet-java's default page size: pages of this many value bytes at most. */
    private static final int PAGE_BYTES = ParquetProperties.DEFAULT_PAGE_SIZE;

    private final NpyRawArray array;
    private final RawColumns.Bulk bulk;
    private final long rows;
    private final int perChunk;
    private final ConvertOptions options;

    private BulkParquetConversion(NpyRawArray array, RawColumns.Bulk bulk, long rows, int perChunk, ConvertOptions options) {
        this.array = array;
        this.bulk = bulk;
        this.rows = rows;
        this.perChunk = perChunk;
        this.options = options;
    }

    /** The bulk writer for {@code array}, or {@code null} when its output needs the record path. */
    static BulkParquetConversion of(NpyRawArray array, RawColumns columns, long rows, int perChunk, ConvertOptions options) {
        RawColumns.Bulk bulk = columns.bulk();
        if (!enabled || bulk == null || bulk.tensor() || array.fortranOrder() || options.format() != OutputFormat.PARQUET
                || !plainPhysical(columns.fields().get(0).getType())) {
            return null;
        }
        return new BulkParquetConversion(array, bulk, rows, perChunk, options);
    }

    /** Types whose Parquet physical values are the Arrow values unchanged (no widening, no unsigned order). */
    private static boolean plainPhysical(ArrowType type) {
        if (type instanceof ArrowType.FloatingPoint fp) {
            return fp.getPrecision() != FloatingPointPrecision.HALF;
        }
        return type instanceof ArrowType.Int i && i.getIsSigned() && (i.getBitWidth() == 32 || i.getBitWidth() == 64);
    }

    /** Writes the whole file at {@code file}; returns the row groups written. */
    int write(Schema schema, Path file) throws IOException {
        MessageType parquetSchema = ParquetSchema.of(schema);
        ColumnDescriptor column = parquetSchema.getColumns().get(0);
        Map<String, String> meta = new HashMap<>(schema.getCustomMetadata());
        meta.put("ARROW:schema", ParquetSchema.arrowSchemaMetadata(schema));
        CompressionCodecName codecName = codec(options.compression());
        PlainParquetConfiguration conf = new PlainParquetConfiguration();
        conf.setInt(ZstandardCodec.PARQUET_COMPRESS_ZSTD_LEVEL, 1); // as ParquetSink: pyarrow's level
        CodecFactory codecs = new CodecFactory(conf, PAGE_BYTES);
        try {
            CompressionCodecFactory.BytesInputCompressor compressor = codecs.getCompressor(codecName);
            ParquetFileWriter writer = new ParquetFileWriter(new LocalOutputFile(file), parquetSchema,
                    ParquetFileWriter.Mode.OVERWRITE, options.maxChunkBytes(), ParquetWriter.MAX_PADDING_SIZE_DEFAULT,
                    null, ParquetProperties.builder().build());
            writer.start();
            int width = bulk.valueWidth();
            int pageValues = Math.max(1, Math.min(perChunk, PAGE_BYTES / width));
            ByteBuffer page = ByteBuffer.allocate(pageValues * width).order(ByteOrder.LITTLE_ENDIAN);
            int groups = 0;
            long first = 0;
            while (first < rows) {
                int n = (int) Math.min(perChunk, rows - first);
                writer.startBlock(n);
                writer.startColumn(column, n, codecName);
                for (int done = 0; done < n; done += pageValues) {
                    int count = Math.min(pageValues, n - done);
                    writePage(writer, compressor, column, page, first + done, count);
                }
                writer.endColumn();
                writer.endBlock();
                groups++;
                first += n;
                options.progress().accept(first);
            }
            writer.end(meta);
            FILES.increment();
            return groups;
        } finally {
            codecs.release();
        }
    }

    /** One data page (v1) of {@code count} values from item {@code first}: definition levels, then PLAIN values. */
    private void writePage(ParquetFileWriter writer, CompressionCodecFactory.BytesInputCompressor compressor,
                           ColumnDescriptor column, ByteBuffer page, long first, int count) throws IOException {
        int width = bulk.valueWidth();
        page.clear().limit(count * width);
        array.readStorage(first, page);
        page.flip();
        if (bulk.swapBytes()) {
            swap(page, count, width);
        }
        Statistics<?> stats = Statistics.createStats(column.getPrimitiveType());
        update(stats, page, count);
        BytesInput levels = allDefined(count);
        BytesInput raw = BytesInput.concat(levels, BytesInput.from(page.array(), 0, count * width));
        int uncompressed = Math.toIntExact(raw.size());
        BytesInput body = compressor.compress(raw);
        writer.writeDataPage(count, uncompressed, body, stats, count, Encoding.BIT_PACKED, Encoding.RLE, Encoding.PLAIN);
    }

    /**
     * The definition levels of {@code count} defined values of an optional top-level column (bit
     * width 1) as parquet-java's RLE/bit-packed hybrid writes them for a v1 page: the byte length,
     * then one RLE run (header {@code count << 1} as a varint, the value 1 in one byte).
     */
    private static BytesInput allDefined(int count) {
        BytesInput run = BytesInput.concat(BytesInput.fromUnsignedVarInt(count << 1), BytesInput.from(new byte[] {1}));
        return BytesInput.concat(BytesInput.fromInt(Math.toIntExact(run.size())), run);
    }

    /**
     * Min, max and null count (0) as parquet-java's statistics compute them from every value, but
     * in a plain loop: only the extremes (and each NaN, which its float statistics count and keep
     * out of min/max) are handed to it. Min/max of a set do not depend on order, so feeding the
     * extremes gives the same statistics as feeding every value. {@link Double#compare} orders
     * -0.0 below 0.0 as parquet-java's comparator does.
     */
    private void update(Statistics<?> stats, ByteBuffer page, int count) {
        if (count == 0) {
            return;
        }
        switch (stats.type().getPrimitiveTypeName()) {
            case DOUBLE -> {
                java.nio.DoubleBuffer v = page.asDoubleBuffer();
                double min = Double.NaN;
                double max = Double.NaN;
                for (int j = 0; j < count; j++) {
                    double x = v.get(j);
                    if (Double.isNaN(x)) {
                        stats.updateStats(x);
                    } else if (Double.isNaN(min)) {
                        min = x;
                        max = x;
                    } else {
                        min = Double.compare(x, min) < 0 ? x : min;
                        max = Double.compare(x, max) > 0 ? x : max;
                    }
                }
                if (!Double.isNaN(min)) {
                    stats.updateStats(min);
                    stats.updateStats(max);
                }
            }
            case FLOAT -> {
                java.nio.FloatBuffer v = page.asFloatBuffer();
                float min = Float.NaN;
                float max = Float.NaN;
                for (int j = 0; j < count; j++) {
                    float x = v.get(j);
                    if (Float.isNaN(x)) {
                        stats.updateStats(x);
                    } else if (Float.isNaN(min)) {
                        min = x;
                        max = x;
                    } else {
                        min = Float.compare(x, min) < 0 ? x : min;
                        max = Float.compare(x, max) > 0 ? x : max;
                    }
                }
                if (!Float.isNaN(min)) {
                    stats.updateStats(min);
                    stats.updateStats(max);
                }
            }
            case INT64 -> {
                java.nio.LongBuffer v = page.asLongBuffer();
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (int j = 0; j < count; j++) {
                    min = Math.min(min, v.get(j));
                    max = Math.max(max, v.get(j));
                }
                stats.updateStats(min);
                stats.updateStats(max);
            }
            default -> {
                java.nio.IntBuffer v = page.asIntBuffer();
                int min = Integer.MAX_VALUE;
                int max = Integer.MIN_VALUE;
                for (int j = 0; j < count; j++) {
                    min = Math.min(min, v.get(j));
                    max = Math.max(max, v.get(j));
                }
                stats.updateStats(min);
                stats.updateStats(max);
            }
        }
    }

    private static void swap(ByteBuffer b, int count, int width) {
        for (int j = 0; j < count; j++) {
            int at = j * width;
            if (width == 8) {
                b.putLong(at, Long.reverseBytes(b.getLong(at)));
            } else {
                b.putInt(at, Integer.reverseBytes(b.getInt(at)));
            }
        }
    }

    private static CompressionCodecName codec(Compression c) {
        return switch (c) {
            case ZSTD -> CompressionCodecName.ZSTD;
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case LZ4 -> CompressionCodecName.LZ4_RAW;
            case NONE -> CompressionCodecName.UNCOMPRESSED;
        };
    }
}
