package org.npyconv.converter.arrow;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.element.NdArray;
import org.npyconv.formats.element.NumpyDtype;
import org.npyconv.formats.element.NumpyScalar;
import org.npyconv.formats.element.PyByteArray;
import org.npyconv.formats.element.PyComplex;
import org.npyconv.formats.element.PyFrozenSet;
import org.npyconv.formats.element.PyTuple;
import org.npyconv.formats.element.SpecialDecimal;

/**
 * Writes one element as a standalone protocol-4 pickle ({@code --on-mixed pickle}) that Python's
 * {@code pickle.loads} turns into an element equal to the original.
 *
 * <p>Why from the element model and not from the element's bytes: an element's span is not a
 * pickle on its own — it fetches memo entries (the {@code _reconstruct}/{@code dtype} globals, a
 * shared str, a list of an earlier element) that other spans stored. The evaluated element has every
 * such back-reference resolved, so writing it anew re-emits exactly the objects it refers to. Shared
 * objects within the element stay shared (memoized by identity, fetched with {@code BINGET}), so a
 * DAG stays as small as it was.
 *
 * <p>Only values the safe unpickler builds are written: builtins, datetime, Decimal, NumPy
 * ndarrays, dtypes and scalars, each through the global Python's own pickler names. An inert value
 * (an unknown or dangerous global, a persistent id) is refused rather than written back: npyconv
 * never produces a pickle that runs anything it did not understand. Not thread-safe.
 */
public final class ElementPickler {
    private static final int MARK = '(';
    private static final int STOP = '.';
    private static final int NONE = 'N';
    private static final int NEWTRUE = 0x88;
    private static final int NEWFALSE = 0x89;
    private static final int BININT = 'J';
    private static final int LONG1 = 0x8a;
    private static final int LONG4 = 0x8b;
    private static final int BINFLOAT = 'G';
    private static final int SHORT_BINUNICODE = 0x8c;
    private static final int BINUNICODE = 'X';
    private static final int SHORT_BINBYTES = 'C';
    private static final int BINBYTES = 'B';
    private static final int EMPTY_LIST = ']';
    private static final int APPENDS = 'e';
    private static final int EMPTY_TUPLE = ')';
    private static final int TUPLE = 't';
    private static final int EMPTY_DICT = '}';
    private static final int SETITEMS = 'u';
    private static final int EMPTY_SET = 0x8f;
    private static final int ADDITEMS = 0x90;
    private static final int FROZENSET = 0x91;
    private static final int STACK_GLOBAL = 0x93;
    private static final int MEMOIZE = 0x94;
    private static final int LONG_BINGET = 'j';
    private static final int REDUCE = 'R';
    private static final int BUILD = 'b';
    private static final String NUMPY_CORE = "numpy._core.multiarray";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<Object, Integer> memo = new IdentityHashMap<>();

    /** The pickle of {@code element}. */
    public byte[] pickle(Object element) {
        out.reset();
        memo.clear();
        out.write(0x80);
        out.write(4);
        value(element, 0);
        out.write(STOP);
        return out.toByteArray();
    }

