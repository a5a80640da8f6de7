package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.factory.DefaultValuesWriterFactory;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.schema.MessageType;

/**
 * Parquet, one row group per chunk, statistics and column/offset indexes on, {@code ARROW:schema}
 * and the npy metadata in the footer (docs/converter.md, "Parquet").
 *
 * <p>Each chunk is encoded into a finished row group by {@link #encode}, on the chunk producer's
 * worker threads ({@link ChunkSink#encodesInWorkers}): its pages are encoded and compressed there,
 * and the writing thread ({@link #writeEncoded}) only appends their bytes and metadata in chunk
 * order through parquet-java's {@link ParquetFileWriter}. A row group depends only on its chunk, so
 * the file is the same for any thread count. Three encoders:
 * <ul>
 *   <li>{@link BulkPageEncoder}: PLAIN pages straight from the Arrow buffers for a top-level
 *       string/binary/signed int/float column or a list of numbers, unless a dictionary would pay
 *       for the chunk;</li>
 *   <li>{@link RowGroupEncoder}: leaf by leaf, PLAIN or dictionary pages straight from the Arrow
 *       vectors, for other columns made of structs, lists and such leaves (dicts of
 *       str/int/float/list of str);</li>
 *   <li>parquet-java's column writers (dictionary encoding with its PLAIN fallback) fed by
 *       {@link Shredder} into an in-memory {@link ColumnChunkPageWriteStore}: every other shape
 *       (maps, tensors, bools, timestamps, ...) and the chunks above where a dictionary pays.</li>
 * </ul>
 * Memory: the row groups in flight, compressed, plus one chunk being encoded per worker.
 */
final class ParquetSink implements ChunkSink {
    /**
     * Rows go straight to parquet-java's column writers ({@link Shredder}) unless off: only tests
     * turn it off, to compare with the record-consumer path ({@link RecordRows}).
     */
    static volatile boolean direct = true;
    /** Bulk pages for the shapes {@link BulkPageEncoder} takes; off only in tests, to compare with the column writers. */
    static volatile boolean bulkPages = true;
    /** The dictionary probe before the column writers ({@link DictionaryProbe}); off only in tests, to compare. */
    static volatile boolean dictionaryProbe = true;
    /** Column chunks whose dictionary the probe turned off, since start-up (tests). */
    static final LongAdder PLAIN_ONLY_CHUNKS = new LongAdder();
    /** Row groups written from bulk pages since start-up: lets tests see that the path was taken. */
    static final LongAdder BULK_ROW_GROUPS = new LongAdder();
    /** Row groups written leaf by leaf ({@link RowGroupEncoder}) since start-up (tests); also counted in {@link #BULK_ROW_GROUPS}. */
    static final LongAdder LEAF_ROW_GROUPS = new LongAdder();
    /** Row groups encoded on a thread other than the writing one, since start-up (tests). */
    static final LongAdder WORKER_ROW_GROUPS = new LongAdder();

    private final Schema arrowSchema;
    private final MessageType parquetSchema;
    private final Map<String, String> meta;
    private final ParquetProperties props;
    private final CompressionCodecName codec;
    private final ParquetCompressors compressors;
    /** Arrays for the page bodies of {@link BulkGroup}s and {@link LeafGroup}s, from one row group to the next. */
    private final PageArrays pageArrays = new PageArrays();
    private final FileChannel channel;
    private final ParquetFileWriter writer;
    /** The one column's field and leaf when {@link BulkPageEncoder} takes its shape, else null. */
    private final Field bulkField;
    private final ColumnDescriptor bulkLeaf;
    private final ConcurrentLinkedQueue<BulkPageEncoder> encoders = new ConcurrentLinkedQueue<>();
    /** Whether {@link RowGroupEncoder} takes the schema (when {@link BulkPageEncoder} does not), and its idle instances. */
    private final boolean leafPages;
    private final ConcurrentLinkedQueue<RowGroupEncoder> rowGroupEncoders = new ConcurrentLinkedQueue<>();
    private final Thread writingThread = Thread.currentThread();
    private int rowGroups;
    private boolean ended;

