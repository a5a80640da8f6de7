package org.npyconv.formats.pickle;

/**
 * Every opcode of pickle protocols 0 to 5, named exactly as in CPython's {@code pickletools}, with
 * its code byte, the protocol that introduced it and the layout of its argument.
 *
 * <p>Grouped by protocol as in {@code pickletools.opcodes}; the one-line comments say what the
 * opcode does to the unpickler's stack, so a reader can check a handler against {@code pickle.py}.
 * {@link #of(int)} maps a code byte to its opcode through a 256-entry table.
 */
public enum PickleOpcode {
    // Protocol 0: text opcodes, newline-terminated arguments.
    /** Push a mark object onto the stack. */
    MARK('(', 0, ArgKind.NONE),
    /** End of pickle: the top of the stack is the result. */
    STOP('.', 0, ArgKind.NONE),
    /** Discard the top of the stack. */
    POP('0', 0, ArgKind.NONE),
    /** Push a copy of the top of the stack. */
    DUP('2', 0, ArgKind.NONE),
    /** Push a float given as a decimal text line. */
    FLOAT('F', 0, ArgKind.FLOATNL),
    /** Push an int (or, for {@code I00}/{@code I01}, a bool) given as a decimal text line. */
    INT('I', 0, ArgKind.DECIMALNL_SHORT),
    /** Push an int given as a decimal text line with an optional trailing {@code L}. */
    LONG('L', 0, ArgKind.DECIMALNL_LONG),
    /** Push None. */
    NONE('N', 0, ArgKind.NONE),
    /** Push the object for a persistent id given as a text line. */
    PERSID('P', 0, ArgKind.STRINGNL_NOESCAPE),
    /** Call the callable below the top with the argument tuple on top. */
    REDUCE('R', 0, ArgKind.NONE),
    /** Push a str given as a quoted, backslash-escaped text line (Python 2 {@code str}). */
    STRING('S', 0, ArgKind.STRINGNL),
    /** Push a str given as a raw-unicode-escape text line. */
    UNICODE('V', 0, ArgKind.UNICODESTRINGNL),
    /** Append the top of the stack to the list below it. */
    APPEND('a', 0, ArgKind.NONE),
    /** Set an object's state ({@code __setstate__} or dict update) from the top of the stack. */
    BUILD('b', 0, ArgKind.NONE),
    /** Push the global named by two text lines, module and name. */
    GLOBAL('c', 0, ArgKind.STRINGNL_NOESCAPE_PAIR),
    /** Build a dict from the key/value pairs above the topmost mark. */
    DICT('d', 0, ArgKind.NONE),
    /** Push the memo entry whose index is a decimal text line. */
    GET('g', 0, ArgKind.DECIMALNL_SHORT),
    /** Instantiate the class named by two text lines with the objects above the topmost mark. */
    INST('i', 0, ArgKind.STRINGNL_NOESCAPE_PAIR),
    /** Build a list from the objects above the topmost mark. */
    LIST('l', 0, ArgKind.NONE),
    /** Store the top of the stack in the memo at the index given as a decimal text line. */
    PUT('p', 0, ArgKind.DECIMALNL_SHORT),
    /** Set dict[key] = value for the three topmost stack entries. */
    SETITEM('s', 0, ArgKind.NONE),
    /** Build a tuple from the objects above the topmost mark. */
    TUPLE('t', 0, ArgKind.NONE),

    // Protocol 1: binary forms.
    /** Discard the stack through the topmost mark. */
    POP_MARK('1', 1, ArgKind.NONE),
    /** Push a four-byte signed int. */
    BININT('J', 1, ArgKind.INT4),
    /** Push a one-byte unsigned int. */
    BININT1('K', 1, ArgKind.UINT1),
    /** Push a two-byte unsigned int. */
    BININT2('M', 1, ArgKind.UINT2),
    /** Push the object for the persistent id on top of the stack. */
    BINPERSID('Q', 1, ArgKind.NONE),
    /** Push a str from a four-byte-counted latin-1 payload (Python 2 {@code str}). */
    BINSTRING('T', 1, ArgKind.STRING4),
    /** Push a str from a one-byte-counted latin-1 payload (Python 2 {@code str}). */
    SHORT_BINSTRING('U', 1, ArgKind.STRING1),
    /** Push a str from a four-byte-counted UTF-8 payload. */
    BINUNICODE('X', 1, ArgKind.UNICODESTRING4),
    /** Push an empty dict. */
    EMPTY_DICT('}', 1, ArgKind.NONE),
    /** Extend the list below the topmost mark with the objects above it. */
    APPENDS('e', 1, ArgKind.NONE),
    /** Push the memo entry at a one-byte index. */
    BINGET('h', 1, ArgKind.UINT1),
    /** Push the memo entry at a four-byte index. */
    LONG_BINGET('j', 1, ArgKind.UINT4),
    /** Push an empty list. */
    EMPTY_LIST(']', 1, ArgKind.NONE),
    /** Instantiate the class at the topmost mark with the objects above it. */
    OBJ('o', 1, ArgKind.NONE),
    /** Store the top of the stack in the memo at a one-byte index. */
    BINPUT('q', 1, ArgKind.UINT1),
    /** Store the top of the stack in the memo at a four-byte index. */
    LONG_BINPUT('r', 1, ArgKind.UINT4),
    /** Push an empty tuple. */
    EMPTY_TUPLE(')', 1, ArgKind.NONE),
    /** Add the key/value pairs above the topmost mark to the dict below it. */
    SETITEMS('u', 1, ArgKind.NONE),
    /** Push a float from eight big-endian IEEE-754 bytes. */
    BINFLOAT('G', 1, ArgKind.FLOAT8),

