package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.npyconv.converter.arrow.FixedShapeTensorType;
import org.npyconv.converter.arrow.RawColumns;
import org.npyconv.formats.ReplacingFile;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.indexer.NpyRawArray;

/**
 * Converts a non-object {@code .npy} ({@link NpyRawArray}) into a chunked Arrow IPC or Parquet file
 * (docs/numeric.md): one row per element of the first axis, columns from {@link RawColumns}, the
 * same schema metadata as object conversions. One sequential pass; at most one chunk of Arrow
 * vectors (and, off the direct path, one chunk of raw bytes) is held.
 *
 * <p>Bulk path ({@link BulkIpcConversion}): one column of ints or floats in C order (1-D, or n-d as
 * tensors) to uncompressed Arrow IPC is written without vectors, the values copied from file to
 * file by the kernel. Direct path: when the array is one column of little-endian ints or floats in
 * C order, each chunk is read from the file straight into the Arrow data buffer; no Java
 * object is made per value. Output goes to a temporary file beside the target, renamed into place (forced first under --fsync);
 * on failure nothing is left. Stateless; the caller owns the allocator.
 */
public final class RawConversion {
    private RawConversion() {
    }

    /** Converts every row of {@code array} into {@code output}. */
    public static ConversionSummary convert(NpyRawArray array, Path output, ConvertOptions options,
                                            BufferAllocator allocator) throws IOException {
        return convert(array, new OutputFile(output), options, allocator);
    }

