package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.util.MemoryUtil;
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
 * <p>Each span is decoded once, written optimistically as it goes ({@link VectorTarget}'s appenders:
 * raw writes at the buffers' cached addresses): every target is marked at the element's start, and
 * a span that stops fitting halfway is rolled back to the marks (its validity bits, values and
 * offsets cleared, last-set rows restored) before the general path writes the element, so it
 * leaves no trace. Whether a container opened without a MARK holds one item ({@code item APPEND})
 * or nothing is decided by skipping the item's opcodes ahead, without effects. Back-references are
 * resolved from the element's own memo entries (window offsets), from a small direct-mapped cache
 * and {@link SharedMemo} (entries earlier elements stored and the index lists as referred to
 * later), and otherwise by random access ({@link NpyObjectArray#memoEntry}). The output is
 * byte-for-byte the general path's ({@code ValueWriter}). Reads through a {@link PickleWindow}; one
 * pass over elements {@code [from, to)}, not
 * thread-safe.
 */
final class TypedSpans extends SpanRange {
    private static final int SWEEP_EVERY = 1024;
    /** A chunk's vectors are sized up front for at most this many rows (the default rows per chunk); past it they grow. */
    private static final int PRESIZED_ROWS = 1 << 16;

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

    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    /** Elements whose optimistic writes were rolled back, over all conversions (tests read it). */
    static final java.util.concurrent.atomic.AtomicLong rollbacks = new java.util.concurrent.atomic.AtomicLong();

    private final SidecarIndex index;
    private final SharedMemo shared = new SharedMemo();
    private VectorTarget column;
    /** {@link #column} and every target below it. */
    private VectorTarget[] targets;
    /** The string, binary and list targets: their vectors' last-set rows are written back after each element. */
    private VectorTarget[] lastSets;
    /**
     * The last element went through here, so the targets' counts and cached buffer addresses are
     * the vectors' state; false at a chunk's start and after an element the general path wrote.
     */
    private boolean trusted;

    // Decoder state for the current span: fields, not objects, so nothing is allocated per opcode.
    private byte[] b;
    private int pos;
    private int stop;
    private long memoStart;
    private long counter;
    // The element's own memo entries, by index - memoStart: kind, and for str/bytes where the payload sits in the window.
    private byte[] localKind = new byte[256];
    private int[] localAt = new int[256];
    private int[] localLen = new int[256];
    /**
     * Direct-mapped by memo index: str/bytes entries of earlier elements that {@link #reference}
     * met. Memo entries never change once stored, so a hit is always right; it only spares the
     * shared memo's probe.
     */
    private static final int RECENT = 256;
    private final long[] recentIndex = new long[RECENT];
    private final byte[] recentKind = new byte[RECENT];
    private final byte[][] recentBytes = new byte[RECENT][];
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
        java.util.Arrays.fill(recentIndex, -1);
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
            targets = column.all();
            lastSets = java.util.Arrays.stream(targets).filter(VectorTarget::hasLastSet).toArray(VectorTarget[]::new);
            trusted = false;
            if (row == 0) {
                // A new chunk: size its vectors for the task's remaining rows at once, instead of
                // doubling (and copying) each buffer from Arrow's default 4k values several times.
                vector.setInitialCapacity((int) Math.min(to() - i, PRESIZED_ROWS));
                vector.allocateNew();
            }
        }
        // Between two elements written here only ChunkProducer's byte check touches the vectors
        // (setRowCount, every BYTE_CHECK_EVERY rows), which never moves a buffer: the cached
        // addresses are checked then, and whenever another writer came in between they are reloaded.
        if (!trusted || row != column.count || row % ChunkProducer.BYTE_CHECK_EVERY == 0 && !column.current()) {
            column.load(row);
        }
        assert column.current() : "a vector's buffers moved between two elements";
        long start = cursor.start();
        int at = window.load(start, cursor.end());
        b = window.bytes();
        stop = at + (int) (cursor.end() - start);
        memoStart = cursor.memoStart();
        VectorTarget[] all = targets;
        for (VectorTarget t : all) {
            t.mark();
        }
        if (!decode(at)) {
            for (VectorTarget t : all) {
                t.rollback();
            }
            rollbacks.incrementAndGet();
            trusted = false;
            slow++;
            slowElement = array.get(i);
            return SLOW;
        }
        for (VectorTarget t : lastSets) {
            t.finish();
        }
        trusted = true;
        keepShared(i);
        fast++;
        return FAST;
    }

    /** Decodes the span from {@code at} into the column: it must be exactly one value and store exactly its memo entries. */
    private boolean decode(int at) {
        pos = at;
        counter = memoStart;
        if (!value(column)) {
            return false;
        }
        skipFrames();
        return pos == stop && counter == cursor.memoEnd();
    }

    /** Decodes one value at {@code pos} and appends it to {@code t}; false when the opcodes are not the grammar or do not fit {@code t}. */
    private boolean value(VectorTarget t) {
        byte[] b = this.b;
        int p = pos;
        int kind = t.kind;
        while (true) {
            if (p >= stop) {
                return false;
            }
            int op = b[p] & 0xFF;
            switch (op) {
                case FRAME:
                    p += 9;
                    continue;
                case NONE:
                    pos = p + 1;
                    t.appendNull();
                    return true;
                case NEWTRUE:
                case NEWFALSE:
                    if (kind != VectorTarget.BOOL) {
                        return false;
                    }
                    pos = p + 1;
                    t.appendBool(op == NEWTRUE);
                    return true;
                case BININT1:
                    if (kind != VectorTarget.INT64 || p + 2 > stop) {
                        return false;
                    }
                    pos = p + 2;
                    t.appendWord(b[p + 1] & 0xFF);
                    return true;
                case BININT2:
                    if (kind != VectorTarget.INT64 || p + 3 > stop) {
                        return false;
                    }
                    pos = p + 3;
                    t.appendWord((b[p + 1] & 0xFF) | (b[p + 2] & 0xFF) << 8);
                    return true;
                case BININT:
                    if (kind != VectorTarget.INT64 || p + 5 > stop) {
                        return false;
                    }
                    pos = p + 5;
                    t.appendWord(le32(b, p + 1));
                    return true;
                case LONG1:
                    return kind == VectorTarget.INT64 && long1(t, p);
                case BINFLOAT:
                    if (kind != VectorTarget.FLOAT64 || p + 9 > stop) {
                        return false;
                    }
                    pos = p + 9;
                    t.appendWord(be64(b, p + 1));
                    return true;
                case SHORT_BINUNICODE: {
                    // The common str (under 256 bytes) without the general payload() calls.
                    if (kind != VectorTarget.STRING || p + 2 > stop) {
                        return false;
                    }
                    int at = p + 2;
                    int n = b[p + 1] & 0xFF;
                    if (n > stop - at || !validUtf8(b, at, n)) {
                        return false;
                    }
                    pos = at + n;
                    t.appendBytes(b, at, n);
                    return memoAfter(SharedMemo.STR, at, n);
                }
                case BINUNICODE:
                case BINUNICODE8:
                    pos = p;
                    return kind == VectorTarget.STRING && payload(t, op, SharedMemo.STR);
                case SHORT_BINBYTES:
                case BINBYTES:
                case BINBYTES8:
                    pos = p;
                    return kind == VectorTarget.BINARY && payload(t, op, SharedMemo.BYTES);
                case BINGET:
                    if (p + 2 > stop) {
                        return false;
                    }
                    pos = p + 2;
                    return reference(t, b[p + 1] & 0xFF);
                case LONG_BINGET:
                    if (p + 5 > stop) {
                        return false;
                    }
                    pos = p + 5;
                    return reference(t, le32(b, p + 1) & 0xFFFFFFFFL);
                case EMPTY_LIST:
                    pos = p + 1;
                    return kind == VectorTarget.LIST && list(t);
                case EMPTY_DICT:
                    pos = p + 1;
                    return kind == VectorTarget.STRUCT && dict(t);
                default:
                    return false;
            }
        }
    }

    /** LONG1 at {@code p} (at most 8 bytes: always within int64). */
    private boolean long1(VectorTarget t, int p) {
        if (p + 2 > stop) {
            return false;
        }
        int n = b[p + 1] & 0xFF;
        if (n > 8 || p + 2 + n > stop) {
            return false;
        }
        long v = 0;
        for (int k = n - 1; k >= 0; k--) {
            v = v << 8 | (b[p + 2 + k] & 0xFF);
        }
        if (n > 0 && n < 8) {
            // Two's complement of n bytes: sign-extend.
            int shift = 64 - 8 * n;
            v = v << shift >> shift;
        }
        pos = p + 2 + n;
        t.appendWord(v);
        return true;
    }

    /** A str or bytes opcode at {@code pos}: its payload is copied as is (a str's is already UTF-8). */
    private boolean payload(VectorTarget t, int op, byte kind) {
        int at = lengthPrefixed(op);
        if (at < 0) {
            return false;
        }
        int n = pos - at;
        if (kind == SharedMemo.STR && !validUtf8(b, at, n)) {
            return false;
        }
        t.appendBytes(b, at, n);
        return memoAfter(kind, at, n);
    }

    /** A back-reference to memo entry {@code m}: a str or bytes entry, appended as its bytes. */
    private boolean reference(VectorTarget t, long m) {
        // The entry kind that fits t (none for a target that is neither string nor binary).
        byte fits = t.kind == VectorTarget.STRING ? SharedMemo.STR : t.kind == VectorTarget.BINARY ? SharedMemo.BYTES : 0;
        if (m < memoStart) {
            // Entries of earlier elements (a vocabulary of tags) are looked up again and again.
            int h = (int) m & (RECENT - 1);
            if (recentIndex[h] == m) {
                byte[] v = recentBytes[h];
                if (recentKind[h] != fits) {
                    return false;
                }
                t.appendBytes(v, 0, v.length);
                return true;
            }
            if (!lookup(m)) {
                return false;
            }
            recentIndex[h] = m;
            recentKind[h] = gotKind;
            recentBytes[h] = gotBytes;
        } else if (!lookup(m)) {
            // (Not stored yet, or not a str/bytes: the got* fields may be a former lookup's.)
            return false;
        }
        if (gotKind != fits) {
            return false;
        }
        t.appendBytes(gotBytes, gotAt, gotLen);
        return true;
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
            n = le32(b, pos + 1) & 0xFFFFFFFFL;
            at = pos + 5;
        } else {
            if (pos + 9 > stop) {
                return -1;
            }
            n = le32(b, pos + 1) & 0xFFFFFFFFL | (long) le32(b, pos + 5) << 32;
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
        int p = pos;
        if (p + 1 < stop && b[p] == (byte) MEMOIZE && !isMemoOrFrame(b[p + 1] & 0xFF)) {
            // What CPython writes after each str and container (protocol 4+): one MEMOIZE.
            long k = counter - memoStart;
            if (k < localKind.length) {
                localKind[(int) k] = kind;
                localAt[(int) k] = at;
                localLen[(int) k] = n;
                counter++;
                pos = p + 1;
                return true;
            }
        }
        while (pos < stop) {
            int op = b[pos] & 0xFF;
            long m;
            if (op == MEMOIZE) {
                m = counter;
                pos++;
            } else if (op == BINPUT && pos + 2 <= stop) {
                m = b[pos + 1] & 0xFF;
                pos += 2;
            } else if (op == LONG_BINPUT && pos + 5 <= stop) {
                m = le32(b, pos + 1) & 0xFFFFFFFFL;
                pos += 5;
            } else if (op == FRAME) {
                pos += 9;
                continue;
            } else {
                return true;
            }
            if (m != counter) {
                return false;
            }
            record(m, kind, at, n);
            counter++;
        }
        return true;
    }

    private static boolean isMemoOrFrame(int op) {
        return op == MEMOIZE || op == BINPUT || op == LONG_BINPUT || op == FRAME;
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

    /** Fills gotKind/gotBytes/gotAt/gotLen with memo entry {@code m}; true for a str or bytes entry. */
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
            SharedMemo memo = shared;
            int s = memo.find(m);
            if (s < 0) {
                s = resolve(m);
            }
            gotKind = memo.kinds[s];
            byte[] v = memo.values[s];
            gotBytes = v;
            gotAt = 0;
            gotLen = v == null ? 0 : v.length;
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

    private boolean list(VectorTarget t) {
        if (!memoAfter(SharedMemo.OTHER, 0, 0)) {
            return false;
        }
        VectorTarget item = t.children[0];
        skipFrames();
        if (pos < stop && b[pos] == MARK) {
            do {
                pos++;
                while (true) {
                    if (pos >= stop) {
                        return false;
                    }
                    int op = b[pos] & 0xFF;
                    if (op == APPENDS) {
                        pos++;
                        break;
                    }
                    if (op == FRAME) {
                        pos += 9;
                    } else if (!value(item)) {
                        return false;
                    }
                }
                skipFrames();
            } while (pos < stop && b[pos] == MARK);
        } else if (pos < stop && startsValue(b[pos] & 0xFF) && oneFollows(item.depth, -1, APPEND)) {
            // CPython's pickler writes a list of one item as `item APPEND`.
            if (!value(item) || !followedBy(APPEND)) {
                return false;
            }
            pos++;
        }
        t.appendList();
        return true;
    }

    private boolean dict(VectorTarget t) {
        t.appendStruct();
        if (!memoAfter(SharedMemo.OTHER, 0, 0)) {
            return false;
        }
        VectorTarget[] kids = t.children;
        long seen = 0;
        skipFrames();
        if (pos < stop && b[pos] == MARK) {
            int expect = 0;
            long[] known = t.keyMemo;
            do {
                pos++;
                while (true) {
                    if (pos >= stop) {
                        return false;
                    }
                    int op = b[pos] & 0xFF;
                    if (op == SETITEMS) {
                        pos++;
                        break;
                    }
                    if (op == FRAME) {
                        pos += 9;
                        continue;
                    }
                    int f;
                    if (op == BINGET && expect < known.length && pos + 2 <= stop && known[expect] == (b[pos + 1] & 0xFF)) {
                        // The usual key: a reference to the next field's name, as in the dict before.
                        f = expect;
                        pos += 2;
                    } else {
                        f = key(t, op, expect);
                    }
                    if (f < 0 || (seen & 1L << f) != 0 || !value(kids[f])) {
                        return false;
                    }
                    seen |= 1L << f;
                    expect = f + 1;
                }
                skipFrames();
            } while (pos < stop && b[pos] == MARK);
        } else if (pos < stop && startsValue(b[pos] & 0xFF) && oneFollows(0, t.depth - 1, SETITEM)) {
            // CPython's pickler writes a dict of one item as `key value SETITEM`.
            int f = key(t, b[pos] & 0xFF, 0);
            if (f < 0 || !value(kids[f]) || !followedBy(SETITEM)) {
                return false;
            }
            seen = 1L << f;
            pos++;
        }
        if (seen != t.allFields) {
            for (int f = 0; f < kids.length; f++) {
                if ((seen & 1L << f) == 0) {
                    kids[f].appendNull();
                }
            }
        }
        return true;
    }

    /**
     * A dict key at {@code pos} (opcode {@code op}): a str (inline or by reference) naming one of
     * the struct's fields; its index, else -1. Keys are nearly always references to the first
     * element's key strings, in field order: the field after the last one is tried first.
     */
    private int key(VectorTarget t, int op, int expect) {
        long m;
        if (op == BINGET) {
            if (pos + 2 > stop) {
                return -1;
            }
            m = b[pos + 1] & 0xFF;
            pos += 2;
        } else if (op == LONG_BINGET) {
            if (pos + 5 > stop) {
                return -1;
            }
            m = le32(b, pos + 1) & 0xFFFFFFFFL;
            pos += 5;
        } else if (op == SHORT_BINUNICODE || op == BINUNICODE || op == BINUNICODE8) {
            int at = lengthPrefixed(op);
            if (at < 0) {
                return -1;
            }
            int n = pos - at;
            int f = validUtf8(b, at, n) ? t.field(b, at, n) : -1;
            return f >= 0 && memoAfter(SharedMemo.STR, at, n) ? f : -1;
        } else {
            return -1;
        }
        long[] known = t.keyMemo;
        if (expect < known.length && known[expect] == m) {
            return expect;
        }
        if (m >= counter) {
            return -1;
        }
        // Memo entries never change once stored, so a reference seen naming a field names it for good.
        int f = t.fieldByMemo(m);
        if (f < 0 && lookup(m) && gotKind == SharedMemo.STR) {
            f = t.field(gotBytes, gotAt, gotLen);
            t.rememberKey(f, m);
        }
        return f;
    }

    /**
     * Whether the container just opened holds one item written without a MARK ({@code item APPEND},
     * or {@code key value SETITEM}), rather than nothing (the opcodes that follow then belong to its
     * parent). Decides by skipping the item's opcodes (and the key's, when {@code keyDepth >= 0}),
     * nested at most as deep as the column's type, then looking for {@code end}; moves nothing. A
     * wrong answer cannot slip through: the decoder then meets opcodes the grammar refuses there.
     */
    private boolean oneFollows(int itemDepth, int valueDepth, int end) {
        int save = pos;
        boolean yes = skip(itemDepth) && (valueDepth < 0 || skip(valueDepth)) && followedBy(end);
        pos = save;
        return yes;
    }

    /** Skips one value's opcodes (and its memo opcodes) with containers nested at most {@code depth} deep. */
    private boolean skip(int depth) {
        skipFrames();
        if (pos >= stop) {
            return false;
        }
        int op = b[pos] & 0xFF;
        switch (op) {
            case NONE: case NEWTRUE: case NEWFALSE:
                pos++;
                return true;
            case BININT1: case BINGET:
                pos += 2;
                return pos <= stop;
            case BININT2:
                pos += 3;
                return pos <= stop;
            case BININT: case LONG_BINGET:
                pos += 5;
                return pos <= stop;
            case BINFLOAT:
                pos += 9;
                return pos <= stop;
            case LONG1:
                if (pos + 2 > stop) {
                    return false;
                }
                pos += 2 + (b[pos + 1] & 0xFF);
                return pos <= stop;
            case SHORT_BINUNICODE: case BINUNICODE: case BINUNICODE8: case SHORT_BINBYTES: case BINBYTES: case BINBYTES8:
                if (lengthPrefixed(op) < 0) {
                    return false;
                }
                skipMemo();
                return true;
            case EMPTY_LIST:
            case EMPTY_DICT:
                if (depth <= 0) {
                    return false;
                }
                boolean isList = op == EMPTY_LIST;
                pos++;
                skipMemo();
                if (pos < stop && b[pos] == MARK) {
                    int close = isList ? APPENDS : SETITEMS;
                    do {
                        pos++;
                        while (true) {
                            skipFrames();
                            if (pos >= stop) {
                                return false;
                            }
                            if ((b[pos] & 0xFF) == close) {
                                pos++;
                                break;
                            }
                            if (!skip(depth - 1) || (!isList && !skip(depth - 1))) {
                                return false;
                            }
                        }
                        skipFrames();
                    } while (pos < stop && b[pos] == MARK);
                } else if (pos < stop && startsValue(b[pos] & 0xFF)) {
                    int save = pos;
                    if (skip(depth - 1) && (isList || skip(depth - 1)) && followedBy(isList ? APPEND : SETITEM)) {
                        pos++;
                    } else {
                        pos = save;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    private void skipMemo() {
        pos = PickleWindow.skipMemo(b, pos, stop);
    }

    /** Whether the next opcode (after any FRAME) is {@code op}; pos is left on it. */
    private boolean followedBy(int op) {
        skipFrames();
        return pos < stop && (b[pos] & 0xFF) == op;
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
        while (pos < stop && b[pos] == (byte) FRAME) {
            pos += 9;
        }
    }

    /** The little-endian int at {@code b[at, at + 4)} (the caller checked the bounds). */
    private static int le32(byte[] b, int at) {
        return LITTLE_ENDIAN ? MemoryUtil.getInt(b, at) : PickleWindow.littleInt(b, at);
    }

    /** The big-endian long at {@code b[at, at + 8)} (a BINFLOAT's bits; the caller checked the bounds). */
    private static long be64(byte[] b, int at) {
        if (LITTLE_ENDIAN) {
            return Long.reverseBytes(MemoryUtil.getLong(b, at));
        }
        long bits = 0;
        for (int k = 0; k < 8; k++) {
            bits = bits << 8 | (b[at + k] & 0xFF);
        }
        return bits;
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
