package org.npyconv.formats.npyidx;

import java.nio.charset.StandardCharsets;

/**
 * Up to eight ASCII bytes packed into a {@code long}, so a structural scan can remember short
 * strings such as dtype codes ({@code "<f4"}) and byte orders without allocating.
 *
 * <p>Packing is big-endian and left-aligned: {@code "ab"} is {@code 0x6162_0000_0000_0000L}. Zero
 * means "no string" (the empty string and NUL bytes are not representable, which no dtype code needs).
 */
public final class ShortAscii {
    /** Longest string that fits. */
    public static final int MAX_LENGTH = 8;

    private ShortAscii() {}

    /** Packs {@code length} bytes of {@code src} from {@code offset}, or returns 0 if they don't fit or aren't printable ASCII. */
    public static long pack(byte[] src, int offset, int length) {
        if (length <= 0 || length > MAX_LENGTH) {
            return 0;
        }
        long packed = 0;
        for (int i = 0; i < MAX_LENGTH; i++) {
            int b = i < length ? src[offset + i] : 0;
            if (i < length && (b < 0x20 || b > 0x7e)) {
                return 0;
            }
            packed = (packed << 8) | (b & 0xff);
        }
        return packed;
    }

    public static long pack(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        return pack(bytes, 0, bytes.length);
    }

    /** The packed string; {@code ""} for 0. */
    public static String unpack(long packed) {
        byte[] out = new byte[MAX_LENGTH];
        int n = 0;
        for (int shift = 56; shift >= 0; shift -= 8) {
            int b = (int) (packed >>> shift) & 0xff;
            if (b == 0) {
                break;
            }
            out[n++] = (byte) b;
        }
        return new String(out, 0, n, StandardCharsets.US_ASCII);
    }

    /** Length of the packed string. */
    public static int length(long packed) {
        int n = 0;
        for (int shift = 56; shift >= 0 && ((packed >>> shift) & 0xff) != 0; shift -= 8) {
            n++;
        }
        return n;
    }

    /** The first byte, or 0. */
    public static int firstByte(long packed) {
        return (int) (packed >>> 56) & 0xff;
    }
}
