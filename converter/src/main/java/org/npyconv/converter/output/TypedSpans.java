package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.vector.FieldVector;
import org.npyconv.formats.npyidx.SidecarIndex;
import org.npyconv.indexer.NpyObjectArray;

/**
 * The fast path for columns of dicts, lists, str, bytes, ints, floats, bools and None (docs/perf/dict-fastpath.md):
 * each element's opcodes are decoded straight into the column's Arrow vectors, without building the
 * Java element ({@code SpanUnpickler} -> {@code Map}/{@code List}/{@code String}), without the
 * per-element type check and without the expansion guard. What CPython's pickler writes for such
 * values (protocols 2-5) is a small grammar:
 *
 * <pre>
 *   value := NONE | NEWTRUE | NEWFALSE | BININT1 | BININT2 | BININT | LONG1 (at most 8 bytes) | BINFLOAT
 *          | str op memo* | bytes op memo* | BINGET | LONG_BINGET          (a str/bytes entry only)
 *          | EMPTY_LIST memo* (MARK value* APPENDS)* | EMPTY_LIST memo* value APPEND
 *          | EMPTY_DICT memo* (MARK (key value)* SETITEMS)* | EMPTY_DICT memo* key value SETITEM
 *   key   := str op memo* | BINGET | LONG_BINGET (of a str)
 * </pre>
 *
 * with FRAME anywhere between opcodes. A span is accepted only when it is exactly one such value
 * whose every position fits its {@link VectorTarget} kind exactly (a str where the column has
 * string, a Python int where it has int64, a dict whose str keys are fields of the struct, each at
 * most once), so the value joins to the column's type and needs no inference: for any other span
 * (a numpy scalar, a tuple, a set, a shared list, an int beyond int64, a float in an int column, a
 * key the sample never saw, a lone surrogate) the caller evaluates the element and writes it the
 * general way. An accepted element has no shared container, which is the only thing the expansion
 * guard refuses.
 *
 * <p>Each span is decoded twice: once to validate (nothing written, so a span that fails halfway
 * leaves the vectors untouched for the general path), then to write. Back-references are resolved
 * from the element's own memo entries (window offsets), from {@link SharedMemo} (entries earlier
 * elements stored and the index lists as referred to later), and otherwise by random access
 * ({@link NpyObjectArray#memoEntry}). Values are written with the vector calls {@code ValueWriter}
 * makes, nulls through {@code ValueWriter} itself, so the output is byte-for-byte the general
 * path's. Reads through a {@link PickleWindow}; one pass over elements {@code [from, to)}, not
 * thread-safe.
 */
final class TypedSpans extends SpanRange {
    private static final int SWEEP_EVERY = 1024;

    private static final int MARK = '(';
    private static final int NONE = 'N';
    private static final int NEWTRUE = 0x88;
    private static final int NEWFALSE = 0x89;
    private static final int BININT = 'J';
    private static final int BININT1 = 'K';
    private static final int BININT2 = 'M';
    private static final int LONG1 = 0x8a;
    private static final int BINFLOAT = 'G';
    private static final int SHORT_BINUNICODE = 0x8c;
    private static final int BINUNICODE = 'X';
    private static final int BINUNICODE8 = 0x8d;
    private static final int SHORT_BINBYTES = 'C';
    private static final int BINBYTES = 'B';
    private static final int BINBYTES8 = 0x8e;
    private static final int EMPTY_LIST = ']';
    private static final int APPEND = 'a';
    private static final int APPENDS = 'e';
    private static final int EMPTY_DICT = '}';
    private static final int SETITEM = 's';
    private static final int SETITEMS = 'u';
    private static final int BINGET = 'h';
    private static final int LONG_BINGET = 'j';
    private static final int BINPUT = 'q';
    private static final int LONG_BINPUT = 'r';
    private static final int MEMOIZE = 0x94;
    private static final int FRAME = 0x95;

    private final SidecarIndex index;
    private final SharedMemo shared = new SharedMemo();
    private VectorTarget column;

