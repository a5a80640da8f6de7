package org.npyconv.indexer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.npyconv.formats.CorruptInputException;
import org.npyconv.formats.UnsupportedInputException;
import org.npyconv.formats.npyidx.ElementKind;
import org.npyconv.formats.npyidx.ShortAscii;
import org.npyconv.formats.pickle.PickleOpcode;
import org.npyconv.formats.pickle.PickleReader;

/**
 * One structural pass over an object array's pickle: finds every element's byte span without
 * building any value (docs/indexer.md, "Structural scan").
 *
 * <p>It tracks only the shape of the unpickler's stack: per stack slot the offset where the opcodes
 * producing it start, the memo counter there, and a guess of its kind; per MARK the same. NumPy's
 * array pickle is {@code _reconstruct(...)} then {@code MARK 1 shape dtype fortran LIST ... TUPLE BUILD}:
 * the element list is the item that completes slot 6 while exactly one MARK (at depth 1) is open.
 * Elements are the items appended to it — above a MARK at its level ({@code APPENDS}) or one at a
 * time ({@code APPEND}). An element's end is only certain when its batch is appended (the next
 * opcodes may still extend it: {@code EMPTY_DICT key value SETITEM}), so elements are reported at
 * {@code APPENDS}/{@code APPEND} time; consecutive elements of a batch are contiguous.
 *
 * <p>Memory is bounded by the stack depth ({@link #MAX_DEPTH}) and fixed-size memo caches,
 * never by the element count or the memo size. Not thread-safe; one scan per instance.
 */
final class ElementScanner {
    /** Deepest stack (items or marks) accepted; far above any NumPy pickle (1000-item batches). */
    static final int MAX_DEPTH = 1 << 18;

    /** Slot of the element list: arr, MARK, version, shape, dtype, fortran, list. */
    private static final int LIST_SLOT = 6;

    /** Set in a tuple's detail when the detail is a dtype code found among its items. */
    private static final long DTYPE_FLAG = 1L << 63;

    /**
     * A str slot's detail until something asks for it: the packed text is read back from the
     * payload only when a tuple needs its first str (dtype codes, byte orders). Packing every short
     * element str eagerly cost a copy and a pack per element. Never a valid packing: those start
     * with a printable byte in the top eight bits.
     */
    private static final long LAZY_STR = 1;

    /** By kind ordinal: whether the kind's detail is counted in the kind summary (dtypes and globals). */
    private static final boolean[] DETAIL_COUNTED = new boolean[ElementKind.values().length];

    static {
        for (ElementKind k : ElementKind.values()) {
            DETAIL_COUNTED[k.ordinal()] = k.detailIsDtype() || k.detailIsGlobal();
        }
    }

    /** Most strs one fused run reads (the slots it may add above the stack in one go). */
    private static final int STR_RUN_MAX = 4096;

    private static final int SHORT_BINUNICODE_CODE = PickleOpcode.SHORT_BINUNICODE.code();
    private static final int BINUNICODE_CODE = PickleOpcode.BINUNICODE.code();

    // The opcodes the fused element loop (elementRun) reads by their byte.
    private static final int BINGET_CODE = PickleOpcode.BINGET.code();
    private static final int LONG_BINGET_CODE = PickleOpcode.LONG_BINGET.code();
    private static final int MEMOIZE_CODE = PickleOpcode.MEMOIZE.code();
    private static final int BINPUT_CODE = PickleOpcode.BINPUT.code();
    private static final int LONG_BINPUT_CODE = PickleOpcode.LONG_BINPUT.code();
    private static final int BININT1_CODE = PickleOpcode.BININT1.code();
    private static final int BININT2_CODE = PickleOpcode.BININT2.code();
    private static final int BININT_CODE = PickleOpcode.BININT.code();
    private static final int BINFLOAT_CODE = PickleOpcode.BINFLOAT.code();
    private static final int MARK_CODE = PickleOpcode.MARK.code();
    private static final int EMPTY_DICT_CODE = PickleOpcode.EMPTY_DICT.code();
    private static final int EMPTY_LIST_CODE = PickleOpcode.EMPTY_LIST.code();
    private static final int EMPTY_TUPLE_CODE = PickleOpcode.EMPTY_TUPLE.code();
    private static final int NONE_CODE = PickleOpcode.NONE.code();
    private static final int NEWTRUE_CODE = PickleOpcode.NEWTRUE.code();
    private static final int NEWFALSE_CODE = PickleOpcode.NEWFALSE.code();
    private static final int SETITEMS_CODE = PickleOpcode.SETITEMS.code();
    private static final int SETITEM_CODE = PickleOpcode.SETITEM.code();
    private static final int APPENDS_CODE = PickleOpcode.APPENDS.code();
    private static final int APPEND_CODE = PickleOpcode.APPEND.code();

    private static final byte STR_KIND = (byte) ElementKind.STR.ordinal();
    private static final byte INT_KIND = (byte) ElementKind.INT.ordinal();
    private static final byte FLOAT_KIND = (byte) ElementKind.FLOAT.ordinal();
    private static final byte BOOL_KIND = (byte) ElementKind.BOOL.ordinal();
    private static final byte NONE_KIND = (byte) ElementKind.NONE.ordinal();
    private static final byte DICT_KIND = (byte) ElementKind.DICT.ordinal();
    private static final byte LIST_KIND = (byte) ElementKind.LIST.ordinal();
    private static final byte TUPLE_KIND = (byte) ElementKind.TUPLE.ordinal();
    private static final byte GLOBAL_KIND = (byte) ElementKind.GLOBAL.ordinal();
    private static final byte DTYPE_KIND = (byte) ElementKind.DTYPE.ordinal();
    private static final byte REFERENCE_KIND = (byte) ElementKind.REFERENCE.ordinal();

