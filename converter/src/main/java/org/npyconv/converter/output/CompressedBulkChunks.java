package org.npyconv.converter.output;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.npyconv.converter.arrow.RawColumns;
import org.npyconv.indexer.NpyRawArray;

/**
 * The chunks of a {@link RawColumns.Bulk} array as compressed Arrow IPC buffers, encoded on worker
 * threads and handed out in row order ({@link BulkIpcConversion} with {@code --compression zstd}).
 * Compression is the whole cost of such a conversion (one core compresses about 200 MB/s), so
 * chunks are compressed in parallel while the caller writes the finished ones; at most
 * {@code threads} chunks are in flight. Each buffer goes through the same {@link CompressionCodec}
 * call the vector path makes ({@code VectorUnloader}), so the bytes are the same.
 */
final class CompressedBulkChunks implements AutoCloseable {
    /** One chunk's record batch content: field nodes and compressed buffers (owned: close them). */
    record Encoded(int rows, List<ArrowFieldNode> nodes, List<ArrowBuf> buffers) implements AutoCloseable {
        @Override
        public void close() {
            buffers.forEach(ArrowBuf::close);
        }
    }

    private final NpyRawArray array;
    private final RawColumns.Bulk bulk;
    private final long rows;
    private final int perChunk;
    private final CompressionCodec codec;
    private final BufferAllocator allocator;
    private final ExecutorService pool;
    private final int inFlight;
    private final ArrayDeque<Future<Encoded>> ahead = new ArrayDeque<>();
    private long nextFirst;
    private boolean emptySubmitted;

    CompressedBulkChunks(NpyRawArray array, RawColumns.Bulk bulk, long rows, int perChunk, CompressionCodec codec,
                         BufferAllocator allocator, int threads) {
        this.array = array;
        this.bulk = bulk;
        this.rows = rows;
        this.perChunk = perChunk;
        this.codec = codec;
        this.allocator = allocator;
        this.inFlight = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(inFlight, r -> {
            Thread t = new Thread(r, "npyconv-compress");
            t.setDaemon(true);
            return t;
        });
    }

    /** The next chunk in row order, or {@code null} after the last; an empty array has one empty chunk. */
    Encoded next() throws IOException {
        while (ahead.size() < inFlight && (nextFirst < rows || rows == 0 && !emptySubmitted)) {
            long first = nextFirst;
            int n = (int) Math.min(perChunk, rows - first);
            ahead.add(pool.submit(() -> encode(first, n)));
            nextFirst += n;
            emptySubmitted = true;
        }
        Future<Encoded> head = ahead.poll();
        return head == null ? null : await(head);
    }

    private Encoded encode(long first, int n) throws IOException {
        int perRow = bulk.valuesPerRow();
        int count = Math.multiplyExact(n, perRow);
        List<ArrowFieldNode> nodes = new ArrayList<>();
        List<ArrowBuf> compressed = new ArrayList<>();
        try {
            if (bulk.tensor()) {
                nodes.add(new ArrowFieldNode(n, 0));
                compressed.add(codec.compress(allocator, ones((n + 7) / 8)));
            }
            nodes.add(new ArrowFieldNode(count, 0));
            compressed.add(codec.compress(allocator, ones((count + 7) / 8)));
            long bytes = (long) count * bulk.valueWidth();
            try (ArrowBuf values = allocator.buffer(Math.max(8, bytes))) {
                array.readStorage(first * perRow, values.nioBuffer(0, (int) bytes));
                if (bulk.swapBytes()) {
                    BulkIpcConversion.swap(values, count, bulk.valueWidth());
                }
                values.writerIndex(bytes);
                // compress() releases its argument (as for a vector's buffer, VectorUnloader retains first).
                values.getReferenceManager().retain();
                compressed.add(codec.compress(allocator, values));
            }
            return new Encoded(n, nodes, compressed);
        } catch (IOException | RuntimeException | Error e) {
            compressed.forEach(ArrowBuf::close);
            throw e;
        }
    }

    /** A validity buffer of {@code bytes} bytes of ones (no nulls), as the vectors' whole-byte fill leaves it. */
    private ArrowBuf ones(int bytes) {
        ArrowBuf b = allocator.buffer(Math.max(8, bytes));
        b.setOne(0, bytes);
        b.writerIndex(bytes);
        return b;
    }

    private static Encoded await(Future<Encoded> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    /** Waits for the chunks still in flight and frees them (after a failure), then ends the threads. */
    @Override
    public void close() {
        try {
            for (Future<Encoded> f : ahead) {
                try {
                    f.get().close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException e) {
                    // Its own failure freed its buffers; the first failure was reported by next().
                }
            }
        } finally {
            ahead.clear();
            pool.shutdown();
        }
    }
}
