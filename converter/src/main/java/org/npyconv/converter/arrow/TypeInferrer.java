package org.npyconv.converter.arrow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.npyconv.formats.element.NdArray;
import org.npyconv.formats.element.NumpyDtype;
import org.npyconv.formats.element.NumpyScalar;
import org.npyconv.formats.element.PyByteArray;
import org.npyconv.formats.element.PyComplex;
import org.npyconv.formats.element.PyTuple;
import org.npyconv.formats.element.SpecialDecimal;

/**
 * Infers the Arrow type of a column from every element (never a sample), following pyarrow's
 * {@code pa.array(objects)} inference where it succeeds and docs/converter.md's mapping where it
 * refuses. Push-style: {@link #accept} each element in order, then {@link #field}.
 *
 * <p>Memory is bounded by the type's structure (one node per distinct nested position, one per
 * distinct dict key), not by the element count. Not thread-safe.
 */
public final class TypeInferrer {
    /** What a value is, for inference. Order: the order kinds are named in messages. */
    enum Kind {
        NONE("None"), BOOL("bool"), INT("int"), FLOAT("float"), STR("str"), BYTES("bytes"), DATE("date"),
        DATETIME("datetime"), TIME("time"), DURATION("timedelta"), DECIMAL("Decimal"), COMPLEX("complex"),
        NUMPY("numpy scalar"), LIST("list"), STRUCT("dict"), TENSOR("n-d ndarray"), OTHER("unsupported value");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger DECIMAL38 = BigInteger.TEN.pow(38);

    private final Slot root = new Slot();
    private long count;

    /** Observes element {@code position} (flat C order). */
    public void accept(Object element, long position) {
        root.accept(element, position);
        count++;
    }

    /** Elements observed so far. */
    public long count() {
        return count;
    }

    /**
     * The column's field.
     *
     * @throws MixedTypesException when the elements have no common type (with kinds and positions)
     */
    public Field field(String name) {
        return root.toField(name, name);
    }

    /** One position in the type tree: the top-level column, a list's items, a dict field's values. */
    static final class Slot {
        final EnumMap<Kind, Long> first = new EnumMap<>(Kind.class);
        String otherLabel;
        String otherDetail;
        // INT
        boolean bigInt;
        boolean beyondDecimal;
        long beyondDecimalAt = -1;
        // DECIMAL (ints observed alongside count too)
        int maxLeftDigits;
        int maxScale;
        boolean decimalSeen;
        // DATETIME
        boolean tzKnown;
        String tz;
        // NUMPY scalars (and 1-D ndarray items)
        NumpyDtype np;
        String npConflict;
        long npConflictAt = -1;
        // LIST
        Slot items;
        boolean listOnlyArrays = true;
        // STRUCT / MAP
        LinkedHashMap<String, Slot> fields;
        boolean nonStrKeys;
        long nonStrKeyAt = -1;
        Slot mapKeys;
        Slot mapValues;
        // TENSOR
        NumpyDtype tensorDtype;
        long[] tensorShape;
        boolean sameShape = true;
        int tensorNdim = -1;
        String tensorConflict;
        long tensorConflictAt = -1;

        private void see(Kind k, long position) {
            first.putIfAbsent(k, position);
        }

