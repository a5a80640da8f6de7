package org.npyconv.converter.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.npyconv.converter.arrow.ValueWriter;
import org.npyconv.formats.element.NdArray;
import org.npyconv.formats.element.NumpyDtype;
import org.npyconv.indexer.NpyObjectArray;

/**
 * The fast path for a column of 1-D numeric ndarrays (issue #4 item 6, docs/converter.md): NumPy
 * pickles each such element (protocols 3 and 4) as
 *
 * <pre>
 *   GET _reconstruct, GET ndarray, (0,), GET b'b', TUPLE3, REDUCE,
 *   MARK 1 (n,) GET dtype NEWFALSE BINBYTES(payload) TUPLE BUILD
 * </pre>
 *
 * with memo/frame opcodes in between. The payload is already the item bytes Arrow wants (or their
 * byte-swapped form), so it is copied from the file window straight into the list's child buffer,
 * without building an {@code NdArray}. Only this exact opcode skeleton is accepted, every other span
 * (the first element, which pickles the dtype inline; protocol 5's {@code _frombuffer}; a None; a
 * 2-D array) is evaluated by the general evaluator and handed back to the caller.
 *
 * <p>What the four back-referenced memo entries hold is not guessed: the first span with a given
 * (reconstruct, ndarray, b'b', dtype) memo quadruple is evaluated by the general evaluator, and the
 * quadruple is trusted only when that gives a 1-D ndarray whose dtype is exactly the column's item
 * type and whose data equals the payload (as is, or byte-swapped: a big-endian dtype comes back
 * little-endian, as {@code np.load} does). Memo entries never change once stored (the indexer
 * refuses out-of-sequence PUTs), so every later span with the same skeleton and quadruple evaluates
 * to the same kind of array. Reads through a {@link PickleWindow}; one pass, not thread-safe.
 */
final class NdSpans extends SpanRange {
    private static final int MEMOIZE = 0x94;
    private static final int FRAME = 0x95;
    private static final int BINPUT = 'q';
    private static final int LONG_BINPUT = 'r';
    private static final int BINGET = 'h';
    private static final int LONG_BINGET = 'j';
    private static final int BININT1 = 'K';
    private static final int BININT2 = 'M';
    private static final int BININT = 'J';
    private static final int TUPLE1 = 0x85;
    private static final int TUPLE3 = 0x87;
    private static final int TUPLE = 't';
    private static final int REDUCE = 'R';
    private static final int MARK = '(';
    private static final int NEWFALSE = 0x89;
    private static final int SHORT_BINBYTES = 'C';
    private static final int BINBYTES = 'B';
    private static final int BINBYTES8 = 0x8e;
    private static final int BUILD = 'b';

    /** The column's item type: kind ('i', 'u', 'f') and width in bytes. */
    private final char kind;
    private final int width;
    // Parser state for the current span (fields, not objects: no allocation per element).
    private int pos;
    private int stop;
    private long memoStart;
    // The one quadruple of memo indices proven to build our arrays, and whether its payloads are swapped.
    private long okR = -1;
    private long okN = -1;
    private long okB = -1;
    private long okD = -1;
    private boolean okSwap;
    // The last quadruple proven not to (so it is not evaluated twice for the proof).
    private long badR = -1;
    private long badN = -1;
    private long badB = -1;
    private long badD = -1;
    private boolean evaluated;

    /** Elements {@code [from, to)} of a column whose items have Arrow type {@code item}. */
    NdSpans(NpyObjectArray array, Field item, long from, long to) throws IOException {
        super(array, from, to);
        ArrowType t = item.getType();
        if (t instanceof ArrowType.Int) {
            kind = ((ArrowType.Int) t).getIsSigned() ? 'i' : 'u';
        } else if (t instanceof ArrowType.FloatingPoint) {
            kind = 'f';
        } else {
            close();
            throw new IllegalArgumentException("not a numeric item type: " + item);
        }
        width = width(item);
    }

    /** Bytes per item of a numeric Arrow type. */
    static int width(Field item) {
        ArrowType t = item.getType();
        if (t instanceof ArrowType.Int) {
            return ((ArrowType.Int) t).getBitWidth() / 8;
        }
        FloatingPointPrecision p = ((ArrowType.FloatingPoint) t).getPrecision();
        return p == FloatingPointPrecision.HALF ? 2 : p == FloatingPointPrecision.SINGLE ? 4 : 8;
    }

