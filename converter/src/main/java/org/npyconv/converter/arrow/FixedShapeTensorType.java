package org.npyconv.converter.arrow;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Arrow's canonical {@code arrow.fixed_shape_tensor} extension type: every value is a tensor of one
 * shape, stored row-major as a {@code fixed_size_list<value_type>[product(shape)]}. The metadata is
 * {@code {"shape":[d0,d1,...]}}, which pyarrow reads back as {@code pa.fixed_shape_tensor}.
 * Immutable; {@link #ensureRegistered()} is idempotent.
 */
public final class FixedShapeTensorType extends ArrowType.ExtensionType {
    public static final String EXTENSION_NAME = "arrow.fixed_shape_tensor";

    private final ArrowType valueType;
    private final long[] shape;

    public FixedShapeTensorType(ArrowType valueType, long[] shape) {
        this.valueType = Objects.requireNonNull(valueType, "valueType");
        this.shape = Objects.requireNonNull(shape, "shape").clone();
        for (long d : this.shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative tensor dimension");
            }
        }
    }

    /** Registers the type for IPC reading; safe to call many times. */
    public static void ensureRegistered() {
        if (ExtensionTypeRegistry.lookup(EXTENSION_NAME) == null) {
            ExtensionTypeRegistry.register(new FixedShapeTensorType(new ArrowType.Int(8, true), new long[] {0}));
        }
    }

    public ArrowType valueType() {
        return valueType;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Number of values per tensor: the product of the shape. */
    public int listSize() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }

    @Override
    public ArrowType storageType() {
        return new ArrowType.FixedSizeList(listSize());
    }

    @Override
    public String extensionName() {
        return EXTENSION_NAME;
    }

    @Override
    public boolean extensionEquals(ArrowType.ExtensionType other) {
        return other instanceof FixedShapeTensorType
                && valueType.equals(((FixedShapeTensorType) other).valueType)
                && Arrays.equals(shape, ((FixedShapeTensorType) other).shape);
    }

    @Override
    public String serialize() {
        return "{\"shape\":[" + Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",")) + "]}";
    }

    @Override
    public ArrowType deserialize(ArrowType storageType, String serializedData) {
        if (!(storageType instanceof ArrowType.FixedSizeList)) {
            throw new IllegalArgumentException(EXTENSION_NAME + " needs a fixed_size_list storage, got " + storageType);
        }
        String s = serializedData.replace(" ", "");
        int open = s.indexOf("\"shape\":[");
        if (open < 0) {
            throw new IllegalArgumentException(EXTENSION_NAME + " metadata has no shape: " + serializedData);
        }
        int close = s.indexOf(']', open);
        String body = s.substring(open + 9, close);
        long[] dims = body.isEmpty() ? new long[0] : Arrays.stream(body.split(",")).mapToLong(Long::parseLong).toArray();
        // The value type is the storage's child, which the caller holds; INT8 is a placeholder until getNewVector.
        FixedShapeTensorType t = new FixedShapeTensorType(new ArrowType.Int(8, true), dims);
        if (t.listSize() != ((ArrowType.FixedSizeList) storageType).getListSize()) {
            throw new IllegalArgumentException(EXTENSION_NAME + " shape " + Arrays.toString(dims)
                    + " does not match list size " + ((ArrowType.FixedSizeList) storageType).getListSize());
        }
        return t;
    }

    @Override
    public FieldVector getNewVector(String name, FieldType fieldType, BufferAllocator allocator) {
        FixedSizeListVector storage = new FixedSizeListVector(name, allocator,
                new FieldType(fieldType.isNullable(), storageType(), fieldType.getDictionary(), fieldType.getMetadata()), null);
        return new TensorVector(new Field(name, fieldType, null), allocator, storage);
    }

    /** The storage field: {@code fixed_size_list<item: valueType>}. */
    public Field storageField(String name) {
        return new Field(name, FieldType.nullable(storageType()),
                java.util.List.of(Field.nullable("item", valueType)));
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), valueType, Arrays.hashCode(shape));
    }
}
