package org.npyconv.formats.npy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A NumPy data type as a {@code .npy} header's {@code descr} describes it: a {@link Scalar}
 * ({@code '<f8'}, {@code '|O'}, {@code '<M8[ns]'}), a {@link Structured} record type (a list of
 * fields) or a {@link Subarray} (a fixed-shape block of another dtype).
 *
 * <p>The model is what NumPy builds from the descr in {@code numpy.lib.format.descr_to_dtype}:
 * byte orders are normalised as {@code dtype.str} shows them, anonymous void padding fields are
 * dropped but still advance the offsets of the fields after them, and every item size fits in a C
 * {@code int} as NumPy requires. The spec of what is accepted is {@code docs/npy-header.md}.
 *
 * <p>All implementations are immutable records, safe to share between threads.
 */
public sealed interface Dtype permits Dtype.Scalar, Dtype.Structured, Dtype.Subarray {

    /** Bytes one item of this dtype occupies in the array data ({@code dtype.itemsize}). */
    int itemSize();

    /** True for the object dtype {@code '|O'} itself. */
    boolean isObject();

    /**
     * True when this dtype is or contains an object dtype ({@code dtype.hasobject}). NumPy then
     * writes the whole array as one pickle instead of raw bytes.
     */
    boolean hasObject();

    /**
     * NumPy's {@code dtype.str}: {@code '<f8'}, {@code '|b1'}, {@code '<U10'}, {@code '<M8[ns]'},
     * and {@code '|V<itemsize>'} for structured and subarray dtypes.
     */
    String str();

    /**
     * Parses one dtype string in the form NumPy's {@code dtype.str} produces ({@code '<f8'}).
     *
     * @throws org.npyconv.formats.CorruptInputException if NumPy would not understand it either
     * @throws org.npyconv.formats.UnsupportedInputException for a valid NumPy spelling that
     *     {@code np.save} never writes ({@code 'float64'}, {@code 'd'}, {@code '<M8[ns/2]'})
     */
    static Dtype parse(String str) {
        return Descr.fromString(Objects.requireNonNull(str, "str"));
    }

    /**
     * A dtype without fields: bool, integers, floats, complex, object, bytes ({@code S}), str
     * ({@code U}), raw void ({@code V}), datetime ({@code M}) and timedelta ({@code m}).
     *
     * @param byteOrder {@code '<'} or {@code '>'}, or {@code '|'} where order does not apply (bool,
     *     object, bytes, void, one-byte integers); NumPy's {@code '='} is resolved to this machine's
     *     order when parsing, as NumPy does
     * @param kind NumPy's {@code dtype.kind}: one of {@code b i u f c O S U V M m}
     * @param itemSize bytes per item; for {@code U} four per character
     * @param datetimeUnit for {@code M}/{@code m} the unit with its multiplier as {@code dtype.str}
     *     shows it ({@code "ns"}, {@code "D"}, {@code "10ms"}); empty for generic datetimes and for
     *     all other kinds
     */
    record Scalar(char byteOrder, char kind, int itemSize, String datetimeUnit) implements Dtype {
        /** The kinds NumPy writes in a descr, in {@code dtype.kind} spelling. */
        static final String KINDS = "biufcOSUVMm";

        public Scalar {
            Objects.requireNonNull(datetimeUnit, "datetimeUnit");
            if ("<>|".indexOf(byteOrder) < 0) {
                throw new IllegalArgumentException("byte order must be '<', '>' or '|', not '" + byteOrder + "'");
            }
            if (KINDS.indexOf(kind) < 0) {
                throw new IllegalArgumentException("unknown dtype kind '" + kind + "'");
            }
            if (itemSize < 0 || (kind == 'U' && itemSize % 4 != 0)) {
                throw new IllegalArgumentException("invalid item size " + itemSize + " for kind '" + kind + "'");
            }
            if (!datetimeUnit.isEmpty() && kind != 'M' && kind != 'm') {
                throw new IllegalArgumentException("only datetime kinds have a unit, not '" + kind + "'");
            }
        }

        @Override
        public boolean isObject() {
            return kind == 'O';
        }

        @Override
        public boolean hasObject() {
            return kind == 'O';
        }

        /** True for datetime64 ({@code M}) and timedelta64 ({@code m}). */
        public boolean isDatetime() {
            return kind == 'M' || kind == 'm';
        }

