package org.npyconv.formats.element;

import java.io.IOException;

/**
 * JSON text as UTF-8 bytes in one reusable buffer, handed to a {@link Drain} whenever it fills up
 * and on {@link #flush()}: the output of {@code export}. Writing through a {@code PrintWriter}
 * cost a lock, a char buffer and a charset encoder per token, about a fifth of an export of float
 * arrays; here ASCII goes straight into the buffer and other text is UTF-8-encoded in place.
 *
 * <p>Also an {@link Appendable}, so everything {@link ElementJson} writes as text ends up in the
 * same bytes; {@link ElementJson} writes numbers and short strings into it directly when it is
 * given one. Chars are encoded as {@code OutputStreamWriter} encodes them: a surrogate pair (even
 * split over two appends) as one 4-byte sequence, a lone surrogate as {@code '?'}. A drain always
 * ends on a character boundary (every write first makes room for its whole character or
 * string), so a drain's bytes decode on their own.
 *
 * <p>Not thread-safe. Owns only its buffer; the drain's target belongs to the caller.
 */
public final class JsonBytes implements Appendable {
    /** Where full buffers go. */
    public interface Drain {
        /** Takes {@code len} bytes of {@code b} from {@code off}; may not keep {@code b}. */
        void write(byte[] b, int off, int len) throws IOException;
    }

    private final Drain drain;
    private byte[] buf;
    private int pos;
    /** A high surrogate at the end of the last append, waiting for its low half. */
    private char pendingHigh;

    /**
     * A buffer of {@code capacity} bytes draining into {@code drain}. The buffer grows past its
     * capacity only for a single write longer than it (a long number never is; text is cut).
     */
    public JsonBytes(Drain drain, int capacity) {
        this.drain = drain;
        this.buf = new byte[Math.max(64, capacity)];
    }

    /** Bytes written since the last drain. */
    public int size() {
        return pos;
    }

    /** Hands the buffered bytes to the drain. */
    public void flush() throws IOException {
        flushPendingHigh();
        drainBuffer();
    }

    private void drainBuffer() throws IOException {
        if (pos > 0) {
            int n = pos;
            pos = 0;
            drain.write(buf, 0, n);
        }
    }

    /**
     * Room for {@code n} more bytes at {@link #pos}: drains first when they do not fit. Package
     * code writes straight into {@link #buf} after this call.
     */
    void ensure(int n) throws IOException {
        if (pos + n > buf.length) {
            drainBuffer();
            if (n > buf.length) {
                buf = new byte[n];
            }
        }
    }

    byte[] buffer() {
        return buf;
    }

    int position() {
        return pos;
    }

    void position(int p) {
        pos = p;
    }

    /** One ASCII byte. */
    void ascii(char c) throws IOException {
        if (pendingHigh != 0) {
            flushPendingHigh();
        }
        if (pos == buf.length) {
            drainBuffer();
        }
        buf[pos++] = (byte) c;
    }

    /** An ASCII-only string (JSON punctuation, keywords, numbers). */
    void ascii(String s) throws IOException {
        if (pendingHigh != 0) {
            flushPendingHigh();
        }
        int n = s.length();
        if (pos + n > buf.length) {
            drainBuffer();
            if (n > buf.length) {
                append(s); // longer than the buffer: the chunked general path
                return;
            }
        }
        // getBytes(int, int, byte[], int) copies each char's low byte: exact for ASCII, and an
        // intrinsic for the JDK's Latin-1 strings.
        s.getBytes(0, n, buf, pos);
        pos += n;
    }

