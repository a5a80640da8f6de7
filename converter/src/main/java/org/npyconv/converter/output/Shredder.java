package org.npyconv.converter.output;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
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
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.npyconv.converter.arrow.FixedShapeTensorType;
import org.npyconv.converter.arrow.VariableShapeTensorType;

/**
 * Writes Arrow rows straight into parquet-java's {@link ColumnWriter}s (Dremel shredding: each leaf
 * column gets its values with their repetition and definition levels), instead of walking every
 * value through a {@code RecordConsumer}'s field/group events. The levels follow the schema
 * {@link ParquetSchema} builds: every field OPTIONAL except a map key (REQUIRED), every LIST/MAP a
 * repeated middle group. Each leaf column receives exactly the (value, r, d) sequence the record
 * consumer would give it, and the store's {@code endRecord} is called once per row as the consumer
 * does, so row groups, pages, statistics and indexes come out of parquet-java unchanged.
 * Bound to one chunk's vectors at a time; not thread-safe.
 */
final class Shredder {
    private final ColumnWriteStore store;
    private final List<Node> columns = new ArrayList<>();

    Shredder(MessageType schema, ColumnWriteStore store) {
        this.store = store;
        // The Arrow fields are recovered at bind time; the tree is built from the first chunk's root.
        this.schema = schema;
    }

    private final MessageType schema;

    /** Points the tree at {@code root}'s vectors (a new chunk). */
    void bind(VectorSchemaRoot root) {
        List<FieldVector> vectors = root.getFieldVectors();
        if (columns.isEmpty()) {
            for (FieldVector v : vectors) {
                columns.add(build(v.getField(), new String[] {v.getName()}, 0));
            }
        }
        for (int f = 0; f < vectors.size(); f++) {
            columns.get(f).bind(vectors.get(f));
        }
    }

    /** Writes row {@code i} of the bound chunk. */
    void writeRow(int i) {
        for (Node c : columns) {
            c.write(i, 0, 0);
        }
        store.endRecord();
    }

    private Node build(Field f, String[] path, int repeated) {
        ArrowType t = f.getType();
        if (t instanceof FixedShapeTensorType) {
            Field storage = ((FixedShapeTensorType) t).storageField(f.getName());
            return new ListNode(build(storage.getChildren().get(0), append(path, "list", "element"), repeated + 1), repeated + 1);
        }
        if (t instanceof VariableShapeTensorType) {
            Field storage = ((VariableShapeTensorType) t).storageField(f.getName());
            return struct(storage.getChildren(), path, repeated);
        }
        if (t instanceof ArrowType.Map) {
            Field entries = f.getChildren().get(0);
            Node key = build(entries.getChildren().get(0), append(path, "key_value", "key"), repeated + 1);
            key.optional = false;
            Node value = build(entries.getChildren().get(1), append(path, "key_value", "value"), repeated + 1);
            return new MapNode(key, value, repeated + 1);
        }
        if (t instanceof ArrowType.List || t instanceof ArrowType.FixedSizeList) {
            return new ListNode(build(f.getChildren().get(0), append(path, "list", "element"), repeated + 1), repeated + 1);
        }
        if (t instanceof ArrowType.Struct) {
            return struct(f.getChildren(), path, repeated);
        }
        return new Leaf(store.getColumnWriter(schema.getColumnDescription(path)));
    }

    private Node struct(List<Field> children, String[] path, int repeated) {
        List<Node> kids = new ArrayList<>();
        for (Field c : children) {
            kids.add(build(c, append(path, c.getName()), repeated));
        }
        return new StructNode(kids);
    }

    private static String[] append(String[] path, String... more) {
        String[] p = new String[path.length + more.length];
        System.arraycopy(path, 0, p, 0, path.length);
        System.arraycopy(more, 0, p, path.length, more.length);
        return p;
    }

    private static FieldVector storage(FieldVector v) {
        return v instanceof ExtensionTypeVector ? (FieldVector) ((ExtensionTypeVector<?>) v).getUnderlyingVector() : v;
    }

    /** One Parquet field: OPTIONAL unless a map key. */
    private abstract static class Node {
        boolean optional = true;
        FieldVector vector;
        final List<Leaf> leaves = new ArrayList<>();

        void bind(FieldVector v) {
            vector = storage(v);
        }

        /** Row {@code i} of this field; {@code r} its repetition level, {@code d} the parent's definition level. */
        final void write(int i, int r, int d) {
            if (optional && (vector instanceof NullVector || vector.isNull(i))) {
                nulls(r, d);
                return;
            }
            value(i, r, optional ? d + 1 : d);
        }

