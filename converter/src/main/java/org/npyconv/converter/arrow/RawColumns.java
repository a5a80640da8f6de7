package org.npyconv.converter.arrow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.element.NumpyDtype;

/**
 * The Arrow columns of a non-object {@code .npy} and how to fill them from raw item bytes
 * (docs/numeric.md). One row per element of the first axis (one row for a 0-d array):
 * <ul>
 *   <li>a 1-D (or 0-d) array of a simple dtype is one column {@code value} of pyarrow's type for
 *       {@code pa.array(arr)}; an n-d one is {@code arrow.fixed_shape_tensor} of the trailing shape,
 *       as {@code pa.FixedShapeTensorArray.from_numpy_ndarray} makes it, or nested fixed-size lists
 *       when the item maps to a struct (complex, records);</li>
 *   <li>a structured dtype gives one column per field (nested structs for nested records,
 *       subarray fields as nested fixed-size lists, one level per axis).</li>
 * </ul>
 * Rows arrive as C-ordered bytes in a {@link ByteBuffer}; {@link #fill} decodes them column by
 * column without per-value Java objects, byte-swapping big-endian items and turning NaT into
 * nulls. Immutable and thread-safe; the vectors belong to the caller.
 */
public final class RawColumns {
    private final List<Field> fields;
    private final List<Leaf> columns;
    private final List<Integer> offsets;
    private final int rowBytes;

    private RawColumns(List<Field> fields, List<Leaf> columns, List<Integer> offsets, int rowBytes) {
        this.fields = List.copyOf(fields);
        this.columns = List.copyOf(columns);
        this.offsets = List.copyOf(offsets);
        this.rowBytes = rowBytes;
    }

    /**
     * The columns for items of {@code item} in an array of {@code shape}.
     *
     * @throws UnsupportedInputException for an item with no Arrow mapping (long double, clongdouble,
     *     datetime units finer than ns, generic datetimes, timedelta64 in years or months)
     */
    public static RawColumns of(NumpyDtype item, long[] shape) {
        long[] trailing = shape.length <= 1 ? new long[0] : java.util.Arrays.copyOfRange(shape, 1, shape.length);
        long perRow = 1;
        for (long d : trailing) {
            perRow = Math.multiplyExact(perRow, d);
        }
        int rowBytes = Math.toIntExact(Math.multiplyExact(perRow, (long) item.itemSize()));
        List<Field> fields = new ArrayList<>();
        List<Leaf> leaves = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        if (item.isStructured()) {
            for (NumpyDtype.Field f : item.fields()) {
                Leaf leaf = leafOf(f.dtype(), f.name());
                if (trailing.length > 0) {
                    leaf = new FixedList(leaf, trailing, item.itemSize(), f.name());
                }
                leaves.add(leaf);
                offsets.add(f.offset());
            }
        } else {
            Leaf leaf = leafOf(item, "value");
            if (trailing.length > 0) {
                leaf = leaf.field("item").getType() instanceof ArrowType.Struct
                        ? new FixedList(leaf, trailing, item.itemSize(), "value")
                        : new Tensor(leaf, trailing, item.itemSize());
            }
            leaves.add(leaf);
            offsets.add(0);
        }
        for (int i = 0; i < leaves.size(); i++) {
            fields.add(leaves.get(i).field(item.isStructured() ? item.fields().get(i).name() : "value"));
        }
        return new RawColumns(fields, leaves, offsets, rowBytes);
    }

    /** The schema's fields, in column order. */
    public List<Field> fields() {
        return fields;
    }

    /** Bytes of one row: the item size times the items of one element of the first axis. */
    public int rowBytes() {
        return rowBytes;
    }

    /**
     * When the whole array is one column whose values are the raw items themselves (little-endian
     * ints and floats, 1-D or as tensors), the vector holding those values inside {@code top};
     * otherwise {@code null}. Its data buffer can be filled straight from the file.
     */
    public FieldVector directValues(FieldVector top) {
        if (columns.size() != 1) {
            return null;
        }
        Leaf leaf = columns.get(0);
        FieldVector v = top;
        if (leaf instanceof Tensor) {
            v = ((FixedSizeListVector) ((ExtensionTypeVector<?>) top).getUnderlyingVector()).getDataVector();
            leaf = ((Tensor) leaf).items;
        }
        return leaf instanceof Fixed && ((Fixed) leaf).verbatim() ? v : null;
    }