    // Decoder state for the current span: fields, not objects, so nothing is allocated per opcode.
    private byte[] b;
    private int pos;
    private int stop;
    private long memoStart;
    private long counter;
    /** Second pass: write values (the first pass only validates and records memo entries). */
    private boolean writing;
    /** Inside a look-ahead: neither write nor record. */
    private int lookingAhead;
    // The element's own memo entries, by index - memoStart: kind, and for str/bytes where the payload sits in the window.
    private byte[] localKind = new byte[256];
    private int[] localAt = new int[256];
    private int[] localLen = new int[256];
    // What the last lookup() found.
    private byte gotKind;
    private byte[] gotBytes;
    private int gotAt;
    private int gotLen;

    /** The first memo index at or after the last fast element's that the index lists as referred to later. */
    private long nextListed = -1;

    private long sweepAt;

    /** Elements {@code [from, to)} of {@code array}. */
    TypedSpans(NpyObjectArray array, long from, long to) throws IOException {
        super(array, from, to);
        this.index = array.index();
    }

    /** Whether the fast path can serve {@code array}: plain object dtype, and the index lists every shared memo entry. */
    static boolean supports(NpyObjectArray array) {
        return !(array.header().dtype() instanceof org.npyconv.formats.npy.Dtype.Structured)
                && array.index().retainedComplete();
    }

    /**
     * Writes the next element at {@code row} of {@code vector} ({@link #FAST}), or evaluates it and
     * leaves it in {@link #slowElement()} for the caller to check and write ({@link #SLOW}), or says
     * there is none ({@link #END}).
     */
    @Override
    public int next(FieldVector vector, int row) throws IOException {
        if (!advance()) {
            return END;
        }
        long i = cursor.index();
        if (i >= sweepAt) {
            shared.sweep(i);
            sweepAt = i + SWEEP_EVERY;
        }
        if (column == null || column.vector != vector) {
            column = VectorTarget.of(vector);
        }
        long start = cursor.start();
        int at = window.load(start, cursor.end());
        b = window.bytes();
        stop = at + (int) (cursor.end() - start);
        memoStart = cursor.memoStart();
        if (!decode(at, false, row)) {
            slow++;
            slowElement = array.get(i);
            return SLOW;
        }
        if (!decode(at, true, row)) {
            throw new IllegalStateException("element " + i + " validated but did not decode the second time");
        }
        keepShared(i);
        fast++;
        return FAST;
    }

    /** One pass over the span from {@code at}: the whole span must be one value and store exactly its memo entries. */
    private boolean decode(int at, boolean write, int row) {
        pos = at;
        counter = memoStart;
        writing = write;
        lookingAhead = 0;
        if (!value(column, row)) {
            return false;
        }
        skipFrames();
        return pos == stop && counter == cursor.memoEnd();
    }

    private boolean writes() {
        return writing && lookingAhead == 0;
    }

