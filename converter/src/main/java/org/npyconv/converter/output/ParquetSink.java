package org.npyconv.converter.output;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampSecTZVector;
import org.apache.arrow.vector.TimeStampSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.codec.ZstandardCodec;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.schema.MessageType;

/**
 * Parquet through parquet-hadoop's {@link ParquetWriter}, one row group per chunk (the writer's row
 * count limit is the chunk size, its byte limit above the chunk byte bound), statistics and
 * column/offset indexes on, {@code ARROW:schema} and the npy metadata in the footer.
 * Rows are read from the borrowed {@link VectorSchemaRoot} of the current chunk.
 */
final class ParquetSink implements ChunkSink {
    /**
     * Rows go straight to parquet-java's column writers ({@link Shredder}) unless off: only tests
     * turn it off, to compare with the record-consumer path.
     */
    static volatile boolean direct = true;
    private static final java.lang.reflect.Field CONSUMER_COLUMNS = consumerColumnsField();
    private final ParquetWriter<Integer> writer;
    private final RowSupport support;
    private final int rowsPerChunk;

    ParquetSink(Schema schema, Path file, ConvertOptions options) throws IOException {
        Map<String, String> meta = new HashMap<>(schema.getCustomMetadata());
        meta.put("ARROW:schema", ParquetSchema.arrowSchemaMetadata(schema));
        support = new RowSupport(ParquetSchema.of(schema), meta);
        rowsPerChunk = options.rowsPerChunk();
        CompressionCodecName codec;
        switch (options.compression()) {
            case ZSTD: codec = CompressionCodecName.ZSTD; break;
            case SNAPPY: codec = CompressionCodecName.SNAPPY; break;
            case LZ4: codec = CompressionCodecName.LZ4_RAW; break;
            default: codec = CompressionCodecName.UNCOMPRESSED;
        }
        org.apache.parquet.conf.PlainParquetConfiguration conf = new org.apache.parquet.conf.PlainParquetConfiguration();
        // pyarrow's zstd level (pa.Codec.default_compression_level('zstd') == 1); parquet-java's
        // default of 3 costs about twice the CPU for a few per cent of size.
        conf.setInt(ZstandardCodec.PARQUET_COMPRESS_ZSTD_LEVEL, 1);
        writer = new Builder(file, support)
                .withConf(conf)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(codec)
                .withRowGroupRowCountLimit(options.rowsPerChunk())
                .withRowGroupSize(options.maxChunkBytes())
                // parquet-java checks the page (and row group) size only after 100 rows by default: 100
                // values of 900 MiB each pile up in one page on the heap before the first check, and a
                // >4 GiB array of them ran out of memory (RobustnessBigConvertTest). From row 1 the writer
                // checks early and then adapts its interval to the row size, so small rows cost nothing.
                .withMinRowCountForPageSizeCheck(1)
                .withStatisticsEnabled(true)
                .withDictionaryEncoding(true)
                .build();
    }

    @Override
    public void writeChunk(VectorSchemaRoot root) throws IOException {
        support.root = root;
        int n = root.getRowCount();
        for (int i = 0; i < n; i++) {
            writer.write(i);
        }
    }

    @Override
    public void finish() throws IOException {
        writer.close();
    }

