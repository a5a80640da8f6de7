package org.npyconv.converter.output;

import java.util.List;
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
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Writes Arrow rows through parquet-java's {@link RecordConsumer} (field and group events), the
 * general route {@link Shredder} short-cuts. Kept for tests, which check that both write the same file.
 */
final class RecordRows {
    private final RecordConsumer out;
    private VectorSchemaRoot root;

    RecordRows(RecordConsumer out) {
        this.out = out;
    }

    void bind(VectorSchemaRoot root) {
        this.root = root;
    }

    /** Writes row {@code i} of the bound root as one record. */
    void writeRow(int i) {
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
            out.addBinary(Binary.fromConstantByteArray(Shredder.decimal(v, i)));
        } else {
            throw new IllegalStateException("no Parquet writer for " + v.getField());
        }
    }
}
