package org.npyconv.converter.output;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The Parquet leaf types whose pages npyconv encodes itself ({@link BulkPageEncoder},
 * {@link LeafPageEncoder}): their physical layout in the Arrow vector and in a PLAIN page.
 * Unsigned ints and half floats are left to parquet-java's column writers (other orderings and
 * widenings).
 */
final class LeafKind {
    static final int DOUBLE = 0;
    static final int FLOAT = 1;
    static final int LONG = 2;
    static final int INT = 3;
    static final int SHORT = 4;
    static final int BYTE = 5;
    static final int BYTES = 6;

    private LeafKind() {}

    /** The kind of a leaf of Arrow type {@code t}, or -1 when the column writers keep it. */
    static int of(ArrowType t) {
        if (t instanceof ArrowType.Utf8 || t instanceof ArrowType.Binary) {
            return BYTES;
        }
        if (t instanceof ArrowType.FloatingPoint fp) {
            return fp.getPrecision() == FloatingPointPrecision.DOUBLE ? DOUBLE
                    : fp.getPrecision() == FloatingPointPrecision.SINGLE ? FLOAT : -1;
        }
        if (t instanceof ArrowType.Int i && i.getIsSigned()) {
            return switch (i.getBitWidth()) {
                case 64 -> LONG;
                case 32 -> INT;
                case 16 -> SHORT;
                case 8 -> BYTE;
                default -> -1;
            };
        }
        return -1;
    }
}
