package org.npyconv.converter.output;

import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Little-endian 4- and 8-byte reads and writes at any offset of a byte array, each one machine
 * move: the page encoders' per-value loops run under the C1 compiler (bin/npyconv), where a
 * {@code VarHandle} or {@code ByteBuffer} access stays a chain of calls and assembling bytes costs a
 * load and a shift each. Arrow's {@code MemoryUtil} reads longs from arrays but writes none. Every
 * access is bounds-checked here, so a wrong offset is an exception, never a write outside the array.
 */
final class HeapWords {
    private static final sun.misc.Unsafe UNSAFE = unsafe();
    private static final long BASE = UNSAFE.arrayBaseOffset(byte[].class);
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private HeapWords() {}

    static long getLong(byte[] b, int at) {
        check(b, at, 8);
        long v = UNSAFE.getLong(b, BASE + at);
        return LITTLE ? v : Long.reverseBytes(v);
    }

    static void putLong(byte[] b, int at, long v) {
        check(b, at, 8);
        UNSAFE.putLong(b, BASE + at, LITTLE ? v : Long.reverseBytes(v));
    }

    static void putInt(byte[] b, int at, int v) {
        check(b, at, 4);
        UNSAFE.putInt(b, BASE + at, LITTLE ? v : Integer.reverseBytes(v));
    }

    /** Small enough for C1 to inline (35 bytecodes): the message is built elsewhere. */
    private static void check(byte[] b, int at, int width) {
        if (at < 0 || at > b.length - width) {
            throw outside(b, at, width);
        }
    }

    private static ArrayIndexOutOfBoundsException outside(byte[] b, int at, int width) {
        return new ArrayIndexOutOfBoundsException("bytes " + at + ".." + (at + width) + " of " + b.length);
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