    /** Converts every row of {@code array} into {@code destination}: one file, or a dataset of part files. */
    public static ConversionSummary convert(NpyRawArray array, OutputTarget destination, ConvertOptions options,
                                            BufferAllocator allocator) throws IOException {
        long started = System.nanoTime();
        FixedShapeTensorType.ensureRegistered();
        long[] shape = array.shape();
        RawColumns columns = RawColumns.of(array.itemDtype(), shape);
        Map<String, String> metadata = metadata(array, options);
        long rows = shape.length == 0 ? 1 : shape[0];
        int perChunk = (int) Math.max(1, Math.min(options.rowsPerChunk(),
                options.maxChunkBytes() / Math.max(1, columns.rowBytes())));
        Field column = columns.fields().size() == 1 ? columns.fields().get(0)
                : new Field("record", FieldType.nullable(ArrowType.Struct.INSTANCE), columns.fields());
        if (destination instanceof DatasetOutput dataset) {
            return writeDataset(array, dataset, options, allocator, new Schema(columns.fields(), metadata), columns, rows,
                    perChunk, column, started);
        }
        Path target = destination.path().toAbsolutePath();
        ReplacingFile.requireDistinct(array.file(), target, "output");
        Path temp = ReplacingFile.createTemp(target, ""); // the directory must exist, as for cp
        boolean done = false;
        int chunks;
        BulkIpcConversion bulk = BulkIpcConversion.of(array, columns, rows, perChunk, options);
        if (bulk != null) {
            try {
                try (BufferAllocator child = allocator.newChildAllocator("convert " + array.file().getFileName(), 0, Long.MAX_VALUE);
                     FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    chunks = bulk.write(columns.fields(), metadata, channel, child);
                    options.durability().force(channel);
                }
                ReplacingFile.moveIntoPlace(temp, target, options.durability());
                done = true;
            } finally {
                if (!done) {
                    ReplacingFile.discard(temp);
                }
            }
            return new ConversionSummary(rows, chunks, Files.size(target), (System.nanoTime() - started) / 1e9, column, false);
        }
        // Created only here: Schema's static initializer costs the bulk path a tenth of a second (IpcFileWriter).
        Schema schema = new Schema(columns.fields(), metadata);
        try (BufferAllocator child = allocator.newChildAllocator("convert " + array.file().getFileName(), 0, Long.MAX_VALUE);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, child)) {
            Chunks body = new Chunks(array, columns, root, rows, perChunk, options);
            if (options.format() == OutputFormat.ARROW) {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                     ArrowIpcSink sink = new ArrowIpcSink(root, channel, options.compression())) {
                    chunks = body.writeTo(sink);
                    sink.finish();
                    options.durability().force(channel);
                }
            } else {
                BulkParquetConversion pages = BulkParquetConversion.of(array, columns, rows, perChunk, options);
                if (pages != null) {
                    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                        chunks = pages.write(schema, channel);
                    }
                } else {
                    try (ParquetSink sink = new ParquetSink(schema, temp, options)) {
                        body.writeTo(sink);
                        sink.finish();
                        chunks = sink.rowGroups();
                    }
                }
                options.durability().force(temp);
            }
            ReplacingFile.moveIntoPlace(temp, target, options.durability());
            done = true;
        } finally {
            if (!done) {
                ReplacingFile.discard(temp);
            }
        }
        return new ConversionSummary(rows, chunks, Files.size(target), (System.nanoTime() - started) / 1e9, column, false);
    }

    /** A dataset of parts; a failure closes the sink before its commit, which deletes every staged part. */
    private static ConversionSummary writeDataset(NpyRawArray array, DatasetOutput dataset, ConvertOptions options,
                                                  BufferAllocator allocator, Schema schema, RawColumns columns, long rows,
                                                  int perChunk, Field column, long started) throws IOException {
        DatasetDirectory directory = new DatasetDirectory(dataset.directory(), options.format(), options.durability());
        try (BufferAllocator child = allocator.newChildAllocator("convert " + array.file().getFileName(), 0, Long.MAX_VALUE);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, child);
             PartitionedSink sink = new PartitionedSink(directory, dataset.rowsPerFile(), schema, options, child)) {
            new Chunks(array, columns, root, rows, perChunk, options).writeTo(sink);
            sink.finish();
            sink.commit();
            return new ConversionSummary(rows, sink.chunks(), sink.bytes(), (System.nanoTime() - started) / 1e9, column, false);
        }
    }

    /** The chunk loop: reads rows, fills the root, hands it to the sink. */
    private static final class Chunks {
        private final NpyRawArray array;
        private final RawColumns columns;
        private final VectorSchemaRoot root;
        private final long rows;
        private final int perChunk;
        private final ConvertOptions options;
        private final long itemsPerRow;
        private final int itemSize;

        Chunks(NpyRawArray array, RawColumns columns, VectorSchemaRoot root, long rows, int perChunk, ConvertOptions options) {
            this.array = array;
            this.columns = columns;
            this.root = root;
            this.rows = rows;
            this.perChunk = perChunk;
            this.options = options;
            this.itemsPerRow = rows == 0 ? 0 : array.size() / rows;
            this.itemSize = array.itemDtype().itemSize();
        }

        int writeTo(ChunkSink sink) throws IOException {
            FieldVector direct = array.fortranOrder() ? null : columns.directValues(root.getVector(0));
            ByteBuffer bytes = direct != null ? null : ByteBuffer.allocate((int) Math.min((long) perChunk * columns.rowBytes(),
                    Math.max(0, rows * columns.rowBytes())));
            if (direct != null) {
                // Allocated once and overwritten chunk after chunk: allocateNew would zero every buffer again.
                ((BaseFixedWidthVector) direct).allocateNew(Math.multiplyExact((int) Math.min(perChunk, rows),
                        columns.valuesPerRow()));
            }
            int chunks = 0;
            long first = 0;
            do {
                int n = (int) Math.min(perChunk, rows - first);
                if (direct != null) {
                    int values = Math.multiplyExact(n, columns.valuesPerRow());
                    // Straight from the file into the Arrow buffer: the bytes are the values.
                    array.readStorage(first * itemsPerRow, direct.getDataBuffer().nioBuffer(0, Math.multiplyExact(values, itemSize)));
                    columns.completeDirect(root.getVector(0), direct, n);
                } else {
                    readRows(first, n, bytes);
                    columns.fill(root.getFieldVectors(), bytes, n);
                }
                root.setRowCount(n);
                sink.writeChunk(root);
                chunks++;
                first += n;
                options.progress().accept(first);
            } while (first < rows);
            return chunks;
        }

        /** Rows {@code [first, first + n)} into {@code dst} in C order, gathering a Fortran-ordered file's items. */
        private void readRows(long first, int n, ByteBuffer dst) throws IOException {
            dst.clear();
            int bytes = Math.multiplyExact(n, columns.rowBytes());
            if (!array.fortranOrder()) {
                dst.limit(bytes);
                array.readStorage(first * itemsPerRow, dst);
                return;
            }
            // Fortran order: the first axis varies fastest, so for each trailing position k the n rows'
            // items are contiguous in the file at storageIndex(first, k).
            byte[] run = new byte[Math.multiplyExact(n, itemSize)];
            byte[] out = dst.array();
            for (long k = 0; k < itemsPerRow; k++) {
                array.readStorage(array.storageIndex(first * itemsPerRow + k), ByteBuffer.wrap(run));
                for (int r = 0; r < n; r++) {
                    System.arraycopy(run, r * itemSize, out, (int) ((r * itemsPerRow + k) * itemSize), itemSize);
                }
            }
            dst.limit(bytes);
        }
    }

    private static Map<String, String> metadata(NpyRawArray array, ConvertOptions options) throws IOException {
        NpyHeader header = array.header();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("npy.shape", "[" + java.util.Arrays.stream(header.shape()).mapToObj(Long::toString)
                .collect(Collectors.joining(", ")) + "]");
        meta.put("npy.descr", header.descr() instanceof String ? (String) header.descr() : ChunkedOutput.json(header.descr()));
        meta.put("npy.fortran_order", String.valueOf(header.fortranOrder()));
        Path file = array.file();
        meta.put("npy.source", file.getFileName().toString());
        // An .npz member is named ARCHIVE!MEMBER.npy: its size and time are the archive's.
        String name = file.toString();
        Path onDisk = Files.exists(file) || name.lastIndexOf('!') < 0 ? file : Path.of(name.substring(0, name.lastIndexOf('!')));
        // No sidecar for raw data: size, mtime and the header's checksum (a data checksum would cost a second pass).
        FileTime mtime = Files.getLastModifiedTime(onDisk);
        long mtimeNanos = TimeUnit.SECONDS.toNanos(mtime.to(TimeUnit.SECONDS)) + mtime.toInstant().getNano();
        meta.put("npy.fingerprint", "{\"size\": " + Files.size(onDisk) + ", \"mtime_ns\": " + mtimeNanos
                + ", \"header_crc32c\": " + array.headerCrc32c() + "}");
        meta.put("npyconv.version", options.version());
        return meta;
    }
}
