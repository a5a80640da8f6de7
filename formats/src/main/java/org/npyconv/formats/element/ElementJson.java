package org.npyconv.formats.element;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import org.npyconv.formats.UnsupportedInputException;

/**
 * Writes an element as JSON following DESIGN.md "JSON conventions" (docs/elements.md "JSON"):
 *
 * <pre>
 * None -&gt; null; bool -&gt; true/false; int (any size), NumPy ints -&gt; exact integers;
 * float -&gt; shortest round-trip decimal at its own precision (float16/float32/float64), written as
 *          Python's repr writes it; NaN/inf -&gt; "NaN", "Infinity", "-Infinity";
 * str -&gt; string; bytes, bytearray, NumPy S/V -&gt; {"$bytes": base64};
 * list, tuple, set, frozenset -&gt; array; dict with only str keys -&gt; object in insertion order,
 *          other dicts -&gt; {"$dict": [[k, v], ...]};
 * ndarray -&gt; {"$ndarray": {"dtype": dtype.str, "shape": [...], "data": [C-order values]}};
 * complex -&gt; {"$complex": [re, im]}; datetime/date/time -&gt; isoformat();
 * timedelta -&gt; {"$timedelta": total_seconds()}; Decimal -&gt; its str();
 * NumPy scalars (and ndarray items) -&gt; their Python kind at their own precision;
 *          datetime64 -&gt; NumPy's str() ("2020-01-02T03:04:05", "NaT");
 *          timedelta64 -&gt; {"$timedelta64": [count, unit]} (unit "s", "5s" for a multiple, "generic");
 *          structured records -&gt; {field: value} in field order, subarray fields as nested arrays;
 * inert objects -&gt; {"$class": "module.Name", "args": [...], and when present "kwargs", "state",
 *          "listitems", "dictitems", "additems"} (testdata/README.md's shape: "$class" is the callable
 *          the pickle names, the class itself for REDUCE-of-a-class and NEWOBJ); a computed callable
 *          writes "$class": null and "callable"; copyreg._reconstructor writes the class and
 *          "reduce": "copyreg._reconstructor"; datetime.timezone -&gt; {"$class": "datetime.timezone", "utcoffset":
 *          {"$timedelta": s}}; a bare global -&gt; {"$global": "module.name"}; a dtype -&gt;
 *          {"$class": "numpy.dtype", "str": dtype.str}; persistent ids -&gt; {"$persistent_id": id};
 *          extension codes -&gt; {"$extension_code": n}.
 * </pre>
 *
 * <p>Streams to any {@link Appendable} (nothing is built for the whole document; ndarray data is
 * read item by item), walks iteratively, and refuses nesting deeper than its limit and recursive
 * structures (as Python's {@code json} does) with {@link UnsupportedInputException}. Non-ASCII
 * text is written as is (UTF-8 is the caller's encoding); control characters and lone surrogates
 * are escaped. Stateless: the static methods are thread-safe.
 */
public final class ElementJson {
    /** Default nesting limit while writing. */
    public static final int DEFAULT_MAX_DEPTH = 10_000;

    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    private ElementJson() {}

    /** Writes {@code element} to {@code out}. */
    public static void write(Object element, Appendable out) throws IOException {
        write(element, out, DEFAULT_MAX_DEPTH);
    }

    /** Writes {@code element} to {@code out}, refusing nesting deeper than {@code maxDepth}. */
    public static void write(Object element, Appendable out, int maxDepth) throws IOException {
        new TreeWalk(out, maxDepth).run(element, ElementJson::render);
    }

