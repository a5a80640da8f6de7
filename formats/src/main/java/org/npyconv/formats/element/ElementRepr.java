package org.npyconv.formats.element;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A readable, Python-like rendering of an element, as Python's {@code repr} would print it:
 * {@code None}, {@code 'text'}, {@code b'\x00'}, {@code bytearray(b'..')}, {@code (1,)},
 * {@code {1, 2}}, {@code frozenset({1})}, {@code (1+2j)}, {@code Decimal('1.5')},
 * {@code datetime.datetime(2020, 1, 2, 3, 4, 5)}, NumPy 2 style scalars ({@code np.float32(0.1)}),
 * {@code array([1, 2, 3], dtype=int16)} with NumPy's summarisation of large arrays
 * ({@code [0, 1, 2, ..., 997, 998, 999]} beyond 1000 items), and inert objects as the call the
 * pickle asked for ({@code os.system('ls')}, followed by {@code .__setstate__(...)} when it has
 * state). A structure that contains itself prints {@code [...]} like Python. Iterative; refuses
 * nesting deeper than its limit. Stateless and thread-safe.
 */
public final class ElementRepr {
    /** NumPy's print threshold: arrays with more items are summarised. */
    static final int SUMMARY_THRESHOLD = 1000;
    /** Items shown at each end of a summarised dimension (NumPy's edgeitems). */
    static final int EDGE_ITEMS = 3;

    private ElementRepr() {}

