package org.npyconv.converter.arrow;

import java.util.stream.Collectors;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/** A field's type as pyarrow prints it ({@code list<item: float>}, {@code timestamp[us, tz=UTC]}). */
public final class TypeText {
    private TypeText() {
    }

    public static String of(Field f) {
        ArrowType t = f.getType();
        if (t instanceof FixedShapeTensorType) {
            FixedShapeTensorType x = (FixedShapeTensorType) t;
            return "fixed_shape_tensor[value_type=" + of(f.getChildren().get(0)) + ", shape="
                    + java.util.Arrays.toString(x.shape()).replace(" ", "") + "]";
        }
        if (t instanceof VariableShapeTensorType) {
            return "variable_shape_tensor[value_type=" + of(f.getChildren().get(0).getChildren().get(0)) + ", ndim="
                    + ((VariableShapeTensorType) t).ndim() + "]";
        }
        if (t instanceof ArrowType.Null) {
            return "null";
        }
        if (t instanceof ArrowType.Bool) {
            return "bool";
        }
        if (t instanceof ArrowType.Int) {
            ArrowType.Int i = (ArrowType.Int) t;
            return (i.getIsSigned() ? "int" : "uint") + i.getBitWidth();
        }
        if (t instanceof ArrowType.FloatingPoint) {
            FloatingPointPrecision p = ((ArrowType.FloatingPoint) t).getPrecision();
            return p == FloatingPointPrecision.HALF ? "halffloat" : p == FloatingPointPrecision.SINGLE ? "float" : "double";
        }
        if (t instanceof ArrowType.Utf8) {
            return "string";
        }
        if (t instanceof ArrowType.Binary) {
            return "binary";
        }
        if (t instanceof ArrowType.Date) {
            return "date32[day]";
        }
        if (t instanceof ArrowType.Timestamp) {
            ArrowType.Timestamp ts = (ArrowType.Timestamp) t;
            return "timestamp[" + unit(ts.getUnit()) + (ts.getTimezone() == null ? "" : ", tz=" + ts.getTimezone()) + "]";
        }
        if (t instanceof ArrowType.Time) {
            return "time64[" + unit(((ArrowType.Time) t).getUnit()) + "]";
        }
        if (t instanceof ArrowType.Duration) {
            return "duration[" + unit(((ArrowType.Duration) t).getUnit()) + "]";
        }
        if (t instanceof ArrowType.Decimal) {
            ArrowType.Decimal d = (ArrowType.Decimal) t;
            return "decimal" + d.getBitWidth() + "(" + d.getPrecision() + ", " + d.getScale() + ")";
        }
        if (t instanceof ArrowType.Map) {
            Field entries = f.getChildren().get(0);
            return "map<" + of(entries.getChildren().get(0)) + ", " + of(entries.getChildren().get(1)) + ">";
        }
        if (t instanceof ArrowType.FixedSizeList) {
            return "fixed_size_list<item: " + of(f.getChildren().get(0)) + ">[" + ((ArrowType.FixedSizeList) t).getListSize() + "]";
        }
        if (t instanceof ArrowType.List) {
            return "list<item: " + of(f.getChildren().get(0)) + ">";
        }
        if (t instanceof ArrowType.Struct) {
            return "struct<" + f.getChildren().stream().map(c -> c.getName() + ": " + of(c)).collect(Collectors.joining(", ")) + ">";
        }
        return t.toString();
    }

    private static String unit(org.apache.arrow.vector.types.TimeUnit u) {
        switch (u) {
            case SECOND: return "s";
            case MILLISECOND: return "ms";
            case MICROSECOND: return "us";
            default: return "ns";
        }
    }
}