    /** Row groups written; valid after {@link #finish}. */
    int rowGroups() {
        return writer.getFooter().getBlocks().size();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    /**
     * The {@code columns} field of parquet-java's {@code MessageColumnIORecordConsumer}, or null.
     * parquet-hadoop's {@link ParquetWriter} owns the row-group logic (byte and row limits, page
     * store, column and offset indexes, statistics, footer) and offers values only through a
     * {@link RecordConsumer}, whose per-value bookkeeping (field stack, null caches) cost more than
     * the encoding itself. Its {@link ColumnWriteStore} is public API; reaching it takes this one
     * reflective read. If parquet-java renames the field, the record consumer path is used.
     */
    private static java.lang.reflect.Field consumerColumnsField() {
        try {
            Class<?> c = Class.forName("org.apache.parquet.io.MessageColumnIO$MessageColumnIORecordConsumer");
            java.lang.reflect.Field f = c.getDeclaredField("columns");
            if (!ColumnWriteStore.class.isAssignableFrom(f.getType())) {
                return null;
            }
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static ColumnWriteStore columnStore(RecordConsumer consumer) {
        if (CONSUMER_COLUMNS == null || !CONSUMER_COLUMNS.getDeclaringClass().isInstance(consumer)) {
            return null;
        }
        try {
            return (ColumnWriteStore) CONSUMER_COLUMNS.get(consumer);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
        private final RowSupport support;

        Builder(Path file, RowSupport support) {
            super(new LocalOutputFile(file));
            this.support = support;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
            return support;
        }

        @Override
        protected WriteSupport<Integer> getWriteSupport(org.apache.parquet.conf.ParquetConfiguration conf) {
            return support;
        }
    }

    /** Writes row {@code i} of the current root through the record consumer. */
    static final class RowSupport extends WriteSupport<Integer> {
        private final MessageType schema;
        private final Map<String, String> meta;
        private RecordConsumer out;
        private Shredder shredder;
        private VectorSchemaRoot bound;
        VectorSchemaRoot root;

        RowSupport(MessageType schema, Map<String, String> meta) {
            this.schema = schema;
            this.meta = meta;
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, meta);
        }

        @Override
        public WriteContext init(org.apache.parquet.conf.ParquetConfiguration configuration) {
            return new WriteContext(schema, meta);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            out = recordConsumer;
            // Called again for every row group, with a new store: the writers are looked up anew.
            ColumnWriteStore store = direct ? columnStore(recordConsumer) : null;
            shredder = store == null ? null : new Shredder(schema, store);
            bound = null;
        }

        @Override
        public void write(Integer row) {
            int i = row;
            if (shredder != null) {
                if (bound != root) {
                    shredder.bind(root);
                    bound = root;
                }
                shredder.writeRow(i);
                return;
            }
            out.startMessage();
            List<FieldVector> vectors = root.getFieldVectors();
            for (int f = 0; f < vectors.size(); f++) {
                FieldVector v = vectors.get(f);
                if (!isNull(v, i)) {
                    out.startField(v.getName(), f);
                    value(v, i);
                    out.endField(v.getName(), f);
                }
            }
            out.endMessage();
        }

        private static FieldVector storage(FieldVector v) {
            return v instanceof ExtensionTypeVector ? (FieldVector) ((ExtensionTypeVector<?>) v).getUnderlyingVector() : v;
        }

        private static boolean isNull(FieldVector v, int i) {
            return v instanceof NullVector || storage(v).isNull(i);
        }

        private void value(FieldVector vector, int i) {
            FieldVector v = storage(vector);
            if (v instanceof MapVector) {
                MapVector m = (MapVector) v;
                StructVector entries = (StructVector) m.getDataVector();
                FieldVector keys = (FieldVector) entries.getChildByOrdinal(0);
                FieldVector values = (FieldVector) entries.getChildByOrdinal(1);
                int start = m.getOffsetBuffer().getInt((long) i * 4);
                int end = m.getOffsetBuffer().getInt((long) (i + 1) * 4);
                out.startGroup();
                if (end > start) {
                    out.startField("key_value", 0);
                    for (int k = start; k < end; k++) {
                        out.startGroup();
                        out.startField("key", 0);
                        value(keys, k);
                        out.endField("key", 0);
                        if (!isNull(values, k)) {
                            out.startField("value", 1);
                            value(values, k);
                            out.endField("value", 1);
                        }
                        out.endGroup();
                    }
                    out.endField("key_value", 0);
                }
                out.endGroup();
            } else if (v instanceof ListVector) {
                ListVector l = (ListVector) v;
                int start = l.getOffsetBuffer().getInt((long) i * 4);
                int end = l.getOffsetBuffer().getInt((long) (i + 1) * 4);
                list(l.getDataVector(), start, end);
            } else if (v instanceof FixedSizeListVector) {
                FixedSizeListVector l = (FixedSizeListVector) v;
                int size = l.getListSize();
                list(l.getDataVector(), i * size, i * size + size);
            } else if (v instanceof StructVector) {
                StructVector s = (StructVector) v;
                out.startGroup();
                List<FieldVector> kids = s.getChildrenFromFields();
                for (int f = 0; f < kids.size(); f++) {
                    FieldVector c = kids.get(f);
                    if (!isNull(c, i)) {
                        out.startField(c.getName(), f);
                        value(c, i);
                        out.endField(c.getName(), f);
                    }
                }
                out.endGroup();
            } else {
                primitive(v, i);
            }
        }

        private void list(FieldVector items, int start, int end) {
            out.startGroup();
            if (end > start) {
                out.startField("list", 0);
                for (int k = start; k < end; k++) {
                    out.startGroup();
                    if (!isNull(items, k)) {
                        out.startField("element", 0);
                        value(items, k);
                        out.endField("element", 0);
                    }
                    out.endGroup();
                }
                out.endField("list", 0);
            }
            out.endGroup();
        }

        private void primitive(FieldVector v, int i) {
            if (v instanceof BitVector) {
                out.addBoolean(((BitVector) v).get(i) != 0);
            } else if (v instanceof BigIntVector) {
                out.addLong(((BigIntVector) v).get(i));
            } else if (v instanceof IntVector) {
                out.addInteger(((IntVector) v).get(i));
            } else if (v instanceof SmallIntVector) {
                out.addInteger(((SmallIntVector) v).get(i));
            } else if (v instanceof TinyIntVector) {
                out.addInteger(((TinyIntVector) v).get(i));
            } else if (v instanceof UInt1Vector) {
                out.addInteger(((UInt1Vector) v).get(i) & 0xFF);
            } else if (v instanceof UInt2Vector) {
                out.addInteger(((UInt2Vector) v).get(i));
            } else if (v instanceof UInt4Vector) {
                out.addInteger(((UInt4Vector) v).get(i));
            } else if (v instanceof UInt8Vector) {
                out.addLong(((UInt8Vector) v).get(i));
            } else if (v instanceof Float8Vector) {
                out.addDouble(((Float8Vector) v).get(i));
            } else if (v instanceof Float4Vector) {
                out.addFloat(((Float4Vector) v).get(i));
            } else if (v instanceof Float2Vector) {
                short bits = ((Float2Vector) v).get(i);
                out.addBinary(Binary.fromConstantByteArray(new byte[] {(byte) bits, (byte) (bits >> 8)}));
            } else if (v instanceof VarCharVector) {
                out.addBinary(Binary.fromConstantByteArray(((VarCharVector) v).get(i)));
            } else if (v instanceof VarBinaryVector) {
                out.addBinary(Binary.fromConstantByteArray(((VarBinaryVector) v).get(i)));
            } else if (v instanceof DateDayVector) {
                out.addInteger(((DateDayVector) v).get(i));
            } else if (v instanceof TimeStampSecVector || v instanceof TimeStampSecTZVector) {
                out.addLong(Math.multiplyExact(((TimeStampVector) v).get(i), 1000L));
            } else if (v instanceof TimeStampVector) {
                out.addLong(((TimeStampVector) v).get(i));
            } else if (v instanceof TimeMicroVector) {
                out.addLong(((TimeMicroVector) v).get(i));
            } else if (v instanceof DurationVector) {
                out.addLong(DurationVector.get(((DurationVector) v).getDataBuffer(), i));
            } else if (v instanceof DecimalVector || v instanceof Decimal256Vector) {
                BigDecimal d = v instanceof DecimalVector ? ((DecimalVector) v).getObject(i) : ((Decimal256Vector) v).getObject(i);
                int width = v instanceof DecimalVector ? 16 : 32;
                byte[] be = d.unscaledValue().toByteArray();
                byte[] fixed = new byte[width];
                byte fill = (byte) (d.signum() < 0 ? 0xFF : 0);
                int pad = width - be.length;
                for (int k = 0; k < pad; k++) {
                    fixed[k] = fill;
                }
                System.arraycopy(be, 0, fixed, pad, be.length);
                out.addBinary(Binary.fromConstantByteArray(fixed));
            } else {
                throw new IllegalStateException("no Parquet writer for " + v.getField());
            }
        }
    }
}
