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
import org.npyconv.converter.arrow.ExpansionGuard;
import org.npyconv.converter.arrow.FixedShapeTensorType;
import org.npyconv.converter.arrow.MixedTypesException;
import org.npyconv.converter.arrow.OnMixed;
import org.npyconv.converter.arrow.TypeInferrer;
import org.npyconv.converter.arrow.VariableShapeTensorType;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.npyidx.ElementKind;
import org.npyconv.formats.npyidx.KindCount;
import org.npyconv.formats.npyidx.SourceFingerprint;
import org.npyconv.formats.npyidx.SpanCursor;
import org.npyconv.indexer.NpyObjectArray;

/**
 * Converts an object array into a chunked Arrow IPC or Parquet file (docs/converter.md), and reads
 * row ranges of such files back touching only the chunks they need.
 *
 * <p>Conversion streams twice over the elements: once to infer the column's type from every
 * element (skipped when the index's kind summary is conclusive), once to write. At most one chunk of
 * Arrow vectors is held. The output is written to a temporary file beside the target, forced to
 * disk and renamed; on any failure nothing is left behind. A {@link DatasetOutput} target splits the
 * rows into part files instead ({@link PartitionedSink}), committed only once all are written. Stateless and thread-safe; the caller
 * owns the allocator, and every buffer allocated here is released before a method returns.
 */
public final class ChunkedOutput {
    /** The one column's name. */
    public static final String COLUMN = "value";
    private static final int SAMPLE_ELEMENTS = 1024;
    /**
     * The sample is evaluated by the general unpickler on the main thread before any worker starts,
     * and its elements are not reused for writing: on ragged_f4.npy (4 KB arrays) a 16 MiB bound
     * meant 1,024 ndarrays built for nothing, and cutting it to 1 MiB (~250 arrays) took
     * convert -> Arrow from 1.30 to 0.97 s of CPU (docs/perf/session8.md). Small elements still
     * reach the element bound first.
     */
    private static final long SAMPLE_BYTES = 1L << 20;

    private static final java.util.concurrent.atomic.AtomicBoolean ARROW_PREPARED = new java.util.concurrent.atomic.AtomicBoolean();

    private ChunkedOutput() {
    }

    /**
     * Starts initializing Arrow's allocator and {@code Schema} classes (and the Arrow type classes
     * they pull in) on a daemon thread, while the command line is parsed and the array opened: every
     * conversion of an object array needs them before its first chunk. In Arrow Java 19.0.0
     * {@code Schema}'s static initializer built a Jackson {@code ObjectMapper} and a reader (~170 ms
     * of CPU); our patched copy of the class makes those lazily (docs/startup.md). Class
     * initialization happens once per JVM and is thread-safe: a thread that needs a class first
     * simply waits for it. Only the first call starts a thread.
     */
    public static void prepareArrow() {
        if (!ARROW_PREPARED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                // BaseAllocator first, the command needs it first (RecycledBlocks.newRootAllocator): its
                // static initializer looks for allocation-manager classes on the class path (CheckAllocator
                // reads the jar's directory) and builds the default configuration, ~35 ms of CPU that was
                // on the main thread between opening the array and converting (docs/perf/session8.md).
                ClassLoader loader = ChunkedOutput.class.getClassLoader();
                Class.forName("org.apache.arrow.memory.BaseAllocator", true, loader);
                Class.forName("org.apache.arrow.vector.types.pojo.Schema", true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // The thread that needs the class meets the same failure and reports it.
            }
        }, "npyconv-arrow-init");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Converts every element of {@code array} into {@code output}.
     *
     * @throws MixedTypesException when the column is mixed and {@code options.onMixed()} is ERROR
     */
    public static ConversionSummary convert(NpyObjectArray array, Path output, ConvertOptions options,
                                            BufferAllocator allocator) throws IOException {
        return convert(array, new OutputFile(output), options, allocator);
    }