    // Protocol 2.
    /** Declare the protocol version (one byte). */
    PROTO(0x80, 2, ArgKind.UINT1),
    /** {@code cls.__new__(cls, *args)} for the class and argument tuple on the stack. */
    NEWOBJ(0x81, 2, ArgKind.NONE),
    /** Push the object registered in the copyreg extension registry under a one-byte code. */
    EXT1(0x82, 2, ArgKind.UINT1),
    /** Push the object registered in the copyreg extension registry under a two-byte code. */
    EXT2(0x83, 2, ArgKind.UINT2),
    /** Push the object registered in the copyreg extension registry under a four-byte code. */
    EXT4(0x84, 2, ArgKind.INT4),
    /** Replace the top of the stack by a 1-tuple of it. */
    TUPLE1(0x85, 2, ArgKind.NONE),
    /** Replace the two topmost entries by a 2-tuple. */
    TUPLE2(0x86, 2, ArgKind.NONE),
    /** Replace the three topmost entries by a 3-tuple. */
    TUPLE3(0x87, 2, ArgKind.NONE),
    /** Push True. */
    NEWTRUE(0x88, 2, ArgKind.NONE),
    /** Push False. */
    NEWFALSE(0x89, 2, ArgKind.NONE),
    /** Push an int from a one-byte-counted little-endian two's-complement payload. */
    LONG1(0x8a, 2, ArgKind.LONG1),
    /** Push an int from a four-byte-counted little-endian two's-complement payload. */
    LONG4(0x8b, 2, ArgKind.LONG4),

    // Protocol 3.
    /** Push bytes from a four-byte-counted payload. */
    BINBYTES('B', 3, ArgKind.BYTES4),
    /** Push bytes from a one-byte-counted payload. */
    SHORT_BINBYTES('C', 3, ArgKind.BYTES1),

    // Protocol 4.
    /** Push a str from a one-byte-counted UTF-8 payload. */
    SHORT_BINUNICODE(0x8c, 4, ArgKind.UNICODESTRING1),
    /** Push a str from an eight-byte-counted UTF-8 payload. */
    BINUNICODE8(0x8d, 4, ArgKind.UNICODESTRING8),
    /** Push bytes from an eight-byte-counted payload. */
    BINBYTES8(0x8e, 4, ArgKind.BYTES8),
    /** Push an empty set. */
    EMPTY_SET(0x8f, 4, ArgKind.NONE),
    /** Add the objects above the topmost mark to the set below it. */
    ADDITEMS(0x90, 4, ArgKind.NONE),
    /** Build a frozenset from the objects above the topmost mark. */
    FROZENSET(0x91, 4, ArgKind.NONE),
    /** {@code cls.__new__(cls, *args, **kwargs)} for the three topmost entries. */
    NEWOBJ_EX(0x92, 4, ArgKind.NONE),
    /** Push the global named by the module and name strings on the stack. */
    STACK_GLOBAL(0x93, 4, ArgKind.NONE),
    /** Store the top of the stack in the memo at index {@code len(memo)}. */
    MEMOIZE(0x94, 4, ArgKind.NONE),
    /** Announce that the next eight-byte-counted bytes form a frame (a buffering hint). */
    FRAME(0x95, 4, ArgKind.UINT8),

    // Protocol 5.
    /** Push a bytearray from an eight-byte-counted payload. */
    BYTEARRAY8(0x96, 5, ArgKind.BYTEARRAY8),
    /** Push the next out-of-band buffer. */
    NEXT_BUFFER(0x97, 5, ArgKind.NONE),
    /** Make the buffer on top of the stack read-only. */
    READONLY_BUFFER(0x98, 5, ArgKind.NONE);

    /** Opcode by code byte; null where the byte is no opcode. Built once, never exposed. */
    private static final PickleOpcode[] BY_CODE = new PickleOpcode[256];

    static {
        for (PickleOpcode op : values()) {
            if (BY_CODE[op.code] != null) {
                throw new AssertionError("duplicate opcode byte " + op.code);
            }
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final int protocol;
    private final ArgKind argKind;

    PickleOpcode(int code, int protocol, ArgKind argKind) {
        this.code = code;
        this.protocol = protocol;
        this.argKind = argKind;
    }

    /**
     * The opcode for a code byte, or {@code null} when the byte is not a pickle opcode.
     *
     * @param codeByte the byte as an unsigned value 0..255 (values outside that range give {@code null})
     */
    public static PickleOpcode of(int codeByte) {
        return (codeByte & ~0xFF) == 0 ? BY_CODE[codeByte] : null;
    }

    /** The opcode's byte in the stream (0..255). */
    public int code() {
        return code;
    }

    /** The pickle protocol that introduced this opcode (0..5). */
    public int protocol() {
        return protocol;
    }

    /** How the argument that follows the opcode byte is laid out. */
    public ArgKind argKind() {
        return argKind;
    }
}
