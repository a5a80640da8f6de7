package org.npyconv.converter.output;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.Base64;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.npyconv.converter.arrow.FixedShapeTensorType;
import org.npyconv.converter.arrow.VariableShapeTensorType;
import org.npyconv.formats.UnsupportedInputException;

/**
 * The Parquet schema of an Arrow schema, as pyarrow writes it (3-level LISTs named
 * {@code list}/{@code element}, MAPs with {@code key_value}), and the {@code ARROW:schema}
 * key-value metadata that lets pyarrow restore the exact Arrow types.
 */
final class ParquetSchema {
    private ParquetSchema() {
    }

    static MessageType of(Schema schema) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (Field f : schema.getFields()) {
            b.addField(type(f, Type.Repetition.OPTIONAL));
        }
        return b.named("schema");
    }

    /** Base64 of the IPC-serialized schema message, as pyarrow writes and reads {@code ARROW:schema}. */
    static String arrowSchemaMetadata(Schema schema) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), schema, IpcOption.DEFAULT);
            return Base64.getEncoder().encodeToString(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Type type(Field f, Type.Repetition rep) {
        ArrowType t = f.getType();
        String name = f.getName();
        if (t instanceof FixedShapeTensorType) {
            return listOf(name, rep, ((FixedShapeTensorType) t).storageField(name).getChildren().get(0));
        }
        if (t instanceof VariableShapeTensorType) {
            Field storage = ((VariableShapeTensorType) t).storageField(name);
            return Types.buildGroup(rep)
                    .addField(type(storage.getChildren().get(0), Type.Repetition.OPTIONAL))
                    .addField(type(storage.getChildren().get(1), Type.Repetition.OPTIONAL))
                    .named(name);
        }
        if (t instanceof ArrowType.Map) {
            Field entries = f.getChildren().get(0);
            return Types.buildGroup(rep).as(LogicalTypeAnnotation.mapType())
                    .addField(Types.repeatedGroup()
                            .addField(type(entries.getChildren().get(0), Type.Repetition.REQUIRED))
                            .addField(type(entries.getChildren().get(1), Type.Repetition.OPTIONAL))
                            .named("key_value"))
                    .named(name);
        }
        if (t instanceof ArrowType.List || t instanceof ArrowType.FixedSizeList) {
            return listOf(name, rep, f.getChildren().get(0));
        }
        if (t instanceof ArrowType.Struct) {
            if (f.getChildren().isEmpty()) {
                throw new UnsupportedInputException("column " + name + " is a struct without fields (only empty dicts), "
                        + "which Parquet cannot store; write Arrow IPC or use --on-mixed json", null, -1, null);
            }
            Types.GroupBuilder<org.apache.parquet.schema.GroupType> g = Types.buildGroup(rep);
            for (Field c : f.getChildren()) {
                g.addField(type(c, Type.Repetition.OPTIONAL));
            }
            return g.named(name);
        }
        if (t instanceof ArrowType.Null) {
            return Types.primitive(PrimitiveTypeName.INT32, rep).as(LogicalTypeAnnotation.unknownType()).named(name);
        }
        if (t instanceof ArrowType.Bool) {
            return Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(name);
        }
        if (t instanceof ArrowType.Int) {
            ArrowType.Int i = (ArrowType.Int) t;
            PrimitiveTypeName p = i.getBitWidth() == 64 ? PrimitiveTypeName.INT64 : PrimitiveTypeName.INT32;
            return Types.primitive(p, rep).as(LogicalTypeAnnotation.intType(i.getBitWidth(), i.getIsSigned())).named(name);
        }
        if (t instanceof ArrowType.FloatingPoint) {
            FloatingPointPrecision p = ((ArrowType.FloatingPoint) t).getPrecision();
            if (p == FloatingPointPrecision.HALF) {
                return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep).length(2)
                        .as(LogicalTypeAnnotation.float16Type()).named(name);
            }
            return Types.primitive(p == FloatingPointPrecision.SINGLE ? PrimitiveTypeName.FLOAT : PrimitiveTypeName.DOUBLE, rep)
                    .named(name);
        }
        if (t instanceof ArrowType.Utf8) {
            return Types.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(name);
        }
        if (t instanceof ArrowType.Binary) {
            return Types.primitive(PrimitiveTypeName.BINARY, rep).named(name);
        }
        if (t instanceof ArrowType.Date) {
            return Types.primitive(PrimitiveTypeName.INT32, rep).as(LogicalTypeAnnotation.dateType()).named(name);
        }
        if (t instanceof ArrowType.Timestamp) {
            ArrowType.Timestamp ts = (ArrowType.Timestamp) t;
            return Types.primitive(PrimitiveTypeName.INT64, rep)
                    .as(LogicalTypeAnnotation.timestampType(ts.getTimezone() != null, parquetUnit(ts.getUnit())))
                    .named(name);
        }
        if (t instanceof ArrowType.Time) {
            return Types.primitive(PrimitiveTypeName.INT64, rep)
                    .as(LogicalTypeAnnotation.timeType(false, LogicalTypeAnnotation.TimeUnit.MICROS)).named(name);
        }
        if (t instanceof ArrowType.Duration) {
            return Types.primitive(PrimitiveTypeName.INT64, rep).named(name);
        }
        if (t instanceof ArrowType.Decimal) {
            ArrowType.Decimal d = (ArrowType.Decimal) t;
            return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep).length(d.getBitWidth() / 8)
                    .as(LogicalTypeAnnotation.decimalType(d.getScale(), d.getPrecision())).named(name);
        }
        throw new UnsupportedInputException("no Parquet mapping for Arrow type " + t, null, -1, null);
    }

    private static Type listOf(String name, Type.Repetition rep, Field item) {
        return Types.buildGroup(rep).as(LogicalTypeAnnotation.listType())
                .addField(Types.repeatedGroup().addField(type(new Field("element", item.getFieldType(), item.getChildren()),
                        Type.Repetition.OPTIONAL)).named("list"))
                .named(name);
    }

    /** Parquet has no seconds: a {@code timestamp[s]} column is written in milliseconds. */
    static LogicalTypeAnnotation.TimeUnit parquetUnit(TimeUnit unit) {
        switch (unit) {
            case NANOSECOND: return LogicalTypeAnnotation.TimeUnit.NANOS;
            case MICROSECOND: return LogicalTypeAnnotation.TimeUnit.MICROS;
            default: return LogicalTypeAnnotation.TimeUnit.MILLIS;
        }
    }
}
