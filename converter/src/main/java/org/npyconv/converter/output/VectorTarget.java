package org.npyconv.converter.output;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One position of a column's Arrow type that {@link TypedSpans} decodes pickle opcodes straight
 * into, written as an appender: every vector of a chunk is filled strictly in order (a struct's
 * children at the struct's next position, a list's items at the end of its data vector), so each
 * target keeps its own fill {@link #count} and writes values with raw memory writes at the buffers'
 * cached addresses (validity bit, value word, offset, bytes) instead of a chain of {@code setSafe}
 * calls with their capacity, hole-filling and bounds checks, per value. Only growth goes through
 * Arrow ({@code reAlloc}, {@code setNull}, {@code reallocDataBuffer}: the calls {@code setSafe}
 * itself makes), after which the addresses are read again.
 *
 * <p>What the buffers hold afterwards is what {@code ValueWriter}'s calls leave, byte for byte:
 * the same validity bits, values, offsets and last-set rows, and zeros in a null's value slot (a
 * fresh or grown Arrow buffer is zeroed, and nothing here writes past the fill except through
 * {@link #rollback}, which zeroes again). The {@code lastSet} of string, binary and list vectors is
 * written back after every element ({@link #finish}), because the general path and
 * {@code setValueCount} fill "holes" from it.
 *
 * <p>An element is written optimistically: {@link #mark} at its start, and if its opcodes turn out
 * not to fit halfway, {@link #rollback} clears every position written since (validity bits, value
 * words, offsets, last-set rows), so the general path writes the element over a vector exactly as
 * it was. For a struct, the field names in UTF-8 (dict keys are compared byte for byte, without
 * building a String). One tree per chunk, rebuilt when a chunk's vectors are replaced; not
 * thread-safe.
 */
final class VectorTarget {
    static final int STRUCT = 0;
    static final int LIST = 1;
    static final int STRING = 2;
    static final int BINARY = 3;
    static final int INT64 = 4;
    static final int FLOAT64 = 5;
    static final int BOOL = 6;
    static final int NULL = 7;

    /** Struct fields are tracked in a 64-bit mask while a dict is decoded. */
    static final int MAX_FIELDS = 64;
    private static final int OFFSET_WIDTH = BaseVariableWidthVector.OFFSET_WIDTH;

    /** What this position holds ({@link #STRUCT} ... {@link #NULL}): only Python values of exactly this kind fit. */
    final int kind;
    final FieldVector vector;
    final VectorTarget[] children;
    /** A struct's field names in UTF-8, in field order. */
    final byte[][] names;
    private final BaseFixedWidthVector fixed;
    private final BaseVariableWidthVector variable;
    private final ListVector list;
    private final StructVector struct;
    /** Per struct field, the memo index of a str known to be its name (-1: none yet). */
    final long[] keyMemo;
    /** A struct's fields as a mask (a dict that has them all needs no nulls). */
    final long allFields;
    /** How deep containers nest here: 0 for a scalar, 1 for a list of scalars, ... */
    final int depth;

    /** Positions filled (by this appender or the general path): the next value goes here. */
    int count;
    /** {@link #count} when the current element started. */
    private int mark;
    /** String/binary: where the next value's bytes go ({@code offset[count]}). */
    private int dataEnd;
    private int markDataEnd;
    /** Positions the validity buffer (and the offsets or the value buffer) can hold. */
    private int capacity;
    /** String/binary: bytes the data buffer can hold. */
    private long dataCapacity;
    private ArrowBuf validityBuf;
    private ArrowBuf valueBuf;
    private ArrowBuf offsetBuf;
    private long validity;
    private long values;
    private long offsets;

    private VectorTarget(int kind, FieldVector vector, VectorTarget[] children, byte[][] names) {
        this.kind = kind;
        this.vector = vector;
        this.children = children;
        this.names = names;
        this.fixed = vector instanceof BaseFixedWidthVector ? (BaseFixedWidthVector) vector : null;
        this.variable = vector instanceof BaseVariableWidthVector ? (BaseVariableWidthVector) vector : null;
        this.list = vector instanceof ListVector ? (ListVector) vector : null;
        this.struct = vector instanceof StructVector ? (StructVector) vector : null;
        this.keyMemo = new long[names == null ? 0 : names.length];
        java.util.Arrays.fill(keyMemo, -1);
        this.allFields = keyMemo.length == MAX_FIELDS ? -1L : (1L << keyMemo.length) - 1;
        int below = 0;
        for (VectorTarget c : children) {
            below = Math.max(below, c.depth + 1);
        }
        this.depth = kind == STRUCT || kind == LIST ? Math.max(below, 1) : 0;
    }

    /** The tree for {@code vector}; call only when {@link #supports} said yes for its field. */
    static VectorTarget of(FieldVector vector) {
        int kind = kindOf(vector.getField());
        VectorTarget[] children = new VectorTarget[0];
        byte[][] names = null;
        if (kind == STRUCT) {
            List<FieldVector> kids = ((StructVector) vector).getChildrenFromFields();
            children = new VectorTarget[kids.size()];
            names = new byte[kids.size()][];
            for (int i = 0; i < children.length; i++) {
                children[i] = of(kids.get(i));
                names[i] = kids.get(i).getName().getBytes(StandardCharsets.UTF_8);
            }
        } else if (kind == LIST) {
            children = new VectorTarget[] {of(((ListVector) vector).getDataVector())};
        }
        return new VectorTarget(kind, vector, children, names);
    }

    /** This target and every one below it, parents first. */
    VectorTarget[] all() {
        List<VectorTarget> out = new ArrayList<>();
        collect(out);
        return out.toArray(new VectorTarget[0]);
    }

    private void collect(List<VectorTarget> out) {
        out.add(this);
        for (VectorTarget c : children) {
            c.collect(out);
        }
    }

    /**
     * Whether every position of {@code field} is a kind the decoder knows: structs (plain dicts, not
     * the complex mapping, at most {@value #MAX_FIELDS} fields), lists, string, binary, int64,
     * double, bool and null. Maps, tensors, decimals, narrower numbers and dates are left to the
     * general evaluator.
     */
    static boolean supports(Field field) {
        int kind = kindOf(field);
        if (kind < 0) {
            return false;
        }
        if (kind == STRUCT && field.getChildren().size() > MAX_FIELDS) {
            return false;
        }
        for (Field child : field.getChildren()) {
            if (!supports(child)) {
                return false;
            }
        }
        return true;
    }

    private static int kindOf(Field field) {
        ArrowType t = field.getType();
        if (t instanceof ArrowType.ExtensionType) {
            return -1;
        }
        if (t instanceof ArrowType.Struct) {
            Map<String, String> meta = field.getMetadata();
            return meta != null && meta.containsKey("npyconv.type") ? -1 : STRUCT;
        }
        if (t instanceof ArrowType.List) {
            return LIST;
        }
        if (t instanceof ArrowType.Utf8) {
            return STRING;
        }
        if (t instanceof ArrowType.Binary) {
            return BINARY;
        }
        if (t instanceof ArrowType.Int) {
            ArrowType.Int i = (ArrowType.Int) t;
            return i.getBitWidth() == 64 && i.getIsSigned() ? INT64 : -1;
        }
        if (t instanceof ArrowType.FloatingPoint) {
            return ((ArrowType.FloatingPoint) t).getPrecision() == FloatingPointPrecision.DOUBLE ? FLOAT64 : -1;
        }
        if (t instanceof ArrowType.Bool) {
            return BOOL;
        }
        if (t instanceof ArrowType.Null) {
            return NULL;
        }
        return -1;
    }

    /** The struct field whose UTF-8 name is {@code b[at, at + n)}, or -1. */
    int field(byte[] b, int at, int n) {
        for (int f = 0; f < names.length; f++) {
            byte[] name = names[f];
            if (name.length == n && sameBytes(name, b, at, n)) {
                return f;
            }
        }
        return -1;
    }

    /** Field names are short: a plain loop beats the vectorized mismatch's set-up. */
    private static boolean sameBytes(byte[] name, byte[] b, int at, int n) {
        for (int k = 0; k < n; k++) {
            if (name[k] != b[at + k]) {
                return false;
            }
        }
        return true;
    }

    /** The field a memo entry was seen to name ({@link #rememberKey}), or -1. */
    int fieldByMemo(long memoIndex) {
        for (int f = 0; f < keyMemo.length; f++) {
            if (keyMemo[f] == memoIndex) {
                return f;
            }
        }
        return -1;
    }

    void rememberKey(int field, long memoIndex) {
        if (field >= 0) {
            keyMemo[field] = memoIndex;
        }
    }

    // ---- State: loading it from the vectors, checking it, marking and rolling back.

    /**
     * Takes the vectors' state with {@code position} rows filled (this target's and, below it,
     * its children's): at a chunk's start and after the general path wrote an element. A string or
     * binary vector whose last rows were nulls gets its offsets filled up to here first, as its next
     * {@code setSafe} would.
     */
    void load(int position) {
        count = position;
        if (kind == STRING || kind == BINARY) {
            BaseVariableWidthVector v = (BaseVariableWidthVector) vector;
            if (v.getLastSet() != position - 1) {
                v.fillEmpties(position);
            }
            loadBuffers();
            dataEnd = position == 0 ? 0 : MemoryUtil.getInt(offsets + (long) position * OFFSET_WIDTH);
        } else if (kind == LIST) {
            ListVector v = (ListVector) vector;
            if (v.getLastSet() != position - 1) {
                // Not left by ValueWriter (which sets every list row); fill as setValueCount would.
                v.setValueCount(position);
                v.setLastSet(position - 1);
            }
            loadBuffers();
            children[0].load(position == 0 ? 0 : MemoryUtil.getInt(offsets + (long) position * OFFSET_WIDTH));
        } else {
            loadBuffers();
            for (VectorTarget c : children) {
                c.load(position);
            }
        }
    }

    private void loadBuffers() {
        if (kind == NULL) {
            capacity = Integer.MAX_VALUE;
            return;
        }
        validityBuf = vector.getValidityBuffer();
        validity = validityBuf.memoryAddress();
        long cap = validityBuf.capacity() * 8;
        if (kind == STRING || kind == BINARY || kind == LIST) {
            offsetBuf = vector.getOffsetBuffer();
            offsets = offsetBuf.memoryAddress();
            // Row p writes offset[p + 1].
            cap = Math.min(cap, offsetBuf.capacity() / OFFSET_WIDTH - 1);
            if (kind != LIST) {
                valueBuf = vector.getDataBuffer();
                values = valueBuf.memoryAddress();
                dataCapacity = Math.min(valueBuf.capacity(), Integer.MAX_VALUE);
            }
        } else if (kind != STRUCT) {
            valueBuf = vector.getDataBuffer();
            values = valueBuf.memoryAddress();
            cap = Math.min(cap, kind == BOOL ? valueBuf.capacity() * 8 : valueBuf.capacity() / Long.BYTES);
        }
        capacity = (int) Math.max(0, Math.min(cap, Integer.MAX_VALUE - 1));
    }

    /**
     * Whether the buffers are still the ones whose addresses are cached, here and below (a check
     * that nobody reallocated them between two elements: writing at a freed address would corrupt
     * memory, not just the output).
     */
    boolean current() {
        switch (kind) {
            case INT64:
            case FLOAT64:
            case BOOL:
                // Through the concrete classes: FieldVector's interface calls cost an itable stub each.
                if (fixed.getValidityBuffer() != validityBuf || fixed.getDataBuffer() != valueBuf) {
                    return false;
                }
                break;
            case STRING:
            case BINARY:
                if (variable.getValidityBuffer() != validityBuf || variable.getDataBuffer() != valueBuf
                        || variable.getOffsetBuffer() != offsetBuf) {
                    return false;
                }
                break;
            case LIST:
                if (list.getValidityBuffer() != validityBuf || list.getOffsetBuffer() != offsetBuf) {
                    return false;
                }
                break;
            case STRUCT:
                if (struct.getValidityBuffer() != validityBuf) {
                    return false;
                }
                break;
            default:
                break;
        }
        for (VectorTarget c : children) {
            if (!c.current()) {
                return false;
            }
        }
        return true;
    }

    /** An element starts: {@link #rollback} returns here. */
    void mark() {
        mark = count;
        markDataEnd = dataEnd;
    }

    /**
     * The element written since {@link #mark} did not fit: clears its positions (validity bits,
     * value words or bits, offsets; and one position further, where a list or struct may have been
     * grown and begun through Arrow) back to what a never-written position holds, and returns to
     * the mark.
     */
    void rollback() {
        if (kind == NULL) {
            // No buffers: the count is all there is.
            count = mark;
            return;
        }
        int end = Math.min(count + 1, capacity);
        for (int p = mark; p < end; p++) {
            clearBit(validity, p);
        }
        if (end > mark) {
            if (kind == INT64 || kind == FLOAT64) {
                MemoryUtil.setMemory(values + (long) mark * Long.BYTES, (long) (end - mark) * Long.BYTES, (byte) 0);
            } else if (kind == BOOL) {
                for (int p = mark; p < end; p++) {
                    clearBit(values, p);
                }
            } else if (kind == STRING || kind == BINARY || kind == LIST) {
                MemoryUtil.setMemory(offsets + (long) (mark + 1) * OFFSET_WIDTH, (long) (end - mark) * OFFSET_WIDTH, (byte) 0);
            }
        }
        count = mark;
        dataEnd = markDataEnd;
        finish();
    }

    /** Whether the vector keeps a last-set row ({@link #finish} has work to do). */
    boolean hasLastSet() {
        return kind == STRING || kind == BINARY || kind == LIST;
    }

    /** After an element: string, binary and list vectors learn their last row ({@code setValueCount} and {@code setSafe} fill holes from it). */
    void finish() {
        if (kind == STRING || kind == BINARY) {
            variable.setLastSet(count - 1);
        } else if (kind == LIST) {
            list.setLastSet(count - 1);
        }
    }

    // ---- Appending values.

    void appendNull() {
        int p = count;
        if (p >= capacity) {
            grow(p, 0);
        }
        if (kind == NULL) {
            count = p + 1;
            return;
        }
        clearBit(validity, p);
        if (kind == STRING || kind == BINARY) {
            MemoryUtil.putInt(offsets + (long) (p + 1) * OFFSET_WIDTH, dataEnd);
        } else if (kind == LIST) {
            MemoryUtil.putInt(offsets + (long) (p + 1) * OFFSET_WIDTH, children[0].count);
        } else if (kind == STRUCT) {
            for (VectorTarget c : children) {
                c.appendNull();
            }
        }
        count = p + 1;
    }

    /** An int64 or a float64's IEEE 754 bits (a pickle's BINFLOAT, NaN payloads kept). */
    void appendWord(long bits) {
        int p = count;
        if (p >= capacity) {
            grow(p, 0);
        }
        MemoryUtil.putLong(values + (long) p * Long.BYTES, bits);
        setBit(validity, p);
        count = p + 1;
    }

    void appendBool(boolean v) {
        int p = count;
        if (p >= capacity) {
            grow(p, 0);
        }
        if (v) {
            setBit(values, p);
        } else {
            clearBit(values, p);
        }
        setBit(validity, p);
        count = p + 1;
    }

    /** A str's UTF-8 or a bytes object's bytes, {@code b[at, at + n)}. */
    void appendBytes(byte[] b, int at, int n) {
        int p = count;
        int start = dataEnd;
        if (p >= capacity || start + (long) n > dataCapacity) {
            if (start + (long) n > Integer.MAX_VALUE) {
                // Past int32 offsets: setSafe's own error (or whatever it does), as the general path gets.
                finish();
                ((BaseVariableWidthVector) vector).setSafe(p, b, at, n);
                loadBuffers();
                dataEnd = MemoryUtil.getInt(offsets + (long) (p + 1) * OFFSET_WIDTH);
                count = p + 1;
                return;
            }
            grow(p, n);
            start = dataEnd;
        }
        VarWidthAppend.copy(b, at, values + start, n);
        dataEnd = start + n;
        MemoryUtil.putInt(offsets + (long) (p + 1) * OFFSET_WIDTH, start + n);
        setBit(validity, p);
        count = p + 1;
    }

    /** Begins a struct value: its validity bit; its children are then appended at the same position. */
    void appendStruct() {
        int p = count;
        if (p >= capacity) {
            grow(p, 0);
        }
        setBit(validity, p);
        count = p + 1;
    }

    /** Ends a list value whose items were appended to {@code children[0]} since the value began. */
    void appendList() {
        int p = count;
        if (p >= capacity) {
            grow(p, 0);
        }
        MemoryUtil.putInt(offsets + (long) (p + 1) * OFFSET_WIDTH, children[0].count);
        setBit(validity, p);
        count = p + 1;
    }

    /**
     * Makes room for position {@code p} (and {@code n} more data bytes) with the Arrow calls
     * {@code setSafe}/{@code setNull} make, then reads the new addresses. Those calls fill offset
     * holes from the vector's last-set row, so it is brought up to date first.
     */
    private void grow(int p, int n) {
        if (kind == NULL) {
            return;
        }
        finish();
        if (kind == INT64 || kind == FLOAT64 || kind == BOOL) {
            while (p >= capacity) {
                ((BaseFixedWidthVector) vector).reAlloc();
                loadBuffers();
            }
            return;
        }
        if (kind == STRUCT) {
            ((StructVector) vector).setNull(p);
        } else if (kind == LIST) {
            ListVector v = (ListVector) vector;
            v.setNull(p);
            v.setLastSet(p - 1);
        } else {
            BaseVariableWidthVector v = (BaseVariableWidthVector) vector;
            loadBuffers();
            while (p >= capacity) {
                v.reallocValidityAndOffsetBuffers();
                loadBuffers();
            }
            long end = (long) dataEnd + n;
            if (dataCapacity < end) {
                v.reallocDataBuffer(end);
            }
        }
        loadBuffers();
        if (p >= capacity || dataEnd + (long) n > (kind == STRING || kind == BINARY ? dataCapacity : Long.MAX_VALUE)) {
            throw new IllegalStateException("Arrow did not grow " + vector.getField() + " to row " + p);
        }
    }

    private static void setBit(long address, int p) {
        long a = address + (p >>> 3);
        MemoryUtil.putByte(a, (byte) (MemoryUtil.getByte(a) | 1 << (p & 7)));
    }

    private static void clearBit(long address, int p) {
        long a = address + (p >>> 3);
        MemoryUtil.putByte(a, (byte) (MemoryUtil.getByte(a) & ~(1 << (p & 7))));
    }
}
