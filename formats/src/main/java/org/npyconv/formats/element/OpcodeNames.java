package org.npyconv.formats.element;

import net.razorvine.pickle.Opcodes;

/** The {@code pickletools} name of each opcode byte, for error messages. */
final class OpcodeNames {
    private static final String[] NAMES = new String[256];

    static {
        name(Opcodes.MARK, "MARK"); name(Opcodes.STOP, "STOP"); name(Opcodes.POP, "POP");
        name(Opcodes.POP_MARK, "POP_MARK"); name(Opcodes.DUP, "DUP"); name(Opcodes.FLOAT, "FLOAT");
        name(Opcodes.INT, "INT"); name(Opcodes.BININT, "BININT"); name(Opcodes.BININT1, "BININT1");
        name(Opcodes.LONG, "LONG"); name(Opcodes.BININT2, "BININT2"); name(Opcodes.NONE, "NONE");
        name(Opcodes.PERSID, "PERSID"); name(Opcodes.BINPERSID, "BINPERSID"); name(Opcodes.REDUCE, "REDUCE");
        name(Opcodes.STRING, "STRING"); name(Opcodes.BINSTRING, "BINSTRING");
        name(Opcodes.SHORT_BINSTRING, "SHORT_BINSTRING"); name(Opcodes.UNICODE, "UNICODE");
        name(Opcodes.BINUNICODE, "BINUNICODE"); name(Opcodes.APPEND, "APPEND"); name(Opcodes.BUILD, "BUILD");
        name(Opcodes.GLOBAL, "GLOBAL"); name(Opcodes.DICT, "DICT"); name(Opcodes.EMPTY_DICT, "EMPTY_DICT");
        name(Opcodes.APPENDS, "APPENDS"); name(Opcodes.GET, "GET"); name(Opcodes.BINGET, "BINGET");
        name(Opcodes.INST, "INST"); name(Opcodes.LONG_BINGET, "LONG_BINGET"); name(Opcodes.LIST, "LIST");
        name(Opcodes.EMPTY_LIST, "EMPTY_LIST"); name(Opcodes.OBJ, "OBJ"); name(Opcodes.PUT, "PUT");
        name(Opcodes.BINPUT, "BINPUT"); name(Opcodes.LONG_BINPUT, "LONG_BINPUT"); name(Opcodes.SETITEM, "SETITEM");
        name(Opcodes.TUPLE, "TUPLE"); name(Opcodes.EMPTY_TUPLE, "EMPTY_TUPLE"); name(Opcodes.SETITEMS, "SETITEMS");
        name(Opcodes.BINFLOAT, "BINFLOAT"); name(Opcodes.PROTO, "PROTO"); name(Opcodes.NEWOBJ, "NEWOBJ");
        name(Opcodes.EXT1, "EXT1"); name(Opcodes.EXT2, "EXT2"); name(Opcodes.EXT4, "EXT4");
        name(Opcodes.TUPLE1, "TUPLE1"); name(Opcodes.TUPLE2, "TUPLE2"); name(Opcodes.TUPLE3, "TUPLE3");
        name(Opcodes.NEWTRUE, "NEWTRUE"); name(Opcodes.NEWFALSE, "NEWFALSE"); name(Opcodes.LONG1, "LONG1");
        name(Opcodes.LONG4, "LONG4"); name(Opcodes.BINBYTES, "BINBYTES"); name(Opcodes.SHORT_BINBYTES, "SHORT_BINBYTES");
        name(Opcodes.SHORT_BINUNICODE, "SHORT_BINUNICODE"); name(Opcodes.BINUNICODE8, "BINUNICODE8");
        name(Opcodes.BINBYTES8, "BINBYTES8"); name(Opcodes.EMPTY_SET, "EMPTY_SET"); name(Opcodes.ADDITEMS, "ADDITEMS");
        name(Opcodes.FROZENSET, "FROZENSET"); name(Opcodes.NEWOBJ_EX, "NEWOBJ_EX");
        name(Opcodes.STACK_GLOBAL, "STACK_GLOBAL"); name(Opcodes.MEMOIZE, "MEMOIZE"); name(Opcodes.FRAME, "FRAME");
        name(Opcodes.BYTEARRAY8, "BYTEARRAY8"); name(Opcodes.NEXT_BUFFER, "NEXT_BUFFER");
        name(Opcodes.READONLY_BUFFER, "READONLY_BUFFER");
    }

    private OpcodeNames() {}

    private static void name(short code, String name) {
        NAMES[code] = name;
    }

    /** The opcode's name, or {@code opcode 0xNN} for bytes that are not opcodes. */
    static String of(int code) {
        String n = NAMES[code & 0xFF];
        return n != null ? n : String.format("opcode 0x%02x", code & 0xFF);
    }
}
