package org.npyconv.converter.arrow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
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
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.npyconv.formats.element.ElementJson;
import org.npyconv.formats.element.NdArray;
import org.npyconv.formats.element.NumpyDtype;
import org.npyconv.formats.element.NumpyScalar;
import org.npyconv.formats.element.PyByteArray;
import org.npyconv.formats.element.PyComplex;
import org.npyconv.formats.element.PyTuple;
import org.npyconv.formats.element.SpecialDecimal;

/**
 * Writes element values into one Arrow vector (and, for nested types, its children) at a given
 * index, converting each Java element type to the vector's type as docs/converter.md describes.
 * Borrows its vector. Not thread-safe.
 */
public abstract class ValueWriter {
    final FieldVector vector;

    ValueWriter(FieldVector vector) {
        this.vector = vector;
    }

    /** Writes {@code value} (possibly {@code null}) at {@code index}. */
    public final void write(int index, Object value) {
        if (value == null) {
            writeNull(index);
        } else {
            writeValue(index, value);
        }
    }

    abstract void writeValue(int index, Object value);

    void writeNull(int index) {
        if (vector instanceof BaseFixedWidthVector) {
            ((BaseFixedWidthVector) vector).setNull(index);
        } else if (vector instanceof org.apache.arrow.vector.BaseVariableWidthVector) {
            ((org.apache.arrow.vector.BaseVariableWidthVector) vector).setNull(index);
        } else if (vector instanceof ListVector) {
            ((ListVector) vector).setNull(index);
        } else if (vector instanceof StructVector) {
            ((StructVector) vector).setNull(index);
        } else if (vector instanceof FixedSizeListVector) {
            ((FixedSizeListVector) vector).setNull(index);
        }
    }

    /** Sets validity bits {@code [start, start + n)} of a fixed-width vector (for bulk copies elsewhere). */
    public static void setValidRange(ArrowBuf validity, int start, int n) {
        BulkCopy.setValidRange(validity, start, n);
    }

