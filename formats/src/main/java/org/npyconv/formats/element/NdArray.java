package org.npyconv.formats.element;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A NumPy {@code ndarray} element: dtype, shape, storage order and data.
 *
 * <p>For non-object dtypes the data is the raw item bytes exactly as pickled: in the dtype's byte
 * order and in storage order (a Fortran-ordered array's bytes are in Fortran order);
 * {@link #rawData()} exposes them, {@link #get(long)} reads the item at a C-order (logical) flat
 * index, translating to storage order. For object dtypes the data is the list of objects, always in
 * C order (that is how NumPy pickles them, Fortran-ordered or not): {@link #objects()}. A
 * structured dtype with object fields is pickled the same way; its records are
 * {@code LinkedHashMap}s from field name to value.
 *
 * <p>As {@code np.load} does, an array pickled with a big-endian simple dtype (protocols 0-4, whose
 * {@code __setstate__} converts it) is held little-endian: its bytes are swapped once at BUILD and
 * its dtype says {@code '<'}. Protocol 5's {@code _frombuffer} keeps the byte order, as NumPy does.
 *
 * <p>Built by {@code numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')} plus {@code BUILD}
 * with {@code (version, shape, dtype, is_fortran, data)}, or by protocol 5's
 * {@code numpy.core.numeric._frombuffer(buffer, dtype, shape, order)}. Until its {@code BUILD} it is
 * the empty int8 array {@code _reconstruct} makes. Identity-equal (ndarrays are unhashable);
 * read-only once its span is evaluated.
 */
public final class NdArray {
    private NumpyDtype dtype;
    private long[] shape;
    private boolean fortranOrder;
    private byte[] data;
    private List<Object> objects;
    private long size;

    private NdArray(NumpyDtype dtype, long[] shape, boolean fortranOrder, byte[] data, List<Object> objects) {
        set(dtype, shape, fortranOrder, data, objects);
    }

    /** The empty {@code int8} array {@code _reconstruct(ndarray, (0,), b'b')} returns before BUILD. */
    static NdArray unbuilt() {
        return new NdArray(NumpyDtype.parse("|i1"), new long[] {0}, false, new byte[0], null);
    }

    /**
     * An array over raw item bytes (taken, not copied) in storage order.
     *
     * @throws IllegalArgumentException if the byte count does not match shape and item size
     */
    static NdArray ofBytes(NumpyDtype dtype, long[] shape, boolean fortranOrder, byte[] data) {
        if (dtype.holdsObjects()) {
            throw new IllegalArgumentException("object arrays hold a list, not bytes");
        }
        return new NdArray(dtype, shape, fortranOrder, data, null);
    }

    /**
     * A C-ordered array of a non-object dtype over raw item bytes (taken, not copied) in the dtype's
     * byte order: what {@code a[i]} of a raw {@code .npy} is.
     *
     * @throws IllegalArgumentException for an object dtype or a byte count that does not match
     */
    public static NdArray of(NumpyDtype dtype, long[] shape, byte[] data) {
        return ofBytes(dtype, shape.clone(), false, data);
    }

    /** An object array over a C-order list (taken, not copied). */
    static NdArray ofObjects(NumpyDtype dtype, long[] shape, boolean fortranOrder, List<Object> objects) {
        return new NdArray(dtype, shape, fortranOrder, null, objects);
    }

    /**
     * {@code ndarray.__setstate__}: {@code (version, shape, dtype, is_fortran, data)} or the
     * versionless 4-tuple. {@code data} is bytes (a latin-1 str in Python 2 pickles) for
     * non-object dtypes and a list for object dtypes.
     */
    void applyState(Object state) {
        if (!(state instanceof PyTuple)) {
            throw new IllegalArgumentException("ndarray state is not a tuple");
        }
        PyTuple t = (PyTuple) state;
        int base = t.size() == 5 ? 1 : t.size() == 4 ? 0 : -1;
        if (base < 0) {
            throw new IllegalArgumentException("ndarray state tuple of length " + t.size());
        }
        long[] newShape = shapeOf(t.get(base));
        if (!(t.get(base + 1) instanceof NumpyDtype)) {
            throw new IllegalArgumentException("ndarray state has no dtype");
        }
        NumpyDtype newDtype = (NumpyDtype) t.get(base + 1);
        Object fortran = t.get(base + 2);
        boolean isFortran = fortran instanceof Boolean ? (Boolean) fortran
                : fortran instanceof Long ? (Long) fortran != 0 : failBool();
        Object payload = t.get(base + 3);
        if (newDtype.holdsObjects()) {
            if (!(payload instanceof List)) {
                throw new IllegalArgumentException("object ndarray state data is not a list");
            }
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) payload;
            set(newDtype, newShape, isFortran, null, newDtype.isObject() ? list : records(newDtype, list));
        } else if (newDtype.byteOrderChar() == '>' && !newDtype.isStructured() && swapUnit(newDtype) > 1) {
            // NumPy's __setstate__ turns a non-native simple dtype into the native one and swaps the
            // data (np.load returns '<i4' for a pickled '>i4' element); do what np.load does.
            byte[] swapped = bytesOf(payload).clone();
            int unit = swapUnit(newDtype);
            for (int i = 0; i + unit <= swapped.length; i += unit) {
                for (int a = i, b = i + unit - 1; a < b; a++, b--) {
                    byte x = swapped[a];
                    swapped[a] = swapped[b];
                    swapped[b] = x;
                }
            }
            set(newDtype.withByteOrder('<'), newShape, isFortran, swapped, null);
        } else {
            set(newDtype, newShape, isFortran, bytesOf(payload), null);
        }
    }

    /** The byte-order unit of a simple dtype: the item, a complex part, a UTF-32 code unit; 1 when nothing swaps. */
    private static int swapUnit(NumpyDtype dt) {
        switch (dt.kind()) {
            case 'i': case 'u': case 'f': case 'M': case 'm':
                return dt.itemSize() <= 8 ? dt.itemSize() : 1;
            case 'c':
                return dt.itemSize() <= 16 ? dt.itemSize() / 2 : 1;
            case 'U':
                return 4;
            default:
                return 1;
        }
    }

    /**
     * Records of a structured dtype with object fields, pickled as a list of tuples: each becomes a
     * {@code LinkedHashMap} from field name to value, in field order.
     */
    private static List<Object> records(NumpyDtype dt, List<Object> tuples) {
        List<NumpyDtype.Field> fields = dt.fields();
        List<Object> out = new ArrayList<>(tuples.size());
        for (Object t : tuples) {
            if (!(t instanceof PyTuple) || ((PyTuple) t).size() != fields.size()) {
                throw new IllegalArgumentException("structured ndarray record is not a tuple of " + fields.size() + " fields");
            }
            Map<String, Object> record = new LinkedHashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                record.put(fields.get(i).name(), ((PyTuple) t).get(i));
            }
            out.add(record);
        }
        return out;
    }

    private static boolean failBool() {
        throw new IllegalArgumentException("ndarray is_fortran is not a bool");
    }

    /** Bytes of a pickled buffer: bytes, bytearray, or a Python 2 str (latin-1). */
    static byte[] bytesOf(Object payload) {
        if (payload instanceof byte[]) {
            return (byte[]) payload;
        }
        if (payload instanceof PyByteArray) {
            return ((PyByteArray) payload).unsafeBytes();
        }
        if (payload instanceof String) {
            String s = (String) payload;
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) > 0xFF) {
                    throw new IllegalArgumentException("array data str has characters beyond latin-1");
                }
            }
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        throw new IllegalArgumentException("array data is not bytes");
    }

    private void set(NumpyDtype newDtype, long[] newShape, boolean isFortran, byte[] bytes, List<Object> list) {
        long count = 1;
        for (long d : newShape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape");
            }
            count = Math.multiplyExact(count, d);
        }
        if (list != null) {
            if (list.size() != count) {
                throw new IllegalArgumentException("object ndarray of shape " + shapeText(newShape) + " holds "
                        + list.size() + " objects");
            }
        } else {
            long expected = Math.multiplyExact(count, (long) newDtype.itemSize());
            if (bytes.length != expected) {
                throw new IllegalArgumentException("ndarray " + newDtype.str() + " of shape " + shapeText(newShape)
                        + " needs " + expected + " bytes, got " + bytes.length);
            }
        }
        this.dtype = newDtype;
        this.shape = newShape;
        this.fortranOrder = isFortran;
        this.data = bytes;
        this.objects = list;
        this.size = count;
    }

    /** A shape from a pickled tuple (or list) of non-negative ints. */
    static long[] shapeOf(Object value) {
        List<Object> dims;
        if (value instanceof PyTuple) {
            dims = ((PyTuple) value).items();
        } else if (value instanceof List) {
            @SuppressWarnings("unchecked")
            List<Object> l = (List<Object>) value;
            dims = l;
        } else if (value instanceof Long) {
            dims = List.of(value);
        } else {
            throw new IllegalArgumentException("shape is not a tuple of ints");
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = dims.get(i);
            if (!(d instanceof Long) || (Long) d < 0) {
                throw new IllegalArgumentException("shape is not a tuple of non-negative ints");
            }
            shape[i] = (Long) d;
        }
        return shape;
    }

    static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    public NumpyDtype dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    /** Number of items (product of the shape; 1 for a 0-d array). */
    public long size() {
        return size;
    }

    /** Whether the data is stored in Fortran (column-major) order. */
    public boolean fortranOrder() {
        return fortranOrder;
    }

    public boolean isObjectArray() {
        return objects != null;
    }

    /** Read-only view of the raw item bytes in storage order and the dtype's byte order; {@code null} for object arrays. */
    public ByteBuffer rawData() {
        return data == null ? null : ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /** The raw item bytes themselves (not a copy: read only), {@code null} for object arrays. */
    byte[] unsafeData() {
        return data;
    }

    /** The objects of an object array, in C order (unmodifiable); {@code null} for other dtypes. */
    public List<Object> objects() {
        return objects == null ? null : Collections.unmodifiableList(objects);
    }

    /**
     * The item at a flat index in C (logical, row-major) order: a {@link NumpyScalar} for non-object
     * dtypes (sharing this array's bytes), the object itself for object arrays.
     */
    public Object get(long flatCIndex) {
        if (flatCIndex < 0 || flatCIndex >= size) {
            throw new IndexOutOfBoundsException("index " + flatCIndex + " of " + size);
        }
        if (objects != null) {
            return objects.get((int) flatCIndex);
        }
        long at = storageIndex(flatCIndex) * dtype.itemSize();
        return new NumpyScalar(dtype, data, (int) at);
    }

    /** The storage position of the item at a C-order flat index (identity unless Fortran-ordered). */
    public long storageIndex(long flatCIndex) {
        if (!fortranOrder || shape.length < 2 || objects != null) {
            return flatCIndex;
        }
        long rest = flatCIndex;
        long index = 0;
        long[] fortranStride = new long[shape.length];
        long stride = 1;
        for (int d = 0; d < shape.length; d++) {
            fortranStride[d] = stride;
            stride *= shape[d];
        }
        for (int d = shape.length - 1; d >= 0; d--) {
            long coord = rest % shape[d];
            rest /= shape[d];
            index += coord * fortranStride[d];
        }
        return index;
    }

    @Override
    public String toString() {
        return ElementRepr.repr(this);
    }
}