    /** The Python-like text of {@code element}. */
    public static String repr(Object element) {
        StringBuilder sb = new StringBuilder();
        try {
            write(element, sb, ElementJson.DEFAULT_MAX_DEPTH);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /** Writes the Python-like text of {@code element} to {@code out}. */
    public static void write(Object element, Appendable out, int maxDepth) throws IOException {
        new TreeWalk(out, maxDepth).run(element, ElementRepr::render);
    }

    private static TreeWalk.Raw raw(String s) {
        return new TreeWalk.Raw(s);
    }

    private static void render(Object v, TreeWalk w) throws IOException {
        if (renderArrayParts(v, w)) {
            return;
        }
        if (v == null) {
            w.text("None");
        } else if (v instanceof Boolean) {
            w.text((Boolean) v ? "True" : "False");
        } else if (v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            w.text(PythonText.intText((Number) v));
        } else if (v instanceof Double) {
            w.text(ShortestFloat.repr((Double) v, ShortestFloat.Format.BINARY64));
        } else if (v instanceof Float) {
            w.text(ShortestFloat.repr((Float) v, ShortestFloat.Format.BINARY32));
        } else if (v instanceof String) {
            w.atom(v, str((String) v));
        } else if (v instanceof byte[]) {
            w.atom(v, bytes((byte[]) v));
        } else if (v instanceof PyByteArray) {
            w.atom(v, "bytearray(" + bytes(((PyByteArray) v).unsafeBytes()) + ")");
        } else if (v instanceof PyTuple) {
            PyTuple t = (PyTuple) v;
            if (!cycle(w, t, "(...)")) {
                w.open(t, "(", t.iterator(), ", ", t.size() == 1 ? ",)" : ")");
            }
        } else if (v instanceof List) {
            if (!cycle(w, v, "[...]")) {
                w.open(v, "[", ((List<?>) v).iterator(), ", ", "]");
            }
        } else if (v instanceof PyFrozenSet) {
            PyFrozenSet s = (PyFrozenSet) v;
            w.open(s, s.isEmpty() ? "frozenset(" : "frozenset({", s.iterator(), ", ", s.isEmpty() ? ")" : "})");
        } else if (v instanceof Set) {
            Set<?> s = (Set<?>) v;
            if (!cycle(w, v, "{...}")) {
                w.open(s, s.isEmpty() ? "set(" : "{", s.iterator(), ", ", s.isEmpty() ? ")" : "}");
            }
        } else if (v instanceof Map) {
            if (!cycle(w, v, "{...}")) {
                w.open(v, "{", entries((Map<?, ?>) v), ", ", "}");
            }
        } else if (v instanceof Entry) {
            Entry e = (Entry) v;
            w.open(null, "", List.of(new Boxed(e.key), raw(": "), new Boxed(e.value)).iterator(), "", "");
        } else if (v instanceof Boxed) {
            render(((Boxed) v).value, w);
        } else if (v instanceof PyComplex) {
            w.text(complex((PyComplex) v, ShortestFloat.Format.BINARY64));
        } else if (v instanceof BigDecimal) {
            w.text("Decimal('" + PythonText.decimalString((BigDecimal) v) + "')");
        } else if (v instanceof SpecialDecimal) {
            w.text("Decimal('" + ((SpecialDecimal) v).text() + "')");
        } else if (v instanceof LocalDateTime) {
            w.text(datetime((LocalDateTime) v, null));
        } else if (v instanceof OffsetDateTime) {
            OffsetDateTime t = (OffsetDateTime) v;
            w.text(datetime(t.toLocalDateTime(), t.getOffset()));
        } else if (v instanceof LocalDate) {
            LocalDate d = (LocalDate) v;
            w.text("datetime.date(" + d.getYear() + ", " + d.getMonthValue() + ", " + d.getDayOfMonth() + ")");
        } else if (v instanceof LocalTime) {
            w.text("datetime.time(" + timeFields((LocalTime) v) + ")");
        } else if (v instanceof OffsetTime) {
            OffsetTime t = (OffsetTime) v;
            w.text("datetime.time(" + timeFields(t.toLocalTime()) + ", tzinfo=" + timezone(t.getOffset()) + ")");
        } else if (v instanceof Duration) {
            w.text(timedelta((Duration) v));
        } else if (v instanceof ZoneOffset) {
            w.text(timezone((ZoneOffset) v));
        } else if (v instanceof NumpyScalar) {
            scalar(w, (NumpyScalar) v);
        } else if (v instanceof NdArray) {
            ndarray(w, (NdArray) v);
        } else if (v instanceof NdSlice) {
            ((NdSlice) v).open(w);
        } else if (v instanceof NumpyDtype) {
            w.text("dtype('" + ((NumpyDtype) v).str() + "')");
        } else if (v instanceof PyGlobal) {
            w.text(((PyGlobal) v).qualifiedName());
        } else if (v instanceof PyObject) {
            object(w, (PyObject) v);
        } else if (v instanceof PyPersistentId) {
            w.open(null, "persistent_id(", List.of(new Boxed(((PyPersistentId) v).id())).iterator(), "", ")");
        } else if (v instanceof PyExtensionCode) {
            w.text(v.toString());
        } else {
            w.text("<" + v.getClass().getName() + ">");
        }
    }

    /** A map entry rendered as {@code key: value}. */
    private record Entry(Object key, Object value) {}

    /** A value that may be null, as a child of a synthetic frame. */
    private record Boxed(Object value) {}

    private static boolean cycle(TreeWalk w, Object owner, String ellipsis) throws IOException {
        if (w.isOnPath(owner)) {
            w.text(ellipsis);
            return true;
        }
        return false;
    }

    private static Iterator<Object> entries(Map<?, ?> map) {
        Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Object next() {
                Map.Entry<?, ?> e = it.next();
                return new Entry(e.getKey(), e.getValue());
            }
        };
    }

    private static void object(TreeWalk w, PyObject o) throws IOException {
        if (cycle(w, o, "<...>")) {
            return;
        }
        List<Object> parts = new ArrayList<>();
        parts.add(new Boxed(o.callable()));
        parts.add(raw("("));
        boolean first = true;
        for (Object a : o.args()) {
            parts.add(raw(first ? "" : ", "));
            parts.add(new Boxed(a));
            first = false;
        }
        for (Map.Entry<Object, Object> kw : o.kwargs().entrySet()) {
            parts.add(raw((first ? "" : ", ") + kw.getKey() + "="));
            parts.add(new Boxed(kw.getValue()));
            first = false;
        }
        parts.add(raw(")"));
        if (o.hasState()) {
            parts.add(raw(".__setstate__("));
            parts.add(new Boxed(o.state()));
            parts.add(raw(")"));
        }
        if (!o.listItems().isEmpty()) {
            parts.add(raw(".extend("));
            parts.add(new Boxed(o.listItems()));
            parts.add(raw(")"));
        }
        if (!o.dictItems().isEmpty()) {
            parts.add(raw(".update("));
            parts.add(new Boxed(o.dictItems()));
            parts.add(raw(")"));
        }
        if (!o.addedItems().isEmpty()) {
            parts.add(raw(".add_all("));
            parts.add(new Boxed(o.addedItems()));
            parts.add(raw(")"));
        }
        w.open(o, "", parts.iterator(), "", "");
    }

    // ---- NumPy ----

    private static void scalar(TreeWalk w, NumpyScalar s) throws IOException {
        NumpyDtype dt = s.dtype();
        String name = dt.kind() == 'U' ? "str_" : dt.kind() == 'S' ? "bytes_" : dt.kind() == 'V' ? "void"
                : dt.kind() == 'M' ? "datetime64" : dt.kind() == 'm' ? "timedelta64" : dt.name();
        w.text("np." + name + "(" + scalarBody(s) + ")");
    }

    /** The scalar's value as NumPy's repr shows it inside {@code np.TYPE(...)} and in arrays. */
    private static String scalarBody(NumpyScalar s) {
        NumpyDtype dt = s.dtype();
        switch (dt.kind()) {
            case 'f':
                return ShortestFloat.repr(((Number) s.value()).doubleValue(), formatOf(dt.itemSize()));
            case 'c':
                return complex((PyComplex) s.value(), formatOf(dt.itemSize() / 2));
            case 'M':
                return "'" + DatetimeUnit.numpyString((Long) s.value(), dt.unit(), dt.unitCount()) + "'";
            case 'm': {
                long count = (Long) s.value();
                String unit = "generic".equals(dt.unit()) ? "" : ",'" + DatetimeUnit.unitText(dt.unit(), dt.unitCount()) + "'";
                return (count == DatetimeUnit.NAT ? "'NaT'" : String.valueOf(count)) + unit;
            }
            default:
                return repr(s.value());
        }
    }

    private static ShortestFloat.Format formatOf(int bytes) {
        return bytes == 2 ? ShortestFloat.Format.BINARY16 : bytes == 4 ? ShortestFloat.Format.BINARY32
                : ShortestFloat.Format.BINARY64;
    }

    private static void ndarray(TreeWalk w, NdArray a) throws IOException {
        if (cycle(w, a, "array(...)")) {
            return;
        }
        String dtypeSuffix = defaultDtype(a.dtype()) && a.size() > 0 ? "" : ", dtype=" + dtypeName(a.dtype());
        List<Object> parts = new ArrayList<>(3);
        if (a.ndim() == 0) {
            parts.add(new ArrayItem(a.get(0)));
        } else {
            parts.add(new NdSlice(a, 0, 0, a.size() > SUMMARY_THRESHOLD));
        }
        parts.add(raw(dtypeSuffix));
        w.open(a, "array(", parts.iterator(), "", ")");
    }

    private static boolean defaultDtype(NumpyDtype dt) {
        String s = dt.str();
        return s.equals("<i8") || s.equals("<f8") || s.equals("|b1") || s.equals("<c16");
    }

    private static String dtypeName(NumpyDtype dt) {
        char k = dt.kind();
        boolean simple = (k == 'b' || k == 'i' || k == 'u' || k == 'f' || k == 'c' || k == 'O' || k == 'M' || k == 'm')
                && dt.byteOrderChar() != '>';
        return simple ? dt.name() : "'" + dt.str() + "'";
    }

    /** An item of a non-object array: shown without the np.TYPE(...) wrapper, as NumPy prints array items. */
    private record ArrayItem(Object item) {}

    /** One dimension's bracketed run of an ndarray, starting at a C-order flat index. */
    private static final class NdSlice {
        final NdArray array;
        final int dim;
        final long base;
        final boolean summarise;

        NdSlice(NdArray array, int dim, long base, boolean summarise) {
            this.array = array;
            this.dim = dim;
            this.base = base;
            this.summarise = summarise;
        }

        void open(TreeWalk w) throws IOException {
            long[] shape = array.shape();
            long n = shape[dim];
            long stride = 1;
            for (int d = dim + 1; d < shape.length; d++) {
                stride *= shape[d];
            }
            boolean cut = summarise && n > 2L * EDGE_ITEMS;
            long strideFinal = stride;
            Iterator<Object> children = new Iterator<>() {
                long i;

                @Override
                public boolean hasNext() {
                    return i < n;
                }

                @Override
                public Object next() {
                    if (cut && i == EDGE_ITEMS) {
                        i = n - EDGE_ITEMS;
                        return new Ellipsis();
                    }
                    long at = base + i * strideFinal;
                    i++;
                    if (dim + 1 < shape.length) {
                        return new NdSlice(array, dim + 1, at, summarise);
                    }
                    return new ArrayItem(array.get(at));
                }
            };
            w.open(null, "[", children, ", ", "]");
        }
    }

    /** NumPy's {@code ...} in a summarised array. */
    private record Ellipsis() {}

    // ---- text helpers ----

    static String str(String s) {
        boolean useDouble = s.indexOf('\'') >= 0 && s.indexOf('"') < 0;
        char q = useDouble ? '"' : '\'';
        StringBuilder sb = new StringBuilder(s.length() + 2).append(q);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == q || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", cp));
            } else if (!isPrintable(cp)) {
                sb.append(cp <= 0xFFFF ? String.format(Locale.ROOT, "\\u%04x", cp) : String.format(Locale.ROOT, "\\U%08x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.append(q).toString();
    }

    private static boolean isPrintable(int cp) {
        int type = Character.getType(cp);
        return !(type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || (type == Character.SPACE_SEPARATOR && cp != ' '));
    }

    static String bytes(byte[] b) {
        boolean hasSingle = false;
        boolean hasDouble = false;
        for (byte x : b) {
            hasSingle |= x == '\'';
            hasDouble |= x == '"';
        }
        char q = hasSingle && !hasDouble ? '"' : '\'';
        StringBuilder sb = new StringBuilder(b.length + 3).append('b').append(q);
        for (byte x : b) {
            int c = x & 0xFF;
            if (c == q || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c >= 0x7F) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.append(q).toString();
    }

    /** Python's complex repr: {@code 2j}, {@code (1+2j)}, {@code (1-0j)}; parts without a trailing {@code .0}. */
    static String complex(PyComplex c, ShortestFloat.Format f) {
        String im = part(c.imag(), f);
        if (c.real() == 0 && 1 / c.real() > 0) {
            return im + "j";
        }
        String re = part(c.real(), f);
        boolean imNegative = c.imag() < 0 || (c.imag() == 0 && 1 / c.imag() < 0);
        return "(" + re + (imNegative ? "" : "+") + im + "j)";
    }

    private static String part(double v, ShortestFloat.Format f) {
        String s = ShortestFloat.repr(v, f);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static String datetime(LocalDateTime t, ZoneOffset tz) {
        StringBuilder sb = new StringBuilder("datetime.datetime(");
        sb.append(t.getYear()).append(", ").append(t.getMonthValue()).append(", ").append(t.getDayOfMonth())
                .append(", ").append(t.getHour()).append(", ").append(t.getMinute());
        int micros = t.getNano() / 1000;
        if (t.getSecond() != 0 || micros != 0) {
            sb.append(", ").append(t.getSecond());
        }
        if (micros != 0) {
            sb.append(", ").append(micros);
        }
        if (tz != null) {
            sb.append(", tzinfo=").append(timezone(tz));
        }
        return sb.append(')').toString();
    }

    private static String timeFields(LocalTime t) {
        int micros = t.getNano() / 1000;
        String s = t.getHour() + ", " + t.getMinute();
        if (t.getSecond() != 0 || micros != 0) {
            s += ", " + t.getSecond();
        }
        return micros != 0 ? s + ", " + micros : s;
    }

    private static String timezone(ZoneOffset o) {
        return o.getTotalSeconds() == 0 ? "datetime.timezone.utc"
                : "datetime.timezone(" + timedelta(Duration.ofSeconds(o.getTotalSeconds())) + ")";
    }

    /** Python 3.7+'s timedelta repr: keyword fields, normalised like Python (negative days, positive seconds). */
    static String timedelta(Duration d) {
        long micros = d.getSeconds() * 1_000_000L + d.getNano() / 1000;
        long days = Math.floorDiv(micros, 86_400_000_000L);
        long rest = Math.floorMod(micros, 86_400_000_000L);
        long seconds = rest / 1_000_000L;
        long us = rest % 1_000_000L;
        List<String> fields = new ArrayList<>();
        if (days != 0) {
            fields.add("days=" + days);
        }
        if (seconds != 0) {
            fields.add("seconds=" + seconds);
        }
        if (us != 0) {
            fields.add("microseconds=" + us);
        }
        return "datetime.timedelta(" + (fields.isEmpty() ? "0" : String.join(", ", fields)) + ")";
    }

    /** Array items print their bare value; the ellipsis prints as {@code ...}. */
    private static boolean renderArrayParts(Object v, TreeWalk w) throws IOException {
        if (v instanceof ArrayItem) {
            Object item = ((ArrayItem) v).item();
            if (item instanceof NumpyScalar) {
                w.text(scalarBody((NumpyScalar) item));
            } else {
                render(item, w);
            }
            return true;
        }
        if (v instanceof Ellipsis) {
            w.text("...");
            return true;
        }
        return false;
    }
}