    ParquetSink(Schema schema, Path file, ConvertOptions options) throws IOException {
        meta = new HashMap<>(schema.getCustomMetadata());
        meta.put("ARROW:schema", ParquetSchema.arrowSchemaMetadata(schema));
        arrowSchema = schema;
        parquetSchema = ParquetSchema.of(schema);
        codec = ParquetCompressors.codec(options.compression());
        props = properties(List.of());
        Field only = schema.getFields().size() == 1 ? schema.getFields().get(0) : null;
        boolean bulk = only != null && BulkPageEncoder.supports(only) && parquetSchema.getColumns().size() == 1;
        bulkField = bulk ? only : null;
        bulkLeaf = bulk ? parquetSchema.getColumns().get(0) : null;
        RowGroupEncoder leafEncoder = bulk ? null : RowGroupEncoder.of(schema, parquetSchema);
        leafPages = leafEncoder != null;
        if (leafPages) {
            rowGroupEncoders.add(leafEncoder);
        }
        compressors = new ParquetCompressors(codec);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            writer = new ParquetFileWriter(new ChannelOutputFile(channel), parquetSchema, ParquetFileWriter.Mode.OVERWRITE,
                    options.maxChunkBytes(), ParquetWriter.MAX_PADDING_SIZE_DEFAULT, null, props);
            writer.start();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Our writer settings, with the dictionary off for the leaf columns {@code plainOnly}. */
    private static ParquetProperties properties(List<ColumnDescriptor> plainOnly) {
        ParquetProperties.Builder b = ParquetProperties.builder()
                // parquet-java checks the page size only after 100 rows by default: 100 values of
                // 900 MiB each pile up in one page on the heap before the first check, and a >4 GiB
                // array of them ran out of memory (RobustnessBigConvertTest). From row 1 the writer
                // checks early and then adapts its interval to the row size, so small rows cost nothing.
                .withMinRowCountForPageSizeCheck(1)
                .withStatisticsEnabled(true)
                .withDictionaryEncoding(true)
                // Its own factory: the default one is a static that every ParquetProperties re-initializes
                // with itself, so properties built at once on two workers would see each other's settings.
                .withValuesWriterFactory(new DefaultValuesWriterFactory());
        for (ColumnDescriptor c : plainOnly) {
            b.withDictionaryEncoding(String.join(".", c.getPath()), false);
        }
        return b.build();
    }

    /**
     * The properties for one chunk: the dictionary off for the leaves where {@link DictionaryProbe}
     * sees that parquet-java would drop it after the first page anyway.
     */
    private ParquetProperties chunkProperties(VectorSchemaRoot root) {
        List<FieldVector> leaves = DictionaryProbe.leaves(root.getFieldVectors());
        List<ColumnDescriptor> columns = parquetSchema.getColumns();
        if (!dictionaryProbe || leaves.size() != columns.size()) {
            return props;
        }
        List<ColumnDescriptor> plainOnly = new java.util.ArrayList<>();
        for (int k = 0; k < columns.size(); k++) {
            if (!DictionaryProbe.mayPay(leaves.get(k))) {
                plainOnly.add(columns.get(k));
            }
        }
        PLAIN_ONLY_CHUNKS.add(plainOnly.size());
        return plainOnly.isEmpty() ? props : properties(plainOnly);
    }

    @Override
    public boolean encodesInWorkers() {
        return true;
    }

    @Override
    public void writeChunk(VectorSchemaRoot root) throws IOException {
        try (Encoded chunk = encode(root)) {
            writeEncoded(chunk);
        }
    }

    /** {@code root}'s rows as a finished row group (pages encoded and compressed); thread-safe. */
    @Override
    public Encoded encode(VectorSchemaRoot root) throws IOException {
        int rows = root.getRowCount();
        if (rows == 0) {
            return new BulkGroup(0, List.of(), 0, null, null);
        }
        if (Thread.currentThread() != writingThread) {
            WORKER_ROW_GROUPS.increment();
        }
        CompressionCodecFactory.BytesInputCompressor compressor = compressors.borrow();
        try {
            FieldVector vector = root.getVector(0);
            if (bulkField != null && bulkPages && (vector instanceof ListVector) == (bulkField.getType() instanceof org.apache.arrow.vector.types.pojo.ArrowType.List)) {
                BulkPageEncoder encoder = encoders.poll();
                if (encoder == null) {
                    encoder = BulkPageEncoder.of(bulkField, bulkLeaf);
                }
                PageBodies bodies = new PageBodies(compressor, codec, pageArrays);
                try {
                    List<BulkPageEncoder.Page> pages = encoder.encode(vector, rows, bodies);
                    if (pages != null) {
                        long values = 0;
                        for (BulkPageEncoder.Page p : pages) {
                            values += p.values();
                        }
                        BulkGroup group = new BulkGroup(rows, pages, values, encoder.repetitionEncoding(), bodies);
                        bodies = null;
                        return group;
                    }
                } finally {
                    if (bodies != null) {
                        bodies.close();
                    }
                    encoders.add(encoder);
                }
            }
            if (leafPages && bulkPages) {
                RowGroupEncoder encoder = rowGroupEncoders.poll();
                if (encoder == null) {
                    encoder = RowGroupEncoder.of(arrowSchema, parquetSchema);
                }
                PageBodies bodies = new PageBodies(compressor, codec, pageArrays);
                try {
                    List<LeafPageEncoder.Chunk> chunks = encoder == null ? null : encoder.encode(root, bodies);
                    if (chunks != null) {
                        LeafGroup group = new LeafGroup(rows, chunks, bodies);
                        bodies = null;
                        return group;
                    }
                } finally {
                    if (bodies != null) {
                        bodies.close();
                    }
                    if (encoder != null) {
                        rowGroupEncoders.add(encoder);
                    }
                }
            }
            return columnWriters(root, rows, compressor);
        } finally {
            compressors.giveBack(compressor);
        }
    }

    /** Shreds the rows into parquet-java's column writers over an in-memory page store: pages compressed, dictionary decided. */
    private Encoded columnWriters(VectorSchemaRoot root, int rows, CompressionCodecFactory.BytesInputCompressor compressor) {
        ParquetProperties chunk = chunkProperties(root);
        ColumnChunkPageWriteStore pages = new ColumnChunkPageWriteStore(compressor, parquetSchema,
                HeapByteBufferAllocator.getInstance(), chunk.getColumnIndexTruncateLength(), chunk.getPageWriteChecksumEnabled());
        ColumnWriteStore store = chunk.newColumnWriteStore(parquetSchema, pages);
        try {
            if (direct) {
                Shredder shredder = new Shredder(parquetSchema, store);
                shredder.bind(root);
                for (int i = 0; i < rows; i++) {
                    shredder.writeRow(i);
                }
            } else {
                RecordRows records = new RecordRows(new ColumnIOFactory(false).getColumnIO(parquetSchema).getRecordWriter(store));
                records.bind(root);
                for (int i = 0; i < rows; i++) {
                    records.writeRow(i);
                }
            }
            store.flush();
            return new WriterGroup(rows, pages, store);
        } catch (RuntimeException | Error e) {
            store.close();
            pages.close();
            throw e;
        }
    }

    /** Appends a row group made by {@link #encode}; on the writing thread, in chunk order. */
    @Override
    public void writeEncoded(Encoded chunk) throws IOException {
        if (chunk.rows() == 0) {
            return;
        }
        writer.startBlock(chunk.rows());
        if (chunk instanceof BulkGroup g) {
            writer.startColumn(bulkLeaf, g.values(), codec);
            for (BulkPageEncoder.Page p : g.pages()) {
                writer.writeDataPage(p.values(), p.uncompressed(), p.body(), p.stats(), p.rows(),
                        g.repetition(), Encoding.RLE, Encoding.PLAIN);
            }
            writer.endColumn();
            BULK_ROW_GROUPS.increment();
        } else if (chunk instanceof LeafGroup g) {
            for (LeafPageEncoder.Chunk c : g.chunks()) {
                Encoding repetition = c.column().getMaxRepetitionLevel() > 0 ? Encoding.RLE : Encoding.BIT_PACKED;
                writer.startColumn(c.column(), c.values(), codec);
                if (c.dictionary() != null) {
                    writer.writeDictionaryPage(c.dictionary());
                }
                for (LeafPageEncoder.Page p : c.pages()) {
                    writer.writeDataPage(p.values(), p.uncompressed(), p.body(), p.stats(), p.rows(),
                            repetition, Encoding.RLE, p.encoding());
                }
                writer.endColumn();
            }
            BULK_ROW_GROUPS.increment();
            LEAF_ROW_GROUPS.increment();
        } else {
            ((WriterGroup) chunk).pages().flushToFileWriter(writer);
        }
        writer.endBlock();
        rowGroups++;
    }

    @Override
    public void finish() throws IOException {
        if (!ended) {
            ended = true;
            writer.end(meta);
        }
    }

    /** Row groups written; valid after {@link #finish}. */
    int rowGroups() {
        return rowGroups;
    }

    @Override
    public void close() throws IOException {
        try (FileChannel c = channel; ParquetCompressors p = compressors) {
            if (!ended) {
                ended = true;
                writer.close();
            }
        }
    }

    /** A row group of bulk pages (one leaf column); closing it gives its page arrays back. */
    private record BulkGroup(int rows, List<BulkPageEncoder.Page> pages, long values, Encoding repetition,
                             PageBodies bodies) implements Encoded {
        @Override
        public void close() {
            if (bodies != null) {
                bodies.close();
            }
        }
    }

    /** A row group of pages encoded leaf by leaf, one column chunk per leaf in schema order; closing it gives its page arrays back. */
    private record LeafGroup(int rows, List<LeafPageEncoder.Chunk> chunks, PageBodies bodies) implements Encoded {
        @Override
        public void close() {
            bodies.close();
        }
    }

    /** A row group in parquet-java's page store, its column writers flushed. */
    private record WriterGroup(int rows, ColumnChunkPageWriteStore pages, ColumnWriteStore store) implements Encoded {
        @Override
        public void close() {
            try {
                store.close();
            } finally {
                pages.close();
            }
        }
    }
}