    /** A writer for {@code vector}'s type (extension vectors write into their storage). */
    public static ValueWriter of(FieldVector vector) {
        if (vector instanceof ExtensionTypeVector) {
            FieldVector storage = (FieldVector) ((ExtensionTypeVector<?>) vector).getUnderlyingVector();
            ArrowType type = vector.getField().getType();
            if (type instanceof FixedShapeTensorType) {
                return new FixedTensorWriter((FixedSizeListVector) storage);
            }
            if (type instanceof VariableShapeTensorType) {
                return new VariableTensorWriter((StructVector) storage);
            }
            throw new IllegalArgumentException("no writer for " + type);
        }
        if (vector instanceof NullVector) {
            return new ValueWriter(vector) {
                @Override
                void writeValue(int index, Object value) {
                    throw new IllegalStateException("non-null value in a null column");
                }

                @Override
                void writeNull(int index) {
                }
            };
        }
        if (vector instanceof BitVector) {
            return new ValueWriter(vector) {
                @Override
                void writeValue(int index, Object value) {
                    Object v = value instanceof NumpyScalar ? ((NumpyScalar) value).value() : value;
                    ((BitVector) vector).setSafe(index, (Boolean) v ? 1 : 0);
                }
            };
        }
        if (vector instanceof BigIntVector || vector instanceof IntVector || vector instanceof SmallIntVector
                || vector instanceof TinyIntVector || vector instanceof UInt1Vector || vector instanceof UInt2Vector
                || vector instanceof UInt4Vector || vector instanceof UInt8Vector) {
            return new IntWriter((BaseFixedWidthVector) vector);
        }
        if (vector instanceof Float8Vector || vector instanceof Float4Vector || vector instanceof Float2Vector) {
            return new FloatWriter((BaseFixedWidthVector) vector);
        }
        if (vector instanceof VarCharVector) {
            return new ValueWriter(vector) {
                @Override
                void writeValue(int index, Object value) {
                    Object v = value instanceof NumpyScalar ? ((NumpyScalar) value).value() : value;
                    ((VarCharVector) vector).setSafe(index, utf8((String) v));
                }
            };
        }
        if (vector instanceof VarBinaryVector) {
            return new ValueWriter(vector) {
                @Override
                void writeValue(int index, Object value) {
                    ((VarBinaryVector) vector).setSafe(index, bytes(value));
                }
            };
        }
        if (vector instanceof DateDayVector) {
            return new ValueWriter(vector) {
                @Override
                void writeValue(int index, Object value) {
                    if (value instanceof NumpyScalar) {
                        long days = (Long) ((NumpyScalar) value).value();
                        if (days == Long.MIN_VALUE) {
                            writeNull(index);
                        } else {
                            ((DateDayVector) vector).setSafe(index, Math.toIntExact(days));
                        }
                        return;
                    }
                    LocalDate d = value instanceof LocalDateTime ? ((LocalDateTime) value).toLocalDate() : (LocalDate) value;
                    ((DateDayVector) vector).setSafe(index, Math.toIntExact(d.toEpochDay()));
                }
            };
        }
        if (vector instanceof TimeStampVector) {
            TimeUnit unit = ((ArrowType.Timestamp) vector.getField().getType()).getUnit();
            return new ValueWriter(vector) {
                @Override
                void writeValue(int index, Object value) {
                    long v;
                    if (value instanceof NumpyScalar) {
                        v = (Long) ((NumpyScalar) value).value();
                        if (v == Long.MIN_VALUE) {
                            writeNull(index);
                            return;
                        }
                    } else if (value instanceof OffsetDateTime) {
                        v = micros(((OffsetDateTime) value).toEpochSecond(), ((OffsetDateTime) value).getNano());
                    } else if (value instanceof LocalDateTime) {
                        LocalDateTime t = (LocalDateTime) value;
                        v = micros(t.toEpochSecond(ZoneOffset.UTC), t.getNano());
                    } else {
                        v = micros(((LocalDate) value).toEpochDay() * 86400L, 0);
                    }
                    ((TimeStampVector) vector).setSafe(index, unit == TimeUnit.MICROSECOND || value instanceof NumpyScalar
                            ? v : convertMicros(v, unit));
                }
            };
        }
        if (vector instanceof TimeMicroVector) {
            return new ValueWriter(vector) {
                @Override
                void writeValue(int index, Object value) {
                    ((TimeMicroVector) vector).setSafe(index, ((LocalTime) value).toNanoOfDay() / 1000L);
                }
            };
        }
        if (vector instanceof DurationVector) {
            return new ValueWriter(vector) {
                @Override
                void writeValue(int index, Object value) {
                    if (value instanceof NumpyScalar) {
                        long v = (Long) ((NumpyScalar) value).value();
                        if (v == Long.MIN_VALUE) {
                            writeNull(index);
                        } else {
                            ((DurationVector) vector).setSafe(index, v);
                        }
                        return;
                    }
                    Duration d = (Duration) value;
                    ((DurationVector) vector).setSafe(index, micros(d.getSeconds(), d.getNano()));
                }
            };
        }
        if (vector instanceof DecimalVector || vector instanceof Decimal256Vector) {
            int scale = ((ArrowType.Decimal) vector.getField().getType()).getScale();
            return new ValueWriter(vector) {
                @Override
                void writeValue(int index, Object value) {
                    BigDecimal d = decimal(value).setScale(scale, RoundingMode.UNNECESSARY);
                    if (vector instanceof DecimalVector) {
                        ((DecimalVector) vector).setSafe(index, d);
                    } else {
                        ((Decimal256Vector) vector).setSafe(index, d);
                    }
                }
            };
        }
        if (vector instanceof MapVector) {
            return new MapWriter((MapVector) vector);
        }
        if (vector instanceof ListVector) {
            return new ListWriter((ListVector) vector);
        }
        if (vector instanceof StructVector) {
            Map<String, String> meta = vector.getField().getMetadata();
            if (meta != null && "complex".equals(meta.get("npyconv.type"))) {
                return new ComplexWriter((StructVector) vector);
            }
            return new StructWriter((StructVector) vector);
        }
        throw new IllegalArgumentException("no writer for " + vector.getField());
    }

