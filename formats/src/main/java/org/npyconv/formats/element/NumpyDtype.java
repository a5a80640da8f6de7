package org.npyconv.formats.element;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A NumPy dtype as far as elements need one: kind, item size, byte order, datetime unit, and the
 * fields of a structured dtype. {@link #str()} is NumPy's {@code dtype.str} ({@code "<i2"},
 * {@code "|O"}, {@code "<U5"}, {@code "<M8[ns]"}, {@code "|V20"} for structured dtypes).
 *
 * <p>This is the element package's own small dtype model (the {@code .npy} header has its own for
 * the header's {@code descr}). It is built from the pickle's {@code numpy.dtype(typestr, align, copy)}
 * call and completed by the {@code BUILD} that follows it ({@code __setstate__} with the state tuple,
 * versions 3 and 4); {@link #parse(String)} builds one from a {@code dtype.str}. Identity-equal;
 * compare {@link #str()} for equality of simple dtypes. Read-only once its span is evaluated.
 */
public final class NumpyDtype {
    /** One field of a structured dtype. {@code title} is {@code null} when the field has none. */
    public record Field(String name, NumpyDtype dtype, int offset, Object title) {}

    private char kind;
    private int itemSize;
    private char byteOrder;
    private String unit;
    private int unitCount = 1;
    private List<Field> fields;
    private NumpyDtype subarrayBase;
    private long[] subarrayShape;
    private Object metadata;

    private NumpyDtype(char kind, int itemSize, char byteOrder) {
        this.kind = kind;
        this.itemSize = itemSize;
        this.byteOrder = byteOrder;
    }

    /**
     * Parses a {@code dtype.str} such as {@code "<f8"}, {@code "|b1"}, {@code "|O"}, {@code "<U5"},
     * {@code "|S3"}, {@code "<M8[ms]"}, {@code "<m8[10s]"}; also the typestr of a pickled
     * {@code numpy.dtype} call ({@code "i2"}, {@code "O8"}, {@code "U5"}, {@code "M8"}).
     *
     * @throws IllegalArgumentException if the text is not such a dtype string
     */
    public static NumpyDtype parse(String text) {
        String s = text;
        char order = 0;
        if (!s.isEmpty() && "<>|=".indexOf(s.charAt(0)) >= 0) {
            order = s.charAt(0) == '=' ? nativeOrderChar() : s.charAt(0);
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("not a dtype: '" + text + "'");
        }
        char kind = s.charAt(0);
        if (kind == '?') {
            kind = 'b';
            s = "b1" + s.substring(1);
        }
        if ("biufcUSVOMma".indexOf(kind) < 0) {
            throw new IllegalArgumentException("unsupported dtype kind in '" + text + "'");
        }
        if (kind == 'a') {
            kind = 'S'; // NumPy's old alias for bytes
        }
        int i = 1;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        String digits = s.substring(1, i);
        String rest = s.substring(i);
        int size;
        try {
            size = digits.isEmpty() ? defaultSize(kind, text) : Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("dtype size out of range in '" + text + "'");
        }
        if (kind == 'U') {
            if (size > Integer.MAX_VALUE / 4) {
                throw new IllegalArgumentException("dtype size out of range in '" + text + "'");
            }
            size *= 4;
        }
        if (kind == 'O') {
            size = 8; // 'O4' from 32-bit writers: the data is a list either way
        }
        checkSize(kind, size, text);
        NumpyDtype dt = new NumpyDtype(kind, size, order != 0 ? order : defaultOrder(kind, size));
        if (kind == 'M' || kind == 'm') {
            dt.unit = "generic";
            if (!rest.isEmpty()) {
                dt.parseUnit(rest, text);
                rest = "";
            }
        }
        if (!rest.isEmpty()) {
            throw new IllegalArgumentException("not a dtype: '" + text + "'");
        }
        if (dt.byteOrder == '=' ) {
            dt.byteOrder = nativeOrderChar();
        }
        return dt;
    }

    /**
     * The element model's dtype for a {@code .npy} header's dtype, so raw items of a non-object
     * {@code .npy} decode as {@link NumpyScalar}s: scalars by their {@code dtype.str}, structured
     * dtypes field by field (padding is not a field, but the offsets and item size keep it), subarray
     * dtypes as a base dtype and a shape.
     *
     * @throws IllegalArgumentException for a dtype the element model cannot hold
     */
    public static NumpyDtype of(org.npyconv.formats.npy.Dtype header) {
        if (header instanceof org.npyconv.formats.npy.Dtype.Scalar) {
            return parse(header.str());
        }
        if (header instanceof org.npyconv.formats.npy.Dtype.Subarray) {
            org.npyconv.formats.npy.Dtype.Subarray sub = (org.npyconv.formats.npy.Dtype.Subarray) header;
            NumpyDtype dt = new NumpyDtype('V', sub.itemSize(), '|');
            dt.subarrayBase = of(sub.base());
            dt.subarrayShape = sub.shape().stream().mapToLong(Integer::longValue).toArray();
            return dt;
        }
        org.npyconv.formats.npy.Dtype.Structured rec = (org.npyconv.formats.npy.Dtype.Structured) header;
        NumpyDtype dt = new NumpyDtype('V', rec.itemSize(), '|');
        List<Field> list = new ArrayList<>(rec.fields().size());
        for (org.npyconv.formats.npy.Dtype.Field f : rec.fields()) {
            list.add(new Field(f.name(), of(f.dtype()), f.offset(), f.title()));
        }
        dt.fields = Collections.unmodifiableList(list);
        return dt;
    }

    private static int defaultSize(char kind, String text) {
        switch (kind) {
            case 'b': return 1;
            case 'O': return 8;
            case 'M': case 'm': return 8;
            case 'U': case 'S': case 'V': return 0;
            default: throw new IllegalArgumentException("dtype without size: '" + text + "'");
        }
    }

    private static void checkSize(char kind, int size, String text) {
        boolean ok;
        switch (kind) {
            case 'b': ok = size == 1; break;
            case 'i': case 'u': ok = size == 1 || size == 2 || size == 4 || size == 8; break;
            case 'f': ok = size == 2 || size == 4 || size == 8 || size == 12 || size == 16; break;
            case 'c': ok = size == 8 || size == 16 || size == 24 || size == 32; break;
            case 'M': case 'm': ok = size == 8; break;
            default: ok = size >= 0;
        }
        if (!ok) {
            throw new IllegalArgumentException("unsupported item size in dtype '" + text + "'");
        }
    }

    private static char defaultOrder(char kind, int size) {
        switch (kind) {
            case 'b': case 'S': case 'V': case 'O': return '|';
            case 'i': case 'u': return size == 1 ? '|' : nativeOrderChar();
            default: return nativeOrderChar();
        }
    }

    private static char nativeOrderChar() {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? '<' : '>';
    }

    private void parseUnit(String bracketed, String text) {
        if (!bracketed.startsWith("[") || !bracketed.endsWith("]")) {
            throw new IllegalArgumentException("bad datetime unit in '" + text + "'");
        }
        String inner = bracketed.substring(1, bracketed.length() - 1);
        int j = 0;
        while (j < inner.length() && Character.isDigit(inner.charAt(j))) {
            j++;
        }
        int count = j == 0 ? 1 : Integer.parseInt(inner.substring(0, j));
        String u = inner.substring(j);
        if (DatetimeUnit.of(u) == null) {
            throw new IllegalArgumentException("unknown datetime unit in '" + text + "'");
        }
        this.unit = u;
        this.unitCount = count;
    }

    /**
     * Applies the state tuple of {@code numpy.dtype.__setstate__}:
     * {@code (version, byteorder, subarray, names, fields, elsize, alignment[, flags[, metadata]])};
     * for datetimes, version 4's last item is {@code (metadata, (unit, num, den, events))}.
     */
    void applyState(Object state) {
        if (!(state instanceof PyTuple)) {
            throw new IllegalArgumentException("dtype state is not a tuple");
        }
        PyTuple t = (PyTuple) state;
        if (t.size() < 7 || t.size() > 9) {
            throw new IllegalArgumentException("dtype state tuple of unsupported length " + t.size());
        }
        Object endian = t.get(1);
        if (endian instanceof String && ((String) endian).length() == 1 && "<>|=".contains((String) endian)) {
            char c = ((String) endian).charAt(0);
            byteOrder = c == '=' ? nativeOrderChar() : c;
        } else {
            throw new IllegalArgumentException("dtype byte order is not one of < > | =");
        }
        Object subarray = t.get(2);
        if (subarray instanceof PyTuple && ((PyTuple) subarray).size() == 2
                && ((PyTuple) subarray).get(0) instanceof NumpyDtype) {
            subarrayBase = (NumpyDtype) ((PyTuple) subarray).get(0);
            subarrayShape = NdArray.shapeOf(((PyTuple) subarray).get(1));
        } else if (subarray != null) {
            throw new IllegalArgumentException("dtype subarray is not (dtype, shape)");
        }
        applyFields(t.get(3), t.get(4));
        Object elsize = t.get(5);
        if (!(elsize instanceof Long)) {
            throw new IllegalArgumentException("dtype elsize is not an int");
        }
        long size = (Long) elsize;
        if (size >= 0) {
            if (size > Integer.MAX_VALUE || (kind != 'U' && kind != 'S' && kind != 'V' && size != itemSize)) {
                throw new IllegalArgumentException("dtype elsize " + size + " does not fit " + str());
            }
            itemSize = (int) size;
        }
        if (t.size() == 9) {
            Object last = t.get(8);
            if ((kind == 'M' || kind == 'm') && last instanceof PyTuple && ((PyTuple) last).size() == 2) {
                metadata = ((PyTuple) last).get(0);
                applyDatetimeMeta(((PyTuple) last).get(1));
            } else {
                metadata = last;
            }
        }
    }

    private void applyFields(Object names, Object fieldMap) {
        if (names == null) {
            return;
        }
        if (!(names instanceof PyTuple) || !(fieldMap instanceof Map)) {
            throw new IllegalArgumentException("dtype names/fields are not a tuple and a dict");
        }
        List<Field> list = new ArrayList<>();
        for (Object name : ((PyTuple) names).items()) {
            Object spec = ((Map<?, ?>) fieldMap).get(name);
            if (!(name instanceof String) || !(spec instanceof PyTuple) || ((PyTuple) spec).size() < 2
                    || !(((PyTuple) spec).get(0) instanceof NumpyDtype) || !(((PyTuple) spec).get(1) instanceof Long)) {
                throw new IllegalArgumentException("dtype field " + name + " is not (dtype, offset[, title])");
            }
            PyTuple f = (PyTuple) spec;
            long offset = (Long) f.get(1);
            if (offset < 0 || offset > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("dtype field offset out of range");
            }
            list.add(new Field((String) name, (NumpyDtype) f.get(0), (int) offset, f.size() > 2 ? f.get(2) : null));
        }
        fields = Collections.unmodifiableList(list);
    }

    private void applyDatetimeMeta(Object meta) {
        if (!(meta instanceof PyTuple) || ((PyTuple) meta).size() < 2) {
            throw new IllegalArgumentException("datetime dtype metadata is not (unit, num, den, events)");
        }
        PyTuple m = (PyTuple) meta;
        Object u = m.get(0);
        String unitText = u instanceof byte[] ? new String((byte[]) u, StandardCharsets.ISO_8859_1)
                : u instanceof String ? (String) u : null;
        if (unitText == null || DatetimeUnit.of(unitText) == null || !(m.get(1) instanceof Long)) {
            throw new IllegalArgumentException("datetime dtype has an unknown unit");
        }
        long num = (Long) m.get(1);
        if (num < 1 || num > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("datetime dtype unit multiplier out of range");
        }
        unit = unitText;
        unitCount = (int) num;
    }

    /** NumPy's kind letter: {@code b i u f c U S V O M m}. */
    public char kind() {
        return kind;
    }

    /** Bytes per item ({@code dtype.itemsize}); 4 per character for {@code U}. */
    public int itemSize() {
        return itemSize;
    }

    /** {@code '<'}, {@code '>'} or {@code '|'} (not applicable), as in {@link #str()}. */
    public char byteOrderChar() {
        return byteOrder;
    }

    /** Java's byte order for decoding items ({@code '|'} decodes as little-endian: single bytes). */
    public ByteOrder byteOrder() {
        return byteOrder == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    public boolean isObject() {
        return kind == 'O';
    }

    /** True for the object dtype and for structured dtypes with an object field (at any depth): NumPy pickles such data as a list. */
    public boolean holdsObjects() {
        if (kind == 'O') {
            return true;
        }
        if (subarrayBase != null && subarrayBase.holdsObjects()) {
            return true;
        }
        for (Field f : fields()) {
            if (f.dtype().holdsObjects()) {
                return true;
            }
        }
        return false;
    }

    /** A copy of this (non-structured) dtype in another byte order. */
    NumpyDtype withByteOrder(char order) {
        NumpyDtype copy = new NumpyDtype(kind, itemSize, order);
        copy.unit = unit;
        copy.unitCount = unitCount;
        copy.metadata = metadata;
        return copy;
    }

    /** True when the dtype has named fields. */
    public boolean isStructured() {
        return fields != null;
    }

    /** The fields of a structured dtype in order; empty otherwise. */
    public List<Field> fields() {
        return fields == null ? List.of() : fields;
    }

    /** Datetime unit ({@code "ns"}, {@code "D"}, {@code "generic"}, ...) for kinds M and m; else {@code null}. */
    public String unit() {
        return unit;
    }

    /** The unit multiplier ({@code 10} in {@code M8[10s]}); 1 when absent. */
    public int unitCount() {
        return unitCount;
    }

    /** Base dtype of a subarray dtype such as {@code ('<i2', (2, 3))}; else {@code null}. */
    public NumpyDtype subarrayBase() {
        return subarrayBase;
    }

    /** Shape of a subarray dtype; else {@code null}. */
    public long[] subarrayShape() {
        return subarrayShape == null ? null : subarrayShape.clone();
    }

    /** The dtype's metadata dict (version 4 state), or {@code null}. */
    public Object metadata() {
        return metadata;
    }

    /** NumPy's {@code dtype.str}. */
    public String str() {
        switch (kind) {
            case 'O':
                return "|O";
            case 'b':
                return "|b1";
            case 'U':
                return byteOrder + "U" + (itemSize / 4);
            case 'M':
            case 'm':
                String u = "generic".equals(unit) ? "" : "[" + (unitCount == 1 ? "" : unitCount) + unit + "]";
                return byteOrder + String.valueOf(kind) + "8" + u;
            default:
                return byteOrder + String.valueOf(kind) + itemSize;
        }
    }

    /** NumPy's dtype name used in reprs: {@code int16}, {@code float32}, {@code <U5}, {@code datetime64[ns]}. */
    public String name() {
        switch (kind) {
            case 'b': return "bool";
            case 'i': return "int" + itemSize * 8;
            case 'u': return "uint" + itemSize * 8;
            case 'f': return itemSize >= 12 ? "longdouble" : "float" + itemSize * 8;
            case 'c': return itemSize >= 24 ? "clongdouble" : "complex" + itemSize * 8;
            case 'O': return "object";
            case 'M': return "datetime64" + unitSuffix();
            case 'm': return "timedelta64" + unitSuffix();
            default: return str();
        }
    }

    private String unitSuffix() {
        return "generic".equals(unit) ? "" : "[" + (unitCount == 1 ? "" : unitCount) + unit + "]";
    }

    @Override
    public String toString() {
        return "dtype('" + str() + "')";
    }
}