    /** Decodes one value into {@code t} at {@code row}; false when the opcodes are not the grammar or do not fit {@code t}. */
    private boolean value(VectorTarget t, int row) {
        skipFrames();
        if (pos >= stop) {
            return false;
        }
        int op = b[pos] & 0xFF;
        switch (op) {
            case NONE:
                pos++;
                if (writes()) {
                    t.writeNull(row);
                }
                return true;
            case NEWTRUE:
            case NEWFALSE:
                if (t.kind != VectorTarget.Kind.BOOL) {
                    return false;
                }
                pos++;
                if (writes()) {
                    t.writeBool(row, op == NEWTRUE);
                }
                return true;
            case BININT1:
            case BININT2:
            case BININT:
            case LONG1:
                return t.kind == VectorTarget.Kind.INT64 && integer(t, row, op);
            case BINFLOAT:
                if (t.kind != VectorTarget.Kind.FLOAT64 || pos + 9 > stop) {
                    return false;
                }
                long bits = 0;
                for (int k = 1; k <= 8; k++) {
                    bits = bits << 8 | (b[pos + k] & 0xFF);
                }
                pos += 9;
                if (writes()) {
                    t.writeDoubleBits(row, bits);
                }
                return true;
            case SHORT_BINUNICODE:
            case BINUNICODE:
            case BINUNICODE8:
                return t.kind == VectorTarget.Kind.STRING && payload(t, row, op, SharedMemo.STR);
            case SHORT_BINBYTES:
            case BINBYTES:
            case BINBYTES8:
                return t.kind == VectorTarget.Kind.BINARY && payload(t, row, op, SharedMemo.BYTES);
            case BINGET:
            case LONG_BINGET:
                if (!get() || (gotKind == SharedMemo.STR ? t.kind != VectorTarget.Kind.STRING
                        : t.kind != VectorTarget.Kind.BINARY)) {
                    return false;
                }
                if (writes()) {
                    t.writeBytes(row, gotBytes, gotAt, gotLen);
                }
                return true;
            case EMPTY_LIST:
                if (t.kind != VectorTarget.Kind.LIST) {
                    return false;
                }
                pos++;
                return memoAfter(SharedMemo.OTHER, 0, 0) && listItems(t, row);
            case EMPTY_DICT:
                if (t.kind != VectorTarget.Kind.STRUCT) {
                    return false;
                }
                pos++;
                return memoAfter(SharedMemo.OTHER, 0, 0) && dictItems(t, row);
            default:
                return false;
        }
    }

    /** BININT1/BININT2/BININT/LONG1 (at most 8 bytes: always within int64) at {@code pos}. */
    private boolean integer(VectorTarget t, int row, int op) {
        long v;
        if (op == BININT1) {
            if (pos + 2 > stop) {
                return false;
            }
            v = b[pos + 1] & 0xFF;
            pos += 2;
        } else if (op == BININT2) {
            if (pos + 3 > stop) {
                return false;
            }
            v = (b[pos + 1] & 0xFF) | (b[pos + 2] & 0xFF) << 8;
            pos += 3;
        } else if (op == BININT) {
            if (pos + 5 > stop) {
                return false;
            }
            v = PickleWindow.littleInt(b, pos + 1);
            pos += 5;
        } else {
            if (pos + 2 > stop) {
                return false;
            }
            int n = b[pos + 1] & 0xFF;
            if (n > 8 || pos + 2 + n > stop) {
                return false;
            }
            v = 0;
            for (int k = n - 1; k >= 0; k--) {
                v = v << 8 | (b[pos + 2 + k] & 0xFF);
            }
            if (n > 0 && n < 8) {
                // Two's complement of n bytes: sign-extend.
                int shift = 64 - 8 * n;
                v = v << shift >> shift;
            }
            pos += 2 + n;
        }
        if (writes()) {
            t.writeLong(row, v);
        }
        return true;
    }

    /** A str or bytes opcode at {@code pos}: its payload is copied as is (a str's is already UTF-8). */
    private boolean payload(VectorTarget t, int row, int op, byte kind) {
        int at = lengthPrefixed(op);
        if (at < 0) {
            return false;
        }
        int n = pos - at;
        if (kind == SharedMemo.STR && !validUtf8(b, at, n)) {
            return false;
        }
        if (writes()) {
            t.writeBytes(row, b, at, n);
        }
        return memoAfter(kind, at, n);
    }

    /**
     * Consumes a str/bytes opcode with its length and payload; returns where the payload starts
     * (pos is left after it), or -1 when the claimed length passes the span.
     */
    private int lengthPrefixed(int op) {
        long n;
        int at;
        if (op == SHORT_BINUNICODE || op == SHORT_BINBYTES) {
            if (pos + 2 > stop) {
                return -1;
            }
            n = b[pos + 1] & 0xFF;
            at = pos + 2;
        } else if (op == BINUNICODE || op == BINBYTES) {
            if (pos + 5 > stop) {
                return -1;
            }
            n = PickleWindow.littleInt(b, pos + 1) & 0xFFFFFFFFL;
            at = pos + 5;
        } else {
            if (pos + 9 > stop) {
                return -1;
            }
            n = PickleWindow.littleInt(b, pos + 1) & 0xFFFFFFFFL | (long) PickleWindow.littleInt(b, pos + 5) << 32;
            at = pos + 9;
        }
        if (n < 0 || n > stop - at) {
            return -1;
        }
        pos = at + (int) n;
        return at;
    }

