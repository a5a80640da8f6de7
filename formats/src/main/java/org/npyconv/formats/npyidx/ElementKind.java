package org.npyconv.formats.npyidx;

/**
 * What a top-level element is, as far as a structural scan can tell without building it.
 *
 * <p>Stored in the sidecar's kind summary with a 64-bit detail (see {@link #detailIsDtype()} and {@link #detailIsGlobal()}) that depends
 * on the kind: a dtype code for {@link #NDARRAY}, {@link #NUMPY_SCALAR} and {@link #DTYPE}, a global
 * number for {@link #OBJECT} and {@link #GLOBAL}. The ordinal is part of the file format: append only.
 */
public enum ElementKind {
    UNKNOWN("unknown"),
    NONE("None"),
    BOOL("bool"),
    INT("int"),
    FLOAT("float"),
    STR("str"),
    BYTES("bytes"),
    BYTEARRAY("bytearray"),
    LIST("list"),
    TUPLE("tuple"),
    DICT("dict"),
    SET("set"),
    FROZENSET("frozenset"),
    GLOBAL("global"),
    OBJECT("object"),
    DTYPE("dtype"),
    NDARRAY("ndarray"),
    NUMPY_SCALAR("numpy scalar"),
    PERSISTENT_ID("persistent id"),
    REFERENCE("shared reference");

    private static final ElementKind[] BY_ORDINAL = values();

    private final String label;

    ElementKind(String label) {
        this.label = label;
    }

    /** The kind's name as {@code info} prints it: Python's type name where there is one. */
    public String label() {
        return label;
    }

    /** The kind stored as {@code ordinal} in a sidecar; {@link #UNKNOWN} for values this version doesn't know. */
    public static ElementKind ofOrdinal(int ordinal) {
        return ordinal >= 0 && ordinal < BY_ORDINAL.length ? BY_ORDINAL[ordinal] : UNKNOWN;
    }

    /** Whether the detail is a packed dtype code ({@link ShortAscii}). */
    public boolean detailIsDtype() {
        return this == NDARRAY || this == NUMPY_SCALAR || this == DTYPE;
    }

    /** Whether the detail is the number of a global in the sidecar's global table. */
    public boolean detailIsGlobal() {
        return this == OBJECT || this == GLOBAL;
    }
}
