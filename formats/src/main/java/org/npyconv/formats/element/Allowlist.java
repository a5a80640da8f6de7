package org.npyconv.formats.element;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The closed set of calls that build real values: one method per allowlisted global, chosen by an
 * explicit switch on the name the file gives (no reflection, no registry). Each returns
 * {@link #NOT_BUILT} for argument shapes Python accepts but npyconv does not rebuild (the caller
 * then records an inert {@link PyObject}), and throws {@link IllegalArgumentException} for
 * arguments Python itself would reject (the caller reports corrupt input). Stateless.
 */
final class Allowlist {
    /** Returned when the call is valid Python but npyconv keeps it inert. */
    static final Object NOT_BUILT = new Object();

    private Allowlist() {}

    /** Builds {@code global(*args, **kwargs)} when it is allowlisted, else {@link #NOT_BUILT}. */
    static Object call(PyGlobal global, List<Object> args, Map<Object, Object> kwargs) {
        if (!kwargs.isEmpty()) {
            return NOT_BUILT;
        }
        String module = global.module();
        String name = global.name();
        switch (module + "." + name) {
            case "numpy.core.multiarray._reconstruct":
            case "numpy._core.multiarray._reconstruct":
                return reconstruct(args);
            case "numpy.ndarray":
                return ndarray(args);
            case "numpy.dtype":
                return dtype(args);
            case "numpy.core.multiarray.scalar":
            case "numpy._core.multiarray.scalar":
                return scalar(args);
            case "numpy.core.numeric._frombuffer":
            case "numpy._core.numeric._frombuffer":
                return frombuffer(args);
            case "datetime.datetime":
                return DateTimes.datetime(args);
            case "datetime.date":
                return DateTimes.date(args);
            case "datetime.time":
                return DateTimes.time(args);
            case "datetime.timedelta":
                return DateTimes.timedelta(args);
            case "datetime.timezone":
                return DateTimes.timezone(args);
            case "decimal.Decimal":
                return decimal(args);
            case "collections.OrderedDict":
                return orderedDict(args);
            case "_codecs.encode":
                return codecsEncode(args);
            case "copy_reg._reconstructor":
            case "copyreg._reconstructor":
                return reconstructor(args);
            default:
                break;
        }
        if (module.equals("builtins") || module.equals("__builtin__")) {
            switch (name) {
                case "set": return set(args, false);
                case "frozenset": return set(args, true);
                case "bytes": return bytes(args);
                case "bytearray": return bytearray(args);
                case "complex": return complex(args);
                default: break;
            }
        }
        return NOT_BUILT;
    }

    // ---- NumPy ----

    private static boolean isNdarrayClass(Object cls) {
        return cls instanceof PyGlobal && ((PyGlobal) cls).qualifiedName().equals("numpy.ndarray");
    }

    /** {@code _reconstruct(ndarray, (0,), b'b')}: the empty array that BUILD then fills. */
    private static Object reconstruct(List<Object> args) {
        if (args.size() != 3) {
            throw new IllegalArgumentException("_reconstruct takes (subtype, shape, dtype), got " + args.size() + " arguments");
        }
        // Subclasses (np.matrix, np.recarray, ...) would run their own code: keep them inert.
        return isNdarrayClass(args.get(0)) ? NdArray.unbuilt() : NOT_BUILT;
    }

    /** {@code ndarray(shape, ...)} called directly: only the empty form is rebuilt (the data would be uninitialised). */
    private static Object ndarray(List<Object> args) {
        if (args.isEmpty()) {
            return NOT_BUILT;
        }
        long[] shape = NdArray.shapeOf(args.get(0));
        for (long d : shape) {
            if (d == 0) {
                return NdArray.unbuilt();
            }
        }
        return NOT_BUILT;
    }

