package org.npyconv.formats.element;

import java.util.Arrays;

/**
 * A Python {@code bytearray}, kept distinct from {@code bytes} (which is a plain {@code byte[]}) so
 * that {@link ElementRepr} can print it as Python does and a type summary can tell them apart. JSON
 * writes both as {@code {"$bytes": base64}}. Holds its own copy of the bytes; {@link #bytes()}
 * returns a copy. Value-equal, but unhashable in Python, so never a dict key.
 */
public final class PyByteArray {
    private final byte[] bytes;

    private PyByteArray(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A bytearray holding a copy of {@code bytes}. */
    public static PyByteArray of(byte[] bytes) {
        return new PyByteArray(bytes.clone());
    }

    /** Takes ownership of {@code bytes}. */
    static PyByteArray wrap(byte[] bytes) {
        return new PyByteArray(bytes);
    }

    /** A copy of the content. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** The content without copying; package-private because callers could mutate it. */
    byte[] unsafeBytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyByteArray && Arrays.equals(bytes, ((PyByteArray) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return ElementRepr.repr(this);
    }
}