        abstract void value(int i, int r, int d);

        /** This field is absent: every leaf under it gets a null at the given levels. */
        final void nulls(int r, int d) {
            for (Leaf leaf : leaves) {
                leaf.out.writeNull(r, d);
            }
        }
    }

    private static final class StructNode extends Node {
        private final Node[] kids;

        StructNode(List<Node> kids) {
            this.kids = kids.toArray(new Node[0]);
            for (Node k : kids) {
                leaves.addAll(k.leaves);
            }
        }

        @Override
        void bind(FieldVector v) {
            super.bind(v);
            List<FieldVector> children = ((StructVector) vector).getChildrenFromFields();
            for (int k = 0; k < kids.length; k++) {
                kids[k].bind(children.get(k));
            }
        }

        @Override
        void value(int i, int r, int d) {
            for (Node k : kids) {
                k.write(i, r, d);
            }
        }
    }

    /** A LIST (or fixed-size list): the repeated {@code list} group adds one level to r and d. */
    private static final class ListNode extends Node {
        private final Node items;
        private final int level;
        private ArrowBuf offsets;
        private int fixed;

        ListNode(Node items, int level) {
            this.items = items;
            this.level = level;
            leaves.addAll(items.leaves);
        }

        @Override
        void bind(FieldVector v) {
            super.bind(v);
            if (vector instanceof ListVector) {
                offsets = ((ListVector) vector).getOffsetBuffer();
                fixed = -1;
                items.bind(((ListVector) vector).getDataVector());
            } else {
                offsets = null;
                fixed = ((FixedSizeListVector) vector).getListSize();
                items.bind(((FixedSizeListVector) vector).getDataVector());
            }
        }

        @Override
        void value(int i, int r, int d) {
            int start;
            int end;
            if (fixed < 0) {
                start = offsets.getInt((long) i * 4);
                end = offsets.getInt((long) (i + 1) * 4);
            } else {
                start = i * fixed;
                end = start + fixed;
            }
            if (end == start) {
                nulls(r, d);
                return;
            }
            items.write(start, r, d + 1);
            for (int k = start + 1; k < end; k++) {
                items.write(k, level, d + 1);
            }
        }
    }

    /** A MAP: the repeated {@code key_value} group, a REQUIRED key and an OPTIONAL value. */
    private static final class MapNode extends Node {
        private final Node key;
        private final Node val;
        private final int level;
        private ArrowBuf offsets;

        MapNode(Node key, Node val, int level) {
            this.key = key;
            this.val = val;
            this.level = level;
            leaves.addAll(key.leaves);
            leaves.addAll(val.leaves);
        }

        @Override
        void bind(FieldVector v) {
            super.bind(v);
            MapVector m = (MapVector) vector;
            offsets = m.getOffsetBuffer();
            StructVector entries = (StructVector) m.getDataVector();
            key.bind((FieldVector) entries.getChildByOrdinal(0));
            val.bind((FieldVector) entries.getChildByOrdinal(1));
        }

        @Override
        void value(int i, int r, int d) {
            int start = offsets.getInt((long) i * 4);
            int end = offsets.getInt((long) (i + 1) * 4);
            if (end == start) {
                nulls(r, d);
                return;
            }
            for (int k = start; k < end; k++) {
                int rk = k == start ? r : level;
                key.write(k, rk, d + 1);
                val.write(k, rk, d + 1);
            }
        }
    }

    /** A primitive column; the vector's class decides the conversion (as the record path's {@code primitive}). */
    private static final class Leaf extends Node {
        private static final int BOOL = 0;
        private static final int LONG = 1;
        private static final int INT = 2;
        private static final int SHORT = 3;
        private static final int USHORT = 4;
        private static final int BYTE = 5;
        private static final int UBYTE = 6;
        private static final int DOUBLE = 7;
        private static final int FLOAT = 8;
        private static final int HALF = 9;
        private static final int BYTES = 10;
        private static final int SECONDS = 11;
        private static final int DECIMAL = 12;
        private static final int NULL = 13;

        final ColumnWriter out;
        private int kind = -1;
        private ArrowBuf data;
        private ArrowBuf offsets;
        private byte[] heap = new byte[0];

        Leaf(ColumnWriter out) {
            this.out = out;
            leaves.add(this);
        }