        void accept(Object v, long position) {
            if (v == null) {
                see(Kind.NONE, position);
            } else if (v instanceof Boolean) {
                see(Kind.BOOL, position);
            } else if (v instanceof Long || v instanceof Integer) {
                see(Kind.INT, position);
                decimal(decimalDigits(((Number) v).longValue()), 0);
            } else if (v instanceof BigInteger) {
                see(Kind.INT, position);
                BigInteger b = (BigInteger) v;
                if (b.compareTo(LONG_MIN) < 0 || b.compareTo(LONG_MAX) > 0) {
                    bigInt = true;
                    if (b.abs().compareTo(DECIMAL38) >= 0 && !beyondDecimal) {
                        beyondDecimal = true;
                        beyondDecimalAt = position;
                    }
                }
                intDigits(b);
            } else if (v instanceof Double || v instanceof Float) {
                see(Kind.FLOAT, position);
            } else if (v instanceof String) {
                String s = (String) v;
                if (hasLoneSurrogate(s)) {
                    other("str with a lone surrogate (not valid UTF-8)", position);
                } else {
                    see(Kind.STR, position);
                }
            } else if (v instanceof byte[] || v instanceof PyByteArray) {
                see(Kind.BYTES, position);
            } else if (v instanceof LocalDate) {
                see(Kind.DATE, position);
            } else if (v instanceof LocalDateTime || v instanceof OffsetDateTime) {
                see(Kind.DATETIME, position);
                if (!tzKnown) {
                    tzKnown = true;
                    tz = v instanceof OffsetDateTime ? tzName(((OffsetDateTime) v).getOffset()) : null;
                }
            } else if (v instanceof LocalTime) {
                see(Kind.TIME, position);
            } else if (v instanceof Duration) {
                see(Kind.DURATION, position);
            } else if (v instanceof BigDecimal || v instanceof SpecialDecimal && ValueWriter.finiteDecimal(v) != null) {
                see(Kind.DECIMAL, position);
                BigDecimal d = ValueWriter.finiteDecimal(v);
                int precision = d.precision();
                int scale = d.scale();
                int p;
                int s;
                if (scale > 0) {
                    p = Math.max(precision, scale);
                    s = scale;
                } else {
                    p = precision - scale;
                    s = 0;
                }
                decimal(p - s, s);
            } else if (v instanceof PyComplex) {
                see(Kind.COMPLEX, position);
            } else if (v instanceof NumpyScalar) {
                NumpyDtype dt = ((NumpyScalar) v).dtype();
                if (dt.isStructured() || dt.kind() == 'V') {
                    other("structured numpy scalar", position);
                } else {
                    see(Kind.NUMPY, position);
                    numpy(dt, position);
                }
            } else if (v instanceof NdArray) {
                NdArray a = (NdArray) v;
                if (a.ndim() == 1) {
                    list(position).acceptArrayItems(a, position);
                } else if (a.isObjectArray() || a.dtype().isStructured()) {
                    other("n-d object or structured ndarray", position);
                } else {
                    see(Kind.TENSOR, position);
                    tensor(a, position);
                }
            } else if (v instanceof List || v instanceof PyTuple || v instanceof Collection) {
                Slot child = list(position);
                listOnlyArrays = false;
                Iterable<?> it = v instanceof PyTuple ? ((PyTuple) v).items() : (Iterable<?>) v;
                for (Object item : it) {
                    child.accept(item, position);
                }
            } else if (v instanceof Map) {
                see(Kind.STRUCT, position);
                if (fields == null) {
                    fields = new LinkedHashMap<>();
                    mapKeys = new Slot();
                    mapValues = new Slot();
                }
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    Object key = e.getKey();
                    String name = key instanceof String ? (String) key
                            : key instanceof byte[] ? new String((byte[]) key, StandardCharsets.UTF_8) : null;
                    if (name == null) {
                        if (!nonStrKeys) {
                            nonStrKeys = true;
                            nonStrKeyAt = position;
                        }
                    } else {
                        fields.computeIfAbsent(name, n -> new Slot()).accept(e.getValue(), position);
                    }
                    mapKeys.accept(key, position);
                    mapValues.accept(e.getValue(), position);
                }
            } else {
                other(v instanceof SpecialDecimal ? "Decimal('" + ((SpecialDecimal) v).text() + "')"
                        : v.getClass().getSimpleName().startsWith("Py") ? describe(v) : v.getClass().getName(), position);
            }
        }

        private static String describe(Object v) {
            String text = String.valueOf(v);
            return v.getClass().getSimpleName() + (text.length() > 60 ? "" : " " + text);
        }

        private void other(String label, long position) {
            if (!first.containsKey(Kind.OTHER)) {
                otherLabel = label;
            }
            see(Kind.OTHER, position);
        }

        private Slot list(long position) {
            see(Kind.LIST, position);
            if (items == null) {
                items = new Slot();
            }
            return items;
        }

        private void acceptArrayItems(NdArray a, long position) {
            if (a.isObjectArray()) {
                for (Object o : a.objects()) {
                    accept(o, position);
                }
            } else if (a.dtype().isStructured() || a.dtype().kind() == 'V') {
                other("structured ndarray", position);
            } else {
                see(Kind.NUMPY, position);
                numpy(a.dtype(), position);
            }
        }

        /** Decimal digits of |v| (1 for 0), without building a BigInteger or a String. */
        private static int decimalDigits(long v) {
            if (v == Long.MIN_VALUE) {
                return 19;
            }
            long a = Math.abs(v);
            int digits = 1;
            for (long p = 10; digits < 19 && a >= p; p *= 10) {
                digits++;
            }
            return digits;
        }