        @Override
        public String str() {
            StringBuilder sb = new StringBuilder(12).append(byteOrder).append(kind);
            if (kind == 'O') {
                return sb.toString();
            }
            sb.append(kind == 'U' ? itemSize / 4 : itemSize);
            if (!datetimeUnit.isEmpty()) {
                sb.append('[').append(datetimeUnit).append(']');
            }
            return sb.toString();
        }

        @Override
        public String toString() {
            return str();
        }
    }

    /**
     * A fixed-shape block of {@code base} items, as in the field {@code ('f', '<i4', (2, 3))} or
     * the top-level descr {@code ('<i4', (2,))}. Nested subarrays stay nested, as NumPy keeps them.
     *
     * @param shape the block's dimensions, at least one, each a C {@code int}
     */
    record Subarray(Dtype base, List<Integer> shape) implements Dtype {
        public Subarray {
            Objects.requireNonNull(base, "base");
            shape = List.copyOf(shape);
            if (shape.isEmpty()) {
                throw new IllegalArgumentException("a subarray has at least one dimension");
            }
            if (blockItemSize(base, shape) < 0) {
                throw new IllegalArgumentException("subarray item size does not fit in a C int");
            }
        }

        /** Number of base items in one block: the product of {@link #shape()}. */
        public long count() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        @Override
        public int itemSize() {
            return (int) blockItemSize(base, shape);
        }

        @Override
        public boolean isObject() {
            return false;
        }

        @Override
        public boolean hasObject() {
            return base.hasObject();
        }

        @Override
        public String str() {
            return "|V" + itemSize();
        }

        /** base size × dims, or -1 when a dimension is negative or the size exceeds a C int. */
        static long blockItemSize(Dtype base, List<Integer> shape) {
            long size = base.itemSize();
            for (int d : shape) {
                if (d < 0) {
                    return -1;
                }
                size *= d; // both factors < 2^31, so no long overflow
                if (size > Integer.MAX_VALUE) {
                    return -1;
                }
            }
            return size;
        }

        @Override
        public String toString() {
            return "(" + base + ", " + shape + ")";
        }
    }

    /**
     * A record dtype. {@code fields} are the named fields in declaration order; anonymous void
     * padding entries of the descr ({@code ('', '|V4')}, written by NumPy for aligned or offset
     * dtypes) are not fields, they only advance the offsets, so {@code itemSize} may exceed the
     * fields' sizes.
     */
    record Structured(List<Field> fields, int itemSize) implements Dtype {
        public Structured {
            fields = List.copyOf(fields);
            if (itemSize < 0) {
                throw new IllegalArgumentException("negative item size " + itemSize);
            }
            for (Field f : fields) {
                if ((long) f.offset() + f.dtype().itemSize() > itemSize) {
                    throw new IllegalArgumentException("field '" + f.name() + "' ends past the item size " + itemSize);
                }
            }
        }

        /** The field named {@code name} (or titled so), or {@code null}. */
        public Field field(String name) {
            for (Field f : fields) {
                if (f.name().equals(name) || name.equals(f.title())) {
                    return f;
                }
            }
            return null;
        }

        /** The field names in order ({@code dtype.names}). */
        public List<String> names() {
            List<String> names = new ArrayList<>(fields.size());
            for (Field f : fields) {
                names.add(f.name());
            }
            return Collections.unmodifiableList(names);
        }

        @Override
        public boolean isObject() {
            return false;
        }

        @Override
        public boolean hasObject() {
            for (Field f : fields) {
                if (f.dtype().hasObject()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String str() {
            return "|V" + itemSize;
        }

        @Override
        public String toString() {
            return "Structured" + fields + " itemsize " + itemSize;
        }
    }

    /**
     * One named field of a {@link Structured} dtype.
     *
     * @param name the field name (may be empty for a non-void field, as NumPy allows)
     * @param title NumPy's optional field title ({@code (('title', 'name'), '<i4')}), or {@code null}
     * @param dtype the field's dtype; a {@link Subarray} for fields written with a shape
     * @param offset byte offset of the field inside one item
     */
    record Field(String name, String title, Dtype dtype, int offset) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            if (offset < 0) {
                throw new IllegalArgumentException("negative field offset " + offset);
            }
        }

        @Override
        public String toString() {
            return (title == null ? "'" + name + "'" : "('" + title + "', '" + name + "')") + ": " + dtype + " @" + offset;
        }
    }
}
