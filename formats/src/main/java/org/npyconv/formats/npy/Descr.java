package org.npyconv.formats.npy;

import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;

/**
 * Turns a header's {@code descr} value (as {@link PythonLiteral} parsed it) into a {@link Dtype},
 * following {@code descr_to_dtype} in NumPy's {@code numpy/lib/format.py}: a string is one dtype,
 * a tuple {@code (descr, shape)} a subarray, a list of {@code (name, descr[, shape])} entries a
 * structured dtype.
 *
 * <p>A descr NumPy would refuse is corrupt; one NumPy accepts but {@code np.save} never writes
 * (type names such as {@code 'float64'}, one-letter type codes, datetime units with a divisor,
 * non-string field titles) is unsupported. Either way the exception names {@code file} and
 * {@code offset}, which the caller chooses (the header reader passes the header text's start).
 *
 * <p>Stateless apart from the location; not shared.
 */
final class Descr {

    /** NumPy 2's {@code sctypeDict} names and one-letter type codes: valid NumPy, never written by np.save. */
    private static final Set<String> NUMPY_ALIASES = Set.of(
            "bool", "bool_", "byte", "bytes", "bytes_", "cdouble", "clongdouble", "complex", "complex128",
            "complex256", "complex64", "csingle", "datetime64", "double", "float", "float128", "float16",
            "float32", "float64", "half", "int", "int16", "int32", "int64", "int8", "int_", "intc", "intp",
            "long", "longdouble", "longlong", "object", "object_", "short", "single", "str", "str_",
            "timedelta64", "ubyte", "uint", "uint16", "uint32", "uint64", "uint8", "uintc", "uintp", "ulong",
            "ulonglong", "unicode", "ushort", "void",
            "?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "p", "P", "n", "N", "e", "f", "d", "g",
            "F", "D", "G", "c", "T");

    /** Datetime units NumPy knows, in {@code dtype.str} spelling. */
    private static final Set<String> DATETIME_UNITS =
            Set.of("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as");

    private final Path file;
    private final long offset;
    /** What errors say was being read: {@code header} inside a .npy header, else {@code dtype}. */
    private final String construct;

    private Descr(Path file, long offset, String construct) {
        this.file = file;
        this.offset = offset;
        this.construct = construct;
    }

    /**
     * The dtype {@code descr} describes.
     *
     * @param descr a String, {@link PyTuple} or List as {@link PythonLiteral} returns them
     * @param file the file to name in errors, or {@code null}
     * @param offset the absolute offset to name in errors, or {@code -1}
     */
    static Dtype toDtype(Object descr, Path file, long offset) {
        return new Descr(file, offset, "header").dtype(descr, 0);
    }

    /** One dtype string outside any file, as {@link Dtype#parse(String)} offers it. */
    static Dtype fromString(String str) {
        return new Descr(null, -1, "dtype").dtype(str, 0);
    }

    private Dtype dtype(Object descr, int level) {
        if (level > PythonLiteral.MAX_DEPTH) {
            // Unreachable from parsed text (the parser limits nesting); guards direct callers.
            throw corrupt("descr nested too deeply");
        }
        if (descr instanceof String s) {
            return scalar(s);
        }
        if (descr instanceof PyTuple t) {
            if (t.size() != 2) {
                throw corrupt("a subarray descr must be a (dtype, shape) pair, not " + PythonLiteral.repr(t));
            }
            return withShape(dtype(t.get(0), level + 1), t.get(1));
        }
        if (descr instanceof List<?> fields) {
            return structured(fields, level);
        }
        throw corrupt("descr is not a valid dtype descriptor: " + PythonLiteral.repr(descr));
    }

    // ---- structured ----

    private Dtype structured(List<?> entries, int level) {
        List<Dtype.Field> fields = new ArrayList<>(entries.size());
        Set<String> used = new HashSet<>();
        long offset = 0;
        for (Object entry : entries) {
            List<?> parts = entry instanceof PyTuple t ? t.items() : entry instanceof List<?> l ? l : null;
            if (parts == null || parts.size() < 2 || parts.size() > 3) {
                throw corrupt("a structured descr entry must be (name, dtype) or (name, dtype, shape), not "
                        + PythonLiteral.repr(entry));
            }
            Object nameSpec = parts.get(0);
            Dtype dt = dtype(parts.get(1), level + 1);
            if (parts.size() == 3) {
                dt = withShape(dt, parts.get(2));
            }
            if (!isPadding(nameSpec, dt)) {
                fields.add(field(nameSpec, dt, (int) offset, used));
            }
            offset += dt.itemSize();
            if (offset > Integer.MAX_VALUE) {
                throw corrupt("structured dtype size " + offset + " does not fit in a C int (NumPy refuses it)");
            }
        }
        return new Dtype.Structured(fields, (int) offset);
    }