    private static Object dtype(List<Object> args) {
        if (args.isEmpty() || !(args.get(0) instanceof String)) {
            return NOT_BUILT; // dtype(dtype), dtype(list of fields)...: not how NumPy pickles a dtype
        }
        return NumpyDtype.parse((String) args.get(0));
    }

    /** {@code scalar(dtype, bytes)}; for the object dtype the second argument is the object itself. */
    private static Object scalar(List<Object> args) {
        if (args.size() < 1 || args.size() > 2 || !(args.get(0) instanceof NumpyDtype)) {
            throw new IllegalArgumentException("scalar takes (dtype, bytes)");
        }
        NumpyDtype dt = (NumpyDtype) args.get(0);
        if (dt.isObject()) {
            return args.size() == 2 ? args.get(1) : null;
        }
        byte[] raw = args.size() == 2 ? NdArray.bytesOf(args.get(1)) : new byte[dt.itemSize()];
        return NumpyScalar.of(dt, raw);
    }

    /** Protocol 5's {@code _frombuffer(buffer, dtype, shape, order)}. */
    private static Object frombuffer(List<Object> args) {
        if (args.size() != 4 || !(args.get(1) instanceof NumpyDtype) || !(args.get(3) instanceof String)) {
            throw new IllegalArgumentException("_frombuffer takes (buffer, dtype, shape, order)");
        }
        NumpyDtype dt = (NumpyDtype) args.get(1);
        String order = (String) args.get(3);
        if (!order.equals("C") && !order.equals("F")) {
            throw new IllegalArgumentException("_frombuffer order must be 'C' or 'F', got '" + order + "'");
        }
        byte[] data = NdArray.bytesOf(args.get(0));
        return NdArray.ofBytes(dt, NdArray.shapeOf(args.get(2)), order.equals("F"), data);
    }

    // ---- builtins and the standard library ----

    private static Object decimal(List<Object> args) {
        if (args.size() != 1) {
            return NOT_BUILT;
        }
        Object v = args.get(0);
        if (v instanceof String) {
            return PythonText.decimal((String) v);
        }
        if (v instanceof Long) {
            return BigDecimal.valueOf((Long) v);
        }
        if (v instanceof BigInteger) {
            return new BigDecimal((BigInteger) v);
        }
        return NOT_BUILT; // the (sign, digits, exponent) tuple form
    }

    private static Object orderedDict(List<Object> args) {
        LinkedHashMap<Object, Object> map = new LinkedHashMap<>();
        if (args.isEmpty()) {
            return map;
        }
        if (args.size() != 1 || !(args.get(0) instanceof List)) {
            return NOT_BUILT;
        }
        // Python 2 pickles pass the items as a list of [key, value] lists.
        for (Object pair : (List<?>) args.get(0)) {
            List<?> kv = pair instanceof List ? (List<?>) pair : pair instanceof PyTuple ? ((PyTuple) pair).items() : null;
            if (kv == null || kv.size() != 2) {
                throw new IllegalArgumentException("OrderedDict items are not key/value pairs");
            }
            requireHashable(kv.get(0), "OrderedDict key");
            map.put(kv.get(0), kv.get(1));
        }
        return map;
    }

    /** {@code _codecs.encode(str, encoding)}: how protocols 0-2 write bytes (always latin1). */
    private static Object codecsEncode(List<Object> args) {
        if (args.isEmpty() || args.size() > 2 || !(args.get(0) instanceof String)) {
            return NOT_BUILT;
        }
        String text = (String) args.get(0);
        String encoding = args.size() == 2 && args.get(1) instanceof String ? (String) args.get(1) : "utf-8";
        switch (encoding.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "latin1": case "latin-1": case "iso-8859-1": case "iso8859-1": case "l1":
                return latin1(text);
            case "utf-8": case "utf8":
                return text.getBytes(StandardCharsets.UTF_8);
            case "ascii": case "us-ascii":
                for (int i = 0; i < text.length(); i++) {
                    if (text.charAt(i) > 0x7F) {
                        throw new IllegalArgumentException("'ascii' codec can't encode character in _codecs.encode");
                    }
                }
                return text.getBytes(StandardCharsets.US_ASCII);
            default:
                return NOT_BUILT; // other codecs (zlib, base64, rot13...) are not rebuilt
        }
    }