    /** GETs a fused element run collects before handing them to the listener in one call. */
    private static final int REFERENCE_BATCH = 1024;

    /** Longest str payload read back to name a STACK_GLOBAL. */
    private static final int MAX_GLOBAL_NAME = 4096;

    /** Receives what the scan finds, in file order. */
    interface Listener {
        /**
         * The elements of one appended batch, in order, as the scanner's slot arrays hold them
         * (read them during the call only): element {@code i} of {@code [from, to)} starts at
         * {@code start[i]} with memo counter {@code memoStart[i]} and ends where element
         * {@code i + 1} starts; the last ends at {@code end} with {@code memoEnd}. {@code kind[i]}
         * is an {@link ElementKind} ordinal, {@code detail[i]} the slot's raw detail: count it only
         * where {@link ElementScanner#detailCounted} says so. One call per batch, not per element: a file of
         * short strs has ten million.
         */
        void elements(long[] start, long[] memoStart, byte[] kind, long[] detail, int from, int to, long end,
                long memoEnd);

        /** A GET inside the element list of memo entry {@code memoIndex}, made by an element numbered at most {@code elementBound}. */
        void memoReference(long memoIndex, long elementBound);

        /** {@link #memoReference} for the first {@code n} entries of both arrays, in order (read them during the call only). */
        void memoReferences(long[] memoIndex, long[] elementBound, int n);
    }

    private enum Phase { PREAMBLE, ELEMENTS, TRAILER }

    private final PickleReader reader;
    private final FileChannel channel;
    private final Path source;
    private final Listener listener;
    private final PickleGlobals globals = new PickleGlobals();
    /** Whether runs of strs inside the element list take the fused path ({@link #strRun}). */
    private final boolean fused;
    /** Strs read by the fused paths (runs and the element loop), for tests that they are taken. */
    private long fusedStrs;
    /** Elements the fused element loop appended to the list, for tests that it is taken. */
    private long fusedElements;
    /** The GETs of a fused element run not yet handed to the listener ({@link Listener#memoReferences}). */
    private final long[] referenceIndex = new long[REFERENCE_BATCH];
    private final long[] referenceBound = new long[REFERENCE_BATCH];

    private Phase phase = Phase.PREAMBLE;
    private int depth;
    private long[] slotStart = new long[64];
    private long[] slotMemo = new long[64];
    private byte[] slotKind = new byte[64];
    private long[] slotDetail = new long[64];
    /**
     * Where a str slot's payload lies. Read only for slots of kind STR (and copied along with the
     * kind by DUP, MEMOIZE and GET): the fused element loop does not write them for other kinds.
     */
    private long[] slotPayloadOffset = new long[64];
    private int[] slotPayloadLength = new int[64];
    /**
     * The memo index a slot's object was stored at (-1: none), so BUILD can refresh what the memo
     * remembers. Read only for dtype and ndarray slots, which a GET or a constructor makes, never
     * a literal: the fused element loop does not write it for the literals it pushes.
     */
    private long[] slotMemoIndex = new long[64];

    private int marks;
    private int[] markDepth = new int[16];
    private long[] markOffset = new long[16];
    private long[] markMemo = new long[16];

    private long memoCounter;
    private long elementCount;
    /** Second result of {@link #constructed}: the detail of what it builds (kept in a field to stay allocation-free). */
    private long lastDetail;
    private long listMemoEnd = -1;
    private long stopOffset = -1;

    private final MemoKinds memoKinds = new MemoKinds();

    private final ByteBuffer nameBuffer = ByteBuffer.allocate(MAX_GLOBAL_NAME);

    /** Scratch for short str payloads (a quoted protocol-0 STRING is two bytes longer). */
    private final byte[] shortPayload = new byte[ShortAscii.MAX_LENGTH + 2];

    ElementScanner(PickleReader reader, FileChannel channel, Path source, Listener listener) {
        this(reader, channel, source, listener, true);
    }

    /** {@code fused == false} scans with the generic opcode loop only (tests compare both). */
    ElementScanner(PickleReader reader, FileChannel channel, Path source, Listener listener, boolean fused) {
        this.fused = fused;
        this.reader = reader;
        this.channel = channel;
        this.source = source;
        this.listener = listener;
    }

    /** Scans to STOP. Throws {@link CorruptInputException} for anything that is not an object ndarray pickle. */
    void run() throws IOException {
        PickleOpcode op;
        while ((op = reader.next()) != null) {
            step(op);
            if (phase == Phase.ELEMENTS) {
                if (depth < LIST_SLOT) {
                    // The state tuple closed over the list: what follows (TUPLE, BUILD, STOP) is the trailer.
                    phase = Phase.TRAILER;
                } else if (fused) {
                    fusedRuns();
                }
            }
        }
        if (stopOffset < 0) {
            throw corrupt("pickle ends before STOP", reader.position(), null);
        }
        if (listMemoEnd < 0) {
            throw corrupt("pickle does not hold a NumPy object array (no element list found)", stopOffset, "STOP");
        }
    }

    /** Strs the fused path read (0 when it is off or never applied). */
    long fusedStrs() {
        return fusedStrs;
    }

    /** Elements the fused element loop appended to the list (0 when it is off or never applied). */
    long fusedElements() {
        return fusedElements;
    }

    long elementCount() {
        return elementCount;
    }

    long memoCounter() {
        return memoCounter;
    }

    long stopOffset() {
        return stopOffset;
    }

    PickleGlobals globals() {
        return globals;
    }

