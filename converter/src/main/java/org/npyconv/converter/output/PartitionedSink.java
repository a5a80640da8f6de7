package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.npyconv.formats.ReplacingFile;

/**
 * A {@link ChunkSink} that cuts the row stream into the parts of a {@link DatasetOutput}: part k gets
 * rows {@code [k * N, (k + 1) * N)}, each part a complete file staged under a hidden temporary name.
 * A chunk that straddles a part boundary is split (zero-copy slices of its buffers). The chunks are
 * borrowed and left intact, so a producer may refill the same root. {@link #commit} renames the parts
 * into place ({@link DatasetDirectory}); {@link #close} without a commit deletes every staged part,
 * which is what lets a failed or retried conversion leave nothing behind.
 */
final class PartitionedSink implements ChunkSink {
    private final DatasetDirectory directory;
    private final long rowsPerFile;
    private final Schema schema;
    private final ConvertOptions options;
    private final BufferAllocator allocator;
    private final List<Path> staged = new ArrayList<>();
    private Part current;
    private long rowsInPart;
    private long rows;
    private int chunks;
    private long bytes;
    private boolean committed;

    PartitionedSink(DatasetDirectory directory, long rowsPerFile, Schema schema, ConvertOptions options,
                    BufferAllocator allocator) {
        this.directory = directory;
        this.rowsPerFile = rowsPerFile;
        this.schema = schema;
        this.options = options;
        this.allocator = allocator;
    }

    @Override
    public void writeChunk(VectorSchemaRoot chunk) throws IOException {
        int n = chunk.getRowCount();
        if (n == 0 && (current != null || !staged.isEmpty())) {
            return;
        }
        int offset = 0;
        do {
            if (current == null) {
                current = new Part(staged.size());
            }
            int take = (int) Math.min(n - offset, rowsPerFile - rowsInPart);
            try (VectorSchemaRoot piece = slice(chunk, offset, take)) {
                current.sink.writeChunk(piece);
            }
            current.chunks++;
            rowsInPart += take;
            rows += take;
            offset += take;
            if (rowsInPart == rowsPerFile) {
                finishPart();
            }
        } while (offset < n);
    }

    /** Rows {@code [from, from + length)} of {@code chunk} as a new root sharing its buffers (storage vectors, so extension types split too). */
    private VectorSchemaRoot slice(VectorSchemaRoot chunk, int from, int length) {
        VectorSchemaRoot piece = VectorSchemaRoot.create(chunk.getSchema(), allocator);
        try {
            for (int c = 0; c < chunk.getFieldVectors().size(); c++) {
                storage(chunk.getVector(c)).makeTransferPair(storage(piece.getVector(c))).splitAndTransfer(from, length);
            }
            piece.setRowCount(length);
            return piece;
        } catch (RuntimeException e) {
            piece.close();
            throw e;
        }
    }

    private static FieldVector storage(FieldVector v) {
        return v instanceof ExtensionTypeVector ? (FieldVector) ((ExtensionTypeVector<?>) v).getUnderlyingVector() : v;
    }

    private void finishPart() throws IOException {
        Part part = current;
        current = null;
        rowsInPart = 0;
        try (part) {
            chunks += part.finish();
        }
        bytes += Files.size(part.temp);
        staged.add(part.temp);
    }

    /** Completes the last part; an empty stream still makes one (empty) part carrying the schema. */
    @Override
    public void finish() throws IOException {
        if (current == null && staged.isEmpty()) {
            current = new Part(0);
        }
        if (current != null) {
            finishPart();
        }
    }

    /** Puts the finished parts in place and writes the marker; call after {@link #finish}. */
    void commit() throws IOException {
        String marker = "{\"parts\": " + staged.size() + ", \"rows\": " + rows + ", \"rows_per_file\": "
                + (rowsPerFile == DatasetOutput.ONE_PART ? "null" : Long.toString(rowsPerFile))
                + ", \"format\": \"" + (options.format() == OutputFormat.ARROW ? "arrow" : "parquet")
                + "\", \"npyconv_version\": \"" + options.version().replace("\"", "") + "\"}";
        directory.commit(staged, marker);
        committed = true;
    }

    int parts() {
        return staged.size();
    }

    /** Record batches or row groups over all parts; valid after {@link #finish}. */
    int chunks() {
        return chunks;
    }

    /** Bytes over all parts; valid after {@link #finish}. */
    long bytes() {
        return bytes;
    }

    @Override
    public void close() throws IOException {
        try {
            if (current != null) {
                staged.add(current.temp);
                current.close();
                current = null;
            }
        } finally {
            if (!committed) {
                for (Path p : staged) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One part being written: its staged file and the sink writing it. */
    private final class Part implements AutoCloseable {
        final Path temp;
        final ChunkSink sink;
        private final VectorSchemaRoot root;
        private final FileChannel channel;
        int chunks;

        Part(long k) throws IOException {
            temp = directory.stage(k);
            Schema partSchema = new Schema(schema.getFields(), partMetadata(k));
            VectorSchemaRoot r = null;
            FileChannel ch = null;
            try {
                if (options.format() == OutputFormat.ARROW) {
                    r = VectorSchemaRoot.create(partSchema, allocator);
                    ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    sink = new ArrowIpcSink(r, ch, options.compression());
                } else {
                    sink = new ParquetSink(partSchema, temp, options);
                }
            } catch (IOException | RuntimeException e) {
                if (ch != null) {
                    ch.close();
                }
                if (r != null) {
                    r.close();
                }
                ReplacingFile.discard(temp);
                throw e;
            }
            root = r;
            channel = ch;
        }

        private Map<String, String> partMetadata(long k) {
            Map<String, String> meta = new LinkedHashMap<>(schema.getCustomMetadata());
            // Where this file sits in the flat array, for a reader holding one part alone.
            meta.put("npyconv.part", Long.toString(k));
            meta.put("npyconv.first_row", Long.toString(k * rowsPerFile));
            return meta;
        }

        /** Completes the file (forced to the disk under --fsync); returns its record batches or row groups. */
        int finish() throws IOException {
            sink.finish();
            if (sink instanceof ParquetSink) {
                options.durability().force(temp);
                return ((ParquetSink) sink).rowGroups();
            }
            options.durability().force(channel);
            return chunks;
        }

        @Override
        public void close() throws IOException {
            try (FileChannel ch = channel; VectorSchemaRoot r = root) {
                sink.close();
            }
        }
    }
}
