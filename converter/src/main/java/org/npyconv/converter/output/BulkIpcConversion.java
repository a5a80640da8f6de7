package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.npyconv.converter.arrow.RawColumns;
import org.npyconv.indexer.NpyRawArray;

/**
 * The bulk path of {@link RawConversion} for uncompressed Arrow IPC: one column of ints or floats
 * (1-D, or n-d as tensors, {@link RawColumns.Bulk}) in C order is written without Arrow vectors.
 * Each record batch's values are the input's bytes, so they are copied from the input file to the
 * output file by the kernel ({@link NpyRawArray#transferStorage}, {@code sendfile}): they never
 * enter the JVM. Big-endian items are read into one reused buffer and byte-swapped there. The
 * validity buffers (no nulls) come from one buffer of ones. Metadata and framing are Arrow Java's
 * ({@link IpcFileWriter}): the file is byte-for-byte what the vector path writes (docs/numeric.md,
 * "Speed"). The disk writes start while the file is being written ({@link EarlyWriteback}).
 * Memory: one chunk's buffer at most, whatever the input's size.
 */
final class BulkIpcConversion {
    /** Off only in tests, to compare with the vector path. */
    static volatile boolean enabled = true;
    /** Record batches written by this path since start-up: lets tests see that it was taken. */
    static final LongAdder BATCHES = new LongAdder();

    private final NpyRawArray array;
    private final RawColumns.Bulk bulk;
    private final long rows;
    private final int perChunk;
    private final ConvertOptions options;

    private BulkIpcConversion(NpyRawArray array, RawColumns.Bulk bulk, long rows, int perChunk, ConvertOptions options) {
        this.array = array;
        this.bulk = bulk;
        this.rows = rows;
        this.perChunk = perChunk;
        this.options = options;
    }

    /** The bulk writer for {@code array}, or {@code null} when its output needs Arrow vectors. */
    static BulkIpcConversion of(NpyRawArray array, RawColumns columns, long rows, int perChunk, ConvertOptions options) {
        RawColumns.Bulk bulk = columns.bulk();
        if (!enabled || bulk == null || array.fortranOrder() || options.format() != OutputFormat.ARROW
                || options.compression() != Compression.NONE && options.compression() != Compression.ZSTD) {
            return null;
        }
        return new BulkIpcConversion(array, bulk, rows, perChunk, options);
    }

    /** Writes the whole file to {@code out} (positioned at 0); returns the record batches written. */
    int write(List<Field> fields, Map<String, String> metadata, FileChannel out, BufferAllocator allocator) throws IOException {
        IpcFileWriter file = new IpcFileWriter(out, fields, metadata);
        if (options.compression() == Compression.ZSTD) {
            writeCompressed(file, out, allocator);
        } else {
            writeUncompressed(file, out, allocator);
        }
        file.finish();
        return file.batches();
    }

    /** The values straight from file to file (or swapped through one buffer); validity from one buffer of ones. */
    private void writeUncompressed(IpcFileWriter file, FileChannel out, BufferAllocator allocator) throws IOException {
        int width = bulk.valueWidth();
        int perRow = bulk.valuesPerRow();
        int maxValues = Math.multiplyExact((int) Math.min(perChunk, rows), perRow);
        // values: the swapped values, or only the size the batch header announces (contents unused:
        // the bytes go straight from file to file). Neither buffer needs zeroing.
        try (ArrowBuf ones = allocator.buffer(Math.max(8, validityBytes(maxValues)));
             ArrowBuf values = allocator.buffer(Math.max(8, (long) maxValues * width));
             EarlyWriteback writeback = EarlyWriteback.of(out, options.durability())) {
            ones.setOne(0, ones.capacity());
            long first = 0;
            do {
                int n = (int) Math.min(perChunk, rows - first);
                int count = Math.multiplyExact(n, perRow);
                long bytes = (long) count * width;
                List<ArrowFieldNode> nodes = new ArrayList<>();
                List<ArrowBuf> buffers = new ArrayList<>();
                if (bulk.tensor()) {
                    nodes.add(new ArrowFieldNode(n, 0));
                    buffers.add(ones.slice(0, validityBytes(n)));
                }
                nodes.add(new ArrowFieldNode(count, 0));
                buffers.add(ones.slice(0, validityBytes(count)));
                buffers.add(values.slice(0, bytes));
                if (bulk.swapBytes()) {
                    array.readStorage(first * perRow, values.nioBuffer(0, (int) bytes));
                    swap(values, count, width);
                }
                long firstItem = first * perRow;
                try (ArrowRecordBatch batch = new ArrowRecordBatch(n, nodes, buffers,
                        CompressionUtil.createBodyCompression(NoCompressionCodec.INSTANCE), new ArrayList<>(), true, true)) {
                    int last = buffers.size() - 1;
                    file.writeBatch(batch, (i, size) -> {
                        if (i == last && !bulk.swapBytes()) {
                            array.transferStorage(firstItem, count, out);
                        } else {
                            ByteBuffer b = buffers.get(i).nioBuffer(0, (int) size);
                            while (b.hasRemaining()) {
                                out.write(b);
                            }
                        }
                    });
                }
                BATCHES.increment();
                writeback.written(out.position());
                first += n;
                options.progress().accept(first);
            } while (first < rows);
        }
    }

    /** Chunks compressed on worker threads ({@link CompressedBulkChunks}), written here in row order. */
    private void writeCompressed(IpcFileWriter file, FileChannel out, BufferAllocator allocator) throws IOException {
        // The factory and default level ArrowIpcSink gives ArrowFileWriter: the same compressed bytes.
        CompressionCodec codec = ZstdBodyCodec.FACTORY.createCodec(CompressionUtil.CodecType.ZSTD);
        try (CompressedBulkChunks chunks = new CompressedBulkChunks(array, bulk, rows, perChunk, codec, allocator,
                options.threads());
             EarlyWriteback writeback = EarlyWriteback.of(out, options.durability())) {
            long first = 0;
            for (CompressedBulkChunks.Encoded next = chunks.next(); next != null; next = chunks.next()) {
                CompressedBulkChunks.Encoded chunk = next;
                try (chunk; ArrowRecordBatch batch = new ArrowRecordBatch(chunk.rows(), chunk.nodes(), chunk.buffers(),
                        CompressionUtil.createBodyCompression(codec), new ArrayList<>(), true, true)) {
                    file.writeBatch(batch, (i, size) -> {
                        ByteBuffer b = chunk.buffers().get(i).nioBuffer(0, (int) size);
                        while (b.hasRemaining()) {
                            out.write(b);
                        }
                    });
                }
                BATCHES.increment();
                writeback.written(out.position());
                first += chunk.rows();
                options.progress().accept(first);
            }
        }
    }

    /** As {@code BaseValueVector.getValidityBufferSizeFromCount}. */
    private static int validityBytes(int count) {
        return (count + 7) / 8;
    }

    static void swap(ArrowBuf b, int count, int width) {
        switch (width) {
            case 2:
                for (long j = 0; j < count; j++) {
                    b.setShort(2 * j, Short.reverseBytes(b.getShort(2 * j)));
                }
                break;
            case 4:
                for (long j = 0; j < count; j++) {
                    b.setInt(4 * j, Integer.reverseBytes(b.getInt(4 * j)));
                }
                break;
            case 8:
                for (long j = 0; j < count; j++) {
                    b.setLong(8 * j, Long.reverseBytes(b.getLong(8 * j)));
                }
                break;
            default:
                break; // one byte: nothing to swap
        }
    }
}