    /**
     * {@code copyreg._reconstructor(cls, base, state)} (protocols 0-1): rebuilt only when {@code cls}
     * is itself an allowlisted builtin type, as {@code cls(state)}; otherwise the caller records an
     * inert object of class {@code cls}.
     */
    private static Object reconstructor(List<Object> args) {
        if (args.size() != 3 || !(args.get(0) instanceof PyGlobal)) {
            throw new IllegalArgumentException("_reconstructor takes (cls, base, state)");
        }
        PyGlobal cls = (PyGlobal) args.get(0);
        boolean builtinType = (cls.module().equals("builtins") || cls.module().equals("__builtin__"))
                && List.of("set", "frozenset", "bytes", "bytearray", "complex").contains(cls.name());
        if (!builtinType && !cls.qualifiedName().equals("collections.OrderedDict")) {
            return NOT_BUILT;
        }
        Object state = args.get(2);
        return call(cls, state == null ? List.of() : List.of(state), Map.of());
    }

    private static Object set(List<Object> args, boolean frozen) {
        List<Object> members = new ArrayList<>();
        if (args.size() > 1) {
            throw new IllegalArgumentException((frozen ? "frozenset" : "set") + " takes at most 1 argument");
        }
        if (args.size() == 1) {
            Collection<?> items = iterable(args.get(0));
            if (items == null) {
                return NOT_BUILT;
            }
            for (Object m : items) {
                requireHashable(m, "set member");
                members.add(m);
            }
        }
        return frozen ? PyFrozenSet.of(members) : new LinkedHashSet<>(members);
    }

    private static Collection<?> iterable(Object v) {
        if (v instanceof Collection) {
            return (Collection<?>) v;
        }
        if (v instanceof PyTuple) {
            return ((PyTuple) v).items();
        }
        return null;
    }

    private static Object bytes(List<Object> args) {
        byte[] b = bytesFrom(args);
        return b == null ? NOT_BUILT : b;
    }

    private static Object bytearray(List<Object> args) {
        byte[] b = bytesFrom(args);
        return b == null ? NOT_BUILT : PyByteArray.wrap(b);
    }

    /** Arguments of {@code bytes(...)}/{@code bytearray(...)} as pickles use them; {@code null} for other forms. */
    private static byte[] bytesFrom(List<Object> args) {
        if (args.isEmpty()) {
            return new byte[0];
        }
        Object v = args.get(0);
        if (args.size() == 2 && v instanceof String && args.get(1) instanceof String) {
            Object encoded = codecsEncode(args);
            return encoded == NOT_BUILT ? null : (byte[]) encoded;
        }
        if (args.size() != 1) {
            return null;
        }
        if (v instanceof byte[]) {
            return ((byte[]) v).clone();
        }
        if (v instanceof PyByteArray) {
            return ((PyByteArray) v).bytes();
        }
        if (v instanceof List) {
            List<?> ints = (List<?>) v;
            byte[] out = new byte[ints.size()];
            for (int i = 0; i < out.length; i++) {
                Object x = ints.get(i);
                if (!(x instanceof Long) || (Long) x < 0 || (Long) x > 255) {
                    throw new IllegalArgumentException("bytes must be in range(0, 256)");
                }
                out[i] = (byte) (long) (Long) x;
            }
            return out;
        }
        // bytes(n) would allocate n zero bytes from a few pickle bytes: never rebuilt.
        return null;
    }

