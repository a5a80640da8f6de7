package org.npyconv.formats.element;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.UnpickleStack;
import net.razorvine.pickle.Unpickler;

/**
 * The safe unpickler behind {@link SpanEvaluator}: Razorvine's {@link Unpickler} with
 * {@link #dispatch(short)} overridden so that every opcode that builds containers, reads a length,
 * touches the memo or names a global is handled here; only opcodes whose Razorvine handler is
 * already right for us (NONE, NEWTRUE, NEWFALSE, BINFLOAT, POP, POP_MARK, DUP, PROTO, FRAME) go to
 * {@code super.dispatch}. Razorvine's static constructor registry is never consulted: globals
 * become {@link PyGlobal} values and calls go through {@link Allowlist} or become {@link PyObject}.
 *
 * <p>The memo is this class's own: a span-local map keyed by Python's memo index, falling back to
 * the caller's {@link MemoResolver}, with every store reported to the {@link MemoSink}.
 *
 * <p>Nothing here recurses on input: the pickle stack is an explicit stack, and container nesting
 * built within the span is tracked per container and capped. Not thread-safe; reusable.
 */
final class SpanUnpickler extends Unpickler {
    /** An InputStream over {@code buf[pos, end)} whose position is visible, so Razorvine's reads stay inside the span. */
    private static final class SpanInput extends InputStream {
        byte[] buf;
        int pos;
        int end;

