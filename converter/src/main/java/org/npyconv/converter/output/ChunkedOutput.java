package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.npyconv.formats.ReplacingFile;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.npyconv.converter.arrow.FixedShapeTensorType;
import org.npyconv.converter.arrow.MixedTypesException;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.converter.arrow.TypeInferrer;
import org.npyconv.converter.arrow.ValueWriter;
import org.npyconv.converter.arrow.VariableShapeTensorType;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.npyidx.ElementKind;
import org.npyconv.formats.npyidx.KindCount;
import org.npyconv.formats.npyidx.SourceFingerprint;
import org.npyconv.indexer.NpyObjectArray;

/**
 * Converts an object array into a chunked Arrow IPC or Parquet file (docs/converter.md), and reads
 * row ranges of such files back touching only the chunks they need.
 *
 * <p>Conversion streams twice over the elements: once to infer the column's type from every
 * element (skipped when the index's kind summary is conclusive), once to write. At most one chunk of
 * Arrow vectors is held. The output is written to a temporary file beside the target, forced to
 * disk and renamed; on any failure nothing is left behind. Stateless and thread-safe; the caller
 * owns the allocator, and every buffer allocated here is released before a method returns.
 */
public final class ChunkedOutput {
    /** The one column's name. */
    public static final String COLUMN = "value";
    private static final int BYTE_CHECK_EVERY = 256;

    private ChunkedOutput() {
    }

    /**
     * Converts every element of {@code array} into {@code output}.
     *
     * @throws MixedTypesException when the column is mixed and {@code options.onMixed()} is ERROR
     */
    public static ConversionSummary convert(NpyObjectArray array, Path output, ConvertOptions options,
                                            BufferAllocator allocator) throws IOException {
        long started = System.nanoTime();
        FixedShapeTensorType.ensureRegistered();
        VariableShapeTensorType.ensureRegistered();
        Field column;
        boolean json = false;
        try {
            if (options.jsonAlways()) {
                throw new MixedTypesException("JSON requested");
            }
            column = inferColumn(array);
        } catch (MixedTypesException e) {
            if (options.onMixed() != OnMixed.JSON && !options.jsonAlways()) {
                throw e;
            }
            column = jsonColumn();
            json = true;
        }
        try {
            return write(array, output, options, allocator, column, json, started);
        } catch (MixedTypesException e) {
            // Only what inference could not see (a lone surrogate behind a conclusive kind summary) gets here.
            if (json || options.onMixed() != OnMixed.JSON) {
                throw e;
            }
            return write(array, output, options, allocator, jsonColumn(), true, started);
        }
    }

    private static Field jsonColumn() {
        return new Field(COLUMN, new FieldType(true, ArrowType.Utf8.INSTANCE, null, Map.of("npyconv.encoding", "json")), null);
    }