    /**
     * How the whole array can be written as Arrow buffers in bulk, without vectors: when it is one
     * column of ints or floats (1-D, or n-d as tensors) whose Arrow values are the items themselves,
     * possibly byte-swapped, with no nulls. {@code null} for anything else (dates, bools, strings,
     * structs, complex). The buffers are then, in Arrow's order: for a tensor the rows' validity,
     * then the values' validity and the values ({@code valuesPerRow} per row, row-major).
     *
     * @param valueWidth   bytes per value (1, 2, 4 or 8)
     * @param valuesPerRow 1, or the tensor's size
     * @param tensor       whether the column is {@code arrow.fixed_shape_tensor} (a fixed-size list level)
     * @param swapBytes    whether each value must be byte-swapped (big-endian items)
     */
    public record Bulk(int valueWidth, int valuesPerRow, boolean tensor, boolean swapBytes) {
    }

    /** This array's {@link Bulk} layout, or {@code null} when its values need decoding. */
    public Bulk bulk() {
        if (columns.size() != 1 || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return null;
        }
        Leaf leaf = columns.get(0);
        int perRow = 1;
        boolean tensor = leaf instanceof Tensor;
        if (tensor) {
            perRow = ((Tensor) leaf).perRow;
            leaf = ((Tensor) leaf).items;
        }
        if (!(leaf instanceof Fixed) || ((Fixed) leaf).temporal != Temporal.NONE) {
            return null;
        }
        return new Bulk(((Fixed) leaf).width, perRow, tensor, ((Fixed) leaf).bigEndian);
    }

    /** Values per row in {@link #directValues}: 1, or the tensor's size. */
    public int valuesPerRow() {
        Leaf leaf = columns.get(0);
        return leaf instanceof Tensor ? ((Tensor) leaf).perRow : 1;
    }

    /**
     * Fills one vector per column with {@code rows} rows read from {@code data}, C-ordered rows of
     * {@link #rowBytes()} each starting at position 0. Vectors are (re)allocated here; their value
     * counts are set.
     */
    public void fill(List<FieldVector> vectors, ByteBuffer data, int rows) {
        for (int c = 0; c < columns.size(); c++) {
            columns.get(c).write(vectors.get(c), data, new Positions(null, offsets.get(c), rowBytes, 1), rows);
        }
    }

    /**
     * Marks {@code values} values of a {@link #directValues} vector valid after its data buffer was
     * filled, and completes the tensor wrapper of {@code top} when there is one.
     */
    public void completeDirect(FieldVector top, FieldVector values, int rows) {
        int count = Math.multiplyExact(rows, valuesPerRow());
        allValid(values, count);
        values.setValueCount(count);
        if (values != top) {
            FixedSizeListVector list = (FixedSizeListVector) ((ExtensionTypeVector<?>) top).getUnderlyingVector();
            listValid(list, rows);
            list.setValueCount(rows);
            top.setValueCount(rows);
        }
    }

    // ---- the mapping ---------------------------------------------------------------------------