    private void step(PickleOpcode op) throws IOException {
        long at = reader.opcodeOffset();
        switch (op) {
            case PROTO:
            case FRAME:
            case READONLY_BUFFER:
                return;
            case MARK:
                pushMark(at);
                return;
            case STOP:
                need(1, op);
                if (phase != Phase.TRAILER || depth != 1) {
                    if (phase == Phase.PREAMBLE) {
                        throw corrupt("pickle does not hold a NumPy object array (no element list found)", at, "STOP");
                    }
                    throw corrupt("pickle stops with " + depth + " items on the stack", at, "STOP");
                }
                depth = 0;
                stopOffset = at;
                return;
            case POP:
                if (depth > floor()) {
                    depth--;
                } else if (marks > 0) {
                    popMark(op);
                } else {
                    throw corrupt("POP on an empty stack", at, op.name());
                }
                return;
            case POP_MARK:
                depth = popMark(op);
                return;
            case DUP:
                need(1, op);
                push(at, ElementKind.ofOrdinal(slotKind[depth]), slotDetail[depth]);
                slotPayloadOffset[depth] = slotPayloadOffset[depth - 1];
                slotPayloadLength[depth] = slotPayloadLength[depth - 1];
                return;
            case NONE:
                push(at, ElementKind.NONE, 0);
                return;
            case NEWTRUE:
            case NEWFALSE:
                push(at, ElementKind.BOOL, 0);
                return;
            case INT:
                push(at, reader.isBoolInt() ? ElementKind.BOOL : ElementKind.INT, 0);
                return;
            case BININT:
            case BININT1:
            case BININT2:
            case LONG:
            case LONG1:
            case LONG4:
                push(at, ElementKind.INT, 0);
                return;
            case FLOAT:
            case BINFLOAT:
                push(at, ElementKind.FLOAT, 0);
                return;
            case STRING:
            case BINSTRING:
            case SHORT_BINSTRING:
            case UNICODE:
            case BINUNICODE:
            case SHORT_BINUNICODE:
            case BINUNICODE8:
                pushString(at);
                return;
            case BINBYTES:
            case SHORT_BINBYTES:
            case BINBYTES8:
            case NEXT_BUFFER:
                push(at, ElementKind.BYTES, 0);
                return;
            case BYTEARRAY8:
                push(at, ElementKind.BYTEARRAY, 0);
                return;
            case EMPTY_LIST:
                push(at, ElementKind.LIST, 0);
                noteElementList();
                return;
            case EMPTY_TUPLE:
                push(at, ElementKind.TUPLE, 0);
                return;
            case EMPTY_DICT:
                push(at, ElementKind.DICT, 0);
                return;
            case EMPTY_SET:
                push(at, ElementKind.SET, 0);
                return;
            case LIST:
                collapseMark(op, ElementKind.LIST, 0);
                noteElementList();
                return;
            case TUPLE: {
                int mark = markDepth(op);
                collapseMark(op, ElementKind.TUPLE, tupleDetail(mark + 1, depth));
                return;
            }
            case DICT: {
                int mark = markDepth(op);
                if (((depth - mark) & 1) != 0) {
                    throw corrupt("DICT with an odd number of items", at, op.name());
                }
                collapseMark(op, ElementKind.DICT, 0);
                return;
            }
            case FROZENSET:
                collapseMark(op, ElementKind.FROZENSET, 0);
                return;
            case TUPLE1:
            case TUPLE2:
            case TUPLE3: {
                int n = op == PickleOpcode.TUPLE1 ? 1 : op == PickleOpcode.TUPLE2 ? 2 : 3;
                need(n, op);
                int first = depth - n + 1;
                long detail = tupleDetail(first, depth);
                depth = first;
                setSlot(first, ElementKind.TUPLE, detail);
                return;
            }
            case APPEND:
                need(2, op);
                if (phase == Phase.ELEMENTS && depth - 1 == LIST_SLOT) {
                    emitElements(depth, depth + 1, at);
                }
                depth--;
                return;
            case APPENDS: {
                int mark = popMark(op);
                requireTarget(mark, op);
                if (phase == Phase.ELEMENTS && mark == LIST_SLOT && depth > mark) {
                    emitElements(mark + 1, depth + 1, at);
                }
                depth = mark;
                return;
            }
            case SETITEMS: {
                int mark = popMark(op);
                requireTarget(mark, op);
                if (((depth - mark) & 1) != 0) {
                    throw corrupt("SETITEMS with an odd number of items", at, op.name());
                }
                depth = mark;
                return;
            }
            case ADDITEMS: {
                int mark = popMark(op);
                requireTarget(mark, op);
                depth = mark;
                return;
            }
            case SETITEM:
                need(3, op);
                depth -= 2;
                return;
            case BUILD:
                need(2, op);
                build(depth - 1, depth);
                depth--;
                return;
            case GLOBAL: {
                int id = globals.use(reader.globalModule(), reader.globalName(), at);
                push(at, ElementKind.GLOBAL, id);
                return;
            }
            case STACK_GLOBAL: {
                need(2, op);
                int moduleSlot = depth - 1;
                int id = globalFromSlots(moduleSlot, depth, at);
                depth = moduleSlot;
                setSlot(moduleSlot, ElementKind.GLOBAL, id);
                return;
            }
            case INST: {
                markDepth(op);
                int id = globals.use(reader.globalModule(), reader.globalName(), at);
                collapseMark(op, ElementKind.OBJECT, id);
                return;
            }
            case OBJ: {
                int mark = markDepth(op);
                if (depth - mark < 1) {
                    throw corrupt("OBJ without a class", at, op.name());
                }
                ElementKind kind = constructed(mark + 1, depth == mark + 1 ? 0 : mark + 2);
                long detail = lastDetail;
                collapseMark(op, kind, detail);
                return;
            }
            case REDUCE:
            case NEWOBJ: {
                need(2, op);
                int callable = depth - 1;
                ElementKind kind = constructed(callable, depth);
                depth = callable;
                setSlot(callable, kind, lastDetail);
                return;
            }
            case NEWOBJ_EX: {
                need(3, op);
                int callable = depth - 2;
                ElementKind kind = constructed(callable, depth - 1);
                depth = callable;
                setSlot(callable, kind, lastDetail);
                return;
            }
            case PERSID:
                push(at, ElementKind.PERSISTENT_ID, 0);
                return;
            case BINPERSID:
                need(1, op);
                setSlot(depth, ElementKind.PERSISTENT_ID, 0);
                return;
            case EXT1:
            case EXT2:
            case EXT4:
                push(at, ElementKind.OBJECT, -1);
                return;
            case GET:
            case BINGET:
            case LONG_BINGET:
                get(reader.memoIndex(), at, op); // the key the reader checked (cheaper than intArg() under C1)
                return;
            case PUT:
            case BINPUT:
            case LONG_BINPUT:
                put(reader.memoIndex(), at, op);
                return;
            case MEMOIZE:
                put(memoCounter, at, op);
                return;
            default:
                throw new UnsupportedInputException("opcode " + op.name() + " is not supported", source, at, op.name());
        }
    }