    /**
     * Converts every element of {@code array} into {@code output}: one file, or a dataset of part
     * files whose column type is inferred over the whole array (never per part).
     *
     * @throws MixedTypesException when the column is mixed and {@code options.onMixed()} is ERROR
     */
    public static ConversionSummary convert(NpyObjectArray array, OutputTarget output, ConvertOptions options,
                                            BufferAllocator allocator) throws IOException {
        long started = System.nanoTime();
        FixedShapeTensorType.ensureRegistered();
        VariableShapeTensorType.ensureRegistered();
        if (options.jsonAlways()) {
            return writeMixed(array, output, options.withOnMixed(OnMixed.JSON), allocator, started);
        }
        try {
            if (allStr(array) && ChunkProducer.fastPaths) {
                // Conclusive only without lone surrogates, which the summary cannot see: checked while writing.
                // (Tests turn fast paths off to compare with the general evaluator's output.)
                return write(array, output, options, allocator, Field.nullable(COLUMN, ArrowType.Utf8.INSTANCE),
                        ChunkProducer.Mode.STR_SPANS, null, started);
            }
            List<Object> sample = sample(array);
            Field speculative = null;
            try {
                speculative = inferFrom(sample);
            } catch (MixedTypesException e) {
                // Mixed in the sample is mixed in the whole column; inference over every element names it.
            }
            if (speculative != null) {
                try {
                    return write(array, output, options, allocator, speculative, ChunkProducer.Mode.TYPED, sample, started);
                } catch (ChunkProducer.SpeculationFailed e) {
                    // A later element changes the type: infer from every element, then write again.
                }
            }
            Field column = inferColumn(array);
            return write(array, output, options, allocator, column, ChunkProducer.Mode.TYPED, null, started);
        } catch (MixedTypesException e) {
            if (options.onMixed() == OnMixed.ERROR) {
                throw e;
            }
            return writeMixed(array, output, options, allocator, started);
        }
    }

    private static ConversionSummary writeMixed(NpyObjectArray array, OutputTarget output, ConvertOptions options,
                                                BufferAllocator allocator, long started) throws IOException {
        if (options.onMixed() == OnMixed.PICKLE) {
            Field pickles = new Field(COLUMN, new FieldType(true, ArrowType.Binary.INSTANCE, null,
                    Map.of("npyconv.encoding", "pickle")), null);
            return write(array, output, options, allocator, pickles, ChunkProducer.Mode.PICKLE, null, started);
        }
        return write(array, output, options, allocator, jsonColumn(), ChunkProducer.Mode.JSON, null, started);
    }

    /** Elements the speculative type is inferred from: the first {@value #SAMPLE_ELEMENTS}, at most {@value #SAMPLE_BYTES} bytes of pickle. */
    private static List<Object> sample(NpyObjectArray array) {
        long n = array.size();
        if (n == 0) {
            return List.of();
        }
        SpanCursor cursor = array.index().cursorNear(0);
        long bytes = 0;
        long count = 0;
        while (count < SAMPLE_ELEMENTS && cursor.next()) {
            bytes += cursor.end() - cursor.start();
            if (count > 0 && bytes > SAMPLE_BYTES) {
                break;
            }
            count++;
        }
        List<Object> sample = new ArrayList<>();
        ExpansionGuard guard = new ExpansionGuard();
        Iterator<Object> it = array.iterator(0, count);
        while (it.hasNext()) {
            Object element = it.next();
            guard.check(element, sample.size());
            sample.add(element);
        }
        return sample;
    }

    private static Field inferFrom(List<Object> elements) {
        TypeInferrer inferrer = new TypeInferrer();
        for (int i = 0; i < elements.size(); i++) {
            inferrer.accept(elements.get(i), i);
        }
        return inferrer.field(COLUMN);
    }

    private static Field jsonColumn() {
        return new Field(COLUMN, new FieldType(true, ArrowType.Utf8.INSTANCE, null, Map.of("npyconv.encoding", "json")), null);
    }