    /**
     * The memo opcodes after a value store that value: MEMOIZE takes the next index, BINPUT /
     * LONG_BINPUT must name it (Python's pickler numbers entries in sequence).
     */
    private boolean memoAfter(byte kind, int at, int n) {
        while (true) {
            skipFrames();
            if (pos >= stop) {
                return true;
            }
            int op = b[pos] & 0xFF;
            long m;
            if (op == MEMOIZE) {
                m = counter;
                pos++;
            } else if (op == BINPUT && pos + 2 <= stop) {
                m = b[pos + 1] & 0xFF;
                pos += 2;
            } else if (op == LONG_BINPUT && pos + 5 <= stop) {
                m = PickleWindow.littleInt(b, pos + 1) & 0xFFFFFFFFL;
                pos += 5;
            } else {
                return true;
            }
            if (m != counter) {
                return false;
            }
            if (!writing) {
                record(m, kind, at, n);
            }
            counter++;
        }
    }

    private void record(long m, byte kind, int at, int n) {
        long k = m - memoStart;
        if (k >= localKind.length) {
            if (k >= Integer.MAX_VALUE / 2) {
                throw new IllegalStateException("memo index " + m + " far beyond the element's first " + memoStart);
            }
            int size = Math.max(localKind.length * 2, (int) k + 1);
            localKind = java.util.Arrays.copyOf(localKind, size);
            localAt = java.util.Arrays.copyOf(localAt, size);
            localLen = java.util.Arrays.copyOf(localLen, size);
        }
        localKind[(int) k] = kind;
        localAt[(int) k] = at;
        localLen[(int) k] = n;
    }

    /** A BINGET/LONG_BINGET at {@code pos} of a str or bytes entry: fills gotKind/gotBytes/gotAt/gotLen. */
    private boolean get() {
        long m = getIndex();
        return m >= 0 && lookup(m);
    }

    /** Consumes a BINGET/LONG_BINGET at {@code pos}; returns its memo index, or -1 when it passes the span. */
    private long getIndex() {
        if ((b[pos] & 0xFF) == BINGET) {
            if (pos + 2 > stop) {
                return -1;
            }
            pos += 2;
            return b[pos - 1] & 0xFF;
        }
        if (pos + 5 > stop) {
            return -1;
        }
        pos += 5;
        return PickleWindow.littleInt(b, pos - 4) & 0xFFFFFFFFL;
    }

    private boolean lookup(long m) {
        if (m >= counter) {
            return false;
        }
        if (m >= memoStart) {
            int k = (int) (m - memoStart);
            gotKind = localKind[k];
            gotBytes = b;
            gotAt = localAt[k];
            gotLen = localLen[k];
        } else {
            int s = shared.find(m);
            if (s < 0) {
                s = resolve(m);
            }
            gotKind = shared.kind(s);
            gotBytes = shared.value(s);
            gotAt = 0;
            gotLen = gotBytes == null ? 0 : gotBytes.length;
        }
        return gotKind == SharedMemo.STR || gotKind == SharedMemo.BYTES;
    }

