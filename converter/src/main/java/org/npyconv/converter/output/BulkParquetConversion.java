package org.npyconv.converter.output;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.npyconv.converter.arrow.RawColumns;
import org.npyconv.indexer.NpyRawArray;

/**
 * The bulk path of {@link RawConversion} for Parquet: a 1-D column of {@code int32}, {@code int64},
 * {@code float} or {@code double} (any byte order, C order) is written as PLAIN pages straight
 * from the items' bytes through parquet-java's {@link ParquetFileWriter}, which still writes the
 * row groups, page headers, statistics, column and offset indexes and the footer. The record path
 * ({@link ParquetSink}) goes through Arrow vectors first (it has its own bulk pages since, {@link
 * BulkPageEncoder}); this path reads the items' bytes straight into pages. Shared with it:
 * {@link ParquetCompressors}, {@link PageStatistics}.
 *
 * <p>Same schema, footer metadata ({@code ARROW:schema}, npy keys), row groups (one per chunk),
 * values and min/max/null-count statistics as the record path (checked by pyarrow and DuckDB in
 * {@code BulkParquetTest}); not the same bytes: always PLAIN (the record path keeps a dictionary
 * for low-cardinality data), pages of at most 1 MiB of values, no size statistics. Pages are
 * encoded (and compressed) on {@code --threads} worker threads ahead of the single writer. Memory:
 * {@code threads} pages of at most 1 MiB. The disk writes start while the file is being written
 * ({@link EarlyWriteback}, through {@link ChannelOutputFile}).
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

    /** Writes the whole file to {@code out} (empty, positioned at 0); returns the row groups written. */
    int write(Schema schema, FileChannel out) throws IOException {
        MessageType parquetSchema = ParquetSchema.of(schema);
        ColumnDescriptor column = parquetSchema.getColumns().get(0);
        Map<String, String> meta = new HashMap<>(schema.getCustomMetadata());
        meta.put("ARROW:schema", ParquetSchema.arrowSchemaMetadata(schema));
        CompressionCodecName codecName = ParquetCompressors.codec(options.compression());
        int pageValues = Math.max(1, Math.min(perChunk, PAGE_BYTES / bulk.valueWidth()));
        try (ParquetFileWriter writer = new ParquetFileWriter(new ChannelOutputFile(out), parquetSchema,
                ParquetFileWriter.Mode.OVERWRITE, options.maxChunkBytes(), ParquetWriter.MAX_PADDING_SIZE_DEFAULT,
                null, ParquetProperties.builder().build());
             Pages pages = new Pages(column, codecName, pageValues);
             EarlyWriteback writeback = EarlyWriteback.of(out, options.durability())) {
            writer.start();
            int groups = 0;
            long first = 0;
            while (first < rows) {
                int n = (int) Math.min(perChunk, rows - first);
                writer.startBlock(n);
                writer.startColumn(column, n, codecName);
                for (int done = 0; done < n; done += pageValues) {
                    Page page = pages.next();
                    writer.writeDataPage(page.count(), page.uncompressed(), page.body(), page.stats(), page.count(),
                            Encoding.BIT_PACKED, Encoding.RLE, Encoding.PLAIN);
                }
                writer.endColumn();
                writer.endBlock();
                writeback.written(out.position());
                groups++;
                first += n;
                options.progress().accept(first);
            }
            writer.end(meta);
            FILES.increment();
            return groups;
        }
    }

    /** One encoded data page: values, uncompressed size, the (compressed) page body, its statistics. */
    private record Page(int count, int uncompressed, BytesInput body, Statistics<?> stats) {
    }

    /**
     * The pages of the whole column in order, encoded on worker threads ahead of the writer: reading,
     * swapping, the min/max loop and compression overlap with the writes (each is a few tenths of a
     * second per 400 MB; zstd is more). At most {@code threads} pages are in flight; each worker has
     * its own compressor (parquet-java's are not thread-safe).
     */
    private final class Pages implements AutoCloseable {
        private final ColumnDescriptor column;
        private final CompressionCodecName codecName;
        private final int pageValues;
        private final ExecutorService pool;
        private final int inFlight;
        private final ArrayDeque<Future<Page>> ahead = new ArrayDeque<>();
        private final ParquetCompressors compressors;
        private long nextRow;
        private int nextInGroup;

        Pages(ColumnDescriptor column, CompressionCodecName codecName, int pageValues) {
            this.column = column;
            this.codecName = codecName;
            this.pageValues = pageValues;
            this.inFlight = options.threads();
            this.pool = Executors.newFixedThreadPool(inFlight, r -> {
                Thread t = new Thread(r, "npyconv-pages");
                t.setDaemon(true);
                return t;
            });
            this.compressors = new ParquetCompressors(codecName);
        }

        /** The next page in row order (pages never straddle a row group). */
        Page next() throws IOException {
            while (ahead.size() < inFlight && nextRow < rows) {
                long groupFirst = nextRow - nextInGroup;
                int groupRows = (int) Math.min(perChunk, rows - groupFirst);
                int count = Math.min(pageValues, groupRows - nextInGroup);
                long first = nextRow;
                ahead.add(pool.submit(() -> encode(first, count)));
                nextRow += count;
                nextInGroup = nextInGroup + count == groupRows ? 0 : nextInGroup + count;
            }
            Future<Page> head = ahead.poll();
            if (head == null) {
                throw new IllegalStateException("no page left");
            }
            try {
                return head.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while encoding pages");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IOException(e.getCause());
            }
        }

        /** Reads, swaps and measures {@code count} values from item {@code first}; levels + PLAIN values, compressed. */
        private Page encode(long first, int count) throws IOException {
            int width = bulk.valueWidth();
            ByteBuffer values = ByteBuffer.allocate(count * width).order(ByteOrder.LITTLE_ENDIAN);
            array.readStorage(first, values);
            values.flip();
            if (bulk.swapBytes()) {
                swap(values, count, width);
            }
            Statistics<?> stats = Statistics.createStats(column.getPrimitiveType());
            PageStatistics.extremes(stats, values, count);
            BytesInput raw = BytesInput.concat(allDefined(count), BytesInput.from(values.array(), 0, count * width));
            int uncompressed = Math.toIntExact(raw.size());
            if (codecName == CompressionCodecName.UNCOMPRESSED) {
                return new Page(count, uncompressed, raw, stats);
            }
            CompressionCodecFactory.BytesInputCompressor compressor = compressors.borrow();
            try {
                // Copied out: the compressor reuses its output buffer on its next page.
                return new Page(count, uncompressed, BytesInput.from(compressor.compress(raw).toByteArray()), stats);
            } finally {
                compressors.giveBack(compressor);
            }
        }

        /** Waits for the pages in flight, ends the threads, releases the compressors. */
        @Override
        public void close() {
            try {
                for (Future<Page> f : ahead) {
                    try {
                        f.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    } catch (ExecutionException e) {
                        // reported by next() already, or moot after another failure
                    }
                }
            } finally {
                ahead.clear();
                pool.shutdown();
                try {
                    pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                compressors.close();
            }
        }
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
}
