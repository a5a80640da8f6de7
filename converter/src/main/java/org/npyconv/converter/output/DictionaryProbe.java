package org.npyconv.converter.output;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;

/**
 * Whether a dictionary would pay for a leaf column of a chunk, decided before parquet-java's column
 * writers see it. They (like pyarrow) start every column chunk with a dictionary and drop it after
 * the first page when it does not make the page smaller; until then every value goes through a hash
 * map and a per-value fallback check, a tenth of the CPU of a chunk of unique names and random
 * numbers. The same test on the leaf's first {@value #WINDOW} values (dictionary entries plus ids
 * of the distinct count's bit width against the PLAIN size) turns the dictionary off for columns
 * that would drop it anyway. Only ints, floats and strings are judged; any other leaf keeps the
 * writers' own decision. Depends only on the chunk's values.
 */
final class DictionaryProbe {
    /** parquet-java's page row count limit: about its first page. */
    static final int WINDOW = 20_000;

    private DictionaryProbe() {
    }

    /** The Arrow vectors holding the values of each Parquet leaf column, in schema order. */
    static List<FieldVector> leaves(List<FieldVector> columns) {
        List<FieldVector> out = new ArrayList<>();
        for (FieldVector v : columns) {
            addLeaves(v, out);
        }
        return out;
    }

    private static void addLeaves(FieldVector vector, List<FieldVector> out) {
        FieldVector v = vector instanceof ExtensionTypeVector<?> e ? (FieldVector) e.getUnderlyingVector() : vector;
        if (v instanceof MapVector m) {
            StructVector entries = (StructVector) m.getDataVector();
            addLeaves((FieldVector) entries.getChildByOrdinal(0), out);
            addLeaves((FieldVector) entries.getChildByOrdinal(1), out);
        } else if (v instanceof ListVector l) {
            addLeaves(l.getDataVector(), out);
        } else if (v instanceof FixedSizeListVector l) {
            addLeaves(l.getDataVector(), out);
        } else if (v instanceof StructVector s) {
            for (FieldVector c : s.getChildrenFromFields()) {
                addLeaves(c, out);
            }
        } else {
            out.add(v);
        }
    }

    /** False when the first values of {@code leaf} show that parquet-java would drop its dictionary. */
    static boolean mayPay(FieldVector leaf) {
        int width;
        if (leaf instanceof VarCharVector || leaf instanceof VarBinaryVector) {
            width = 0;
        } else if (leaf instanceof BigIntVector || leaf instanceof Float8Vector) {
            width = 8;
        } else if (leaf instanceof IntVector || leaf instanceof Float4Vector || leaf instanceof SmallIntVector
                || leaf instanceof TinyIntVector) {
            width = ((BaseFixedWidthVector) leaf).getTypeWidth();
        } else {
            return true;
        }
        int n = Math.min(leaf.getValueCount(), WINDOW);
        boolean nulls = leaf.getNullCount() > 0;
        int capacity = Integer.highestOneBit(Math.max(16, n * 2 - 1)) << 1;
        int[] table = new int[capacity];
        ArrowBuf data = leaf.getDataBuffer();
        ArrowBuf offsets = width == 0 ? ((BaseVariableWidthVector) leaf).getOffsetBuffer() : null;
        int plainWidth = Math.max(4, width);
        long plain = 0;
        long dictionary = 0;
        int count = 0;
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (nulls && leaf.isNull(i)) {
                continue;
            }
            count++;
            long start = width == 0 ? offsets.getInt((long) i * 4) : (long) i * width;
            int len = width == 0 ? offsets.getInt((long) (i + 1) * 4) - (int) start : width;
            plain += width == 0 ? 4 + len : plainWidth;
            int h = hash(data, start, len) & (capacity - 1);
            while (true) {
                int other = table[h] - 1;
                if (other < 0) {
                    table[h] = i + 1;
                    distinct++;
                    dictionary += width == 0 ? 4 + len : plainWidth;
                    break;
                }
                long os = width == 0 ? offsets.getInt((long) other * 4) : (long) other * width;
                int olen = width == 0 ? offsets.getInt((long) (other + 1) * 4) - (int) os : width;
                if (olen == len && same(data, start, os, len)) {
                    break;
                }
                h = (h + 1) & (capacity - 1);
            }
        }
        if (count == 0) {
            return true;
        }
        int idBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, distinct - 1));
        return dictionary + ((long) count * idBits + 7) / 8 < plain;
    }

    private static int hash(ArrowBuf data, long start, int len) {
        int h = 1;
        int k = 0;
        for (; k + 8 <= len; k += 8) {
            long x = data.getLong(start + k);
            h = 31 * h + (int) (x ^ (x >>> 32));
        }
        for (; k < len; k++) {
            h = 31 * h + data.getByte(start + k);
        }
        return h ^ (h >>> 16) * 0x45d9f3b;
    }

    private static boolean same(ArrowBuf data, long a, long b, int len) {
        int k = 0;
        for (; k + 8 <= len; k += 8) {
            if (data.getLong(a + k) != data.getLong(b + k)) {
                return false;
            }
        }
        for (; k < len; k++) {
            if (data.getByte(a + k) != data.getByte(b + k)) {
                return false;
            }
        }
        return true;
    }
}