    /** An entry stored before this element and not kept: random access evaluates what it holds. */
    private int resolve(long m) {
        Object v;
        try {
            v = array.memoEntry(m);
        } catch (RuntimeException e) {
            // The general evaluator meets the same failure and reports it; this element goes its way.
            v = null;
        }
        byte kind = SharedMemo.OTHER;
        byte[] bytes = null;
        if (v instanceof String && !hasLoneSurrogate((String) v)) {
            kind = SharedMemo.STR;
            bytes = ((String) v).getBytes(StandardCharsets.UTF_8);
        } else if (v instanceof byte[]) {
            kind = SharedMemo.BYTES;
            bytes = (byte[]) v;
        }
        return shared.put(m, kind, bytes, Math.max(index.retainedLastUse(m), cursor.index()));
    }

    /**
     * After a fast element: its entries that later elements refer to (the index lists them, in
     * order) move from the window to {@link SharedMemo}. One look-up per listed entry, not per entry.
     */
    private void keepShared(long i) {
        if (nextListed < memoStart) {
            nextListed = index.retainedAtOrAfter(memoStart);
        }
        while (nextListed < counter) {
            long m = nextListed;
            long until = index.retainedLastUse(m);
            if (until > i) {
                int k = (int) (m - memoStart);
                byte kind = localKind[k];
                byte[] bytes = kind == SharedMemo.OTHER ? null
                        : java.util.Arrays.copyOfRange(b, localAt[k], localAt[k] + localLen[k]);
                shared.put(m, kind, bytes, until);
            }
            nextListed = index.retainedAtOrAfter(m + 1);
        }
    }

    private boolean listItems(VectorTarget t, int row) {
        VectorTarget item = t.children[0];
        int start = writes() ? t.startList(row) : 0;
        int n = 0;
        skipFrames();
        if (pos < stop && (b[pos] & 0xFF) == MARK) {
            while (pos < stop && (b[pos] & 0xFF) == MARK) {
                pos++;
                while (true) {
                    skipFrames();
                    if (pos >= stop) {
                        return false;
                    }
                    if ((b[pos] & 0xFF) == APPENDS) {
                        pos++;
                        break;
                    }
                    if (!value(item, start + n)) {
                        return false;
                    }
                    n++;
                }
                skipFrames();
            }
        } else if (oneItemFollows(item)) {
            // CPython's pickler writes a list of one item as `item APPEND`.
            if (!value(item, start)) {
                return false;
            }
            skipFrames();
            pos++;
            n = 1;
        }
        if (writes()) {
            t.endList(row, n);
        }
        return true;
    }

    private boolean dictItems(VectorTarget t, int row) {
        if (writes()) {
            t.defineStruct(row);
        }
        long seen = 0;
        skipFrames();
        if (pos < stop && (b[pos] & 0xFF) == MARK) {
            while (pos < stop && (b[pos] & 0xFF) == MARK) {
                pos++;
                while (true) {
                    skipFrames();
                    if (pos >= stop) {
                        return false;
                    }
                    if ((b[pos] & 0xFF) == SETITEMS) {
                        pos++;
                        break;
                    }
                    int f = key(t);
                    if (f < 0 || (seen & 1L << f) != 0 || !value(t.children[f], row)) {
                        return false;
                    }
                    seen |= 1L << f;
                }
                skipFrames();
            }
        } else if (oneEntryFollows(t)) {
            // CPython's pickler writes a dict of one item as `key value SETITEM`.
            int f = key(t);
            if (f < 0 || !value(t.children[f], row)) {
                return false;
            }
            seen = 1L << f;
            skipFrames();
            pos++;
        }
        if (writes()) {
            for (int f = 0; f < t.children.length; f++) {
                if ((seen & 1L << f) == 0) {
                    t.children[f].writeNull(row);
                }
            }
        }
        return true;
    }