    private static Leaf leafOf(NumpyDtype dt, String name) {
        if (dt.subarrayBase() != null) {
            long[] dims = dt.subarrayShape();
            return new FixedList(leafOf(dt.subarrayBase(), name), dims, dt.subarrayBase().itemSize(), name);
        }
        if (dt.isStructured()) {
            List<Leaf> kids = new ArrayList<>();
            List<Integer> at = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (NumpyDtype.Field f : dt.fields()) {
                kids.add(leafOf(f.dtype(), f.name()));
                at.add(f.offset());
                names.add(f.name());
            }
            return new Record(kids, at, names, null);
        }
        boolean big = dt.byteOrderChar() == '>';
        int n = dt.itemSize();
        switch (dt.kind()) {
            case 'b':
                return new Bool();
            case 'i':
            case 'u':
                return new Fixed(new ArrowType.Int(8 * n, dt.kind() == 'i'), n, big, Temporal.NONE, 1);
            case 'f':
                if (n > 8) {
                    throw unsupported(name, dt, "long double has no Arrow type");
                }
                return new Fixed(new ArrowType.FloatingPoint(n == 2 ? FloatingPointPrecision.HALF
                        : n == 4 ? FloatingPointPrecision.SINGLE : FloatingPointPrecision.DOUBLE), n, big, Temporal.NONE, 1);
            case 'c': {
                if (n > 16) {
                    throw unsupported(name, dt, "complex long double has no Arrow type");
                }
                int half = n / 2;
                ArrowType part = new ArrowType.FloatingPoint(half == 4 ? FloatingPointPrecision.SINGLE : FloatingPointPrecision.DOUBLE);
                Leaf re = new Fixed(part, half, big, Temporal.NONE, 1);
                Leaf im = new Fixed(part, half, big, Temporal.NONE, 1);
                return new Record(List.of(re, im), List.of(0, half), List.of("real", "imag"), Map.of("npyconv.type", "complex"));
            }
            case 'U':
                return new Text(n, big);
            case 'S':
                return new Bytes(n, true);
            case 'V':
                return new Bytes(n, false);
            case 'M':
            case 'm':
                return temporal(dt, name, big);
            default:
                throw unsupported(name, dt, "no Arrow mapping");
        }
    }

    /** datetime64 / timedelta64 by unit (docs/numeric.md, "Dates and times"). */
    private static Leaf temporal(NumpyDtype dt, String name, boolean big) {
        boolean datetime = dt.kind() == 'M';
        long k = dt.unitCount();
        String unit = dt.unit();
        switch (unit) {
            case "s": case "ms": case "us": case "ns": {
                TimeUnit tu = unit.equals("s") ? TimeUnit.SECOND : unit.equals("ms") ? TimeUnit.MILLISECOND
                        : unit.equals("us") ? TimeUnit.MICROSECOND : TimeUnit.NANOSECOND;
                ArrowType t = datetime ? new ArrowType.Timestamp(tu, null) : new ArrowType.Duration(tu);
                return new Fixed(t, 8, big, Temporal.SCALE, k);
            }
            case "h": case "m":
                long seconds = unit.equals("h") ? 3600 : 60;
                return new Fixed(datetime ? new ArrowType.Timestamp(TimeUnit.SECOND, null) : new ArrowType.Duration(TimeUnit.SECOND),
                        8, big, Temporal.SCALE, Math.multiplyExact(seconds, k));
            case "D": case "W":
                long days = unit.equals("W") ? 7 * k : k;
                return datetime ? new Fixed(new ArrowType.Date(DateUnit.DAY), 8, big, Temporal.DAYS, days)
                        : new Fixed(new ArrowType.Duration(TimeUnit.SECOND), 8, big, Temporal.SCALE, Math.multiplyExact(86_400L, days));
            case "M": case "Y":
                if (datetime) {
                    return new Fixed(new ArrowType.Date(DateUnit.DAY), 8, big, unit.equals("M") ? Temporal.MONTHS : Temporal.YEARS, k);
                }
                throw unsupported(name, dt, "unit has no Arrow mapping (months and years have no fixed length)");
            default:
                throw unsupported(name, dt, "unit has no Arrow mapping (Arrow's finest unit is ns)");
        }
    }

    private static UnsupportedInputException unsupported(String name, NumpyDtype dt, String why) {
        return new UnsupportedInputException("column " + name + " of dtype " + dt.str() + ": " + why, null, -1, null);
    }

    private static void allValid(FieldVector v, int count) {
        if (count > 0) {
            v.getValidityBuffer().setOne(0, (count + 7) / 8);
        }
    }

    private static void listValid(FixedSizeListVector list, int rows) {
        for (int i = 0; i < rows; i++) {
            list.startNewValue(i); // sets the validity bit, growing the buffer as needed
        }
        // Whole bytes, as allValid does: the bits past the last row are then the same whatever an
        // earlier chunk left in a reused buffer, so equal arrays give byte-equal files (BulkIpcTest).
        if (rows > 0) {
            list.getValidityBuffer().setOne(0, (rows + 7) / 8);
        }
    }

    // ---- positions of values in the row bytes --------------------------------------------------