        @Override
        public int read() {
            return pos < end ? buf[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int n = Math.min(len, end - pos);
            if (n <= 0) {
                return -1;
            }
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private final SpanInput in = new SpanInput();
    private final Object marker;
    private final Map<Long, Object> spanMemo = new HashMap<>();
    /** Nesting depth of containers built in this span (a tuple of atoms is 1). */
    private final IdentityHashMap<Object, Integer> depths = new IdentityHashMap<>();
    private final int maxNesting;

    private MemoResolver resolver;
    private MemoSink sink;
    private long memoCounter;
    private int marks;

    SpanUnpickler(int maxNesting) {
        this.maxNesting = maxNesting;
        this.stack = new UnpickleStack();
        this.input = in;
        // Razorvine's mark object is not visible outside its package; learn its identity once.
        stack.add_mark();
        this.marker = stack.pop();
    }

    /**
     * Evaluates {@code buf[from, to)}, recording in {@code cursor} where each opcode starts so the
     * caller can name the failing one. State left by a failed run is discarded by the next run.
     */
    SpanResult run(byte[] buf, int from, int to, long memoStart, MemoResolver memoResolver, MemoSink memoSink,
            OpcodeCursor cursor) throws IOException {
        reset();
        in.buf = buf;
        in.pos = from;
        in.end = to;
        resolver = memoResolver;
        sink = memoSink;
        memoCounter = memoStart;
        try {
            while (in.pos < to) {
                cursor.opcodeStart = in.pos;
                int op = buf[in.pos++] & 0xFF;
                cursor.opcode = op;
                dispatch((short) op);
            }
            return drain();
        } finally {
            in.buf = null;
            resolver = null;
            sink = null;
        }
    }

    /** Where the failing opcode started, for error messages. */
    static final class OpcodeCursor {
        int opcodeStart;
        int opcode;
    }

    private void reset() {
        stack.clear();
        spanMemo.clear();
        depths.clear();
        marks = 0;
    }

    private SpanResult drain() {
        List<Object> items = new ArrayList<>(stack.size());
        List<Integer> markAt = new ArrayList<>();
        List<Object> all = new ArrayList<>(stack.size());
        while (stack.size() > 0) {
            all.add(stack.pop());
        }
        Collections.reverse(all);
        for (Object o : all) {
            if (o == marker) {
                markAt.add(items.size());
            } else {
                items.add(o);
            }
        }
        spanMemo.clear();
        depths.clear();
        return new SpanResult(items, markAt, memoCounter);
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        switch (key) {
            case Opcodes.MARK: stack.add_mark(); marks++; break;
            case Opcodes.STOP: throw new IllegalArgumentException("STOP inside the span (a span ends before STOP)");
            case Opcodes.POP:
                requireNonEmpty();
                if (stack.peek() == marker) {
                    marks--; // Python's POP on an empty frame discards the mark
                }
                super.dispatch(key);
                break;
            case Opcodes.POP_MARK:
                requireMark();
                super.dispatch(key);
                marks--;
                break;
            case Opcodes.DUP: peekItem(); super.dispatch(key); break;
            case Opcodes.NONE: case Opcodes.NEWTRUE: case Opcodes.NEWFALSE: case Opcodes.BINFLOAT:
            case Opcodes.PROTO: case Opcodes.FRAME:
                super.dispatch(key);
                break;

            case Opcodes.INT: loadInt(); break;
            case Opcodes.BININT: push((long) (int) le(4)); break;
            case Opcodes.BININT1: push(le(1)); break;
            case Opcodes.BININT2: push(le(2)); break;
            case Opcodes.LONG: {
                String line = line();
                push(PythonText.parseInt(line.endsWith("L") ? line.substring(0, line.length() - 1) : line));
                break;
            }
            case Opcodes.LONG1: push(longFrom(take(le(1)))); break;
            case Opcodes.LONG4: push(longFrom(take(signedLength()))); break;
            case Opcodes.FLOAT: push(PythonText.parseFloat(line())); break;

            case Opcodes.STRING: push(loadQuotedString()); break;
            case Opcodes.BINSTRING: push(NumpyScalar.latin1(take(signedLength()))); break;
            case Opcodes.SHORT_BINSTRING: push(NumpyScalar.latin1(take(le(1)))); break;
            case Opcodes.UNICODE: push(PythonText.rawUnicodeEscape(line())); break;
            case Opcodes.SHORT_BINUNICODE: push(utf8(le(1))); break;
            case Opcodes.BINUNICODE: push(utf8(le(4))); break;
            case Opcodes.BINUNICODE8: push(utf8(le8())); break;
            case Opcodes.SHORT_BINBYTES: push(take(le(1))); break;
            case Opcodes.BINBYTES: push(take(le(4))); break;
            case Opcodes.BINBYTES8: push(take(le8())); break;
            case Opcodes.BYTEARRAY8: push(PyByteArray.wrap(take(le8()))); break;
            case Opcodes.NEXT_BUFFER:
                throw new UnsupportedOperationException("out-of-band buffer (NEXT_BUFFER): its data is not in the file");
            case Opcodes.READONLY_BUFFER: peekItem(); break; // read-only or not, the bytes are the same

            case Opcodes.EMPTY_TUPLE: push(PyTuple.of()); break;
            case Opcodes.TUPLE: pushTuple(popMark().toArray()); break;
            case Opcodes.TUPLE1: pushTuple(popItems(1)); break;
            case Opcodes.TUPLE2: pushTuple(popItems(2)); break;
            case Opcodes.TUPLE3: pushTuple(popItems(3)); break;
            case Opcodes.EMPTY_LIST: push(new ArrayList<>()); break;
            case Opcodes.LIST: {
                List<Object> items = popMark();
                pushContainer(new ArrayList<>(items), items);
                break;
            }
            case Opcodes.EMPTY_DICT: push(new LinkedHashMap<>()); break;
            case Opcodes.DICT: {
                LinkedHashMap<Object, Object> map = new LinkedHashMap<>();
                List<Object> items = popMark();
                putPairs(map, items);
                pushContainer(map, items);
                break;
            }
            case Opcodes.EMPTY_SET: push(new LinkedHashSet<>()); break;
            case Opcodes.FROZENSET: {
                List<Object> items = popMark();
                for (Object m : items) {
                    Allowlist.requireHashable(m, "frozenset member");
                }
                pushContainer(PyFrozenSet.of(items), items);
                break;
            }
            case Opcodes.APPEND: {
                Object value = popItem();
                appendTo(peekItem(), Collections.singletonList(value));
                break;
            }
            case Opcodes.APPENDS: {
                List<Object> items = popMark();
                appendTo(peekItem(), items);
                break;
            }
            case Opcodes.SETITEM: {
                Object value = popItem();
                Object k = popItem();
                setItemsOn(peekItem(), pair(k, value));
                break;
            }
            case Opcodes.SETITEMS: {
                List<Object> items = popMark(); // before peeking: the target sits below the mark
                setItemsOn(peekItem(), items);
                break;
            }
            case Opcodes.ADDITEMS: {
                List<Object> items = popMark();
                addItemsTo(peekItem(), items);
                break;
            }

            case Opcodes.PUT: memoPut(nonNegative(PythonText.parseInt(line()), "PUT")); break;
            case Opcodes.BINPUT: memoPut(le(1)); break;
            case Opcodes.LONG_BINPUT: memoPut(le(4)); break;
            case Opcodes.MEMOIZE: memoPut(memoCounter); break;
            case Opcodes.GET: push(memoGet(nonNegative(PythonText.parseInt(line()), "GET"))); break;
            case Opcodes.BINGET: push(memoGet(le(1))); break;
            case Opcodes.LONG_BINGET: push(memoGet(le(4))); break;

            case Opcodes.GLOBAL: {
                String module = utf8Line();
                String name = utf8Line();
                push(new PyGlobal(module, name));
                break;
            }
            case Opcodes.STACK_GLOBAL: {
                Object name = popItem();
                Object module = popItem();
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw new IllegalArgumentException("STACK_GLOBAL needs two str items, got "
                            + Allowlist.typeName(module) + " and " + Allowlist.typeName(name));
                }
                push(new PyGlobal((String) module, (String) name));
                break;
            }
            case Opcodes.REDUCE: {
                Object args = popItem();
                Object callable = popItem();
                push(construct(PyObject.Construction.REDUCE, callable, tupleItems(args, "REDUCE"), Map.of()));
                break;
            }
            case Opcodes.NEWOBJ: {
                Object args = popItem();
                Object cls = popItem();
                push(construct(PyObject.Construction.NEWOBJ, cls, tupleItems(args, "NEWOBJ"), Map.of()));
                break;
            }
            case Opcodes.NEWOBJ_EX: {
                Object kwargs = popItem();
                Object args = popItem();
                Object cls = popItem();
                if (!(kwargs instanceof Map)) {
                    throw new IllegalArgumentException("NEWOBJ_EX keyword arguments are not a dict");
                }
                @SuppressWarnings("unchecked")
                Map<Object, Object> kw = (Map<Object, Object>) kwargs;
                push(construct(PyObject.Construction.NEWOBJ_EX, cls, tupleItems(args, "NEWOBJ_EX"), kw));
                break;
            }
            case Opcodes.INST: {
                PyGlobal cls = new PyGlobal(utf8Line(), utf8Line());
                push(construct(PyObject.Construction.INST, cls, popMark(), Map.of()));
                break;
            }
            case Opcodes.OBJ: {
                List<Object> items = popMark();
                if (items.isEmpty()) {
                    throw new IllegalArgumentException("OBJ without a class");
                }
                push(construct(PyObject.Construction.OBJ, items.get(0), new ArrayList<>(items.subList(1, items.size())),
                        Map.of()));
                break;
            }
            case Opcodes.BUILD: {
                Object state = popItem();
                build(peekItem(), state);
                break;
            }
            case Opcodes.PERSID: push(new PyPersistentId(NumpyScalar.latin1(lineBytes()))); break;
            case Opcodes.BINPERSID: push(new PyPersistentId(popItem())); break;
            case Opcodes.EXT1: push(new PyExtensionCode(le(1))); break;
            case Opcodes.EXT2: push(new PyExtensionCode(le(2))); break;
            case Opcodes.EXT4: push(new PyExtensionCode((int) le(4))); break;
            default:
                throw new IllegalArgumentException("not a pickle opcode");
        }
        return NO_RETURN_VALUE;
    }

    private static List<Object> pair(Object k, Object v) {
        List<Object> l = new ArrayList<>(2);
        l.add(k);
        l.add(v);
        return l;
    }

    // ---- stack ----

    private void push(Object value) {
        stack.add(value);
    }

    private void requireNonEmpty() {
        if (stack.size() == 0) {
            throw new IllegalArgumentException("stack underflow (the span pops more than it pushed)");
        }
    }

    private void requireMark() {
        if (marks == 0) {
            throw new IllegalArgumentException("no MARK on the stack");
        }
    }

    private Object peekItem() {
        requireNonEmpty();
        Object top = stack.peek();
        if (top == marker) {
            throw new IllegalArgumentException("expected an item on the stack, found a MARK");
        }
        return top;
    }

    private Object popItem() {
        peekItem();
        return stack.pop();
    }

    private Object[] popItems(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = popItem();
        }
        return items;
    }