        @Override
        void bind(FieldVector v) {
            super.bind(v);
            FieldVector x = vector;
            if (x instanceof NullVector) {
                kind = NULL;
            } else if (x instanceof BitVector) {
                kind = BOOL;
            } else if (x instanceof TimeStampSecVector || x instanceof TimeStampSecTZVector) {
                kind = SECONDS;
            } else if (x instanceof BigIntVector || x instanceof UInt8Vector || x instanceof TimeStampVector
                    || x instanceof TimeMicroVector || x instanceof DurationVector) {
                kind = LONG;
            } else if (x instanceof IntVector || x instanceof UInt4Vector || x instanceof DateDayVector) {
                kind = INT;
            } else if (x instanceof SmallIntVector) {
                kind = SHORT;
            } else if (x instanceof UInt2Vector) {
                kind = USHORT;
            } else if (x instanceof TinyIntVector) {
                kind = BYTE;
            } else if (x instanceof UInt1Vector) {
                kind = UBYTE;
            } else if (x instanceof Float8Vector) {
                kind = DOUBLE;
            } else if (x instanceof Float4Vector) {
                kind = FLOAT;
            } else if (x instanceof Float2Vector) {
                kind = HALF;
            } else if (x instanceof VarCharVector || x instanceof VarBinaryVector) {
                kind = BYTES;
            } else if (x instanceof DecimalVector || x instanceof Decimal256Vector) {
                kind = DECIMAL;
            } else {
                throw new IllegalStateException("no Parquet writer for " + x.getField());
            }
            data = kind == NULL || kind == BOOL || kind == BYTES || kind == DECIMAL ? null : x.getDataBuffer();
            if (kind == BYTES) {
                // The chunk's bytes copied to the heap once: each value is then a view of them, not a
                // new array and a checked copy per value. parquet-java copies a reused Binary wherever
                // it keeps one (dictionary, statistics) and writes PLAIN values out at once.
                BaseVariableWidthVector bytes = (BaseVariableWidthVector) x;
                offsets = bytes.getOffsetBuffer();
                int n = bytes.getValueCount() == 0 ? 0 : offsets.getInt((long) bytes.getValueCount() * 4);
                if (heap.length < n || heap.length > Math.max(n, 1 << 16) * 4L) {
                    heap = new byte[Math.max(n, 1 << 10)];
                }
                bytes.getDataBuffer().getBytes(0, heap, 0, n);
            }
        }

        @Override
        void value(int i, int r, int d) {
            switch (kind) {
                case BOOL: out.write(((BitVector) vector).get(i) != 0, r, d); break;
                case LONG: out.write(data.getLong((long) i * 8), r, d); break;
                case SECONDS: out.write(Math.multiplyExact(data.getLong((long) i * 8), 1000L), r, d); break;
                case INT: out.write(data.getInt((long) i * 4), r, d); break;
                case SHORT: out.write((int) data.getShort((long) i * 2), r, d); break;
                case USHORT: out.write(data.getShort((long) i * 2) & 0xFFFF, r, d); break;
                case BYTE: out.write((int) data.getByte(i), r, d); break;
                case UBYTE: out.write(data.getByte(i) & 0xFF, r, d); break;
                case DOUBLE: out.write(data.getDouble((long) i * 8), r, d); break;
                case FLOAT: out.write(data.getFloat((long) i * 4), r, d); break;
                case HALF: {
                    short bits = data.getShort((long) i * 2);
                    out.write(Binary.fromConstantByteArray(new byte[] {(byte) bits, (byte) (bits >> 8)}), r, d);
                    break;
                }
                case BYTES: {
                    int start = offsets.getInt((long) i * 4);
                    out.write(Binary.fromReusedByteArray(heap, start, offsets.getInt((long) (i + 1) * 4) - start), r, d);
                    break;
                }
                case DECIMAL: out.write(Binary.fromConstantByteArray(decimal(vector, i)), r, d); break;
                default: throw new IllegalStateException("a value in a null column");
            }
        }
    }

    /** A decimal128/256 value as Parquet's FIXED_LEN_BYTE_ARRAY: big-endian two's complement, sign-filled to 16 or 32 bytes. */
    static byte[] decimal(FieldVector v, int i) {
        BigDecimal x = v instanceof DecimalVector ? ((DecimalVector) v).getObject(i) : ((Decimal256Vector) v).getObject(i);
        int width = v instanceof DecimalVector ? 16 : 32;
        byte[] be = x.unscaledValue().toByteArray();
        byte[] fixed = new byte[width];
        byte fill = (byte) (x.signum() < 0 ? 0xFF : 0);
        int pad = width - be.length;
        for (int k = 0; k < pad; k++) {
            fixed[k] = fill;
        }
        System.arraycopy(be, 0, fixed, pad, be.length);
        return fixed;
    }
}
