package org.npyconv.formats.npy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The {@code .npy} format versions NumPy defines ({@code _header_size_info} in
 * {@code numpy/lib/format.py}): they differ only in the width of the little-endian header length
 * field and in the header text's encoding.
 */
enum FormatVersion {
    V1_0(1, 0, 2, StandardCharsets.ISO_8859_1),
    /** Since NumPy 1.9: headers over 65535 bytes (large structured dtypes). */
    V2_0(2, 0, 4, StandardCharsets.ISO_8859_1),
    /** Since NumPy 1.17: UTF-8 header text (non-latin-1 field names). */
    V3_0(3, 0, 4, StandardCharsets.UTF_8);

    final int major;
    final int minor;
    /** Bytes of the header length field: 2 (an unsigned short) or 4 (an unsigned int). */
    final int lengthFieldSize;
    final Charset encoding;

    FormatVersion(int major, int minor, int lengthFieldSize, Charset encoding) {
        this.major = major;
        this.minor = minor;
        this.lengthFieldSize = lengthFieldSize;
        this.encoding = encoding;
    }

    /** The version with these numbers, or {@code null} if NumPy defines none. */
    static FormatVersion of(int major, int minor) {
        for (FormatVersion v : values()) {
            if (v.major == major && v.minor == minor) {
                return v;
            }
        }
        return null;
    }

    /** Magic (6) + version (2) + length field: where the header text starts, relative to the file start. */
    int textOffset() {
        return NpyHeader.MAGIC.length + 2 + lengthFieldSize;
    }

    /** {@code "1.0"}. */
    @Override
    public String toString() {
        return major + "." + minor;
    }
}