    // ---- fused str runs ----------------------------------------------------------------------

    /**
     * A run of {@code str [MEMOIZE|BINPUT|LONG_BINPUT]} sequences, read by the reader in one loop
     * straight into the slot arrays: the same slots and memo entries {@link #step} would make from
     * {@code pushString} and {@code put}, one opcode at a time (a file of short strs is nothing
     * else, and the dispatch was most of its scan). Only inside the element list, where a str's
     * memo entry is never pinned; the reader refuses (returns 0) unless its memo count is ours.
     */
    private int strRun() {
        int first = depth + 1;
        int room = Math.min(STR_RUN_MAX, MAX_DEPTH - 1 - depth);
        if (room <= 0) {
            return 0; // at the depth limit: push() reports it
        }
        while (first + room > slotStart.length) {
            growSlots(first + room - 1);
        }
        int n = reader.readStrRun(memoCounter, slotStart, slotPayloadOffset, slotPayloadLength, slotMemoIndex, first, room);
        if (n == 0) {
            return 0;
        }
        // Bulk stores and one loop per array: this runs under C1 (bin/npyconv), which does not
        // inline MemoKinds.put, so a call per str was a sixth of a str file's scan.
        int last = first + n;
        byte str = (byte) ElementKind.STR.ordinal();
        Arrays.fill(slotKind, first, last, str);
        Arrays.fill(slotDetail, first, last, LAZY_STR);
        long memo = memoCounter;
        final long[] keys = slotMemoIndex;
        final long[] memos = slotMemo;
        for (int slot = first; slot < last; slot++) {
            memos[slot] = memo;
            if (keys[slot] >= 0) {
                memo++; // the reader stored keys in sequence only: a fresh, unpinned entry (never pinned inside the list)
            }
        }
        memoKinds.cacheRun(keys, slotPayloadOffset, slotPayloadLength, first, last, str, LAZY_STR);
        memoCounter = memo;
        depth = first + n - 1;
        fusedStrs += n;
        return n;
    }

    // ---- fused element runs ------------------------------------------------------------------

    /**
     * Inside the element list, between generic opcodes: runs of strs go to {@link #strRun}, the
     * other common element opcodes to {@link #elementRun}, in turn, until neither can go on.
     */
    private void fusedRuns() {
        for (;;) {
            int code = reader.peekCode();
            if ((code == SHORT_BINUNICODE_CODE || code == BINUNICODE_CODE) && strRun() == 0) {
                return;
            }
            if (!elementRun()) {
                return;
            }
        }
    }