    /** A decimal {@code long}, as {@link Long#toString(long)} writes it. */
    void decimal(long v) throws IOException {
        if (pendingHigh != 0) {
            flushPendingHigh();
        }
        ensure(20);
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                ascii(Long.toString(v));
                return;
            }
            buf[pos++] = '-';
            v = -v;
        }
        pos = writeDigits(v, buf, pos);
    }

    /** The digits of {@code v >= 0} at {@code b[p]}; returns the position after them. */
    static int writeDigits(long v, byte[] b, int p) {
        int n = digitCount(v);
        int end = p + n;
        for (int q = end - 1; q >= p; q--) {
            b[q] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        }
        return end;
    }

    /** Number of decimal digits of {@code v >= 0} (1 for 0). */
    static int digitCount(long v) {
        int n = 1;
        for (long bound = 10; n < 19 && v >= bound; bound *= 10) {
            n++;
        }
        return n;
    }

    @Override
    public JsonBytes append(CharSequence s) throws IOException {
        return append(s, 0, s.length());
    }

    @Override
    public JsonBytes append(CharSequence s, int start, int end) throws IOException {
        int i = start;
        while (i < end) {
            // Up to 3 bytes per char, and 4 for the last one of a slice (a pair's second half, or
            // a '?' before a char): encode a slice that fits.
            if (buf.length - pos < 8) {
                drainBuffer();
            }
            int sliceEnd = Math.min(end, i + (buf.length - pos - 4) / 3);
            byte[] b = buf;
            int p = pos;
            for (; i < sliceEnd; i++) {
                char c = s.charAt(i);
                if (c < 0x80 && pendingHigh == 0) {
                    b[p++] = (byte) c;
                } else {
                    pos = p;
                    i = encodeNonAscii(s, i, end);
                    p = pos;
                }
            }
            pos = p;
        }
        return this;
    }

    @Override
    public JsonBytes append(char c) throws IOException {
        if (c < 0x80 && pendingHigh == 0) {
            if (pos == buf.length) {
                drainBuffer();
            }
            buf[pos++] = (byte) c;
            return this;
        }
        ensure(4);
        encodeNonAscii(String.valueOf(c), 0, 1);
        return this;
    }

    /**
     * Encodes {@code s.charAt(i)} (and its low surrogate when it is a high one followed by it) at
     * {@link #pos}, which has room for 4 bytes; returns the index of the last char consumed.
     */
    private int encodeNonAscii(CharSequence s, int i, int end) throws IOException {
        char c = s.charAt(i);
        if (pendingHigh != 0) {
            char high = pendingHigh;
            pendingHigh = 0;
            if (Character.isLowSurrogate(c)) {
                pos = utf8(Character.toCodePoint(high, c), buf, pos);
                return i;
            }
            buf[pos++] = '?';
            ensure(4);
        }
        if (!Character.isSurrogate(c)) {
            pos = utf8(c, buf, pos);
        } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < end) {
                char low = s.charAt(i + 1);
                if (Character.isLowSurrogate(low)) {
                    pos = utf8(Character.toCodePoint(c, low), buf, pos);
                    return i + 1;
                }
                buf[pos++] = '?';
            } else {
                pendingHigh = c; // its low half may come with the next append
            }
        } else {
            buf[pos++] = '?';
        }
        return i;
    }

    /**
     * The UTF-8 bytes of code point {@code cp} (not a surrogate) at {@code b[p]}, which has room
     * for 4; returns the position after them.
     */
    static int utf8(int cp, byte[] b, int p) {
        if (cp < 0x80) {
            b[p++] = (byte) cp;
        } else if (cp < 0x800) {
            b[p++] = (byte) (0xC0 | (cp >> 6));
            b[p++] = (byte) (0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            b[p++] = (byte) (0xE0 | (cp >> 12));
            b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            b[p++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            b[p++] = (byte) (0xF0 | (cp >> 18));
            b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            b[p++] = (byte) (0x80 | (cp & 0x3F));
        }
        return p;
    }

    /** A high surrogate that no low one followed is a lone surrogate: {@code '?'}, as the JDK's encoder writes it. */
    private void flushPendingHigh() throws IOException {
        if (pendingHigh != 0) {
            pendingHigh = 0;
            if (pos == buf.length) {
                drainBuffer();
            }
            buf[pos++] = '?';
        }
    }
}
