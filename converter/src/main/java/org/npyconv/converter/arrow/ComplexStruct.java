package org.npyconv.converter.arrow;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Complex numbers as {@code struct<real: T, imag: T>} (pyarrow has no complex type); T is double for
 * Python complex and complex128, float for complex64. The field carries metadata
 * {@code npyconv.type=complex}.
 */
final class ComplexStruct {
    static final ArrowType TYPE_MARKER = new Marker(new ArrowType.FloatingPoint(
            org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE));

    private ComplexStruct() {
    }

    /** A placeholder type that {@link TypeInferrer} turns into the struct field. */
    static final class Marker extends ArrowType.Struct {
        final ArrowType part;

        Marker(ArrowType part) {
            this.part = part;
        }
    }

    static Field field(String name, ArrowType part) {
        return new Field(name, new FieldType(true, ArrowType.Struct.INSTANCE, null,
                java.util.Map.of("npyconv.type", "complex")),
                List.of(Field.nullable("real", part), Field.nullable("imag", part)));
    }
}