    /** NumPy's rule: an entry named '' whose dtype is void without fields is padding, not a field. */
    private static boolean isPadding(Object nameSpec, Dtype dt) {
        boolean voidWithoutFields = dt instanceof Dtype.Subarray
                || (dt instanceof Dtype.Scalar s && s.kind() == 'V');
        return "".equals(nameSpec) && voidWithoutFields;
    }

    private Dtype.Field field(Object nameSpec, Dtype dt, int offset, Set<String> used) {
        String title = null;
        Object name = nameSpec;
        if (nameSpec instanceof PyTuple t) {
            if (t.size() != 2) {
                throw corrupt("a titled field name must be a (title, name) pair, not " + PythonLiteral.repr(t));
            }
            name = t.get(1);
            Object titleValue = t.get(0);
            if (!(titleValue instanceof String)) {
                // NumPy allows any object as a title; we only handle the usual str titles.
                throw unsupported("field title " + PythonLiteral.repr(titleValue) + " is not a str");
            }
            title = (String) titleValue;
        }
        if (!(name instanceof String)) {
            throw corrupt("field names must be strings, not " + PythonLiteral.repr(name));
        }
        String fieldName = (String) name;
        if (!used.add(fieldName)) {
            throw corrupt("field name '" + fieldName + "' already used as a name or title");
        }
        if (title != null && !used.add(title)) {
            throw corrupt("field title '" + title + "' already used as a name or title");
        }
        return new Dtype.Field(fieldName, title, dt, offset);
    }

    // ---- subarray ----

    /** {@code numpy.dtype((base, shape))}: an int or a sequence of ints; {@code ()} means no subarray. */
    private Dtype withShape(Dtype base, Object shapeSpec) {
        List<?> dims;
        if (shapeSpec instanceof Long || shapeSpec instanceof BigInteger) {
            dims = List.of(shapeSpec);
        } else if (shapeSpec instanceof PyTuple t) {
            dims = t.items();
        } else if (shapeSpec instanceof List<?> l) {
            dims = l;
        } else {
            throw corrupt("invalid subarray shape " + PythonLiteral.repr(shapeSpec));
        }
        if (dims.isEmpty()) {
            return base;
        }
        List<Integer> shape = new ArrayList<>(dims.size());
        for (Object d : dims) {
            if (!(d instanceof Long n) || n < 0 || n > Integer.MAX_VALUE) {
                throw corrupt("invalid subarray shape " + PythonLiteral.repr(shapeSpec)
                        + ": dimensions must be ints from 0 to 2^31-1");
            }
            shape.add(n.intValue());
        }
        if (Dtype.Subarray.blockItemSize(base, shape) < 0) {
            throw corrupt("subarray " + PythonLiteral.repr(shapeSpec) + " of " + base.str()
                    + ": dtype size in bytes must fit into a C int");
        }
        return new Dtype.Subarray(base, shape);
    }

    // ---- scalar strings ----

    /**
     * One dtype string: {@code [byteorder] kind [size] ['[' unit ']']}, the form {@code dtype.str}
     * writes. NumPy also accepts a missing byte order and leading zeros in the size; so do we.
     */
    private Dtype scalar(String s) {
        int i = 0;
        char order = '=';
        if (!s.isEmpty() && "<>|=".indexOf(s.charAt(0)) >= 0) {
            order = s.charAt(0);
            i = 1;
        }
        if (i >= s.length()) {
            throw corrupt("data type '" + s + "' not understood");
        }
        char kind = s.charAt(i);
        int sizeStart = ++i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        String sizeDigits = s.substring(sizeStart, i);
        String unitPart = s.substring(i);
        if (kind == 'a') {
            kind = 'S'; // Python 2-era alias NumPy still reads
        }
        if (Dtype.Scalar.KINDS.indexOf(kind) < 0 || (!unitPart.isEmpty() && unitPart.charAt(0) != '[')) {
            throw unknown(s);
        }
        if (sizeDigits.isEmpty() && "biufc".indexOf(kind) >= 0) {
            // 'b', 'i', 'f', 'c'... alone are one-letter type codes, not kinds.
            throw unknown(s);
        }
        int size = size(s, kind, sizeDigits);
        String unit = "";
        if (!unitPart.isEmpty()) {
            if (kind != 'M' && kind != 'm') {
                throw corrupt("data type '" + s + "' not understood");
            }
            unit = datetimeUnit(s, unitPart);
        }
        return new Dtype.Scalar(byteOrder(order, kind, size), kind, size, unit);
    }