    /** A writer of each element's JSON text into a string vector ({@code --on-mixed json}); None stays null. */
    public static ValueWriter json(VarCharVector vector) {
        return new ValueWriter(vector) {
            @Override
            void writeValue(int index, Object value) {
                ((VarCharVector) vector).setSafe(index, escapeLoneSurrogates(ElementJson.toJson(value)).getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    /**
     * A writer of each element as a standalone pickle ({@code --on-mixed pickle}): bytes that
     * Python's {@code pickle.loads} turns into an element equal to the original; None stays null.
     */
    public static ValueWriter pickle(VarBinaryVector vector) {
        ElementPickler pickler = new ElementPickler();
        return new ValueWriter(vector) {
            @Override
            void writeValue(int index, Object value) {
                ((VarBinaryVector) vector).setSafe(index, pickler.pickle(value));
            }
        };
    }

    /** JSON text with every lone surrogate written as its {@code \\uXXXX} escape (UTF-8 cannot carry it). */
    static String escapeLoneSurrogates(String json) {
        StringBuilder sb = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean lone = Character.isHighSurrogate(c) ? i + 1 >= json.length() || !Character.isLowSurrogate(json.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(json.charAt(i - 1)));
            if (lone && sb == null) {
                sb = new StringBuilder(json.length() + 8).append(json, 0, i);
            }
            if (sb != null) {
                if (lone) {
                    sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? json : sb.toString();
    }

    /**
     * UTF-8 of a str; a lone surrogate (which pickle can carry and UTF-8 cannot) fails the column
     * as pyarrow does, so that {@code --on-mixed json} can keep it as escaped JSON text.
     */
    static byte[] utf8(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (b == '?') {
                if (TypeInferrer.hasLoneSurrogate(s)) {
                    throw new MixedTypesException("a str holds a lone surrogate (not valid UTF-8), which has no Arrow "
                            + "string; use --on-mixed json to keep such columns as JSON text");
                }
                break;
            }
        }
        return bytes;
    }

    static long micros(long seconds, int nanos) {
        return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1000);
    }

    static long convertMicros(long micros, TimeUnit unit) {
        switch (unit) {
            case SECOND: return Math.floorDiv(micros, 1_000_000L);
            case MILLISECOND: return Math.floorDiv(micros, 1000L);
            case NANOSECOND: return Math.multiplyExact(micros, 1000L);
            default: return micros;
        }
    }

    static byte[] bytes(Object value) {
        Object v = value instanceof NumpyScalar ? ((NumpyScalar) value).value() : value;
        if (v instanceof byte[]) {
            return (byte[]) v;
        }
        if (v instanceof PyByteArray) {
            return ((PyByteArray) v).bytes();
        }
        return ((String) v).getBytes(StandardCharsets.UTF_8);
    }

    /** A Decimal's value, also for a signed zero such as {@code Decimal('-0')}; {@code null} for NaN and infinities. */
    static BigDecimal finiteDecimal(Object v) {
        if (v instanceof BigDecimal) {
            return (BigDecimal) v;
        }
        if (v instanceof SpecialDecimal) {
            try {
                return new BigDecimal(((SpecialDecimal) v).text());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static BigDecimal decimal(Object value) {
        Object v = value instanceof NumpyScalar ? ((NumpyScalar) value).value() : value;
        BigDecimal d = finiteDecimal(v);
        if (d != null) {
            return d;
        }
        if (v instanceof BigInteger) {
            return new BigDecimal((BigInteger) v);
        }
        return BigDecimal.valueOf(((Number) v).longValue());
    }

    static long toLong(Object value) {
        Object v = value instanceof NumpyScalar ? ((NumpyScalar) value).value() : value;
        if (v instanceof Boolean) {
            return (Boolean) v ? 1 : 0;
        }
        return ((Number) v).longValue();
    }

    static double toDouble(Object value) {
        Object v = value instanceof NumpyScalar ? ((NumpyScalar) value).value() : value;
        if (v instanceof Boolean) {
            return (Boolean) v ? 1 : 0;
        }
        return ((Number) v).doubleValue();
    }

    /** Items of a list-like element, in order. */
    static Iterable<?> items(Object value) {
        if (value instanceof PyTuple) {
            return ((PyTuple) value).items();
        }
        if (value instanceof Collection) {
            return (Collection<?>) value;
        }
        throw new IllegalArgumentException("not a list: " + value.getClass().getName());
    }

    private static final class IntWriter extends ValueWriter {
        IntWriter(BaseFixedWidthVector vector) {
            super(vector);
        }

        @Override
        void writeValue(int index, Object value) {
            long v = toLong(value);
            FieldVector vec = vector;
            if (vec instanceof BigIntVector) {
                ((BigIntVector) vec).setSafe(index, v);
            } else if (vec instanceof IntVector) {
                ((IntVector) vec).setSafe(index, (int) v);
            } else if (vec instanceof SmallIntVector) {
                ((SmallIntVector) vec).setSafe(index, (short) v);
            } else if (vec instanceof TinyIntVector) {
                ((TinyIntVector) vec).setSafe(index, (byte) v);
            } else if (vec instanceof UInt1Vector) {
                ((UInt1Vector) vec).setSafe(index, (int) v);
            } else if (vec instanceof UInt2Vector) {
                ((UInt2Vector) vec).setSafe(index, (int) v);
            } else if (vec instanceof UInt4Vector) {
                ((UInt4Vector) vec).setSafe(index, (int) v);
            } else {
                ((UInt8Vector) vec).setSafe(index, v);
            }
        }
    }

    private static final class FloatWriter extends ValueWriter {
        FloatWriter(BaseFixedWidthVector vector) {
            super(vector);
        }

        @Override
        void writeValue(int index, Object value) {
            if (vector instanceof Float8Vector) {
                ((Float8Vector) vector).setSafe(index, toDouble(value));
            } else if (vector instanceof Float4Vector) {
                ((Float4Vector) vector).setSafe(index, (float) toDouble(value));
            } else {
                short bits;
                if (value instanceof NumpyScalar && ((NumpyScalar) value).dtype().itemSize() == 2) {
                    ByteBuffer raw = ByteBuffer.wrap(((NumpyScalar) value).raw()).order(((NumpyScalar) value).dtype().byteOrder());
                    bits = raw.getShort(0);
                } else {
                    bits = HalfFloat.fromFloat((float) toDouble(value));
                }
                ((Float2Vector) vector).setSafe(index, bits);
            }
        }
    }

    private static final class ComplexWriter extends ValueWriter {
        private final ValueWriter real;
        private final ValueWriter imag;

        ComplexWriter(StructVector vector) {
            super(vector);
            real = of((FieldVector) vector.getChildByOrdinal(0));
            imag = of((FieldVector) vector.getChildByOrdinal(1));
        }

        @Override
        void writeValue(int index, Object value) {
            Object v = value instanceof NumpyScalar ? ((NumpyScalar) value).value() : value;
            PyComplex c = v instanceof PyComplex ? (PyComplex) v : new PyComplex(toDouble(v), 0);
            ((StructVector) vector).setIndexDefined(index);
            real.write(index, c.real());
            imag.write(index, c.imag());
        }

        @Override
        void writeNull(int index) {
            ((StructVector) vector).setNull(index);
            real.writeNull(index);
            imag.writeNull(index);
        }
    }

    private static final class StructWriter extends ValueWriter {
        private final String[] names;
        private final ValueWriter[] children;

        StructWriter(StructVector vector) {
            super(vector);
            List<FieldVector> kids = vector.getChildrenFromFields();
            names = new String[kids.size()];
            children = new ValueWriter[kids.size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = kids.get(i).getName();
                children[i] = of(kids.get(i));
            }
        }

        @Override
        void writeValue(int index, Object value) {
            Map<?, ?> map = (Map<?, ?>) value;
            ((StructVector) vector).setIndexDefined(index);
            for (int i = 0; i < names.length; i++) {
                Object v = map.get(names[i]);
                if (v == null && !map.containsKey(names[i])) {
                    v = byteKey(map, names[i]);
                }
                children[i].write(index, v);
            }
        }

        private static Object byteKey(Map<?, ?> map, String name) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getKey() instanceof byte[] && name.equals(new String((byte[]) e.getKey(), StandardCharsets.UTF_8))) {
                    return e.getValue();
                }
            }
            return null;
        }

        @Override
        void writeNull(int index) {
            ((StructVector) vector).setNull(index);
            for (ValueWriter child : children) {
                child.writeNull(index);
            }
        }
    }

    private static final class ListWriter extends ValueWriter {
        private final ValueWriter child;
        private final FieldVector childVector;

        ListWriter(ListVector vector) {
            super(vector);
            childVector = vector.getDataVector();
            child = of(childVector);
        }

        @Override
        void writeValue(int index, Object value) {
            ListVector list = (ListVector) vector;
            int start = list.startNewValue(index);
            int n = 0;
            if (value instanceof NdArray) {
                NdArray a = (NdArray) value;
                n = Math.toIntExact(a.size());
                if (!a.isObjectArray() && BulkCopy.copy(a, childVector, start)) {
                    list.endValue(index, n);
                    return;
                }
                for (int k = 0; k < n; k++) {
                    child.write(start + k, a.get(k));
                }
            } else {
                for (Object item : items(value)) {
                    child.write(start + n, item);
                    n++;
                }
            }
            list.endValue(index, n);
        }
    }

    private static final class MapWriter extends ValueWriter {
        private final StructVector entries;
        private final ValueWriter keys;
        private final ValueWriter values;

        MapWriter(MapVector vector) {
            super(vector);
            entries = (StructVector) vector.getDataVector();
            keys = of((FieldVector) entries.getChildByOrdinal(0));
            values = of((FieldVector) entries.getChildByOrdinal(1));
        }

        @Override
        void writeValue(int index, Object value) {
            MapVector map = (MapVector) vector;
            int start = map.startNewValue(index);
            int n = 0;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                entries.setIndexDefined(start + n);
                keys.write(start + n, e.getKey());
                values.write(start + n, e.getValue());
                n++;
            }
            map.endValue(index, n);
        }
    }

    private static final class FixedTensorWriter extends ValueWriter {
        private final ValueWriter child;
        private final FieldVector childVector;
        private final int listSize;

        FixedTensorWriter(FixedSizeListVector storage) {
            super(storage);
            childVector = storage.getDataVector();
            child = of(childVector);
            listSize = storage.getListSize();
        }

        @Override
        void writeValue(int index, Object value) {
            NdArray a = (NdArray) value;
            FixedSizeListVector fsl = (FixedSizeListVector) vector;
            fsl.setNotNull(index);
            int start = index * listSize;
            if (BulkCopy.copy(a, childVector, start)) {
                return;
            }
            for (int k = 0; k < listSize; k++) {
                child.write(start + k, a.get(k));
            }
        }

        @Override
        void writeNull(int index) {
            FixedSizeListVector fsl = (FixedSizeListVector) vector;
            fsl.setNull(index);
            int start = index * listSize;
            for (int k = 0; k < listSize; k++) {
                child.writeNull(start + k);
            }
        }
    }

    private static final class VariableTensorWriter extends ValueWriter {
        private final ListVector data;
        private final FieldVector dataItems;
        private final ValueWriter dataItem;
        private final FixedSizeListVector shape;
        private final IntVector shapeItems;

        VariableTensorWriter(StructVector storage) {
            super(storage);
            data = (ListVector) storage.getChild("data");
            dataItems = data.getDataVector();
            dataItem = of(dataItems);
            shape = (FixedSizeListVector) storage.getChild("shape");
            shapeItems = (IntVector) shape.getDataVector();
        }

        @Override
        void writeValue(int index, Object value) {
            NdArray a = (NdArray) value;
            ((StructVector) vector).setIndexDefined(index);
            int start = data.startNewValue(index);
            int n = Math.toIntExact(a.size());
            if (!BulkCopy.copy(a, dataItems, start)) {
                for (int k = 0; k < n; k++) {
                    dataItem.write(start + k, a.get(k));
                }
            }
            data.endValue(index, n);
            shape.setNotNull(index);
            long[] dims = a.shape();
            for (int d = 0; d < dims.length; d++) {
                shapeItems.setSafe(index * dims.length + d, Math.toIntExact(dims[d]));
            }
        }

        @Override
        void writeNull(int index) {
            ((StructVector) vector).setNull(index);
            data.setNull(index);
            shape.setNotNull(index);
            int ndim = shape.getListSize();
            for (int d = 0; d < ndim; d++) {
                shapeItems.setSafe(index * ndim + d, 0);
            }
        }
    }

    /** Bulk copies of a numeric ndarray's bytes into a fixed-width child vector. */
    static final class BulkCopy {
        private BulkCopy() {
        }

        /**
         * Copies every item of {@code a} into {@code child} from {@code start} when the item types
         * match exactly (same kind and width) and the layout is C order; byte-swaps big-endian data.
         * Returns {@code false} (having written nothing) when a per-item path is needed.
         */
        static boolean copy(NdArray a, FieldVector child, int start) {
            if (a.isObjectArray() || (a.fortranOrder() && a.ndim() > 1) || !(child instanceof BaseFixedWidthVector)
                    || child instanceof BitVector || child instanceof DateDayVector || child instanceof TimeStampVector
                    || child instanceof DurationVector || child instanceof DecimalVector || child instanceof Decimal256Vector) {
                return false;
            }
            NumpyDtype dt = a.dtype();
            ArrowType type = child.getField().getType();
            if (!matches(dt, type)) {
                return false;
            }
            int width = dt.itemSize();
            int n = Math.toIntExact(a.size());
            BaseFixedWidthVector vec = (BaseFixedWidthVector) child;
            while (vec.getValueCapacity() < start + n) {
                vec.reAlloc();
            }
            ByteBuffer raw = a.rawData();
            ArrowBuf data = vec.getDataBuffer();
            long at = (long) start * width;
            if (dt.byteOrder() == ByteOrder.LITTLE_ENDIAN || width == 1) {
                data.setBytes(at, raw);
            } else {
                raw.order(ByteOrder.BIG_ENDIAN);
                for (int k = 0; k < n; k++) {
                    long off = at + (long) k * width;
                    switch (width) {
                        case 2: data.setShort(off, raw.getShort(k * 2)); break;
                        case 4: data.setInt(off, raw.getInt(k * 4)); break;
                        default: data.setLong(off, raw.getLong(k * 8)); break;
                    }
                }
            }
            setValidRange(vec.getValidityBuffer(), start, n);
            return true;
        }

        /** Sets validity bits {@code [start, start + n)}: bit by bit up to a byte boundary, then whole bytes. */
        static void setValidRange(ArrowBuf validity, int start, int n) {
            int k = start;
            int end = start + n;
            while (k < end && (k & 7) != 0) {
                BitVectorHelper.setBit(validity, k++);
            }
            int fullBytes = (end - k) >>> 3;
            if (fullBytes > 0) {
                validity.setOne(k >>> 3, fullBytes);
                k += fullBytes << 3;
            }
            while (k < end) {
                BitVectorHelper.setBit(validity, k++);
            }
        }

        private static boolean matches(NumpyDtype dt, ArrowType type) {
            if (type instanceof ArrowType.Int) {
                ArrowType.Int t = (ArrowType.Int) type;
                return (dt.kind() == 'i' && t.getIsSigned() || dt.kind() == 'u' && !t.getIsSigned())
                        && t.getBitWidth() == dt.itemSize() * 8;
            }
            if (type instanceof ArrowType.FloatingPoint) {
                ArrowType.FloatingPoint t = (ArrowType.FloatingPoint) type;
                int bytes = t.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.HALF ? 2
                        : t.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE ? 4 : 8;
                return dt.kind() == 'f' && dt.itemSize() == bytes;
            }
            return false;
        }
    }

    /** IEEE 754 half precision from float, rounding to nearest even. */
    static final class HalfFloat {
        private HalfFloat() {
        }

        static short fromFloat(float f) {
            int bits = Float.floatToRawIntBits(f);
            int sign = (bits >>> 16) & 0x8000;
            int exp = (bits >>> 23) & 0xFF;
            int mant = bits & 0x7FFFFF;
            if (exp == 0xFF) {
                return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
            }
            int e = exp - 127 + 15;
            if (e >= 0x1F) {
                return (short) (sign | 0x7C00);
            }
            if (e <= 0) {
                if (e < -10) {
                    return (short) sign;
                }
                mant |= 0x800000;
                int shift = 14 - e;
                int half = mant >> shift;
                int rem = mant & ((1 << shift) - 1);
                int mid = 1 << (shift - 1);
                if (rem > mid || rem == mid && (half & 1) != 0) {
                    half++;
                }
                return (short) (sign | half);
            }
            int half = (e << 10) | (mant >> 13);
            int rem = mant & 0x1FFF;
            if (rem > 0x1000 || rem == 0x1000 && (half & 1) != 0) {
                half++;
            }
            return (short) (sign | half);
        }
    }
}
