package org.npyconv.converter.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Our copy of Arrow's {@code Schema} (Jackson's mapper made lazily, docs/startup.md) is the one
 * loaded, and its JSON methods still work as Arrow's do.
 */
class ArrowSchemaPatchTest {
    @Test
    void thePatchedSchemaIsTheOneLoaded() {
        assertEquals(ChunkedOutput.class.getProtectionDomain().getCodeSource().getLocation(),
                Schema.class.getProtectionDomain().getCodeSource().getLocation());
        assertTrue(Arrays.stream(Schema.class.getDeclaredClasses()).anyMatch(c -> c.getSimpleName().equals("Json")));
    }

    @Test
    void jsonRoundTripsAsArrowsOwn() throws Exception {
        Field item = new Field("item", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), null);
        Field list = new Field("value", FieldType.nullable(new ArrowType.List()), List.of(item));
        Field struct = new Field("s", FieldType.notNullable(new ArrowType.Struct()), List.of(
                new Field("a", FieldType.nullable(new ArrowType.Utf8()), null),
                new Field("b", FieldType.nullable(new ArrowType.Int(64, true)), null)));
        Schema schema = new Schema(List.of(list, struct), Map.of("npy.shape", "[3]", "npy.descr", "|O"));
        String json = schema.toJson();
        assertTrue(json.contains("\"npy.shape\""), json);
        assertEquals(schema, Schema.fromJSON(json));
    }
}
