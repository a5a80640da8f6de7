package org.npyconv.formats.element;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A NumPy scalar (what {@code numpy.core.multiarray.scalar(dtype, bytes)} builds, and what an
 * ndarray item is): the dtype, which keeps the width ({@code np.int8} stays int8), and the item's
 * raw bytes in the dtype's byte order.
 *
 * <p>{@link #value()} is the NumPy-level value: {@code b} Boolean; {@code i} and {@code u} Long, or
 * BigInteger for a uint64 above {@code Long.MAX_VALUE} (the same rule as Python ints); {@code f2}
 * and {@code f4} Float, {@code f8} Double, long double Double (rounded, as {@code .item()} does);
 * {@code c} {@link PyComplex}; {@code U} String (trailing NULs dropped); {@code S} byte[] (trailing
 * NULs dropped); unstructured {@code V} byte[]; structured {@code V} a {@link PyTuple} of field
 * values (NumpyScalar or, for subarray fields, {@link NdArray}); {@code M}/{@code m} the Long count
 * in the dtype's unit ({@code Long.MIN_VALUE} is NaT). {@link #item()} is Python's
 * {@code .item()}: the same except floats widen to Double, datetimes become {@code java.time}
 * values or {@code null}, and structured values become tuples of items.
 *
 * <p>Immutable; value-equal on dtype string and bytes. May share its bytes with the
 * {@link NdArray} it was read from.
 */
public final class NumpyScalar {
    private final NumpyDtype dtype;
    private final byte[] buffer;
    private final int offset;

    NumpyScalar(NumpyDtype dtype, byte[] buffer, int offset) {
        this.dtype = dtype;
        this.buffer = buffer;
        this.offset = offset;
    }

    /**
     * A scalar of {@code dtype} from its raw bytes (copied).
     *
     * @throws IllegalArgumentException if {@code raw} is not {@code dtype.itemSize()} bytes or the dtype is object
     */
    public static NumpyScalar of(NumpyDtype dtype, byte[] raw) {
        if (dtype.isObject()) {
            throw new IllegalArgumentException("object scalars are the objects themselves");
        }
        if (raw.length != dtype.itemSize()) {
            throw new IllegalArgumentException("scalar of " + dtype.str() + " needs " + dtype.itemSize()
                    + " bytes, got " + raw.length);
        }
        return new NumpyScalar(dtype, raw.clone(), 0);
    }

    public NumpyDtype dtype() {
        return dtype;
    }

    /** A copy of the item's raw bytes, in the dtype's byte order. */
    public byte[] raw() {
        return Arrays.copyOfRange(buffer, offset, offset + dtype.itemSize());
    }

    /** The NumPy-level value (see the class comment for the Java type of each kind). */
    public Object value() {
        return decode(dtype, buffer, offset, false);
    }

    /** Python's {@code .item()} (see the class comment). */
    public Object item() {
        return decode(dtype, buffer, offset, true);
    }

    static Object decode(NumpyDtype dt, byte[] b, int off, boolean item) {
        boolean big = dt.byteOrderChar() == '>';
        int n = dt.itemSize();
        switch (dt.kind()) {
            case 'b':
                return b[off] != 0;
            case 'i':
                return signed(b, off, n, big);
            case 'u': {
                long v = unsigned(b, off, n, big);
                if (n == 8 && v < 0) {
                    return new BigInteger(Long.toUnsignedString(v));
                }
                return v;
            }
            case 'f': {
                double d = floatAt(b, off, n, big);
                if (!item && n <= 4) {
                    return (float) d;
                }
                return d;
            }
            case 'c': {
                int half = n / 2;
                return new PyComplex(floatAt(b, off, half, big), floatAt(b, off + half, half, big));
            }
            case 'U':
                return utf32(b, off, n, big);
            case 'S': {
                int end = off + n;
                while (end > off && b[end - 1] == 0) {
                    end--;
                }
                return Arrays.copyOfRange(b, off, end);
            }
            case 'V':
                return dt.isStructured() ? structured(dt, b, off, item) : Arrays.copyOfRange(b, off, off + n);
            case 'M': {
                long v = signed(b, off, 8, big);
                return item ? DatetimeUnit.datetimeItem(v, dt.unit(), dt.unitCount()) : (Object) v;
            }
            case 'm': {
                long v = signed(b, off, 8, big);
                return item ? DatetimeUnit.timedeltaItem(v, dt.unit(), dt.unitCount()) : (Object) v;
            }
            default:
                throw new IllegalStateException("cannot decode " + dt.str() + " from bytes");
        }
    }

    private static PyTuple structured(NumpyDtype dt, byte[] b, int off, boolean item) {
        Object[] values = new Object[dt.fields().size()];
        int i = 0;
        for (NumpyDtype.Field f : dt.fields()) {
            NumpyDtype fd = f.dtype();
            int at = off + f.offset();
            if (at + fd.itemSize() > off + dt.itemSize()) {
                throw new IllegalArgumentException("field " + f.name() + " lies outside its record");
            }
            if (fd.subarrayBase() != null) {
                values[i++] = NdArray.ofBytes(fd.subarrayBase(), fd.subarrayShape(), false,
                        Arrays.copyOfRange(b, at, at + fd.itemSize()));
            } else if (fd.isObject()) {
                throw new IllegalArgumentException("structured dtype with an object field cannot be decoded from bytes");
            } else {
                NumpyScalar s = new NumpyScalar(fd, b, at);
                values[i++] = item ? s.item() : s;
            }
        }
        return PyTuple.wrap(values);
    }

    static long signed(byte[] b, int off, int n, boolean big) {
        long v = unsigned(b, off, n, big);
        int shift = 64 - 8 * n;
        return (v << shift) >> shift;
    }

    static long unsigned(byte[] b, int off, int n, boolean big) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            int idx = big ? off + i : off + n - 1 - i;
            v = (v << 8) | (b[idx] & 0xFF);
        }
        return v;
    }

    static double floatAt(byte[] b, int off, int n, boolean big) {
        switch (n) {
            case 2:
                return halfToFloat((int) unsigned(b, off, 2, big));
            case 4:
                return Float.intBitsToFloat((int) unsigned(b, off, 4, big));
            case 8:
                return Double.longBitsToDouble(unsigned(b, off, 8, big));
            case 12:
            case 16:
                if (big) {
                    throw new IllegalArgumentException("big-endian long double is not supported");
                }
                return x87ToDouble(b, off);
            default:
                throw new IllegalArgumentException("float of " + n + " bytes");
        }
    }

    /** IEEE binary16 bits to float (exact). */
    static float halfToFloat(int h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        float v;
        if (exp == 0x1F) {
            v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (exp == 0) {
            v = mant * 0x1p-24f;
        } else {
            v = Float.intBitsToFloat(((exp - 15 + 127) << 23) | (mant << 13));
        }
        return sign == 1 ? -v : v;
    }

    /** x87 80-bit extended precision (little-endian, the first 10 of 12/16 bytes) rounded to double. */
    static double x87ToDouble(byte[] b, int off) {
        long mant = unsigned(b, off, 8, false);
        int se = (int) unsigned(b, off + 8, 2, false);
        boolean negative = (se & 0x8000) != 0;
        int exp = se & 0x7FFF;
        double v;
        if (exp == 0x7FFF) {
            v = (mant << 1) == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (mant == 0) {
            v = 0.0;
        } else {
            // Exact value mant * 2^(exp - 16383 - 63); BigDecimal rounds it to double once.
            java.math.BigDecimal m = new java.math.BigDecimal(new BigInteger(Long.toUnsignedString(mant)));
            int e = (exp == 0 ? 1 : exp) - 16383 - 63;
            java.math.BigDecimal two = java.math.BigDecimal.valueOf(2);
            v = (e >= 0 ? m.multiply(two.pow(e)) : m.divide(two.pow(-e))).doubleValue();
        }
        return negative ? -v : v;
    }

    private static String utf32(byte[] b, int off, int n, boolean big) {
        int count = n / 4;
        while (count > 0 && unsigned(b, off + 4 * (count - 1), 4, big) == 0) {
            count--;
        }
        StringBuilder sb = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            long cp = unsigned(b, off + 4 * i, 4, big);
            if (cp > Character.MAX_CODE_POINT) {
                sb.append('\uFFFD');
            } else {
                sb.appendCodePoint((int) cp);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NumpyScalar)) {
            return false;
        }
        NumpyScalar s = (NumpyScalar) o;
        int n = dtype.itemSize();
        return dtype.str().equals(s.dtype.str()) && n == s.dtype.itemSize()
                && Arrays.equals(buffer, offset, offset + n, s.buffer, s.offset, s.offset + n);
    }

    @Override
    public int hashCode() {
        int h = dtype.str().hashCode();
        for (int i = offset; i < offset + dtype.itemSize(); i++) {
            h = 31 * h + buffer[i];
        }
        return h;
    }

    @Override
    public String toString() {
        return ElementRepr.repr(this);
    }

    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
