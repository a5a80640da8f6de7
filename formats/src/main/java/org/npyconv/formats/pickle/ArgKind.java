package org.npyconv.formats.pickle;

/**
 * How an opcode's argument is laid out in the stream: one constant per argument descriptor of
 * CPython's {@code pickletools} ({@code uint1}, {@code string4}, {@code unicodestringnl}, ...), plus
 * {@link #NONE} for opcodes without an argument.
 *
 * <p>Three families:
 * <ul>
 *   <li><b>fixed</b> ({@link #UINT1} ... {@link #FLOAT8}): {@link #fixedSize()} bytes follow the
 *       opcode and are the whole argument;</li>
 *   <li><b>counted</b> ({@link #STRING1} ... {@link #UNICODESTRING8}, {@link #LONG1}, {@link #LONG4}):
 *       a little-endian length of {@link #fixedSize()} bytes, then that many payload bytes;</li>
 *   <li><b>line</b> ({@link #DECIMALNL_SHORT} ... {@link #UNICODESTRINGNL}): text up to a {@code \n}
 *       (two lines for {@link #STRINGNL_NOESCAPE_PAIR}); the payload is the text without the final
 *       newline.</li>
 * </ul>
 * Immutable; see {@code docs/pickle-reader.md} for how each kind is decoded.
 */
public enum ArgKind {
    /** No argument. */
    NONE(Family.NONE, 0),

    /** One-byte unsigned integer. */
    UINT1(Family.FIXED, 1),
    /** Two-byte unsigned integer, little-endian. */
    UINT2(Family.FIXED, 2),
    /** Four-byte signed integer, little-endian, two's complement. */
    INT4(Family.FIXED, 4),
    /** Four-byte unsigned integer, little-endian. */
    UINT4(Family.FIXED, 4),
    /** Eight-byte unsigned integer, little-endian (FRAME lengths). */
    UINT8(Family.FIXED, 8),
    /** Eight-byte IEEE-754 double, big-endian. */
    FLOAT8(Family.FIXED, 8),

    /** One-byte length, then a little-endian two's-complement integer of that many bytes. */
    LONG1(Family.COUNTED, 1),
    /** Four-byte signed length (negative is corrupt), then a little-endian two's-complement integer. */
    LONG4(Family.COUNTED, 4),
    /** One-byte length, then bytes decoded as latin-1 (SHORT_BINSTRING). */
    STRING1(Family.COUNTED, 1),
    /** Four-byte signed length (negative is corrupt), then bytes decoded as latin-1 (BINSTRING). */
    STRING4(Family.COUNTED, 4),
    /** One-byte length, then raw bytes. */
    BYTES1(Family.COUNTED, 1),
    /** Four-byte unsigned length, then raw bytes. */
    BYTES4(Family.COUNTED, 4),
    /** Eight-byte unsigned length, then raw bytes. */
    BYTES8(Family.COUNTED, 8),
    /** Eight-byte unsigned length, then the bytes of a bytearray. */
    BYTEARRAY8(Family.COUNTED, 8),
    /** One-byte length, then UTF-8 (surrogates allowed). */
    UNICODESTRING1(Family.COUNTED, 1),
    /** Four-byte unsigned length, then UTF-8 (surrogates allowed). */
    UNICODESTRING4(Family.COUNTED, 4),
    /** Eight-byte unsigned length, then UTF-8 (surrogates allowed). */
    UNICODESTRING8(Family.COUNTED, 8),

    /** Decimal integer line; {@code 00}/{@code 01} mean False/True (protocol-0 INT, PUT, GET). */
    DECIMALNL_SHORT(Family.LINE, 0),
    /** Decimal integer line with an optional trailing {@code L} (LONG). */
    DECIMALNL_LONG(Family.LINE, 0),
    /** Float literal line, parsed like Python's {@code float()} (FLOAT). */
    FLOATNL(Family.LINE, 0),
    /** Repr-style quoted string line with backslash escapes (STRING). */
    STRINGNL(Family.LINE, 0),
    /** Unquoted string line (PERSID). */
    STRINGNL_NOESCAPE(Family.LINE, 0),
    /** Two unquoted lines, module then name (GLOBAL, INST). */
    STRINGNL_NOESCAPE_PAIR(Family.LINE, 0),
    /** Raw-unicode-escape line (UNICODE). */
    UNICODESTRINGNL(Family.LINE, 0);

    private enum Family { NONE, FIXED, COUNTED, LINE }

    private final Family family;
    private final int fixedSize;

    ArgKind(Family family, int fixedSize) {
        this.family = family;
        this.fixedSize = fixedSize;
    }

    /**
     * Bytes that directly follow the opcode byte before any payload: the whole argument for fixed
     * kinds, the length field for counted kinds, 0 for line kinds and {@link #NONE}.
     */
    public int fixedSize() {
        return fixedSize;
    }

    /** The argument is entirely in the {@link #fixedSize()} bytes after the opcode. */
    public boolean isFixed() {
        return family == Family.FIXED;
    }

    /** A length field followed by that many payload bytes. */
    public boolean isCounted() {
        return family == Family.COUNTED;
    }

    /** Newline-terminated text. */
    public boolean isLine() {
        return family == Family.LINE;
    }

    /** The argument has a payload: {@link PickleReader#payloadOffset()} and {@link PickleReader#payloadLength()} describe it. */
    public boolean hasPayload() {
        return family == Family.COUNTED || family == Family.LINE;
    }

    /** The argument decodes to a Python {@code str} ({@link PickleReader#stringArg()} applies). */
    public boolean isText() {
        switch (this) {
            case STRING1: case STRING4: case UNICODESTRING1: case UNICODESTRING4: case UNICODESTRING8:
            case STRINGNL: case STRINGNL_NOESCAPE: case STRINGNL_NOESCAPE_PAIR: case UNICODESTRINGNL:
                return true;
            default:
                return false;
        }
    }

    /** The argument decodes to a Python {@code bytes} or {@code bytearray}. */
    public boolean isBinary() {
        return this == BYTES1 || this == BYTES4 || this == BYTES8 || this == BYTEARRAY8;
    }

    /** The argument decodes to a Python {@code int} (or, for {@link #DECIMALNL_SHORT}, possibly a bool). */
    public boolean isInteger() {
        switch (this) {
            case UINT1: case UINT2: case INT4: case UINT4: case UINT8:
            case LONG1: case LONG4: case DECIMALNL_SHORT: case DECIMALNL_LONG:
                return true;
            default:
                return false;
        }
    }

    /** The argument decodes to a Python {@code float}. */
    public boolean isFloat() {
        return this == FLOAT8 || this == FLOATNL;
    }
}
