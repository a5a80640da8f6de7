package org.npyconv.converter.arrow;

import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Arrow's canonical {@code arrow.variable_shape_tensor}: tensors of one dimension count but any
 * shape, stored as {@code struct<data: list<value_type>, shape: fixed_size_list<int32>[ndim]>}
 * (row-major data). Metadata {@code {}}. Immutable; {@link #ensureRegistered()} is idempotent.
 */
public final class VariableShapeTensorType extends ArrowType.ExtensionType {
    public static final String EXTENSION_NAME = "arrow.variable_shape_tensor";

    private final ArrowType valueType;
    private final int ndim;

    public VariableShapeTensorType(ArrowType valueType, int ndim) {
        this.valueType = Objects.requireNonNull(valueType, "valueType");
        if (ndim < 0) {
            throw new IllegalArgumentException("negative ndim");
        }
        this.ndim = ndim;
    }

    public static void ensureRegistered() {
        if (ExtensionTypeRegistry.lookup(EXTENSION_NAME) == null) {
            ExtensionTypeRegistry.register(new VariableShapeTensorType(new ArrowType.Int(8, true), 0));
        }
    }

    public ArrowType valueType() {
        return valueType;
    }

    public int ndim() {
        return ndim;
    }

    @Override
    public ArrowType storageType() {
        return ArrowType.Struct.INSTANCE;
    }

    @Override
    public String extensionName() {
        return EXTENSION_NAME;
    }

    @Override
    public boolean extensionEquals(ArrowType.ExtensionType other) {
        return other instanceof VariableShapeTensorType
                && valueType.equals(((VariableShapeTensorType) other).valueType)
                && ndim == ((VariableShapeTensorType) other).ndim;
    }

    @Override
    public String serialize() {
        return "{}";
    }

    @Override
    public ArrowType deserialize(ArrowType storageType, String serializedData) {
        if (!(storageType instanceof ArrowType.Struct)) {
            throw new IllegalArgumentException(EXTENSION_NAME + " needs a struct storage, got " + storageType);
        }
        return new VariableShapeTensorType(new ArrowType.Int(8, true), 0);
    }

    @Override
    public FieldVector getNewVector(String name, FieldType fieldType, BufferAllocator allocator) {
        StructVector storage = new StructVector(name, allocator,
                new FieldType(fieldType.isNullable(), storageType(), null, fieldType.getMetadata()), null);
        return new TensorVector(new Field(name, fieldType, null), allocator, storage);
    }

    /**
     * The storage field: {@code struct<data: list<valueType>, shape: fixed_size_list<int32>[ndim]>},
     * every field nullable, as Arrow C++ builds it. A shape is never null, but declaring it
     * non-nullable made the Arrow schema disagree with the Parquet columns (which are optional):
     * Polars trusts the embedded Arrow schema and, skipping rows in a sliced read, mis-counted the
     * shape column's levels and returned the shapes of earlier rows (tools/check_polars.py).
     */
    public Field storageField(String name) {
        Field data = new Field("data", FieldType.nullable(ArrowType.List.INSTANCE),
                java.util.List.of(Field.nullable("item", valueType)));
        Field shape = new Field("shape", FieldType.nullable(new ArrowType.FixedSizeList(ndim)),
                java.util.List.of(Field.nullable("item", new ArrowType.Int(32, true))));
        return new Field(name, FieldType.nullable(storageType()), java.util.List.of(data, shape));
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), valueType, ndim);
    }
}
