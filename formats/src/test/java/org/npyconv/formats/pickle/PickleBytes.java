package org.npyconv.formats.pickle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-assembled pickle bytes for tests. */
final class PickleBytes {
    private PickleBytes() {}

    /**
     * Concatenates parts: a {@link String} contributes its chars as latin-1 bytes (so {@code "\u0080"}
     * is the PROTO byte), a {@code byte[]} itself, an {@link Integer} or {@link Character} one byte.
     */
    static byte[] of(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String) {
                out.writeBytes(((String) part).getBytes(StandardCharsets.ISO_8859_1));
            } else if (part instanceof byte[]) {
                out.writeBytes((byte[]) part);
            } else if (part instanceof Integer) {
                out.write((Integer) part);
            } else if (part instanceof Character) {
                out.write((Character) part);
            } else {
                throw new IllegalArgumentException(String.valueOf(part));
            }
        }
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] le2(int v) {
        return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
    }

    static byte[] le4(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] le8(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] be8(double v) {
        return ByteBuffer.allocate(8).putDouble(v).array();
    }

    static byte[] repeat(int b, int n) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, (byte) b);
        return out;
    }

    /** Writes {@code prefix} junk bytes, the pickle, and {@code suffix} junk bytes; returns the file. */
    static Path write(Path dir, String name, int prefix, byte[] pickle, int suffix) {
        Path file = dir.resolve(name);
        try {
            Files.write(file, of(repeat('#', prefix), pickle, repeat('#', suffix)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