    private List<Object> popMark() {
        requireMark();
        List<Object> items = stack.pop_all_since_marker();
        marks--;
        return items;
    }

    // ---- containers ----

    private void pushTuple(Object[] items) {
        PyTuple t = PyTuple.wrap(items);
        pushContainer(t, t.items());
    }

    private void pushContainer(Object container, Collection<?> items) {
        int d = 1;
        for (Object item : items) {
            d = Math.max(d, 1 + depthOf(item));
        }
        track(container, d);
        push(container);
    }

    private void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new IllegalArgumentException("odd number of items for a dict (" + items.size() + ")");
        }
        for (int i = 0; i < items.size(); i += 2) {
            Allowlist.requireHashable(items.get(i), "dict key");
            map.put(items.get(i), items.get(i + 1));
        }
    }

    private void appendTo(Object target, List<Object> items) {
        if (target instanceof List) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) target;
            list.addAll(items);
        } else if (target instanceof PyObject) {
            ((PyObject) target).mutableListItems().addAll(items);
        } else {
            throw new IllegalArgumentException("cannot append to " + Allowlist.typeName(target));
        }
        grow(target, items);
    }

    private void setItemsOn(Object target, List<Object> items) {
        if (target instanceof Map) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> map = (Map<Object, Object>) target;
            putPairs(map, items);
        } else if (target instanceof PyObject) {
            putPairs(((PyObject) target).mutableDictItems(), items);
        } else {
            throw new IllegalArgumentException("cannot set items on " + Allowlist.typeName(target));
        }
        grow(target, items);
    }

    private void addItemsTo(Object target, List<Object> items) {
        if (target instanceof Set && !(target instanceof PyFrozenSet)) {
            @SuppressWarnings("unchecked")
            Set<Object> set = (Set<Object>) target;
            for (Object m : items) {
                Allowlist.requireHashable(m, "set member");
                set.add(m);
            }
        } else if (target instanceof PyObject) {
            ((PyObject) target).mutableAddedItems().addAll(items);
        } else {
            throw new IllegalArgumentException("cannot add items to " + Allowlist.typeName(target));
        }
        grow(target, items);
    }

    // ---- nesting ----

    private static boolean isContainer(Object v) {
        return v instanceof Collection || v instanceof Map || v instanceof PyTuple || v instanceof PyObject
                || v instanceof NdArray;
    }

    private int depthOf(Object v) {
        if (!isContainer(v)) {
            return 0;
        }
        Integer d = depths.get(v);
        if (d != null) {
            return d;
        }
        // Built before this span: tuples know their own nesting; mutable containers count as flat
        // here (ElementJson and ElementRepr check depth again when they walk a value).
        return Math.max(1, Hashing.depthOf(v));
    }

    private void grow(Object container, Collection<?> items) {
        int d = depthOf(container);
        for (Object item : items) {
            if (isContainer(item)) {
                d = Math.max(d, 1 + depthOf(item));
            }
        }
        track(container, d);
    }

    private void track(Object container, int depth) {
        if (depth > maxNesting) {
            throw new NestingTooDeep(maxNesting);
        }
        depths.put(container, depth);
    }

    /** Thrown when containers nest deeper than the limit. */
    static final class NestingTooDeep extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NestingTooDeep(int limit) {
            super("containers nest deeper than " + limit + " levels", null, false, false);
        }
    }

    // ---- memo ----

    private void memoPut(long index) {
        Object value = peekItem();
        spanMemo.put(index, value);
        if (index == memoCounter) {
            memoCounter++;
        }
        sink.put(index, value);
    }

    private Object memoGet(long index) {
        Object value = spanMemo.get(index);
        if (value != null || spanMemo.containsKey(index)) {
            return value;
        }
        if (resolver == null) {
            throw new IllegalArgumentException("memo index " + index + " is not defined in this span and no resolver was given");
        }
        value = resolver.resolve(index);
        spanMemo.put(index, value); // later GETs of the same index in this span skip the resolver
        return value;
    }

    private static long nonNegative(Number n, String op) {
        if (!(n instanceof Long) || (Long) n < 0) {
            throw new IllegalArgumentException(op + " index must be a non-negative 64-bit int, got " + n);
        }
        return (Long) n;
    }

    // ---- calls ----

    private static List<Object> tupleItems(Object args, String op) {
        if (!(args instanceof PyTuple)) {
            throw new IllegalArgumentException(op + " arguments are not a tuple but " + Allowlist.typeName(args));
        }
        return new ArrayList<>(((PyTuple) args).items());
    }

    private Object construct(PyObject.Construction how, Object callable, List<Object> args, Map<Object, Object> kwargs) {
        if (callable instanceof PyGlobal && ((PyGlobal) callable).safety().buildsValues()) {
            Object built = Allowlist.call((PyGlobal) callable, args, kwargs);
            if (built != Allowlist.NOT_BUILT) {
                if (isContainer(built)) {
                    Collection<?> parts = built instanceof Map ? ((Map<?, ?>) built).values()
                            : built instanceof Collection ? (Collection<?>) built : List.of();
                    pushDepthOnly(built, parts);
                }
                return built;
            }
            if (isReconstructor((PyGlobal) callable) && args.size() == 3 && args.get(0) instanceof PyGlobal) {
                PyObject o = new PyObject(PyObject.Construction.RECONSTRUCTOR, args.get(0),
                        new ArrayList<>(args.subList(1, 3)), new LinkedHashMap<>());
                pushDepthOnly(o, args);
                return o;
            }
        }
        PyObject o = new PyObject(how, callable, args, new LinkedHashMap<>(kwargs));
        List<Object> parts = new ArrayList<>(args);
        parts.addAll(kwargs.values());
        pushDepthOnly(o, parts);
        return o;
    }

    private static boolean isReconstructor(PyGlobal g) {
        return g.name().equals("_reconstructor") && (g.module().equals("copyreg") || g.module().equals("copy_reg"));
    }

    private void pushDepthOnly(Object container, Collection<?> items) {
        int d = 1;
        for (Object item : items) {
            d = Math.max(d, 1 + depthOf(item));
        }
        track(container, d);
    }

    private void build(Object target, Object state) {
        if (target instanceof NdArray) {
            ((NdArray) target).applyState(state);
        } else if (target instanceof NumpyDtype) {
            ((NumpyDtype) target).applyState(state);
        } else if (target instanceof PyObject) {
            ((PyObject) target).applyState(state);
        } else if (state == null || (state instanceof Map && ((Map<?, ?>) state).isEmpty())) {
            return; // nothing to set (e.g. an OrderedDict without instance attributes)
        } else {
            throw new IllegalArgumentException("BUILD on " + Allowlist.typeName(target) + ", which has no state to set");
        }
        grow(target, Collections.singletonList(state));
    }

    // ---- reading arguments (every length checked against the span before allocating) ----

    private long le(int n) {
        if (in.end - in.pos < n) {
            throw new Truncated(n + "-byte argument");
        }
        long v = NumpyScalar.unsigned(in.buf, in.pos, n, false);
        in.pos += n;
        return v;
    }

    private long le8() {
        long n = le(8);
        if (n < 0) {
            throw new IllegalArgumentException("length " + Long.toUnsignedString(n) + " does not fit the span");
        }
        return n;
    }

    private long signedLength() {
        long n = (int) le(4);
        if (n < 0) {
            throw new IllegalArgumentException("negative length " + n);
        }
        return n;
    }

    private void requireRemaining(long length) {
        if (length > in.end - in.pos) {
            throw new Truncated("payload of " + length + " bytes (" + (in.end - in.pos) + " left in the span)");
        }
    }

    private byte[] take(long length) {
        requireRemaining(length);
        int n = (int) length;
        byte[] out = new byte[n];
        System.arraycopy(in.buf, in.pos, out, 0, n);
        in.pos += n;
        return out;
    }

    private String utf8(long length) {
        requireRemaining(length);
        String s = PythonText.utf8(in.buf, in.pos, (int) length);
        in.pos += (int) length;
        return s;
    }

    private byte[] lineBytes() {
        int start = in.pos;
        for (int i = start; i < in.end; i++) {
            if (in.buf[i] == '\n') {
                in.pos = i + 1;
                byte[] out = new byte[i - start];
                System.arraycopy(in.buf, start, out, 0, out.length);
                return out;
            }
        }
        throw new Truncated("newline-terminated argument");
    }

    private String line() {
        return NumpyScalar.latin1(lineBytes());
    }

    private String utf8Line() {
        byte[] b = lineBytes();
        return PythonText.utf8(b, 0, b.length);
    }

    private static Number longFrom(byte[] littleEndianTwosComplement) {
        Number n = PickleUtils.decode_long(littleEndianTwosComplement);
        return n instanceof BigInteger ? PythonText.normalize((BigInteger) n) : (Number) n.longValue();
    }

    private void loadInt() {
        String text = line();
        if (text.equals("01")) {
            push(Boolean.TRUE);
        } else if (text.equals("00")) {
            push(Boolean.FALSE);
        } else {
            push(PythonText.parseInt(text));
        }
    }

    private String loadQuotedString() {
        String text = line();
        if (text.length() < 2 || (text.charAt(0) != '\'' && text.charAt(0) != '"')
                || text.charAt(text.length() - 1) != text.charAt(0)) {
            throw new IllegalArgumentException("the STRING opcode argument must be quoted");
        }
        return PythonText.escapeDecode(text.substring(1, text.length() - 1));
    }

    /** The span ends inside an opcode's argument. */
    static final class Truncated extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Truncated(String what) {
            super("span ends inside the opcode's " + what, null, false, false);
        }
    }

}