    /**
     * Gives {@code items} (the list column's child) room for {@code count} values without zeroing
     * its data buffer, as {@code allocateNew} would: every item below the final value count is
     * written (payload copies here, {@code setSafe} on the slow path), the IPC and Parquet writers
     * read nothing beyond it, and zeroing a chunk's ~32 MB cost a tenth of a ragged conversion's
     * CPU (docs/perf/session5.md). The validity buffer is zeroed as usual.
     */
    static void presize(BaseFixedWidthVector items, int count) {
        BufferAllocator allocator = items.getAllocator();
        try (ArrowBuf data = allocator.buffer((long) count * items.getTypeWidth());
             ArrowBuf validity = allocator.buffer(BitVectorHelper.getValidityBufferSizeFromCount(count))) {
            validity.setZero(0, validity.capacity());
            // A node with some but not all values null: loadFieldBuffers keeps both buffers as given
            // (for an all-valid or all-null node it would allocate and fill a validity buffer of its own).
            items.loadFieldBuffers(new ArrowFieldNode(2, 1), List.of(validity, data));
        }
        items.setValueCount(0);
    }

    /** Whether a list column with this item field can take the fast path. */
    static boolean supports(Field item) {
        ArrowType t = item.getType();
        return t instanceof ArrowType.Int || t instanceof ArrowType.FloatingPoint;
    }

    /**
     * Writes the next element at {@code index} of {@code list} ({@link #FAST}), or evaluates it and
     * leaves it in {@link #slowElement()} for the caller to type-check and write ({@link #SLOW}), or
     * says there is none ({@link #END}).
     */
    @Override
    public int next(FieldVector column, int index) throws IOException {
        ListVector list = (ListVector) column;
        if (!advance()) {
            return END;
        }
        long start = cursor.start();
        long end = cursor.end();
        pos = window.load(start, end);
        stop = pos + (int) (end - start);
        memoStart = cursor.memoStart();
        evaluated = false;
        if (!tryFast(list, index)) {
            slow++;
            if (!evaluated) {
                slowElement = array.get(cursor.index());
            }
            return SLOW;
        }
        fast++;
        return FAST;
    }

    /** The element index {@link #next} last reached. */
    long index() {
        return cursor.index();
    }

    private boolean tryFast(ListVector list, int index) {
        byte[] b = window.bytes();
        long r = get(b);
        long nd = r < 0 ? -1 : get(b);
        if (nd < 0 || !op(b, BININT1) || !arg(b, 0) || !op(b, TUPLE1)) {
            return false;
        }
        long bb = get(b);
        if (bb < 0 || !op(b, TUPLE3) || !op(b, REDUCE) || !op(b, MARK) || !op(b, BININT1) || !arg(b, 1)) {
            return false;
        }
        long n = count(b);
        if (n < 0 || !op(b, TUPLE1)) {
            return false;
        }
        long d = get(b);
        if (d < 0 || !op(b, NEWFALSE)) {
            return false;
        }
        long size = payloadSize(b);
        if (size < 0) {
            return false;
        }
        int payload = pos;
        pos += (int) size;
        if (!op(b, TUPLE) || !op(b, BUILD)) {
            return false;
        }
        skipMemo(b);
        if (pos != stop || size != n * width) {
            return false;
        }
        boolean swap;
        if (r == okR && nd == okN && bb == okB && d == okD) {
            swap = okSwap;
        } else if (r == badR && nd == badN && bb == badB && d == badD) {
            return false;
        } else {
            // First span with this quadruple: the general evaluator decides (and this element goes the slow way).
            Object e = array.get(cursor.index());
            slowElement = e;
            evaluated = true;
            int verdict = prove(e, b, payload, (int) size, n);
            if (verdict == UNDECIDED) {
                return false;
            }
            if (verdict < 0) {
                badR = r;
                badN = nd;
                badB = bb;
                badD = d;
            } else {
                okR = r;
                okN = nd;
                okB = bb;
                okD = d;
                okSwap = verdict == 1;
            }
            return false;
        }
        write(list, index, b, payload, (int) n, swap);
        return true;
    }

    /** {@link #prove}: this span cannot tell the byte order (empty, or every item a palindrome). */
    private static final int UNDECIDED = -2;

    /**
     * -1: not our array; 0: data equals the payload; 1: data equals the payload byte-swapped per
     * item; {@link #UNDECIDED} when both or neither can be told apart by this span's bytes.
     */
    private int prove(Object e, byte[] b, int payload, int size, long n) {
        if (!(e instanceof NdArray)) {
            return -1;
        }
        NdArray a = (NdArray) e;
        NumpyDtype dt = a.dtype();
        if (a.isObjectArray() || a.ndim() != 1 || a.shape()[0] != n || dt.isStructured() || dt.kind() != kind
                || dt.itemSize() != width || dt.metadata() != null) {
            return -1;
        }
        ByteBuffer raw = a.rawData();
        if (raw.remaining() != size) {
            return -1;
        }
        boolean same = true;
        boolean swapped = width > 1;
        int at = raw.position();
        for (int k = 0; k < size && (same || swapped); k++) {
            byte v = raw.get(at + k);
            same &= v == b[payload + k];
            if (width > 1) {
                int item = k - k % width;
                swapped &= v == b[payload + item + (width - 1 - k % width)];
            }
        }
        if (width > 1 && (size == 0 || same && swapped)) {
            // An empty array or palindromic items (zeros) prove nothing about byte order: wait for another span.
            return UNDECIDED;
        }
        return same ? 0 : swapped ? 1 : -1;
    }