    /**
     * Where value {@code j} of a column lies in the chunk's bytes: {@code base + j * stride} at the
     * top; inside a fixed-size list {@code parent(j / group) + base + (j % group) * stride}.
     */
    static final class Positions {
        final Positions parent;
        final int base;
        final int stride;
        final int group;

        Positions(Positions parent, int base, int stride, int group) {
            this.parent = parent;
            this.base = base;
            this.stride = stride;
            this.group = group;
        }

        int at(int j) {
            return parent == null ? base + j * stride : parent.at(j / group) + base + (j % group) * stride;
        }

        /** The same values shifted by {@code delta} bytes (a struct field). */
        Positions shifted(int delta) {
            return parent == null ? new Positions(null, base + delta, stride, 1) : new Positions(this, delta, 0, 1);
        }

        /** The {@code group} values of each value here, {@code stride} bytes apart (a fixed-size list). */
        Positions items(int group, int stride) {
            if (parent == null && this.stride == group * stride) {
                return new Positions(null, base, stride, 1);
            }
            return new Positions(this, 0, stride, group);
        }

        /** Whether values are back to back, {@code width} bytes each, from {@code base}. */
        boolean contiguous(int width) {
            return parent == null && stride == width;
        }
    }

    // ---- leaves --------------------------------------------------------------------------------

    /** One column (or nested child) of a given Arrow type. */
    abstract static class Leaf {
        abstract Field field(String name);

        /** Allocates {@code v} for {@code count} values and writes them from {@code data} at {@code p}. */
        abstract void write(FieldVector v, ByteBuffer data, Positions p, int count);
    }

    /** How a fixed-width 8-byte temporal value is converted. */
    enum Temporal { NONE, SCALE, DAYS, MONTHS, YEARS }

    /** Ints, floats, halffloat (raw copies), timestamps/durations/dates (NaT -> null, unit conversion). */
    static final class Fixed extends Leaf {
        final ArrowType type;
        final int width;
        final boolean bigEndian;
        final Temporal temporal;
        final long factor;

        Fixed(ArrowType type, int width, boolean bigEndian, Temporal temporal, long factor) {
            this.type = type;
            this.width = width;
            this.bigEndian = bigEndian;
            this.temporal = temporal;
            this.factor = factor;
        }

        /** The Arrow values are the item bytes unchanged. */
        boolean verbatim() {
            return !bigEndian && temporal == Temporal.NONE && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        }

        @Override
        Field field(String name) {
            return Field.nullable(name, type);
        }

        @Override
        void write(FieldVector v, ByteBuffer data, Positions p, int count) {
            BaseFixedWidthVector vector = (BaseFixedWidthVector) v;
            vector.allocateNew(count);
            ArrowBuf out = vector.getDataBuffer();
            if (temporal == Temporal.NONE) {
                if (verbatim() && p.contiguous(width)) {
                    out.setBytes(0, data, p.base, count * width);
                } else {
                    ByteBuffer in = data.duplicate().order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
                    for (int j = 0; j < count; j++) {
                        int at = p.at(j);
                        switch (width) {
                            case 1: out.setByte(j, in.get(at)); break;
                            case 2: out.setShort(2L * j, in.getShort(at)); break;
                            case 4: out.setInt(4L * j, in.getInt(at)); break;
                            default: out.setLong(8L * j, in.getLong(at));
                        }
                    }
                }
                allValid(v, count);
            } else {
                ByteBuffer in = data.duplicate().order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
                ArrowBuf validity = vector.getValidityBuffer();
                validity.setZero(0, validity.capacity());
                boolean date32 = type instanceof ArrowType.Date;
                for (int j = 0; j < count; j++) {
                    long raw = in.getLong(p.at(j));
                    if (raw == Long.MIN_VALUE) {
                        continue; // NaT: null (validity bit stays 0)
                    }
                    long value = convert(raw);
                    if (date32) {
                        out.setInt(4L * j, Math.toIntExact(value));
                    } else {
                        out.setLong(8L * j, value);
                    }
                    BitVectorHelper.setBit(validity, j);
                }
            }
            v.setValueCount(count);
        }