    /** The JSON text of a (small) element. */
    public static String toJson(Object element) {
        StringBuilder sb = new StringBuilder();
        try {
            write(element, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // StringBuilder does not throw
        }
        return sb.toString();
    }

    /** An object member {@code "key": value} inside an object frame. */
    private record Member(String key, Object value) {}

    /** Base64 of this many bytes at a time: a multiple of 3, so the slices join without padding. */
    private static final int BASE64_SLICE = 3 * 16384;

    /**
     * {@code {"$bytes": "BASE64"}}, encoded and written slice by slice: the whole text of a large
     * payload as one string (several, while concatenating) needs many times the payload in heap.
     */
    private static void bytes(TreeWalk w, Object identity, byte[] data) throws IOException {
        String open = "{\"$bytes\":\"";
        String close = "\"}";
        long length = open.length() + 4L * ((data.length + 2L) / 3) + close.length();
        w.atomInPieces(identity, length, () -> {
            w.text(open);
            for (int off = 0; off < data.length; off += BASE64_SLICE) {
                ByteBuffer slice = ByteBuffer.wrap(data, off, Math.min(BASE64_SLICE, data.length - off));
                w.text(StandardCharsets.ISO_8859_1.decode(BASE64.encode(slice)));
            }
            w.text(close);
        });
    }

    private static void render(Object v, TreeWalk w) throws IOException {
        JsonBytes direct = w.direct();
        if (direct != null) {
            if (v instanceof NumericData) {
                w.requireDepthForChild(); // the frame the text path opens for the data array
                writeItems(((NumericData) v).array(), direct);
                return;
            }
            if (renderDirect(v, direct)) {
                return;
            }
        }
        if (v instanceof Member) {
            Member m = (Member) v;
            w.text(quote(m.key()));
            w.text(":");
            render(m.value(), w);
        } else if (v == null) {
            w.text("null");
        } else if (v instanceof Boolean) {
            w.text(v.toString());
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            w.text(PythonText.intText((Number) v));
        } else if (v instanceof Double) {
            w.text(number((Double) v, ShortestFloat.Format.BINARY64));
        } else if (v instanceof Float) {
            w.text(number((Float) v, ShortestFloat.Format.BINARY32));
        } else if (v instanceof String) {
            w.atom(v, quote((String) v));
        } else if (v instanceof NumericData) {
            w.open(null, "[", items(((NumericData) v).array()), ",", "]");
        } else if (v instanceof byte[]) {
            bytes(w, v, (byte[]) v);
        } else if (v instanceof PyByteArray) {
            bytes(w, v, ((PyByteArray) v).unsafeBytes());
        } else if (v instanceof PyTuple) {
            container(w, v, "[", ((PyTuple) v).iterator(), "]");
        } else if (v instanceof Collection) {
            container(w, v, "[", ((Collection<?>) v).iterator(), "]");
        } else if (v instanceof Map) {
            map(w, (Map<?, ?>) v);
        } else if (v instanceof NdArray) {
            ndarray(w, (NdArray) v);
        } else if (v instanceof NumpyScalar) {
            scalar(w, (NumpyScalar) v);
        } else if (v instanceof PyComplex) {
            PyComplex c = (PyComplex) v;
            complex(w, c, ShortestFloat.Format.BINARY64);
        } else if (v instanceof LocalDate || v instanceof LocalDateTime || v instanceof OffsetDateTime
                || v instanceof LocalTime || v instanceof OffsetTime) {
            w.text(quote(PythonText.isoformat(v)));
        } else if (v instanceof Duration) {
            w.text("{\"$timedelta\":" + number(PythonText.totalSeconds((Duration) v), ShortestFloat.Format.BINARY64) + "}");
        } else if (v instanceof BigDecimal) {
            w.text(quote(PythonText.decimalString((BigDecimal) v)));
        } else if (v instanceof SpecialDecimal) {
            w.text(quote(((SpecialDecimal) v).text()));
        } else if (v instanceof ZoneOffset) {
            w.text("{\"$class\":\"datetime.timezone\",\"utcoffset\":{\"$timedelta\":"
                    + number(((ZoneOffset) v).getTotalSeconds(), ShortestFloat.Format.BINARY64) + "}}");
        } else if (v instanceof PyObject) {
            object(w, (PyObject) v);
        } else if (v instanceof PyGlobal) {
            w.text("{\"$global\":" + quote(((PyGlobal) v).qualifiedName()) + "}");
        } else if (v instanceof NumpyDtype) {
            w.text("{\"$class\":\"numpy.dtype\",\"str\":" + quote(((NumpyDtype) v).str()) + "}");
        } else if (v instanceof PyPersistentId) {
            w.open(v, "{\"$persistent_id\":", Collections.singletonList(((PyPersistentId) v).id()).iterator(), "", "}");
        } else if (v instanceof PyExtensionCode) {
            w.text("{\"$extension_code\":" + ((PyExtensionCode) v).code() + "}");
        } else if (v instanceof LazyArray) {
            w.open(null, "[", ((LazyArray) v).items(), ",", "]");
        } else {
            throw new IllegalArgumentException("not an element-model value: " + v.getClass().getName());
        }
    }

    /**
     * The common values written straight into the byte sink, exactly as the text path below would
     * write them; false for everything else. Only called while {@link TreeWalk#direct()} allows
     * it, so no repetition count is skipped.
     */
    private static boolean renderDirect(Object v, JsonBytes out) throws IOException {
        if (v instanceof String) {
            String s = (String) v;
            if (s.length() > DIRECT_STRING_MAX) {
                return false; // may be long enough for TreeWalk.atom to track as a shared value
            }
            quote(s, out);
        } else if (v instanceof Member) {
            Member m = (Member) v;
            if (m.key().length() > DIRECT_STRING_MAX || !isDirectAtom(m.value())) {
                return false;
            }
            quote(m.key(), out);
            out.ascii(':');
            return renderDirect(m.value(), out);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            out.decimal(((Number) v).longValue());
        } else if (v instanceof Double) {
            number((Double) v, ShortestFloat.Format.BINARY64, out);
        } else if (v instanceof Float) {
            number((Float) v, ShortestFloat.Format.BINARY32, out);
        } else if (v == null) {
            out.ascii("null");
        } else if (v instanceof Boolean) {
            out.ascii((Boolean) v ? "true" : "false");
        } else if (v instanceof NumpyScalar && ((NumpyScalar) v).dtype().kind() == 'f') {
            NumpyScalar s = (NumpyScalar) v;
            number(((Number) s.value()).doubleValue(), formatOf(s.dtype().itemSize()), out);
        } else {
            return false;
        }
        return true;
    }

    /** Whether {@link #renderDirect} writes {@code v} whole (a member's value must be, or the key goes through text). */
    private static boolean isDirectAtom(Object v) {
        return v == null || v instanceof Long || v instanceof Double || v instanceof Boolean || v instanceof Integer
                || v instanceof Float || v instanceof Short || v instanceof Byte
                || (v instanceof String && ((String) v).length() <= DIRECT_STRING_MAX);
    }

    /**
     * Strings up to this length are quoted straight into the byte sink: even all escaped (6 chars
     * each) their text stays under {@link TreeWalk#SHARED_ATOM_MIN}, so TreeWalk would not track them.
     */
    private static final int DIRECT_STRING_MAX = (TreeWalk.SHARED_ATOM_MIN - 3) / 6;

    /** {@link #quote} UTF-8-encoded into {@code out}. */
    private static void quote(String s, JsonBytes out) throws IOException {
        int len = s.length();
        out.ensure(6 * len + 2);
        byte[] b = out.buffer();
        int p = out.position();
        b[p++] = '"';
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                if (c == '"' || c == '\\') {
                    b[p++] = '\\';
                }
                b[p++] = (byte) c;
            } else if (c < 0x80) {
                p = controlEscape(c, b, p);
            } else if (!Character.isSurrogate(c)) {
                p = JsonBytes.utf8(c, b, p);
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                p = JsonBytes.utf8(Character.toCodePoint(c, s.charAt(++i)), b, p);
            } else {
                p = unicodeEscape(c, b, p); // a lone surrogate, as quote(String) escapes it
            }
        }
        b[p++] = '"';
        out.position(p);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** The escape quote(String) writes for a control char (or DEL). */
    private static int controlEscape(char c, byte[] b, int p) {
        char named = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c == '\b' ? 'b' : c == '\f' ? 'f' : 0;
        if (named != 0) {
            b[p++] = '\\';
            b[p++] = (byte) named;
            return p;
        }
        return unicodeEscape(c, b, p);
    }