    private int size(String s, char kind, String digits) {
        long n = -1;
        if (!digits.isEmpty()) {
            // Trim leading zeros ourselves so that long digit strings cannot overflow the parse.
            String trimmed = digits.replaceFirst("^0+(?=.)", "");
            n = trimmed.length() > 10 ? Long.MAX_VALUE : Long.parseLong(trimmed);
        }
        switch (kind) {
            case 'b':
                return require(s, n == 1, 1);
            case 'i':
            case 'u':
                return require(s, n == 1 || n == 2 || n == 4 || n == 8, n);
            case 'f':
                // f16 is x86 long double; f12 is 32-bit x86 only and refused by 64-bit NumPy.
                return require(s, n == 2 || n == 4 || n == 8 || n == 16, n);
            case 'c':
                return require(s, n == 8 || n == 16 || n == 32, n);
            case 'O':
                // 32-bit NumPy wrote '|O4'; 64-bit NumPy reads it as its own 8-byte object dtype.
                require(s, n == -1 || n == 4 || n == 8, n);
                return 8;
            case 'M':
            case 'm':
                require(s, n == -1 || n == 8, n);
                return 8;
            case 'U':
                return require(s, n <= Integer.MAX_VALUE / 4, Math.max(n, 0) * 4);
            default: // S, V
                return require(s, n <= Integer.MAX_VALUE, Math.max(n, 0));
        }
    }

    private int require(String s, boolean valid, long size) {
        if (!valid) {
            throw corrupt("data type '" + s + "' not understood (invalid item size)");
        }
        return (int) size;
    }

    /** The unit between brackets: {@code [unit]}, {@code [N unit]}, or {@code [generic]}; normalised like dtype.str. */
    private String datetimeUnit(String s, String part) {
        if (part.length() < 3 || part.charAt(part.length() - 1) != ']') {
            throw corrupt("invalid datetime metadata in data type '" + s + "'");
        }
        String inner = part.substring(1, part.length() - 1);
        if (inner.indexOf('/') >= 0) {
            // NumPy converts '[ns/2]' to '[500ps]'; np.save writes the converted form only.
            throw unsupported("datetime unit with a divisor in data type '" + s + "'");
        }
        int d = 0;
        while (d < inner.length() && inner.charAt(d) >= '0' && inner.charAt(d) <= '9') {
            d++;
        }
        String unit = inner.substring(d);
        if (unit.equals("generic")) {
            return ""; // NumPy ignores a multiplier on the generic unit too
        }
        if (unit.equals("\u03bcs")) {
            unit = "us"; // NumPy accepts the Greek mu spelling of microseconds
        }
        if (!DATETIME_UNITS.contains(unit)) {
            throw corrupt("invalid datetime unit '" + inner + "' in data type '" + s + "'");
        }
        if (d == 0) {
            return unit;
        }
        String digits = inner.substring(0, d).replaceFirst("^0+(?=.)", "");
        if (digits.length() > 10 || Long.parseLong(digits) > Integer.MAX_VALUE) {
            throw corrupt("datetime multiplier out of range in data type '" + s + "'");
        }
        return digits.equals("1") ? unit : digits + unit;
    }

    /** NumPy's dtype.str byte order: '|' where order is meaningless, '='/'|' otherwise resolve to native. */
    private static char byteOrder(char given, char kind, int size) {
        boolean orderless = kind == 'b' || kind == 'O' || kind == 'S' || kind == 'V'
                || ((kind == 'i' || kind == 'u') && size == 1);
        if (orderless) {
            return '|';
        }
        if (given == '<' || given == '>') {
            return given;
        }
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? '<' : '>';
    }

    // ---- errors ----

    private RuntimeException unknown(String s) {
        String bare = !s.isEmpty() && "<>|=".indexOf(s.charAt(0)) >= 0 ? s.substring(1) : s;
        if (bare.equals(s) && NUMPY_ALIASES.contains(s)) {
            return unsupported("data type '" + s + "' is a NumPy type name or code that np.save never writes;"
                    + " only dtype.str forms such as '<f8' are supported");
        }
        if (!bare.equals(s) && bare.length() == 1 && NUMPY_ALIASES.contains(bare)) {
            return unsupported("data type '" + s + "' uses a one-letter NumPy type code that np.save never writes;"
                    + " only dtype.str forms such as '<f8' are supported");
        }
        return corrupt("data type '" + s + "' not understood");
    }

    private CorruptInputException corrupt(String reason) {
        return new CorruptInputException(reason, file, offset, construct);
    }

    private UnsupportedInputException unsupported(String reason) {
        return new UnsupportedInputException(reason, file, offset, construct);
    }
}