        private long convert(long raw) {
            try {
                switch (temporal) {
                    case SCALE:
                    case DAYS:
                        return Math.multiplyExact(raw, factor);
                    case MONTHS:
                        return LocalDate.of(1970, 1, 1).plusMonths(Math.multiplyExact(raw, factor)).toEpochDay();
                    default:
                        return LocalDate.of(Math.toIntExact(Math.addExact(1970, Math.multiplyExact(raw, factor))), 1, 1).toEpochDay();
                }
            } catch (ArithmeticException | java.time.DateTimeException e) {
                throw new UnsupportedInputException("value " + raw + " is out of range for Arrow's " + type, null, -1, null);
            }
        }
    }

    /** NumPy bools (one byte, nonzero is true) into Arrow's bit-packed bools. */
    static final class Bool extends Leaf {
        @Override
        Field field(String name) {
            return Field.nullable(name, ArrowType.Bool.INSTANCE);
        }

        @Override
        void write(FieldVector v, ByteBuffer data, Positions p, int count) {
            BitVector vector = (BitVector) v;
            vector.allocateNew(count);
            ArrowBuf bits = vector.getDataBuffer();
            bits.setZero(0, bits.capacity());
            for (int j = 0; j < count; j++) {
                if (data.get(p.at(j)) != 0) {
                    BitVectorHelper.setBit(bits, j);
                }
            }
            allValid(v, count);
            v.setValueCount(count);
        }
    }

    /** {@code U}: UTF-32 code units, trailing NULs dropped as NumPy does, to UTF-8 strings. */
    static final class Text extends Leaf {
        final int width;
        final boolean bigEndian;

        Text(int width, boolean bigEndian) {
            this.width = width;
            this.bigEndian = bigEndian;
        }

        @Override
        Field field(String name) {
            return Field.nullable(name, ArrowType.Utf8.INSTANCE);
        }