    private static int unicodeEscape(char c, byte[] b, int p) {
        b[p++] = '\\';
        b[p++] = 'u';
        b[p++] = HEX[(c >> 12) & 0xF];
        b[p++] = HEX[(c >> 8) & 0xF];
        b[p++] = HEX[(c >> 4) & 0xF];
        b[p++] = HEX[c & 0xF];
        return p;
    }

    /** {@link #number(double, ShortestFloat.Format)} written into {@code out}. */
    private static void number(double v, ShortestFloat.Format f, JsonBytes out) throws IOException {
        if (Double.isNaN(v)) {
            out.ascii("\"NaN\"");
        } else if (Double.isInfinite(v)) {
            out.ascii(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        } else {
            ShortestFloat.writeRepr(v, f, out);
        }
    }

    /**
     * The data of an ndarray whose items {@link #writeItems} writes straight into the byte sink:
     * bools, ints and IEEE floats of either byte order, stored in C order.
     */
    private record NumericData(NdArray array) {
        static boolean holds(NdArray a) {
            NumpyDtype dt = a.dtype();
            if (a.isObjectArray() || dt.isStructured() || (a.fortranOrder() && a.ndim() > 1)) {
                return false;
            }
            int n = dt.itemSize();
            switch (dt.kind()) {
                case 'f': return n == 2 || n == 4 || n == 8;
                case 'i': case 'u': return n == 1 || n == 2 || n == 4 || n == 8;
                case 'b': return n == 1;
                default: return false;
            }
        }
    }

    /** {@code [items]} of a {@link NumericData} array, as rendering each {@link NumpyScalar} item writes it. */
    private static void writeItems(NdArray a, JsonBytes out) throws IOException {
        NumpyDtype dt = a.dtype();
        byte[] data = a.unsafeData();
        boolean big = dt.byteOrderChar() == '>';
        int n = dt.itemSize();
        int count = (int) a.size();
        char kind = dt.kind();
        ShortestFloat.Format format = formatOf(n);
        out.ascii('[');
        for (int i = 0, off = 0; i < count; i++, off += n) {
            if (i > 0) {
                out.ascii(',');
            }
            switch (kind) {
                case 'f':
                    number(NumpyScalar.floatAt(data, off, n, big), format, out);
                    break;
                case 'i':
                    out.decimal(NumpyScalar.signed(data, off, n, big));
                    break;
                case 'u': {
                    long u = NumpyScalar.unsigned(data, off, n, big);
                    if (u < 0) {
                        out.ascii(Long.toUnsignedString(u)); // a uint64 above Long.MAX_VALUE
                    } else {
                        out.decimal(u);
                    }
                    break;
                }
                default:
                    out.ascii(data[off] != 0 ? "true" : "false");
            }
        }
        out.ascii(']');
    }

    private static void container(TreeWalk w, Object owner, String open, Iterator<?> children, String close)
            throws IOException {
        if (w.isOnPath(owner)) {
            throw new UnsupportedInputException("element contains itself (circular reference)", null, -1, null);
        }
        w.open(owner, open, children, ",", close);
    }

    private static void map(TreeWalk w, Map<?, ?> map) throws IOException {
        boolean allStr = true;
        for (Object k : map.keySet()) {
            if (!(k instanceof String)) {
                allStr = false;
                break;
            }
        }
        if (w.isOnPath(map)) {
            throw new UnsupportedInputException("element contains itself (circular reference)", null, -1, null);
        }
        Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
        if (allStr) {
            w.open(map, "{", mapped(entries, e -> new Member((String) e.getKey(), e.getValue())), ",", "}");
        } else {
            w.open(map, "{\"$dict\":[", mapped(entries, e -> pair(e.getKey(), e.getValue())), ",", "]}");
        }
    }

    private static List<Object> pair(Object k, Object v) {
        List<Object> l = new ArrayList<>(2);
        l.add(k);
        l.add(v);
        return l;
    }

    private static void ndarray(TreeWalk w, NdArray a) throws IOException {
        if (w.isOnPath(a)) {
            throw new UnsupportedInputException("element contains itself (circular reference)", null, -1, null);
        }
        List<Object> shape = new ArrayList<>();
        for (long d : a.shape()) {
            shape.add(d);
        }
        Object dataArray = NumericData.holds(a) ? new NumericData(a) : new LazyArray(items(a));
        // Members of the inner object: the frame below closes both braces.
        w.open(a, "{\"$ndarray\":{", List.of(new Member("dtype", a.dtype().str()), new Member("shape", shape),
                new Member("data", dataArray)).iterator(), ",", "}}");
    }

    /** The items of {@code a} in C order, each made when it is reached. */
    private static Iterator<Object> items(NdArray a) {
        return new Iterator<>() {
            long i;

            @Override
            public boolean hasNext() {
                return i < a.size();
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return a.get(i++);
            }
        };
    }

    /** A one-shot array of lazily produced values (ndarray data). */
    private record LazyArray(Iterator<?> items) {}

    private static void scalar(TreeWalk w, NumpyScalar s) throws IOException {
        NumpyDtype dt = s.dtype();
        switch (dt.kind()) {
            case 'f': {
                ShortestFloat.Format f = formatOf(dt.itemSize());
                w.text(number(((Number) s.value()).doubleValue(), f));
                return;
            }
            case 'c':
                complex(w, (PyComplex) s.value(), formatOf(dt.itemSize() / 2));
                return;
            case 'V':
                if (dt.isStructured()) {
                    render(record(s), w);
                } else {
                    render(s.value(), w);
                }
                return;
            case 'M':
                w.text(quote(DatetimeUnit.numpyString((Long) s.value(), dt.unit(), dt.unitCount())));
                return;
            case 'm':
                w.text("{\"$timedelta64\":[" + s.value() + "," + quote(DatetimeUnit.unitText(dt.unit(), dt.unitCount())) + "]}");
                return;
            default:
                render(s.item(), w);
        }
    }

    /** A structured record as {field: value} in field order; subarray fields as nested arrays. */
    private static Map<String, Object> record(NumpyScalar s) {
        Map<String, Object> out = new LinkedHashMap<>();
        PyTuple values = (PyTuple) s.value();
        List<NumpyDtype.Field> fields = s.dtype().fields();
        for (int i = 0; i < fields.size(); i++) {
            Object v = values.get(i);
            out.put(fields.get(i).name(), v instanceof NdArray ? nested((NdArray) v) : v);
        }
        return out;
    }

    /** A (small, subarray-field) ndarray as nested lists of its items in C order. */
    private static Object nested(NdArray a) {
        long[] shape = a.shape();
        if (shape.length == 0) {
            return a.get(0);
        }
        if (a.size() == 0) {
            return new ArrayList<>(); // a zero-size subarray field: nothing to nest
        }
        List<Object> flat = new ArrayList<>();
        for (long i = 0; i < a.size(); i++) {
            flat.add(a.get(i));
        }
        for (int d = shape.length - 1; d >= 1; d--) {
            List<Object> grouped = new ArrayList<>();
            int n = (int) shape[d];
            for (int i = 0; i < flat.size(); i += n) {
                grouped.add(new ArrayList<>(flat.subList(i, i + n)));
            }
            flat = grouped;
        }
        return flat;
    }

    private static ShortestFloat.Format formatOf(int bytes) {
        return bytes == 2 ? ShortestFloat.Format.BINARY16 : bytes == 4 ? ShortestFloat.Format.BINARY32
                : ShortestFloat.Format.BINARY64;
    }

    private static void complex(TreeWalk w, PyComplex c, ShortestFloat.Format f) throws IOException {
        w.text("{\"$complex\":[" + number(c.real(), f) + "," + number(c.imag(), f) + "]}");
    }

    private static void object(TreeWalk w, PyObject o) throws IOException {
        if (w.isOnPath(o)) {
            throw new UnsupportedInputException("element contains itself (circular reference)", null, -1, null);
        }
        List<Object> members = new ArrayList<>();
        String cls = o.className();
        members.add(new Member("$class", cls));
        if (cls == null) {
            members.add(new Member("callable", o.callable()));
        }
        if (o.construction() == PyObject.Construction.RECONSTRUCTOR) {
            members.add(new Member("reduce", "copyreg._reconstructor"));
        }
        members.add(new Member("args", o.args()));
        if (!o.kwargs().isEmpty()) {
            members.add(new Member("kwargs", o.kwargs()));
        }
        if (o.hasState()) {
            members.add(new Member("state", o.state()));
        }
        if (!o.listItems().isEmpty()) {
            members.add(new Member("listitems", o.listItems()));
        }
        if (!o.dictItems().isEmpty()) {
            members.add(new Member("dictitems", o.dictItems()));
        }
        if (!o.addedItems().isEmpty()) {
            members.add(new Member("additems", o.addedItems()));
        }
        w.open(o, "{", members.iterator(), ",", "}");
    }

    /** A JSON number (or the string for NaN/infinities) for a float at the given precision. */
    static String number(double v, ShortestFloat.Format f) {
        if (Double.isNaN(v)) {
            return "\"NaN\"";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        }
        return ShortestFloat.repr(v, f);
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    boolean loneSurrogate = Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
                            && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
                    if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1))) {
                        loneSurrogate = false;
                    }
                    if (c < 0x20 || c == 0x7F || loneSurrogate) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    private interface EntryMapper {
        Object map(Map.Entry<?, ?> e);
    }

    private static Iterator<Object> mapped(Iterator<? extends Map.Entry<?, ?>> entries, EntryMapper f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Object next() {
                return f.map(entries.next());
            }
        };
    }
}