    private static Object complex(List<Object> args) {
        if (args.size() > 2) {
            throw new IllegalArgumentException("complex takes at most 2 arguments");
        }
        double[] parts = new double[2];
        for (int i = 0; i < args.size(); i++) {
            Object v = args.get(i);
            if (v instanceof Double) {
                parts[i] = (Double) v;
            } else if (v instanceof Long) {
                parts[i] = (Long) v;
            } else if (v instanceof BigInteger) {
                parts[i] = ((BigInteger) v).doubleValue();
            } else if (v instanceof Boolean) {
                parts[i] = (Boolean) v ? 1 : 0;
            } else {
                return NOT_BUILT; // complex('1+2j'), complex(complex): not how pickle writes it
            }
        }
        return new PyComplex(parts[0], parts[1]);
    }

    static byte[] latin1(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                throw new IllegalArgumentException("'latin-1' codec can't encode character U+"
                        + Integer.toHexString(text.charAt(i)));
            }
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static void requireHashable(Object v, String what) {
        if (!Hashing.isHashable(v)) {
            throw new IllegalArgumentException(what + " of unhashable type " + typeName(v));
        }
    }

    static String typeName(Object v) {
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof java.util.Set) {
            return "set";
        }
        if (v instanceof NdArray) {
            return "numpy.ndarray";
        }
        if (v instanceof PyByteArray) {
            return "bytearray";
        }
        if (v instanceof PyTuple) {
            return "tuple (with an unhashable item)";
        }
        return v == null ? "NoneType" : v.getClass().getSimpleName();
    }

    /** The date/time constructors: C datetime's bytes states, or plain int fields. */
    static final class DateTimes {
        private DateTimes() {}

        static Object date(List<Object> args) {
            byte[] state = args.size() == 1 ? stateBytes(args.get(0), 4) : null;
            if (state != null && (state[2] & 0xFF) >= 1 && (state[2] & 0xFF) <= 12) {
                return LocalDate.of(((state[0] & 0xFF) << 8) | (state[1] & 0xFF), state[2] & 0xFF, state[3] & 0xFF);
            }
            long[] f = ints(args, 3, 3);
            return f == null ? NOT_BUILT : LocalDate.of(year(f[0]), (int) f[1], (int) f[2]);
        }

        static Object datetime(List<Object> args) {
            if (args.isEmpty() || args.size() > 8) {
                return NOT_BUILT;
            }
            byte[] state = args.size() <= 2 ? stateBytes(args.get(0), 10) : null;
            LocalDateTime local;
            Object tz;
            if (state != null && (state[2] & 0x7F) >= 1 && (state[2] & 0x7F) <= 12) {
                // Bit 7 of the month byte is PEP 495's fold; java.time has no place for it.
                local = LocalDateTime.of(((state[0] & 0xFF) << 8) | (state[1] & 0xFF), state[2] & 0x7F,
                        state[3] & 0xFF, state[4] & 0xFF, state[5] & 0xFF, state[6] & 0xFF, micros(state, 7) * 1000);
                tz = args.size() == 2 ? args.get(1) : null;
            } else {
                boolean hasTz = args.size() == 8;
                long[] f = ints(hasTz ? args.subList(0, 7) : args, 3, 7);
                if (f == null) {
                    return NOT_BUILT;
                }
                local = LocalDateTime.of(year(f[0]), (int) f[1], (int) f[2], (int) f[3], (int) f[4], (int) f[5],
                        Math.toIntExact(f[6]) * 1000);
                checkMicros(f[6]);
                tz = hasTz ? args.get(7) : null;
            }
            if (year(local.getYear()) != local.getYear()) {
                throw new IllegalArgumentException("year out of range");
            }
            if (tz == null) {
                return local;
            }
            return tz instanceof ZoneOffset ? local.atOffset((ZoneOffset) tz) : NOT_BUILT;
        }

        static Object time(List<Object> args) {
            if (args.size() > 5) {
                return NOT_BUILT;
            }
            byte[] state = args.size() >= 1 && args.size() <= 2 ? stateBytes(args.get(0), 6) : null;
            LocalTime local;
            Object tz;
            if (state != null && (state[0] & 0x7F) < 24) {
                local = LocalTime.of(state[0] & 0x7F, state[1] & 0xFF, state[2] & 0xFF, micros(state, 3) * 1000);
                tz = args.size() == 2 ? args.get(1) : null;
            } else {
                boolean hasTz = args.size() == 5;
                long[] f = ints(hasTz ? args.subList(0, 4) : args, 0, 4);
                if (f == null) {
                    return NOT_BUILT;
                }
                checkMicros(f[3]);
                local = LocalTime.of((int) f[0], (int) f[1], (int) f[2], (int) f[3] * 1000);
                tz = hasTz ? args.get(4) : null;
            }
            if (tz == null) {
                return local;
            }
            return tz instanceof ZoneOffset ? local.atOffset((ZoneOffset) tz) : NOT_BUILT;
        }

        static Object timedelta(List<Object> args) {
            long[] f = ints(args, 0, 3);
            if (f == null) {
                return NOT_BUILT;
            }
            long days = f[0];
            long micros = Math.addExact(Math.multiplyExact(f[1], 1_000_000L), f[2]);
            long totalDays = Math.addExact(days, Math.floorDiv(micros, 86_400_000_000L));
            if (totalDays < -999_999_999L || totalDays > 999_999_999L) {
                throw new IllegalArgumentException("timedelta days out of range");
            }
            return Duration.ofDays(days).plusSeconds(Math.floorDiv(micros, 1_000_000L))
                    .plusNanos(Math.floorMod(micros, 1_000_000L) * 1000);
        }

        static Object timezone(List<Object> args) {
            if (args.isEmpty() || args.size() > 2 || !(args.get(0) instanceof Duration)) {
                return NOT_BUILT;
            }
            Duration d = (Duration) args.get(0);
            if (d.compareTo(Duration.ofHours(24)) >= 0 || d.compareTo(Duration.ofHours(-24)) <= 0) {
                throw new IllegalArgumentException("timezone offset must be strictly between -24h and 24h");
            }
            if (d.getNano() != 0 || Math.abs(d.getSeconds()) > 18 * 3600) {
                return NOT_BUILT; // valid in Python, not representable as a ZoneOffset
            }
            // The optional name is dropped: isoformat() never shows it.
            return ZoneOffset.ofTotalSeconds((int) d.getSeconds());
        }

        private static byte[] stateBytes(Object v, int size) {
            byte[] b = v instanceof byte[] ? (byte[]) v : v instanceof String ? bytesOfLatin1((String) v) : null;
            return b != null && b.length == size ? b : null;
        }

        private static byte[] bytesOfLatin1(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) > 0xFF) {
                    return null;
                }
            }
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }

        private static int micros(byte[] s, int at) {
            return ((s[at] & 0xFF) << 16) | ((s[at + 1] & 0xFF) << 8) | (s[at + 2] & 0xFF);
        }

        private static void checkMicros(long us) {
            if (us < 0 || us > 999_999) {
                throw new IllegalArgumentException("microsecond must be in 0..999999");
            }
        }

        private static int year(long y) {
            if (y < 1 || y > 9999) {
                throw new IllegalArgumentException("year " + y + " is out of range");
            }
            return (int) y;
        }

        /** Int arguments (bools count as ints), at least {@code min}, at most {@code max}; {@code null} otherwise. */
        private static long[] ints(List<Object> args, int min, int max) {
            if (args.size() < min || args.size() > max) {
                return null;
            }
            long[] out = new long[max];
            for (int i = 0; i < args.size(); i++) {
                Object v = args.get(i);
                if (v instanceof Long) {
                    out[i] = (Long) v;
                } else if (v instanceof Boolean) {
                    out[i] = (Boolean) v ? 1 : 0;
                } else {
                    return null;
                }
            }
            return out;
        }
    }
}