        private void intDigits(BigInteger b) {
            decimal(b.signum() == 0 ? 1 : b.abs().toString().length(), 0);
            decimalSeen |= false;
        }

        private void decimal(int left, int scale) {
            maxLeftDigits = Math.max(maxLeftDigits, left);
            maxScale = Math.max(maxScale, scale);
        }

        private void numpy(NumpyDtype dt, long position) {
            if (np == null) {
                np = dt;
                return;
            }
            NumpyDtype u = unify(np, dt);
            if (u == null) {
                if (npConflict == null) {
                    npConflict = "numpy " + np.name() + " and " + dt.name();
                    npConflictAt = position;
                }
            } else {
                np = u;
            }
        }

        private void tensor(NdArray a, long position) {
            long[] shape = a.shape();
            if (tensorDtype == null) {
                tensorDtype = a.dtype();
                tensorShape = shape;
                tensorNdim = shape.length;
                return;
            }
            NumpyDtype u = unify(tensorDtype, a.dtype());
            if (u == null || shape.length != tensorNdim) {
                if (tensorConflict == null) {
                    tensorConflict = u == null ? "tensors of " + tensorDtype.name() + " and " + a.dtype().name()
                            : "tensors of " + tensorNdim + " and " + shape.length + " dimensions";
                    tensorConflictAt = position;
                }
                return;
            }
            tensorDtype = u;
            if (!java.util.Arrays.equals(shape, tensorShape)) {
                sameShape = false;
            }
        }

        // ---- resolution ------------------------------------------------------------------

