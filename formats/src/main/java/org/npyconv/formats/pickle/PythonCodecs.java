package org.npyconv.formats.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The three CPython codecs pickle text arguments are written in, reimplemented over byte ranges so
 * that {@link PickleReader#stringArg()} returns exactly what {@code pickletools} reports.
 *
 * <ul>
 *   <li>{@link #utf8Surrogatepass}: {@code bytes.decode('utf-8', 'surrogatepass')}, used for the
 *       BINUNICODE family. Java's UTF-8 decoder cannot be used: it rejects encoded surrogates, which
 *       Python pickles write for lone surrogates in a {@code str}.</li>
 *   <li>{@link #escapeDecode}: {@code codecs.escape_decode}, the backslash escapes of a Python 2
 *       {@code str} repr (STRING, PERSID, GLOBAL lines).</li>
 *   <li>{@link #rawUnicodeEscape}: {@code str(data, 'raw-unicode-escape')} (UNICODE lines).</li>
 * </ul>
 * Malformed input raises {@link IllegalArgumentException} with a message naming the byte index
 * within the range; the reader turns it into a {@code CorruptInputException} at the opcode.
 */
public final class PythonCodecs {
    private PythonCodecs() {}

    /**
     * Strict UTF-8 (no overlongs, nothing above U+10FFFF) that also accepts the three-byte forms of
     * U+D800..U+DFFF, like Python's {@code surrogatepass} error handler.
     */
    public static String utf8Surrogatepass(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        // Pure ASCII is the common case (NumPy string elements, global names): no char[] pass.
        while (i < end && b[i] >= 0) {
            i++;
        }
        if (i == end) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1);
        }
        char[] out = new char[len];
        int n = 0;
        for (int k = off; k < i; k++) {
            out[n++] = (char) b[k];
        }
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                out[n++] = (char) c;
                i++;
                continue;
            }
            int cp;
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
                cp = c & 0x1F;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                cp = c & 0x0F;
                if (c == 0xE0) {
                    lo = 0xA0; // shorter forms are overlong
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                cp = c & 0x07;
                if (c == 0xF0) {
                    lo = 0x90; // overlong
                } else if (c == 0xF4) {
                    hi = 0x8F; // above U+10FFFF
                }
            } else {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "invalid UTF-8: byte 0x%02X at payload byte %d cannot start a character", c, i - off));
            }
            if (end - i <= need) {
                throw new IllegalArgumentException("invalid UTF-8: character cut off at payload byte " + (i - off));
            }
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xFF;
                if (cc < lo || cc > hi) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "invalid UTF-8: byte 0x%02X at payload byte %d", cc, i + k - off));
                }
                lo = 0x80;
                hi = 0xBF;
                cp = (cp << 6) | (cc & 0x3F);
            }
            i += need + 1;
            if (cp >= 0x10000) {
                out[n++] = Character.highSurrogate(cp);
                out[n++] = Character.lowSurrogate(cp);
            } else {
                out[n++] = (char) cp; // includes lone surrogates: that is what surrogatepass means
            }
        }
        return new String(out, 0, n);
    }

    /**
     * {@code codecs.escape_decode}: {@code \\ \' \" \a \b \f \n \r \t \v}, {@code \ooo} (one to three
     * octal digits, value taken modulo 256 as CPython does), {@code \xhh} (exactly two hex digits),
     * backslash-newline (dropped); any other escape is kept verbatim, backslash included.
     */
    public static byte[] escapeDecode(byte[] b, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len);
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i++] & 0xFF;
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (i == end) {
                throw new IllegalArgumentException("trailing \\ in string");
            }
            int e = b[i++] & 0xFF;
            switch (e) {
                case '\n': break;
                case '\\': out.write('\\'); break;
                case '\'': out.write('\''); break;
                case '"': out.write('"'); break;
                case 'b': out.write('\b'); break;
                case 'f': out.write('\f'); break;
                case 't': out.write('\t'); break;
                case 'n': out.write('\n'); break;
                case 'r': out.write('\r'); break;
                case 'v': out.write(0x0B); break;
                case 'a': out.write(0x07); break;
                case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
                    int v = e - '0';
                    for (int k = 0; k < 2 && i < end && b[i] >= '0' && b[i] <= '7'; k++) {
                        v = (v << 3) + (b[i++] - '0');
                    }
                    out.write(v & 0xFF);
                    break;
                }
                case 'x': {
                    int d1 = i < end ? hexDigit(b[i]) : -1;
                    int d2 = i + 1 < end ? hexDigit(b[i + 1]) : -1;
                    if (d1 < 0 || d2 < 0) {
                        throw new IllegalArgumentException("invalid \\x escape at position " + (i - 2 - off));
                    }
                    out.write((d1 << 4) | d2);
                    i += 2;
                    break;
                }
                default:
                    out.write('\\');
                    out.write(e);
            }
        }
        return out.toByteArray();
    }

    /**
     * {@code raw-unicode-escape}: every byte is a latin-1 character, except that {@code \}{@code uXXXX}
     * and {@code \}{@code UXXXXXXXX} preceded by an odd number of backslashes denote a code point.
     */
    public static String rawUnicodeEscape(byte[] b, int off, int len) {
        StringBuilder out = new StringBuilder(len);
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c != '\\') {
                out.append((char) c);
                i++;
                continue;
            }
            int run = i;
            while (i < end && b[i] == '\\') {
                out.append('\\');
                i++;
            }
            // An escape only when the backslash run has odd length and a u/U follows it.
            if (((i - run) & 1) == 0 || i == end || (b[i] != 'u' && b[i] != 'U')) {
                continue;
            }
            out.setLength(out.length() - 1);
            int digits = b[i] == 'u' ? 4 : 8;
            int at = i - 1 - off;
            i++;
            int cp = 0;
            for (int k = 0; k < digits; k++, i++) {
                int d = i < end ? hexDigit(b[i]) : -1;
                if (d < 0) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "truncated \\%s escape at position %d", digits == 4 ? "uXXXX" : "UXXXXXXXX", at));
                }
                cp = (cp << 4) | d;
                if (cp > 0x10FFFF || cp < 0) { // eight digits can overflow the int; both are out of range
                    throw new IllegalArgumentException("\\Uxxxxxxxx out of range at position " + at);
                }
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    private static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