    private static ConversionSummary write(NpyObjectArray array, OutputTarget destination, ConvertOptions options,
                                           BufferAllocator allocator, Field column, ChunkProducer.Mode mode,
                                           List<Object> sample, long started) throws IOException {
        Schema schema = new Schema(List.of(column), metadata(array, options));
        if (destination instanceof DatasetOutput dataset) {
            return writeDataset(array, dataset, options, allocator, schema, mode, sample, started);
        }
        Path target = destination.path().toAbsolutePath();
        ReplacingFile.requireDistinct(array.file(), target, "output");
        Path temp = ReplacingFile.createTemp(target, ""); // the directory must exist, as for cp
        boolean done = false;
        long rows;
        int chunks;
        try (BufferAllocator child = allocator.newChildAllocator("convert " + array.file().getFileName(), 0, Long.MAX_VALUE)) {
            ChunkProducer producer = new ChunkProducer(array, schema, mode, options, child, sample);
            if (options.format() == OutputFormat.ARROW) {
                try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, child);
                     FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    try (ArrowIpcSink sink = new ArrowIpcSink(root, channel, options.compression())) {
                        long[] counts = producer.run(sink);
                        rows = counts[0];
                        chunks = (int) counts[1];
                        sink.finish();
                        options.durability().force(channel);
                    }
                }
            } else {
                try (ParquetSink sink = new ParquetSink(schema, temp, options)) {
                    long[] counts = producer.run(sink);
                    rows = counts[0];
                    sink.finish();
                    chunks = sink.rowGroups();
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
        double seconds = (System.nanoTime() - started) / 1e9;
        return new ConversionSummary(rows, chunks, Files.size(target), seconds, column, mode == ChunkProducer.Mode.JSON);
    }

    /**
     * A dataset of parts. A {@link ChunkProducer.SpeculationFailed} (or any failure) closes the sink
     * before its commit, which deletes every staged part: the retry starts from an empty slate.
     */
    private static ConversionSummary writeDataset(NpyObjectArray array, DatasetOutput dataset, ConvertOptions options,
                                                  BufferAllocator allocator, Schema schema, ChunkProducer.Mode mode,
                                                  List<Object> sample, long started) throws IOException {
        DatasetDirectory directory = new DatasetDirectory(dataset.directory(), options.format(), options.durability());
        try (BufferAllocator child = allocator.newChildAllocator("convert " + array.file().getFileName(), 0, Long.MAX_VALUE);
             PartitionedSink sink = new PartitionedSink(directory, dataset.rowsPerFile(), schema, options, child)) {
            ChunkProducer producer = new ChunkProducer(array, schema, mode, options, child, sample);
            long rows = producer.run(sink)[0];
            sink.finish();
            sink.commit();
            double seconds = (System.nanoTime() - started) / 1e9;
            return new ConversionSummary(rows, sink.chunks(), sink.bytes(), seconds, schema.getFields().get(0),
                    mode == ChunkProducer.Mode.JSON);
        }
    }

    /** The column's field: from the index's kind summary when it is conclusive, else from every element. */
    public static Field inferColumn(NpyObjectArray array) {
        if (allStr(array)) {
            // Conclusive only without lone surrogates, which the summary cannot see: checked while writing.
            return Field.nullable(COLUMN, ArrowType.Utf8.INSTANCE);
        }
        TypeInferrer inferrer = new TypeInferrer();
        ExpansionGuard guard = new ExpansionGuard();
        Iterator<Object> it = array.iterator();
        long i = 0;
        while (it.hasNext()) {
            Object element = it.next();
            guard.check(element, i);
            inferrer.accept(element, i++);
        }
        return inferrer.field(COLUMN);
    }

    private static boolean allStr(NpyObjectArray array) {
        List<KindCount> kinds = array.index().kinds();
        return !kinds.isEmpty() && kinds.stream().allMatch(k -> k.kind() == ElementKind.STR);
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