    /**
     * The opcodes of plain container elements (a list of small dicts: {@code EMPTY_DICT MEMOIZE
     * MARK key value ... SETITEMS}, str keys and values, ints, floats, bools, None, nested lists,
     * memo GETs and PUTs, and the list's own {@code MARK ... APPENDS}) read in one loop straight
     * from the reader's window, with the stack effects {@link #step} gives them: the same slots,
     * marks, memo entries, cross references and element batches. Under C1 (bin/npyconv) the
     * generic loop was a call per opcode into {@code next()} and {@code step()} and several more
     * ({@code push}, {@code get}, {@code MemoKinds.find}, the listener); a file of small dicts is
     * twenty opcodes an element.
     *
     * <p>Every opcode is checked the way {@code step} checks it before anything is changed; an
     * opcode that would fail, is cut by the window's end, needs more room, is a FRAME or anything
     * not listed here (a str whose memo entry would be pinned, a memo key out of sequence or never
     * stored, a pop below the element list) ends the run unread, and the generic loop reads it.
     *
     * @return true when it stopped in front of a run of two or more strs, which {@link #strRun}
     *     reads faster (a list of new strs; a file of strs)
     */
    private boolean elementRun() {
        final int begin = reader.fusedBegin(memoCounter);
        if (begin < 0) {
            return false;
        }
        final byte[] b = reader.window();
        final long base = reader.windowStart();
        final int limit = reader.windowLimit();
        final long[] start = slotStart;
        final long[] memoAt = slotMemo;
        final byte[] kinds = slotKind;
        final long[] details = slotDetail;
        final long[] payloadOffsets = slotPayloadOffset;
        final int[] payloadLengths = slotPayloadLength;
        final long[] memoIndices = slotMemoIndex;
        final int topSlot = start.length - 1; // a push beyond it grows the arrays: the generic loop does that
        final int[] marksAt = markDepth;
        final MemoKinds memo = memoKinds;
        final long[] pinnedKey = memo.pinnedKey;
        final int pinnedMask = pinnedKey.length - 1;
        final boolean[] mayBePinned = memo.mayBePinned;
        final long[] cacheKey = memo.cacheKey;
        final byte[] cacheKind = memo.cacheKind;
        final long[] cacheDetail = memo.cacheDetail;
        final long[] cachePayloadOffset = memo.cachePayloadOffset;
        final int[] cachePayloadLength = memo.cachePayloadLength;
        final long[] refIndex = referenceIndex;
        final long[] refBound = referenceBound;

        int d = depth;
        int m = marks;
        int floor = floor();
        long stored = memoCounter;
        int refs = 0;
        int p = begin;
        int last = -1;
        int strs = 0;
        boolean strsAhead = false;
        while (p < limit) {
            final int code = b[p] & 0xFF;
            final int next;
            // Tested in order of frequency in a list of dicts: C1 turns a switch into a chain of
            // compares anyway, in the order of the case values.
            if (code == BINGET_CODE || code == LONG_BINGET_CODE) {
                final long key;
                if (code == BINGET_CODE) {
                    next = p + 2;
                    if (next > limit) {
                        break; // cut by the window's end: next() reads it
                    }
                    key = b[p + 1] & 0xFF;
                } else {
                    next = p + 5;
                    if (next > limit) {
                        break;
                    }
                    // int4() by hand: C1 inlines nothing over 35 bytecodes, and this is every GET past key 255
                    key = (b[p + 1] & 0xFF) | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF) << 16
                            | (long) (b[p + 4] & 0xFF) << 24;
                }
                if (key >= stored || d >= topSlot) {
                    break; // never stored: step() reports it
                }
                if (refs == REFERENCE_BATCH) {
                    listener.memoReferences(refIndex, refBound, refs);
                    refs = 0;
                }
                refIndex[refs] = key;
                refBound[refs] = elementCount + (d - LIST_SLOT);
                refs++;
                // MemoKinds.find: the pinned table (when the index may be there), then the cache.
                d++;
                final int c = (int) key & MemoKinds.CACHE_MASK;
                int pinned = -1;
                if (mayBePinned[c]) {
                    final long h = key * MemoKinds.PINNED_HASH;
                    int i = (int) (h ^ (h >>> 32)) & pinnedMask;
                    long k;
                    while ((k = pinnedKey[i]) != -1 && k != key) {
                        i = (i + 1) & pinnedMask;
                    }
                    pinned = k == key ? i : -1;
                }
                if (pinned >= 0) {
                    final byte kind = memo.pinnedKind[pinned];
                    kinds[d] = kind;
                    details[d] = memo.pinnedDetail[pinned];
                    payloadOffsets[d] = memo.pinnedPayloadOffset[pinned];
                    payloadLengths[d] = memo.pinnedPayloadLength[pinned];
                    if (kind == GLOBAL_KIND) {
                        globals.reuse((int) details[d]);
                    }
                } else if (cacheKey[c] == key) {
                    kinds[d] = cacheKind[c];
                    details[d] = cacheDetail[c];
                    payloadOffsets[d] = cachePayloadOffset[c];
                    payloadLengths[d] = cachePayloadLength[c];
                } else {
                    kinds[d] = REFERENCE_KIND;
                    details[d] = 0;
                }
                start[d] = base + p;
                memoAt[d] = stored;
                memoIndices[d] = -1; // a GET may push a dtype or an ndarray, which BUILD looks up by it
            } else if (code == MEMOIZE_CODE || code == BINPUT_CODE || code == LONG_BINPUT_CODE) {
                if (code == MEMOIZE_CODE) {
                    next = p + 1;
                } else if (code == BINPUT_CODE) {
                    next = p + 2;
                    if (next > limit || (b[p + 1] & 0xFF) != stored) {
                        break; // cut, or out of sequence (or stored again): put() decides
                    }
                } else {
                    next = p + 5;
                    if (next > limit || (int4(b, p + 1) & 0xFFFF_FFFFL) != stored) {
                        break;
                    }
                }
                if (d <= floor) {
                    break; // nothing to store: need() reports it
                }
                final byte kind = kinds[d];
                if (kind == GLOBAL_KIND || kind == DTYPE_KIND) {
                    break; // pinned by remember()
                }
                // put() and remember() for a fresh, unpinned entry: MemoKinds.cache.
                memoIndices[d] = stored;
                final int c = (int) stored & MemoKinds.CACHE_MASK;
                cacheKey[c] = stored;
                cacheKind[c] = kind;
                cacheDetail[c] = details[d];
                if (kind == STR_KIND) {
                    cachePayloadOffset[c] = payloadOffsets[d];
                    cachePayloadLength[c] = payloadLengths[d];
                }
                stored++;
            } else if (code == SHORT_BINUNICODE_CODE || code == BINUNICODE_CODE) {
                final int q;
                final int n;
                if (code == SHORT_BINUNICODE_CODE) {
                    q = p + 2;
                    n = q <= limit ? b[p + 1] & 0xFF : -1;
                } else {
                    q = p + 5;
                    n = q <= limit ? int4(b, p + 1) : -1;
                }
                if (n < 0 || n > limit - q || d >= topSlot) {
                    break; // beyond the window (or corrupt): next() decides
                }
                next = q + n;
                if (next + 5 < limit) {
                    // Another str after this one's memo opcode: a run, which strRun() reads faster.
                    final int m1 = b[next] & 0xFF;
                    final int after = m1 == MEMOIZE_CODE ? next + 1 : m1 == BINPUT_CODE ? next + 2
                            : m1 == LONG_BINPUT_CODE ? next + 5 : next;
                    final int c2 = b[after] & 0xFF;
                    if (c2 == SHORT_BINUNICODE_CODE || c2 == BINUNICODE_CODE) {
                        strsAhead = true;
                        break;
                    }
                }
                d++;
                start[d] = base + p;
                memoAt[d] = stored;
                kinds[d] = STR_KIND;
                details[d] = LAZY_STR;
                payloadOffsets[d] = base + q;
                payloadLengths[d] = n;
                strs++;
            } else if (code == MARK_CODE) {
                if (m == marksAt.length) {
                    break; // pushMark() grows the arrays
                }
                marksAt[m] = d;
                markOffset[m] = base + p;
                markMemo[m] = stored;
                m++;
                floor = d;
                next = p + 1;
            } else if (code == SETITEMS_CODE || code == APPENDS_CODE) {
                if (m == 0) {
                    break;
                }
                final int mark = marksAt[m - 1];
                final int below = m >= 2 ? marksAt[m - 2] : 0;
                if (mark - below < 1 || mark < LIST_SLOT) {
                    break; // no target (requireTarget()), or it closes the element list: the trailer's
                }
                if (code == SETITEMS_CODE) {
                    if (((d - mark) & 1) != 0) {
                        break;
                    }
                } else if (mark == LIST_SLOT && d > mark) {
                    memoCounter = stored;
                    emitElements(mark + 1, d + 1, base + p);
                    fusedElements += d - mark;
                }
                m--;
                floor = below;
                d = mark;
                next = p + 1;
            } else {
                final byte kind;
                if (code == BININT1_CODE) {
                    kind = INT_KIND;
                    next = p + 2;
                } else if (code == BINFLOAT_CODE) {
                    kind = FLOAT_KIND;
                    next = p + 9;
                } else if (code == EMPTY_DICT_CODE) {
                    kind = DICT_KIND;
                    next = p + 1;
                } else if (code == EMPTY_LIST_CODE) {
                    kind = LIST_KIND; // never the element list: that one is pushed in the preamble
                    next = p + 1;
                } else if (code == BININT2_CODE) {
                    kind = INT_KIND;
                    next = p + 3;
                } else if (code == BININT_CODE) {
                    kind = INT_KIND;
                    next = p + 5;
                } else if (code == NONE_CODE) {
                    kind = NONE_KIND;
                    next = p + 1;
                } else if (code == NEWTRUE_CODE || code == NEWFALSE_CODE) {
                    kind = BOOL_KIND;
                    next = p + 1;
                } else if (code == EMPTY_TUPLE_CODE) {
                    kind = TUPLE_KIND;
                    next = p + 1;
                } else if (code == APPEND_CODE) {
                    if (d - 2 < floor || d - 1 < LIST_SLOT) {
                        break; // need(2), or it appends the element list itself
                    }
                    if (d - 1 == LIST_SLOT) {
                        memoCounter = stored;
                        emitElements(d, d + 1, base + p);
                        fusedElements++;
                    }
                    kind = -1;
                    next = p + 1;
                } else if (code == SETITEM_CODE) {
                    if (d - 3 < floor || d - 2 < LIST_SLOT) {
                        break; // need(3), or it pops the element list
                    }
                    kind = -2;
                    next = p + 1;
                } else {
                    break; // anything else: step()
                }
                if (kind >= 0) {
                    if (next > limit || d >= topSlot) {
                        break; // cut by the window's end, or the stack must grow: step() does both
                    }
                    d++;
                    start[d] = base + p;
                    memoAt[d] = stored;
                    kinds[d] = kind;
                    details[d] = 0;
                } else {
                    d += kind; // APPEND pops one item, SETITEM two
                }
            }
            last = p;
            p = next;
        }
        if (refs > 0) {
            listener.memoReferences(refIndex, refBound, refs);
        }
        if (last >= 0) {
            depth = d;
            marks = m;
            memoCounter = stored;
            fusedStrs += strs;
            reader.fusedEnd(last, stored);
        }
        return strsAhead;
    }

    private static int int4(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | b[i + 3] << 24;
    }

    // ---- elements ----------------------------------------------------------------------------

    private void noteElementList() {
        if (phase == Phase.PREAMBLE && depth == LIST_SLOT && marks == 1 && markDepth[0] == 1) {
            phase = Phase.ELEMENTS;
            listMemoEnd = memoCounter;
        }
    }

    /** Slots {@code [from, to)} are appended to the list: elements, the last one ending at {@code end}. */
    private void emitElements(int from, int to, long end) {
        listener.elements(slotStart, slotMemo, slotKind, slotDetail, from, to, end, memoCounter);
        elementCount += to - from;
    }

    /**
     * By kind ordinal, whether elements are counted by their detail: only dtypes and globals are
     * worth it (a str's packed text is not). A copy; {@link KindTally#addAll} takes it.
     */
    static boolean[] detailCounted() {
        return DETAIL_COUNTED.clone();
    }

    // ---- memo --------------------------------------------------------------------------------

    private void put(long index, long at, PickleOpcode op) {
        need(1, op);
        boolean fresh = index == memoCounter;
        if (fresh) {
            memoCounter++;
        } else if (index > memoCounter || index < 0) {
            // Python's picklers number memo entries 0, 1, 2, ...; random access depends on it.
            throw new UnsupportedInputException("memo index " + index + " out of sequence (expected "
                    + memoCounter + "); written by a non-standard pickler", source, at, op.name());
        }
        slotMemoIndex[depth] = index;
        remember(index, depth, fresh);
    }

    private void remember(long index, int slot, boolean fresh) {
        byte kind = slotKind[slot];
        boolean pin = phase == Phase.PREAMBLE || kind == ElementKind.GLOBAL.ordinal() || kind == ElementKind.DTYPE.ordinal();
        memoKinds.put(index, fresh, pin, kind, slotDetail[slot], slotPayloadOffset[slot], slotPayloadLength[slot]);
    }

    private void get(long index, long at, PickleOpcode op) {
        if (index < 0 || index >= memoCounter) {
            throw corrupt("memo index " + index + " was never stored", at, op.name());
        }
        if (phase == Phase.ELEMENTS) {
            listener.memoReference(index, elementCount + Math.max(0, depth - LIST_SLOT));
        }
        if (memoKinds.find(index)) {
            push(at, ElementKind.ofOrdinal(memoKinds.kind), memoKinds.detail);
            slotPayloadOffset[depth] = memoKinds.payloadOffset;
            slotPayloadLength[depth] = memoKinds.payloadLength;
            if (memoKinds.kind == ElementKind.GLOBAL.ordinal()) {
                globals.reuse((int) memoKinds.detail);
            }
        } else {
            push(at, ElementKind.REFERENCE, 0);
        }
    }

    // ---- kinds -------------------------------------------------------------------------------

    /** Kind of what calling the object in slot {@code callable} with args in slot {@code args} builds; detail in {@link #lastDetail}. */
    private ElementKind constructed(int callable, int args) {
        lastDetail = 0;
        if (slotKind[callable] != ElementKind.GLOBAL.ordinal()) {
            lastDetail = -1;
            return ElementKind.OBJECT;
        }
        int id = (int) slotDetail[callable];
        long argDetail = args > 0 ? slotDetail[args] : 0;
        switch (globals.role(id)) {
            case RECONSTRUCT:
                return ElementKind.NDARRAY;
            case FROMBUFFER:
                lastDetail = dtypeIn(argDetail);
                return ElementKind.NDARRAY;
            case DTYPE:
                lastDetail = (argDetail & DTYPE_FLAG) == 0 ? argDetail : 0;
                return ElementKind.DTYPE;
            case SCALAR:
                lastDetail = dtypeIn(argDetail);
                return ElementKind.NUMPY_SCALAR;
            case SET:
                return ElementKind.SET;
            case FROZENSET:
                return ElementKind.FROZENSET;
            case BYTEARRAY:
                return ElementKind.BYTEARRAY;
            case CODECS_ENCODE:
                return ElementKind.BYTES;
            default:
                lastDetail = id;
                return ElementKind.OBJECT;
        }
    }

    private static long dtypeIn(long tupleDetail) {
        return (tupleDetail & DTYPE_FLAG) != 0 ? tupleDetail & ~DTYPE_FLAG : 0;
    }

    /** A tuple remembers the first dtype among its items, else its first short str (a dtype code or byte order). */
    private long tupleDetail(int from, int to) {
        long firstString = 0;
        for (int slot = from; slot <= to; slot++) {
            byte kind = slotKind[slot];
            if (kind == ElementKind.DTYPE.ordinal() && slotDetail[slot] != 0) {
                return slotDetail[slot] | DTYPE_FLAG;
            }
            if (firstString == 0 && kind == ElementKind.STR.ordinal()) {
                firstString = strDetail(slot);
            }
        }
        return firstString;
    }

    /** BUILD: a dtype learns its byte order from its state, an ndarray its dtype. */
    private void build(int target, int state) {
        byte kind = slotKind[target];
        long stateDetail = slotDetail[state];
        if (kind == ElementKind.DTYPE.ordinal() && slotKind[state] == ElementKind.TUPLE.ordinal()) {
            slotDetail[target] = dtypeCode(slotDetail[target], stateDetail);
        } else if (kind == ElementKind.NDARRAY.ordinal() && slotDetail[target] == 0) {
            slotDetail[target] = dtypeIn(stateDetail);
        } else {
            return;
        }
        if (slotMemoIndex[target] >= 0) {
            // The object was memoized before BUILD completed it (REDUCE MEMOIZE ... BUILD): later GETs see the built one.
            remember(slotMemoIndex[target], target, false);
        }
    }

    /** NumPy's {@code dtype.str} from the constructor's code ({@code f4}, {@code O8}) and the state's byte order. */
    private static long dtypeCode(long base, long order) {
        String code = ShortAscii.unpack(base);
        String endian = (order & DTYPE_FLAG) == 0 ? ShortAscii.unpack(order) : "";
        if (code.isEmpty()) {
            return 0;
        }
        char kind = code.charAt(0);
        if (kind == 'O') {
            return ShortAscii.pack("|O");
        }
        if (endian.length() != 1 || "<>|=".indexOf(endian.charAt(0)) < 0) {
            endian = "|";
        }
        if (kind == 'b' || kind == 'S' || kind == 'V' || code.equals("i1") || code.equals("u1")) {
            endian = "|";
        }
        return ShortAscii.pack(endian + code);
    }

    private void pushString(long at) throws IOException {
        long length = reader.payloadLength();
        long detail = LAZY_STR;
        if (reader.opcode() == PickleOpcode.STRING) {
            // Protocol 0 quotes STRING payloads ('f4' is 4 bytes for a 2-character code); such files
            // are small and old, so these are packed at once rather than re-parsed later.
            detail = length <= ShortAscii.MAX_LENGTH + 2 ? packQuoted((int) length) : 0;
        }
        push(at, ElementKind.STR, detail);
        slotPayloadOffset[depth] = reader.payloadOffset();
        slotPayloadLength[depth] = (int) Math.min(length, Integer.MAX_VALUE);
    }

    /** A quoted STRING payload packed for dtype detection; text with escapes is not worth decoding for a guess. */
    private long packQuoted(int length) {
        byte[] bytes = shortPayload;
        reader.copyPayloadPrefix(bytes);
        if (length < 2 || bytes[0] != bytes[length - 1] || (bytes[0] != '\'' && bytes[0] != '"')) {
            return 0;
        }
        return packUnescaped(bytes, 1, length - 2);
    }

    /** The packed text of a str slot (0 when it is long, escaped or not ASCII), read back on demand. */
    private long strDetail(int slot) {
        long detail = slotDetail[slot];
        if (detail != LAZY_STR) {
            return detail;
        }
        int length = slotPayloadLength[slot];
        if (length <= 0 || length > ShortAscii.MAX_LENGTH || slotPayloadOffset[slot] < 0) {
            return 0;
        }
        reader.copyBytes(slotPayloadOffset[slot], shortPayload, length);
        return packUnescaped(shortPayload, 0, length);
    }

    private static long packUnescaped(byte[] bytes, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (bytes[i] == '\\') {
                return 0;
            }
        }
        return ShortAscii.pack(bytes, from, length);
    }

    private int globalFromSlots(int moduleSlot, int nameSlot, long at) throws IOException {
        String module = slotString(moduleSlot);
        String name = slotString(nameSlot);
        if (module == null || name == null) {
            return globals.use(module == null ? "?" : module, name == null ? "?" : name, at);
        }
        return globals.use(module, name, at);
    }

    /** Reads back a str slot's text from the file (STACK_GLOBAL is rare: once per distinct global). */
    private String slotString(int slot) throws IOException {
        if (slotKind[slot] != ElementKind.STR.ordinal()) {
            return null;
        }
        int length = slotPayloadLength[slot];
        long offset = slotPayloadOffset[slot];
        if (length <= 0 || length > MAX_GLOBAL_NAME || offset <= 0) {
            return length == 0 ? "" : null;
        }
        nameBuffer.clear().limit(length);
        while (nameBuffer.hasRemaining()) {
            if (channel.read(nameBuffer, offset + nameBuffer.position()) < 0) {
                return null;
            }
        }
        return new String(nameBuffer.array(), 0, length, StandardCharsets.UTF_8);
    }

    // ---- stack -------------------------------------------------------------------------------

    private int floor() {
        return marks == 0 ? 0 : markDepth[marks - 1];
    }

    private void need(int n, PickleOpcode op) {
        if (depth - n < floor()) {
            throw corrupt("stack underflow: " + op.name() + " needs " + n + " item" + (n == 1 ? "" : "s")
                    + " above the last MARK", reader.opcodeOffset(), op.name());
        }
    }

    private void requireTarget(int mark, PickleOpcode op) {
        if (mark - floor() < 1) {
            throw corrupt(op.name() + " has no object to add to", reader.opcodeOffset(), op.name());
        }
    }

    private void push(long at, ElementKind kind, long detail) {
        int slot = depth + 1;
        if (slot >= slotStart.length) {
            growSlots(slot);
        }
        depth = slot;
        slotStart[slot] = at;
        slotMemo[slot] = memoCounter;
        slotKind[slot] = (byte) kind.ordinal();
        slotDetail[slot] = detail;
        slotPayloadOffset[slot] = -1;
        slotPayloadLength[slot] = -1;
        slotMemoIndex[slot] = -1;
    }

    private void setSlot(int slot, ElementKind kind, long detail) {
        slotKind[slot] = (byte) kind.ordinal();
        slotDetail[slot] = detail;
        slotPayloadOffset[slot] = -1;
        slotPayloadLength[slot] = -1;
        slotMemoIndex[slot] = -1;
    }

    /** Pops to the last MARK and pushes one new item that starts at the MARK. */
    private void collapseMark(PickleOpcode op, ElementKind kind, long detail) {
        depth = popMark(op);
        long start = markOffset[marks];
        long memo = markMemo[marks];
        push(start, kind, detail);
        slotMemo[depth] = memo;
    }

    private int markDepth(PickleOpcode op) {
        if (marks == 0) {
            throw corrupt(op.name() + " without a MARK on the stack", reader.opcodeOffset(), op.name());
        }
        return markDepth[marks - 1];
    }

    private void pushMark(long at) {
        if (marks == markDepth.length) {
            if (marks >= MAX_DEPTH) {
                throw tooDeep(at);
            }
            markDepth = Arrays.copyOf(markDepth, marks * 2);
            markOffset = Arrays.copyOf(markOffset, marks * 2);
            markMemo = Arrays.copyOf(markMemo, marks * 2);
        }
        markDepth[marks] = depth;
        markOffset[marks] = at;
        markMemo[marks] = memoCounter;
        marks++;
    }

    private int popMark(PickleOpcode op) {
        int mark = markDepth(op);
        marks--;
        return mark;
    }

    private void growSlots(int slot) {
        if (slot >= MAX_DEPTH) {
            throw tooDeep(reader.opcodeOffset());
        }
        int size = Math.min(MAX_DEPTH, slotStart.length * 2);
        slotStart = Arrays.copyOf(slotStart, size);
        slotMemo = Arrays.copyOf(slotMemo, size);
        slotKind = Arrays.copyOf(slotKind, size);
        slotDetail = Arrays.copyOf(slotDetail, size);
        slotPayloadOffset = Arrays.copyOf(slotPayloadOffset, size);
        slotPayloadLength = Arrays.copyOf(slotPayloadLength, size);
        slotMemoIndex = Arrays.copyOf(slotMemoIndex, size);
    }

    private UnsupportedInputException tooDeep(long at) {
        return new UnsupportedInputException("pickle stack deeper than " + MAX_DEPTH + " items or marks",
                source, at, reader.opcode() == null ? null : reader.opcode().name());
    }

    private CorruptInputException corrupt(String reason, long at, String construct) {
        return new CorruptInputException(reason, source, at, construct);
    }
}