    private void write(ListVector list, int index, byte[] b, int payload, int n, boolean swap) {
        int start = list.startNewValue(index);
        BaseFixedWidthVector child = (BaseFixedWidthVector) list.getDataVector();
        while (child.getValueCapacity() < start + n) {
            child.reAlloc();
        }
        ArrowBuf data = child.getDataBuffer();
        long at = (long) start * width;
        if (!swap) {
            data.setBytes(at, b, payload, (long) n * width);
        } else {
            // A big-endian dtype: Arrow is little-endian, so each item is reversed (as np.load does).
            for (int k = 0; k < n; k++) {
                int p = payload + k * width;
                long o = at + (long) k * width;
                switch (width) {
                    case 2: data.setShort(o, (short) ((b[p] & 0xFF) << 8 | b[p + 1] & 0xFF)); break;
                    case 4: data.setInt(o, bigInt(b, p)); break;
                    default: data.setLong(o, (long) bigInt(b, p) << 32 | bigInt(b, p + 4) & 0xFFFFFFFFL); break;
                }
            }
        }
        ValueWriter.setValidRange(child.getValidityBuffer(), start, n);
        list.endValue(index, n);
    }

    private static int bigInt(byte[] b, int p) {
        return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | b[p + 3] & 0xFF;
    }

    /** Skips memo and frame opcodes, then consumes opcode {@code code} if it is next. */
    private boolean op(byte[] b, int code) {
        skipMemo(b);
        if (pos < stop && (b[pos] & 0xFF) == code) {
            pos++;
            return true;
        }
        return false;
    }

    /** Consumes a one-byte argument equal to {@code value}. */
    private boolean arg(byte[] b, int value) {
        if (pos < stop && (b[pos] & 0xFF) == value) {
            pos++;
            return true;
        }
        return false;
    }

    /** A BINGET/LONG_BINGET of an entry stored before this span: its index, else -1. */
    private long get(byte[] b) {
        skipMemo(b);
        long m;
        if (pos + 2 <= stop && (b[pos] & 0xFF) == BINGET) {
            m = b[pos + 1] & 0xFF;
            pos += 2;
        } else if (pos + 5 <= stop && (b[pos] & 0xFF) == LONG_BINGET) {
            m = PickleWindow.littleInt(b, pos + 1) & 0xFFFFFFFFL;
            pos += 5;
        } else {
            return -1;
        }
        return m < memoStart ? m : -1;
    }

    /** The shape's one int (BININT1/BININT2/non-negative BININT), else -1. */
    private long count(byte[] b) {
        skipMemo(b);
        if (pos + 2 <= stop && (b[pos] & 0xFF) == BININT1) {
            pos += 2;
            return b[pos - 1] & 0xFF;
        }
        if (pos + 3 <= stop && (b[pos] & 0xFF) == BININT2) {
            pos += 3;
            return (b[pos - 2] & 0xFF) | (b[pos - 1] & 0xFF) << 8;
        }
        if (pos + 5 <= stop && (b[pos] & 0xFF) == BININT) {
            int v = PickleWindow.littleInt(b, pos + 1);
            pos += 5;
            return v < 0 ? -1 : v;
        }
        return -1;
    }

    /** The length of a bytes payload that fits in the span (position left at its first byte), else -1. */
    private long payloadSize(byte[] b) {
        skipMemo(b);
        long n;
        if (pos + 2 <= stop && (b[pos] & 0xFF) == SHORT_BINBYTES) {
            n = b[pos + 1] & 0xFF;
            pos += 2;
        } else if (pos + 5 <= stop && (b[pos] & 0xFF) == BINBYTES) {
            n = PickleWindow.littleInt(b, pos + 1) & 0xFFFFFFFFL;
            pos += 5;
        } else if (pos + 9 <= stop && (b[pos] & 0xFF) == BINBYTES8) {
            n = PickleWindow.littleInt(b, pos + 1) & 0xFFFFFFFFL | (long) PickleWindow.littleInt(b, pos + 5) << 32;
            pos += 9;
        } else {
            return -1;
        }
        return n >= 0 && n <= stop - pos ? n : -1;
    }

    private void skipMemo(byte[] b) {
        pos = PickleWindow.skipMemo(b, pos, stop);
    }

}