    private static ConversionSummary write(NpyObjectArray array, Path output, ConvertOptions options,
                                           BufferAllocator allocator, Field column, boolean json, long started)
            throws IOException {
        Schema schema = new Schema(List.of(column), metadata(array, options));
        Path target = output.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = ReplacingFile.createTemp(target, "");
        boolean done = false;
        long rows = 0;
        int chunks = 0;
        try (BufferAllocator child = allocator.newChildAllocator("convert " + array.file().getFileName(), 0, Long.MAX_VALUE);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, child)) {
            FieldVector vector = root.getVector(0);
            ValueWriter writer = json ? ValueWriter.json((VarCharVector) vector) : ValueWriter.of(vector);
            if (options.format() == OutputFormat.ARROW) {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    try (ArrowIpcSink sink = new ArrowIpcSink(root, channel, options.compression())) {
                        long[] counts = writeChunks(array, root, writer, sink, options, json);
                        rows = counts[0];
                        chunks = (int) counts[1];
                        sink.finish();
                        channel.force(true);
                    }
                }
            } else {
                try (ParquetSink sink = new ParquetSink(schema, temp, options)) {
                    long[] counts = writeChunks(array, root, writer, sink, options, json);
                    rows = counts[0];
                    sink.finish();
                    chunks = sink.rowGroups();
                }
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            }
            ReplacingFile.moveIntoPlace(temp, target);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new ConversionSummary(rows, chunks, Files.size(target), seconds, column, json);
    }

    /** The column's field: from the index's kind summary when it is conclusive, else from every element. */
    public static Field inferColumn(NpyObjectArray array) {
        List<KindCount> kinds = array.index().kinds();
        if (!kinds.isEmpty() && kinds.stream().allMatch(k -> k.kind() == ElementKind.STR)) {
            // Conclusive only without lone surrogates, which the summary cannot see: checked while writing.
            return Field.nullable(COLUMN, ArrowType.Utf8.INSTANCE);
        }
        TypeInferrer inferrer = new TypeInferrer();
        Iterator<Object> it = array.iterator();
        long i = 0;
        while (it.hasNext()) {
            inferrer.accept(it.next(), i++);
        }
        return inferrer.field(COLUMN);
    }

    private static long[] writeChunks(NpyObjectArray array, VectorSchemaRoot root, ValueWriter writer, ChunkSink sink,
                                      ConvertOptions options, boolean json) throws IOException {
        if (!json && root.getVector(0) instanceof VarCharVector && allStr(array)) {
            return writeStrChunks(array, root, sink, options);
        }
        Iterator<Object> it = array.iterator();
        FieldVector vector = root.getVector(0);
        long rows = 0;
        long chunks = 0;
        int n = 0;
        vector.allocateNew();
        while (it.hasNext()) {
            Object element = it.next();
            writer.write(n, element);
            n++;
            rows++;
            boolean full = n >= options.rowsPerChunk()
                    || n % BYTE_CHECK_EVERY == 0 && bufferBytes(root, n) > options.maxChunkBytes();
            if (full) {
                flush(root, n, sink);
                chunks++;
                n = 0;
                options.progress().accept(rows);
            }
        }
        if (n > 0 || chunks == 0) {
            flush(root, n, sink);
            chunks++;
        }
        options.progress().accept(rows);
        return new long[] {rows, chunks};
    }

    private static boolean allStr(NpyObjectArray array) {
        List<KindCount> kinds = array.index().kinds();
        return !kinds.isEmpty() && kinds.stream().allMatch(k -> k.kind() == ElementKind.STR);
    }

    /** {@link #writeChunks} for all-str columns through {@link StrSpans}: payload bytes copied, no Strings built. */
    private static long[] writeStrChunks(NpyObjectArray array, VectorSchemaRoot root, ChunkSink sink,
                                         ConvertOptions options) throws IOException {
        VarCharVector vector = (VarCharVector) root.getVector(0);
        long rows = 0;
        long chunks = 0;
        int n = 0;
        vector.allocateNew();
        try (StrSpans spans = new StrSpans(array, vector)) {
            while (spans.writeNext(vector, n)) {
                n++;
                rows++;
                if (n >= options.rowsPerChunk() || n % BYTE_CHECK_EVERY == 0 && bufferBytes(root, n) > options.maxChunkBytes()) {
                    flush(root, n, sink);
                    chunks++;
                    n = 0;
                    options.progress().accept(rows);
                }
            }
        }
        if (n > 0 || chunks == 0) {
            flush(root, n, sink);
            chunks++;
        }
        options.progress().accept(rows);
        return new long[] {rows, chunks};
    }

    private static long bufferBytes(VectorSchemaRoot root, int rows) {
        root.setRowCount(rows);
        long total = 0;
        for (FieldVector v : root.getFieldVectors()) {
            total += v.getBufferSize();
        }
        return total;
    }

    private static void flush(VectorSchemaRoot root, int rows, ChunkSink sink) throws IOException {
        root.setRowCount(rows);
        sink.writeChunk(root);
        for (FieldVector v : root.getFieldVectors()) {
            v.reset();
        }
        root.setRowCount(0);
    }

    private static Map<String, String> metadata(NpyObjectArray array, ConvertOptions options) {
        NpyHeader header = array.header();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("npy.shape", "[" + java.util.Arrays.stream(header.shape()).mapToObj(Long::toString)
                .collect(Collectors.joining(", ")) + "]");
        // A simple dtype's descr as written ('|O'); a structured one as JSON (lists for tuples).
        meta.put("npy.descr", header.descr() instanceof String ? (String) header.descr() : json(header.descr()));
        meta.put("npy.fortran_order", String.valueOf(header.fortranOrder()));
        SourceFingerprint f = array.index().source();
        meta.put("npy.source", array.file().getFileName().toString());
        meta.put("npy.fingerprint", "{\"size\": " + f.size() + ", \"mtime_ns\": " + f.mtimeNanos()
                + ", \"header_crc32c\": " + Integer.toUnsignedLong(f.headerCrc32c())
                + ", \"pickle_crc32c\": " + Integer.toUnsignedLong(f.pickleCrc32c()) + "}");
        meta.put("npyconv.version", options.version());
        return meta;
    }

    /** JSON of a descr: strings, numbers and nested lists only. */
    static String json(Object value) {
        if (value instanceof java.util.List) {
            return ((java.util.List<?>) value).stream().map(ChunkedOutput::json).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Number) {
            return value.toString();
        }
        return "\"" + String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ---- reading back ------------------------------------------------------------------------

    /**
     * Rows {@code [from, to)} of an Arrow IPC file written by {@link #convert}: only the record
     * batches overlapping the range are loaded (their row counts come from the batch message headers
     * alone). Ownership of the returned root passes to the caller.
     */
    public static RowRange readRows(Path arrowFile, long from, long to, BufferAllocator allocator) throws IOException {
        FixedShapeTensorType.ensureRegistered();
        VariableShapeTensorType.ensureRegistered();
        if (from < 0 || to < from) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ")");
        }
        try (FileChannel channel = FileChannel.open(arrowFile, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            VectorSchemaRoot source = reader.getVectorSchemaRoot();
            List<ArrowBlock> blocks = reader.getRecordBlocks();
            VectorSchemaRoot result = VectorSchemaRoot.create(source.getSchema(), allocator);
            List<Integer> loaded = new ArrayList<>();
            try {
                result.allocateNew();
                long first = 0;
                int out = 0;
                for (int b = 0; b < blocks.size() && first < to; b++) {
                    long count = batchLength(channel, blocks.get(b));
                    long last = first + count;
                    if (last > from) {
                        reader.loadRecordBatch(blocks.get(b));
                        loaded.add(b);
                        int lo = (int) (Math.max(from, first) - first);
                        int hi = (int) (Math.min(to, last) - first);
                        for (int c = 0; c < source.getFieldVectors().size(); c++) {
                            FieldVector src = storage(source.getVector(c));
                            FieldVector dst = storage(result.getVector(c));
                            for (int r = lo; r < hi; r++) {
                                dst.copyFromSafe(r, out + r - lo, src);
                            }
                        }
                        out += hi - lo;
                    }
                    first = last;
                }
                if (to > first) {
                    throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of a file of " + first + " rows");
                }
                result.setRowCount(out);
                return new RowRange(result, List.copyOf(loaded));
            } catch (IOException | RuntimeException e) {
                result.close();
                throw e;
            }
        }
    }

    private static FieldVector storage(FieldVector v) {
        return v instanceof ExtensionTypeVector ? (FieldVector) ((ExtensionTypeVector<?>) v).getUnderlyingVector() : v;
    }

    /** Rows in a record batch, from its message header only (the body is not read). */
    static long batchLength(FileChannel channel, ArrowBlock block) throws IOException {
        channel.position(block.getOffset());
        MessageMetadataResult message = MessageSerializer.readMessage(new ReadChannel(channel));
        org.apache.arrow.flatbuf.RecordBatch batch = new org.apache.arrow.flatbuf.RecordBatch();
        message.getMessage().header(batch);
        return batch.length();
    }

    /** The row groups of a Parquet output that hold rows {@code [from, to)}, from the footer. */
    public static List<Integer> rowGroupsFor(Path parquetFile, long from, long to) throws IOException {
        List<Integer> groups = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(parquetFile))) {
            long first = 0;
            List<BlockMetaData> blocks = reader.getFooter().getBlocks();
            for (int g = 0; g < blocks.size(); g++) {
                long last = first + blocks.get(g).getRowCount();
                if (last > from && first < to) {
                    groups.add(g);
                }
                first = last;
            }
        }
        return groups;
    }

    /** Rows read back and the indexes of the record batches that were loaded. Owns {@code root}. */
    public record RowRange(VectorSchemaRoot root, List<Integer> batchesLoaded) implements AutoCloseable {
        @Override
        public void close() {
            root.close();
        }
    }
}
