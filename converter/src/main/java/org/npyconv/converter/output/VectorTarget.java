package org.npyconv.converter.output;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.npyconv.converter.arrow.ValueWriter;

/**
 * One position of a column's Arrow type that {@link TypedSpans} decodes pickle opcodes straight
 * into: the vector, what kind of Python value fits it, and for a struct the field names as UTF-8
 * (dict keys are compared byte for byte, without building a String). Nulls are written by the
 * general {@link ValueWriter}, so a null (and a missing struct field) leaves exactly the bytes the
 * general path leaves. One tree per chunk, rebuilt when a chunk's vectors are replaced.
 */
final class VectorTarget {
    /** What a position holds. Only Python values whose type joins to exactly this kind are accepted. */
    enum Kind { STRUCT, LIST, STRING, BINARY, INT64, FLOAT64, BOOL, NULL }

    /** Struct fields are tracked in a 64-bit mask while a dict is decoded. */
    static final int MAX_FIELDS = 64;

    final Kind kind;
    final FieldVector vector;
    final VectorTarget[] children;
    /** A struct's field names in UTF-8, in field order. */
    final byte[][] names;
    /** Per struct field, the memo index of a str known to be its name (-1: none yet). */
    private final long[] keyMemo;
    private final ValueWriter nulls;

    private VectorTarget(Kind kind, FieldVector vector, VectorTarget[] children, byte[][] names) {
        this.kind = kind;
        this.vector = vector;
        this.children = children;
        this.names = names;
        this.keyMemo = new long[names == null ? 0 : names.length];
        java.util.Arrays.fill(keyMemo, -1);
        this.nulls = ValueWriter.of(vector);
    }

    /** The tree for {@code vector}; call only when {@link #supports} said yes for its field. */
    static VectorTarget of(FieldVector vector) {
        Kind kind = kindOf(vector.getField());
        VectorTarget[] children = new VectorTarget[0];
        byte[][] names = null;
        if (kind == Kind.STRUCT) {
            List<FieldVector> kids = ((StructVector) vector).getChildrenFromFields();
            children = new VectorTarget[kids.size()];
            names = new byte[kids.size()][];
            for (int i = 0; i < children.length; i++) {
                children[i] = of(kids.get(i));
                names[i] = kids.get(i).getName().getBytes(StandardCharsets.UTF_8);
            }
        } else if (kind == Kind.LIST) {
            children = new VectorTarget[] {of(((ListVector) vector).getDataVector())};
        }
        return new VectorTarget(kind, vector, children, names);
    }

    /**
     * Whether every position of {@code field} is a kind the decoder knows: structs (plain dicts, not
     * the complex mapping, at most {@value #MAX_FIELDS} fields), lists, string, binary, int64,
     * double, bool and null. Maps, tensors, decimals, narrower numbers and dates are left to the
     * general evaluator.
     */
    static boolean supports(Field field) {
        Kind kind = kindOf(field);
        if (kind == null) {
            return false;
        }
        if (kind == Kind.STRUCT && field.getChildren().size() > MAX_FIELDS) {
            return false;
        }
        for (Field child : field.getChildren()) {
            if (!supports(child)) {
                return false;
            }
        }
        return true;
    }

    private static Kind kindOf(Field field) {
        ArrowType t = field.getType();
        if (t instanceof ArrowType.ExtensionType) {
            return null;
        }
        if (t instanceof ArrowType.Struct) {
            Map<String, String> meta = field.getMetadata();
            return meta != null && meta.containsKey("npyconv.type") ? null : Kind.STRUCT;
        }
        if (t instanceof ArrowType.List) {
            return Kind.LIST;
        }
        if (t instanceof ArrowType.Utf8) {
            return Kind.STRING;
        }
        if (t instanceof ArrowType.Binary) {
            return Kind.BINARY;
        }
        if (t instanceof ArrowType.Int) {
            ArrowType.Int i = (ArrowType.Int) t;
            return i.getBitWidth() == 64 && i.getIsSigned() ? Kind.INT64 : null;
        }
        if (t instanceof ArrowType.FloatingPoint) {
            return ((ArrowType.FloatingPoint) t).getPrecision() == FloatingPointPrecision.DOUBLE ? Kind.FLOAT64 : null;
        }
        if (t instanceof ArrowType.Bool) {
            return Kind.BOOL;
        }
        if (t instanceof ArrowType.Null) {
            return Kind.NULL;
        }
        return null;
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

    void writeNull(int row) {
        nulls.write(row, null);
    }

    void writeLong(int row, long v) {
        VarWidthAppend.setWord((BigIntVector) vector, row, v);
    }

    /** The float64 whose IEEE 754 bits are {@code bits} (a pickle's BINFLOAT, NaN payloads kept). */
    void writeDoubleBits(int row, long bits) {
        VarWidthAppend.setWord((Float8Vector) vector, row, bits);
    }

    void writeBool(int row, boolean v) {
        ((BitVector) vector).setSafe(row, v ? 1 : 0);
    }

    void writeBytes(int row, byte[] b, int at, int n) {
        VarWidthAppend.set((BaseVariableWidthVector) vector, row, b, at, n);
    }

    void defineStruct(int row) {
        ((StructVector) vector).setIndexDefined(row);
    }

    /** Starts the list at {@code row}; returns the child index of its first item. */
    int startList(int row) {
        return ((ListVector) vector).startNewValue(row);
    }

    void endList(int row, int items) {
        ((ListVector) vector).endValue(row, items);
    }
}