    private void value(Object v, int depth) {
        if (depth > 10_000) {
            throw new UnsupportedInputException("element nests deeper than 10000 levels", null, -1, null);
        }
        Integer m = v == null ? null : memo.get(v);
        if (m != null) {
            out.write(LONG_BINGET);
            int32(m);
            return;
        }
        if (v == null) {
            out.write(NONE);
        } else if (v instanceof Boolean) {
            out.write((Boolean) v ? NEWTRUE : NEWFALSE);
        } else if (v instanceof Long || v instanceof Integer) {
            integer(((Number) v).longValue());
        } else if (v instanceof BigInteger) {
            bigInteger((BigInteger) v);
        } else if (v instanceof Double) {
            out.write(BINFLOAT);
            long bits = Double.doubleToRawLongBits((Double) v);
            for (int s = 56; s >= 0; s -= 8) {
                out.write((int) (bits >>> s));
            }
        } else if (v instanceof String) {
            str((String) v);
        } else if (v instanceof byte[]) {
            bytes((byte[]) v);
        } else if (v instanceof PyByteArray) {
            call("builtins", "bytearray", depth, ((PyByteArray) v).bytes());
        } else if (v instanceof List) {
            out.write(EMPTY_LIST);
            memoize(v);
            items(((List<?>) v), APPENDS, depth);
        } else if (v instanceof PyTuple) {
            tuple(((PyTuple) v).items(), depth);
            memoize(v);
        } else if (v instanceof Map) {
            out.write(EMPTY_DICT);
            memoize(v);
            Map<?, ?> map = (Map<?, ?>) v;
            if (!map.isEmpty()) {
                out.write(MARK);
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    value(e.getKey(), depth + 1);
                    value(e.getValue(), depth + 1);
                }
                out.write(SETITEMS);
            }
        } else if (v instanceof PyFrozenSet) {
            out.write(MARK);
            for (Object item : (Set<?>) v) {
                value(item, depth + 1);
            }
            out.write(FROZENSET);
            memoize(v);
        } else if (v instanceof Set) {
            out.write(EMPTY_SET);
            memoize(v);
            items((Set<?>) v, ADDITEMS, depth);
        } else if (v instanceof PyComplex) {
            call("builtins", "complex", depth, ((PyComplex) v).real(), ((PyComplex) v).imag());
        } else if (v instanceof BigDecimal) {
            call("decimal", "Decimal", depth, ((BigDecimal) v).toString());
        } else if (v instanceof SpecialDecimal) {
            call("decimal", "Decimal", depth, ((SpecialDecimal) v).text());
        } else if (v instanceof LocalDate) {
            LocalDate d = (LocalDate) v;
            call("datetime", "date", depth, (long) d.getYear(), (long) d.getMonthValue(), (long) d.getDayOfMonth());
        } else if (v instanceof LocalDateTime) {
            LocalDateTime t = (LocalDateTime) v;
            call("datetime", "datetime", depth, (long) t.getYear(), (long) t.getMonthValue(), (long) t.getDayOfMonth(),
                    (long) t.getHour(), (long) t.getMinute(), (long) t.getSecond(), (long) (t.getNano() / 1000));
        } else if (v instanceof OffsetDateTime) {
            OffsetDateTime t = (OffsetDateTime) v;
            global("datetime", "datetime");
            out.write(MARK);
            for (long f : new long[] {t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(),
                    t.getSecond(), t.getNano() / 1000}) {
                integer(f);
            }
            global("datetime", "timezone");
            global("datetime", "timedelta");
            tuple(List.of(0L, (long) t.getOffset().getTotalSeconds()), depth);
            out.write(REDUCE);
            tuple1Reduce();
            out.write(TUPLE);
            out.write(REDUCE);
        } else if (v instanceof LocalTime) {
            LocalTime t = (LocalTime) v;
            call("datetime", "time", depth, (long) t.getHour(), (long) t.getMinute(), (long) t.getSecond(),
                    (long) (t.getNano() / 1000));
        } else if (v instanceof Duration) {
            Duration d = (Duration) v;
            long seconds = d.getSeconds();
            call("datetime", "timedelta", depth, Math.floorDiv(seconds, 86_400L), Math.floorMod(seconds, 86_400L),
                    (long) (d.getNano() / 1000));
        } else if (v instanceof NumpyScalar && !((NumpyScalar) v).dtype().isStructured()) {
            NumpyScalar s = (NumpyScalar) v;
            global(NUMPY_CORE, "scalar");
            out.write(MARK);
            dtype(s.dtype(), depth);
            bytes(s.raw());
            out.write(TUPLE);
            out.write(REDUCE);
        } else if (v instanceof NdArray && !((NdArray) v).dtype().isStructured()) {
            ndarray((NdArray) v, depth);
        } else {
            throw new UnsupportedInputException("--on-mixed pickle writes only values npyconv builds itself; this "
                    + "element holds " + (v.getClass().getSimpleName().startsWith("Py") ? v : v.getClass().getName())
                    + ", which it will not write back as a pickle", null, -1, null);
        }
    }

    /** _reconstruct(ndarray, (0,), b'b') then BUILD (1, shape, dtype, is_fortran, data), as ndarray.__reduce__ writes it. */
    private void ndarray(NdArray a, int depth) {
        global(NUMPY_CORE, "_reconstruct");
        global("numpy", "ndarray");
        tuple(List.of(0L), depth);
        bytes(new byte[] {'b'});
        out.write(0x87); // TUPLE3
        out.write(REDUCE);
        memoize(a);
        out.write(MARK);
        integer(1);
        long[] shape = a.shape();
        out.write(MARK);
        for (long d : shape) {
            integer(d);
        }
        out.write(TUPLE);
        dtype(a.dtype(), depth);
        if (a.isObjectArray()) {
            // Objects in logical C order with is_fortran False: the same array whatever its storage order.
            out.write(NEWFALSE);
            out.write(EMPTY_LIST);
            out.write(MARK);
            for (long k = 0; k < a.size(); k++) {
                value(a.get(k), depth + 1);
            }
            out.write(APPENDS);
        } else {
            out.write(a.fortranOrder() ? NEWTRUE : NEWFALSE);
            ByteBuffer raw = a.rawData().duplicate();
            byte[] data = new byte[raw.remaining()];
            raw.get(data);
            bytes(data);
        }
        out.write(TUPLE);
        out.write(BUILD);
    }

    /** numpy.dtype(str) — the typestr says kind, width, byte order and datetime unit. */
    private void dtype(NumpyDtype dt, int depth) {
        if (dt.isStructured() || dt.subarrayBase() != null) {
            throw new UnsupportedInputException("--on-mixed pickle does not write structured or subarray dtypes ("
                    + dt + ")", null, -1, null);
        }
        call("numpy", "dtype", depth, dt.str());
    }

    private void tuple1Reduce() {
        // Stack: ... timezone-global, timedelta -> timezone(timedelta)
        out.write(0x85); // TUPLE1
        out.write(REDUCE);
    }

    private void call(String module, String name, int depth, Object... args) {
        global(module, name);
        tuple(List.of(args), depth);
        out.write(REDUCE);
    }

    private void tuple(List<?> items, int depth) {
        if (items.isEmpty()) {
            out.write(EMPTY_TUPLE);
            return;
        }
        out.write(MARK);
        for (Object item : items) {
            value(item, depth + 1);
        }
        out.write(TUPLE);
    }

    private void items(Iterable<?> items, int opcode, int depth) {
        boolean any = false;
        for (Object item : items) {
            if (!any) {
                out.write(MARK);
                any = true;
            }
            value(item, depth + 1);
        }
        if (any) {
            out.write(opcode);
        }
    }

    private void global(String module, String name) {
        str(module);
        str(name);
        out.write(STACK_GLOBAL);
    }

    private void memoize(Object v) {
        out.write(MEMOIZE);
        memo.put(v, memo.size());
    }

    private void integer(long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write(BININT);
            int32((int) v);
        } else {
            bigInteger(BigInteger.valueOf(v));
        }
    }

    private void bigInteger(BigInteger v) {
        byte[] be = v.toByteArray(); // two's complement, big-endian, minimal
        if (be.length > 255) {
            out.write(LONG4);
            int32(be.length);
        } else {
            out.write(LONG1);
            out.write(be.length);
        }
        for (int i = be.length - 1; i >= 0; i--) {
            out.write(be[i]);
        }
    }

    /** UTF-8 with surrogatepass, as Python pickles a str (a lone surrogate survives the round trip). */
    private void str(String s) {
        ByteArrayOutputStream utf8 = new ByteArrayOutputStream(s.length() + 8);
        s.codePoints().forEach(cp -> {
            if (cp < 0x80) {
                utf8.write(cp);
            } else if (cp < 0x800) {
                utf8.write(0xC0 | cp >> 6);
                utf8.write(0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                utf8.write(0xE0 | cp >> 12);
                utf8.write(0x80 | cp >> 6 & 0x3F);
                utf8.write(0x80 | cp & 0x3F);
            } else {
                utf8.write(0xF0 | cp >> 18);
                utf8.write(0x80 | cp >> 12 & 0x3F);
                utf8.write(0x80 | cp >> 6 & 0x3F);
                utf8.write(0x80 | cp & 0x3F);
            }
        });
        byte[] b = utf8.toByteArray();
        if (b.length < 256) {
            out.write(SHORT_BINUNICODE);
            out.write(b.length);
        } else {
            out.write(BINUNICODE);
            int32(b.length);
        }
        out.write(b, 0, b.length);
    }

    private void bytes(byte[] b) {
        if (b.length < 256) {
            out.write(SHORT_BINBYTES);
            out.write(b.length);
        } else {
            out.write(BINBYTES);
            int32(b.length);
        }
        out.write(b, 0, b.length);
    }

    private void int32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