    /** A dict key: a str (inline or by reference) naming one of the struct's fields; its index, else -1. */
    private int key(VectorTarget t) {
        skipFrames();
        if (pos >= stop) {
            return -1;
        }
        int op = b[pos] & 0xFF;
        if (op == SHORT_BINUNICODE || op == BINUNICODE || op == BINUNICODE8) {
            int at = lengthPrefixed(op);
            if (at < 0) {
                return -1;
            }
            int n = pos - at;
            int f = validUtf8(b, at, n) ? t.field(b, at, n) : -1;
            return f >= 0 && memoAfter(SharedMemo.STR, at, n) ? f : -1;
        }
        if (op == BINGET || op == LONG_BINGET) {
            long m = getIndex();
            if (m < 0 || m >= counter) {
                return -1;
            }
            // Keys are nearly always references to the first element's key strings: memo entries
            // never change once stored, so a reference seen naming a field names it for good.
            int f = t.fieldByMemo(m);
            if (f < 0 && lookup(m) && gotKind == SharedMemo.STR) {
                f = t.field(gotBytes, gotAt, gotLen);
                t.rememberKey(f, m);
            }
            return f;
        }
        return -1;
    }

    /**
     * Whether the list just opened holds one item written as {@code item APPEND}, not nothing (the
     * opcodes that follow then belong to its parent). Decides by decoding ahead without effects.
     */
    private boolean oneItemFollows(VectorTarget item) {
        if (pos >= stop || !startsValue(b[pos] & 0xFF)) {
            return false;
        }
        int save = pos;
        long saveCounter = counter;
        lookingAhead++;
        boolean yes = value(item, 0);
        if (yes) {
            skipFrames();
            yes = pos < stop && (b[pos] & 0xFF) == APPEND;
        }
        lookingAhead--;
        pos = save;
        counter = saveCounter;
        return yes;
    }

    /** Like {@link #oneItemFollows} for a dict: {@code key value SETITEM}. */
    private boolean oneEntryFollows(VectorTarget t) {
        if (pos >= stop || !startsValue(b[pos] & 0xFF)) {
            return false;
        }
        int save = pos;
        long saveCounter = counter;
        lookingAhead++;
        int f = key(t);
        boolean yes = f >= 0 && value(t.children[f], 0);
        if (yes) {
            skipFrames();
            yes = pos < stop && (b[pos] & 0xFF) == SETITEM;
        }
        lookingAhead--;
        pos = save;
        counter = saveCounter;
        return yes;
    }

    private static boolean startsValue(int op) {
        switch (op) {
            case NONE: case NEWTRUE: case NEWFALSE: case BININT: case BININT1: case BININT2: case LONG1:
            case BINFLOAT: case SHORT_BINUNICODE: case BINUNICODE: case BINUNICODE8: case SHORT_BINBYTES:
            case BINBYTES: case BINBYTES8: case BINGET: case LONG_BINGET: case EMPTY_LIST: case EMPTY_DICT:
                return true;
            default:
                return false;
        }
    }

    private void skipFrames() {
        while (pos < stop && (b[pos] & 0xFF) == FRAME) {
            pos += 9;
        }
    }

    /**
     * Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF): what Python's pickler
     * writes for a str, except a lone surrogate it writes with surrogatepass, which Arrow cannot hold.
     */
    static boolean validUtf8(byte[] b, int at, int n) {
        int i = at;
        int end = at + n;
        while (i < end && b[i] >= 0) {
            i++;
        }
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int extra;
            int lo = 0x80;
            int hi = 0xBF;
            if (c < 0xC2) {
                return false;
            } else if (c < 0xE0) {
                extra = 1;
            } else if (c < 0xF0) {
                extra = 2;
                if (c == 0xE0) {
                    lo = 0xA0;
                } else if (c == 0xED) {
                    hi = 0x9F;
                }
            } else if (c < 0xF5) {
                extra = 3;
                if (c == 0xF0) {
                    lo = 0x90;
                } else if (c == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                return false;
            }
            if (i + extra >= end) {
                return false;
            }
            int c1 = b[i + 1] & 0xFF;
            if (c1 < lo || c1 > hi) {
                return false;
            }
            for (int k = 2; k <= extra; k++) {
                int ck = b[i + k] & 0xFF;
                if (ck < 0x80 || ck > 0xBF) {
                    return false;
                }
            }
            i += extra + 1;
        }
        return true;
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

}