        @Override
        void write(FieldVector v, ByteBuffer data, Positions p, int count) {
            BaseVariableWidthVector vector = (BaseVariableWidthVector) v;
            vector.allocateNew(Math.max(1L, (long) count * (width / 4)), count);
            ByteBuffer in = data.duplicate().order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            byte[] utf8 = new byte[width]; // at most 4 UTF-8 bytes per 4-byte code unit
            for (int j = 0; j < count; j++) {
                int at = p.at(j);
                int units = width / 4;
                while (units > 0 && in.getInt(at + 4 * (units - 1)) == 0) {
                    units--;
                }
                int n = 0;
                for (int u = 0; u < units; u++) {
                    int cp = in.getInt(at + 4 * u);
                    if (cp < 0 || cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF)) {
                        throw new UnsupportedInputException(String.format(Locale.ROOT, "a str item holds U+%X, which UTF-8 (Arrow's "
                                + "string) cannot encode", cp & 0xFFFFFFFFL), null, -1, null);
                    }
                    if (cp < 0x80) {
                        utf8[n++] = (byte) cp;
                    } else if (cp < 0x800) {
                        utf8[n++] = (byte) (0xC0 | cp >> 6);
                        utf8[n++] = (byte) (0x80 | cp & 0x3F);
                    } else if (cp < 0x10000) {
                        utf8[n++] = (byte) (0xE0 | cp >> 12);
                        utf8[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                        utf8[n++] = (byte) (0x80 | cp & 0x3F);
                    } else {
                        utf8[n++] = (byte) (0xF0 | cp >> 18);
                        utf8[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
                        utf8[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                        utf8[n++] = (byte) (0x80 | cp & 0x3F);
                    }
                }
                vector.setSafe(j, utf8, 0, n);
            }
            v.setValueCount(count);
        }
    }

    /** {@code S} (trailing NULs dropped, as NumPy reads them) and unstructured {@code V} (kept whole) as binary. */
    static final class Bytes extends Leaf {
        final int width;
        final boolean stripNuls;

        Bytes(int width, boolean stripNuls) {
            this.width = width;
            this.stripNuls = stripNuls;
        }

        @Override
        Field field(String name) {
            return Field.nullable(name, ArrowType.Binary.INSTANCE);
        }

        @Override
        void write(FieldVector v, ByteBuffer data, Positions p, int count) {
            BaseVariableWidthVector vector = (BaseVariableWidthVector) v;
            vector.allocateNew(Math.max(1L, (long) count * width), count);
            for (int j = 0; j < count; j++) {
                int at = p.at(j);
                int n = width;
                while (stripNuls && n > 0 && data.get(at + n - 1) == 0) {
                    n--;
                }
                vector.setSafe(j, data, at, n);
            }
            v.setValueCount(count);
        }
    }

    /** A struct: a record's fields, or a complex number's real and imaginary parts. */
    static final class Record extends Leaf {
        final List<Leaf> kids;
        final List<Integer> offsets;
        final List<String> names;
        final Map<String, String> metadata;

        Record(List<Leaf> kids, List<Integer> offsets, List<String> names, Map<String, String> metadata) {
            this.kids = kids;
            this.offsets = offsets;
            this.names = names;
            this.metadata = metadata;
        }

        @Override
        Field field(String name) {
            List<Field> children = new ArrayList<>();
            for (int i = 0; i < kids.size(); i++) {
                children.add(kids.get(i).field(names.get(i)));
            }
            return new Field(name, new FieldType(true, ArrowType.Struct.INSTANCE, null, metadata), children);
        }

        @Override
        void write(FieldVector v, ByteBuffer data, Positions p, int count) {
            StructVector vector = (StructVector) v;
            vector.allocateNew();
            for (int i = 0; i < kids.size(); i++) {
                kids.get(i).write((FieldVector) vector.getChildByOrdinal(i), data, p.shifted(offsets.get(i)), count);
            }
            for (int j = 0; j < count; j++) {
                vector.setIndexDefined(j);
            }
            vector.setValueCount(count);
        }
    }

    /** A subarray (or the trailing axes of an n-d array of structs): one fixed-size list level per axis. */
    static final class FixedList extends Leaf {
        final Leaf inner;
        final int size;
        final int innerBytes;

        /** Levels for {@code dims}, innermost items of {@code itemBytes} bytes each. */
        FixedList(Leaf items, long[] dims, int itemBytes, String name) {
            Leaf in = items;
            int bytes = itemBytes;
            for (int d = dims.length - 1; d >= 1; d--) {
                in = new FixedList(in, Math.toIntExact(dims[d]), bytes);
                bytes = Math.multiplyExact(bytes, Math.toIntExact(dims[d]));
            }
            this.inner = in;
            this.size = Math.toIntExact(dims[0]);
            this.innerBytes = bytes;
        }

        private FixedList(Leaf inner, int size, int innerBytes) {
            this.inner = inner;
            this.size = size;
            this.innerBytes = innerBytes;
        }

        @Override
        Field field(String name) {
            return new Field(name, FieldType.nullable(new ArrowType.FixedSizeList(size)), List.of(inner.field("item")));
        }

        @Override
        void write(FieldVector v, ByteBuffer data, Positions p, int count) {
            FixedSizeListVector vector = (FixedSizeListVector) v;
            vector.allocateNew();
            listValid(vector, count);
            inner.write(vector.getDataVector(), data, p.items(size, innerBytes), Math.multiplyExact(count, size));
            vector.setValueCount(count);
        }
    }

    /** {@code arrow.fixed_shape_tensor} of the trailing shape, storage {@code fixed_size_list<item: T>[prod]} (row-major). */
    static final class Tensor extends Leaf {
        final Leaf items;
        final long[] shape;
        final int perRow;
        final int itemBytes;

        Tensor(Leaf items, long[] shape, int itemBytes) {
            this.items = items;
            this.shape = shape.clone();
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            this.perRow = Math.toIntExact(n);
            this.itemBytes = itemBytes;
        }

        @Override
        Field field(String name) {
            FixedShapeTensorType t = new FixedShapeTensorType(items.field("item").getType(), shape);
            return new Field(name, FieldType.nullable(t), t.storageField(name).getChildren());
        }

        @Override
        void write(FieldVector v, ByteBuffer data, Positions p, int count) {
            FixedSizeListVector list = (FixedSizeListVector) ((ExtensionTypeVector<?>) v).getUnderlyingVector();
            list.allocateNew();
            listValid(list, count);
            items.write(list.getDataVector(), data, p.items(perRow, itemBytes), Math.multiplyExact(count, perRow));
            list.setValueCount(count);
            v.setValueCount(count);
        }
    }
}