        Field toField(String name, String path) {
            EnumMap<Kind, Long> present = new EnumMap<>(first);
            present.remove(Kind.NONE);
            if (present.containsKey(Kind.OTHER)) {
                throw new MixedTypesException("column " + path + " holds " + otherLabel + " (first at element "
                        + present.get(Kind.OTHER) + "), which has no Arrow mapping");
            }
            if (present.isEmpty()) {
                return Field.nullable(name, ArrowType.Null.INSTANCE);
            }
            if (present.containsKey(Kind.TENSOR) && present.containsKey(Kind.LIST) && listOnlyArrays) {
                throw mixed(path, "1-d ndarray", present.get(Kind.LIST), "n-d ndarray", present.get(Kind.TENSOR));
            }
            boolean container = present.containsKey(Kind.LIST) || present.containsKey(Kind.STRUCT)
                    || present.containsKey(Kind.TENSOR);
            if (container && present.size() > 1) {
                List<Kind> kinds = new ArrayList<>(present.keySet());
                kinds.sort((a, b) -> Long.compare(present.get(a), present.get(b)));
                throw mixed(path, kinds.get(0), present.get(kinds.get(0)), kinds.get(1), present.get(kinds.get(1)));
            }
            if (present.containsKey(Kind.LIST)) {
                Field item = items.toField("item", path + "[]");
                return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(item));
            }
            if (present.containsKey(Kind.STRUCT)) {
                if (nonStrKeys) {
                    Field key = mapKeys.toField("key", path + "{key}");
                    if (key.getType() instanceof ArrowType.Null) {
                        throw new MixedTypesException("column " + path + " has dicts whose only keys are None");
                    }
                    key = new Field("key", FieldType.notNullable(key.getType()), key.getChildren());
                    Field value = mapValues.toField("value", path + "{value}");
                    Field entries = new Field("entries", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(key, value));
                    return new Field(name, FieldType.nullable(new ArrowType.Map(false)), List.of(entries));
                }
                List<Field> children = new ArrayList<>();
                for (Map.Entry<String, Slot> e : fields.entrySet()) {
                    children.add(e.getValue().toField(e.getKey(), path + "." + e.getKey()));
                }
                return new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), children);
            }
            if (present.containsKey(Kind.TENSOR)) {
                if (tensorConflict != null) {
                    throw new MixedTypesException("column " + path + " mixes " + tensorConflict
                            + " (first conflict at element " + tensorConflictAt + ")");
                }
                ArrowType valueType = numpyType(tensorDtype, path);
                if (valueType instanceof ComplexStruct.Marker || valueType instanceof ArrowType.Utf8
                        || valueType instanceof ArrowType.Binary) {
                    throw new MixedTypesException("column " + path + " holds n-d ndarrays of " + tensorDtype.name()
                            + " (first at element " + present.get(Kind.TENSOR) + "); tensors need numeric items");
                }
                ArrowType.ExtensionType ext = sameShape ? new FixedShapeTensorType(valueType, tensorShape)
                        : new VariableShapeTensorType(valueType, tensorNdim);
                Field storage = sameShape ? ((FixedShapeTensorType) ext).storageField(name)
                        : ((VariableShapeTensorType) ext).storageField(name);
                return new Field(name, FieldType.nullable(ext), storage.getChildren());
            }
            return scalarField(name, path, present);
        }

        private Field scalarField(String name, String path, EnumMap<Kind, Long> present) {
            if (present.containsKey(Kind.NUMPY)) {
                if (npConflict != null) {
                    throw new MixedTypesException("column " + path + " mixes " + npConflict
                            + " (first conflict at element " + npConflictAt + ")");
                }
                if (present.size() == 1) {
                    return typed(name, numpyType(np, path));
                }
                Kind as = pythonKindOf(np);
                if (as == null) {
                    Kind otherKind = present.keySet().stream().filter(k -> k != Kind.NUMPY).findFirst().orElseThrow();
                    throw mixed(path, "numpy " + np.name(), present.get(Kind.NUMPY), otherKind.label, present.get(otherKind));
                }
                long at = present.remove(Kind.NUMPY);
                present.merge(as, at, Math::min);
                if (as == Kind.INT) {
                    decimal(np.kind() == 'u' && np.itemSize() == 8 ? 20 : 19, 0);
                    if (np.kind() == 'u' && np.itemSize() == 8) {
                        bigInt = true;
                    }
                }
            }
            if (present.size() == 1) {
                Kind k = present.keySet().iterator().next();
                return typed(name, single(k, path));
            }
            if (present.size() == 2) {
                if (present.containsKey(Kind.INT) && present.containsKey(Kind.FLOAT)) {
                    return typed(name, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
                }
                if (present.containsKey(Kind.STR) && present.containsKey(Kind.BYTES)) {
                    return typed(name, ArrowType.Binary.INSTANCE);
                }
                if (present.containsKey(Kind.INT) && present.containsKey(Kind.DECIMAL)) {
                    return typed(name, decimalType(path));
                }
            }
            List<Kind> kinds = new ArrayList<>(present.keySet());
            kinds.sort((a, b) -> Long.compare(present.get(a), present.get(b)));
            throw mixed(path, kinds.get(0), present.get(kinds.get(0)), kinds.get(1), present.get(kinds.get(1)));
        }

        private static Kind pythonKindOf(NumpyDtype dt) {
            switch (dt.kind()) {
                case 'b': case 'i': case 'u': return Kind.INT;
                case 'f': return Kind.FLOAT;
                case 'U': return Kind.STR;
                case 'S': return Kind.BYTES;
                case 'c': return Kind.COMPLEX;
                default: return null;
            }
        }

        private ArrowType single(Kind k, String path) {
            switch (k) {
                case BOOL: return ArrowType.Bool.INSTANCE;
                case INT:
                    if (!bigInt) {
                        return new ArrowType.Int(64, true);
                    }
                    if (beyondDecimal) {
                        throw new MixedTypesException("column " + path + " holds ints of 38 or more digits (first at element "
                                + beyondDecimalAt + "), beyond decimal128(38, 0)");
                    }
                    return new ArrowType.Decimal(38, 0, 128);
                case FLOAT: return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
                case STR: return ArrowType.Utf8.INSTANCE;
                case BYTES: return ArrowType.Binary.INSTANCE;
                case DATE: return new ArrowType.Date(DateUnit.DAY);
                case DATETIME: return new ArrowType.Timestamp(TimeUnit.MICROSECOND, tz);
                case TIME: return new ArrowType.Time(TimeUnit.MICROSECOND, 64);
                case DURATION: return new ArrowType.Duration(TimeUnit.MICROSECOND);
                case DECIMAL: return decimalType(path);
                case COMPLEX: return ComplexStruct.TYPE_MARKER;
                default: throw new IllegalStateException(k.name());
            }
        }

        private ArrowType decimalType(String path) {
            int precision = Math.max(1, maxLeftDigits + maxScale);
            if (precision > 76) {
                throw new MixedTypesException("column " + path + " needs decimal precision " + precision + " (beyond 76)");
            }
            return new ArrowType.Decimal(precision, maxScale, precision > 38 ? 256 : 128);
        }

        private static Field typed(String name, ArrowType type) {
            if (type == ComplexStruct.TYPE_MARKER) {
                return ComplexStruct.field(name, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
            }
            if (type instanceof ComplexStruct.Marker) {
                return ComplexStruct.field(name, ((ComplexStruct.Marker) type).part);
            }
            return Field.nullable(name, type);
        }

        private static MixedTypesException mixed(String path, Kind a, long atA, Kind b, long atB) {
            return mixed(path, a.label, atA, b.label, atB);
        }

        private static MixedTypesException mixed(String path, String a, long atA, String b, long atB) {
            return new MixedTypesException("column " + path + " mixes " + a + " (first at element " + atA + ") and "
                    + b + " (first at element " + atB + "); use --on-mixed json to keep such columns as JSON text");
        }
    }

    /** pyarrow's tz string for a fixed offset: {@code UTC} for zero, else {@code +HH:MM}. */
    static String tzName(ZoneOffset offset) {
        if (offset.getTotalSeconds() == 0) {
            return "UTC";
        }
        String id = offset.getId();
        return id.length() > 6 ? id.substring(0, 6) : id;
    }

    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * pyarrow's NumPy dtype unification, made order-independent: same dtype; ints of one signedness
     * widen; int with float gives the float (float64 for ints of 4 or 8 bytes); floats widen;
     * complex widen. {@code null} when they do not unify.
     */
    static NumpyDtype unify(NumpyDtype a, NumpyDtype b) {
        if (a.str().equals(b.str())) {
            return a;
        }
        char ka = a.kind();
        char kb = b.kind();
        boolean intA = ka == 'i' || ka == 'u';
        boolean intB = kb == 'i' || kb == 'u';
        if (intA && intB) {
            return ka == kb ? (a.itemSize() >= b.itemSize() ? a : b) : null;
        }
        if (intA && kb == 'f' || ka == 'f' && intB) {
            NumpyDtype f = ka == 'f' ? a : b;
            NumpyDtype i = ka == 'f' ? b : a;
            return i.itemSize() >= 4 && f.itemSize() < 8 && ka != 'f' ? NumpyDtype.parse("<f8") : f;
        }
        if (ka == kb && (ka == 'f' || ka == 'c')) {
            return a.itemSize() >= b.itemSize() ? a : b;
        }
        if (ka == kb && (ka == 'U' || ka == 'S')) {
            return a.itemSize() >= b.itemSize() ? a : b;
        }
        if (ka == kb && (ka == 'M' || ka == 'm') && a.unit().equals(b.unit()) && a.unitCount() == b.unitCount()) {
            return a;
        }
        return null;
    }

    /** The Arrow type of a NumPy dtype's items. */
    static ArrowType numpyType(NumpyDtype dt, String path) {
        switch (dt.kind()) {
            case 'b': return ArrowType.Bool.INSTANCE;
            case 'i': return new ArrowType.Int(dt.itemSize() * 8, true);
            case 'u': return new ArrowType.Int(dt.itemSize() * 8, false);
            case 'f':
                return new ArrowType.FloatingPoint(dt.itemSize() == 2 ? FloatingPointPrecision.HALF
                        : dt.itemSize() == 4 ? FloatingPointPrecision.SINGLE : FloatingPointPrecision.DOUBLE);
            case 'U': return ArrowType.Utf8.INSTANCE;
            case 'S': return ArrowType.Binary.INSTANCE;
            case 'c':
                return new ComplexStruct.Marker(new ArrowType.FloatingPoint(dt.itemSize() == 8
                        ? FloatingPointPrecision.SINGLE : FloatingPointPrecision.DOUBLE));
            case 'M': case 'm': {
                TimeUnit unit = timeUnit(dt.unit());
                if (dt.unitCount() == 1 && "D".equals(dt.unit()) && dt.kind() == 'M') {
                    return new ArrowType.Date(DateUnit.DAY);
                }
                if (unit == null || dt.unitCount() != 1) {
                    throw new MixedTypesException("column " + path + " holds " + dt.name()
                            + ", whose unit has no Arrow equivalent");
                }
                return dt.kind() == 'M' ? new ArrowType.Timestamp(unit, null) : new ArrowType.Duration(unit);
            }
            default:
                throw new MixedTypesException("column " + path + " holds numpy " + dt.str() + ", which has no Arrow mapping");
        }
    }

    static TimeUnit timeUnit(String unit) {
        switch (unit) {
            case "s": return TimeUnit.SECOND;
            case "ms": return TimeUnit.MILLISECOND;
            case "us": return TimeUnit.MICROSECOND;
            case "ns": return TimeUnit.NANOSECOND;
            default: return null;
        }
    }
}
