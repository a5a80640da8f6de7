package org.npyconv.formats.pickle;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Python's {@code int(bytes)} and {@code float(bytes)} literal syntax over byte ranges, for the
 * protocol-0 text opcodes (INT, LONG, FLOAT, PUT, GET), whose arguments {@code pickletools} reads
 * with exactly those two calls.
 *
 * <p>Accepted, as in CPython: surrounding ASCII whitespace; a sign; single underscores between
 * digits; for floats {@code 1.}, {@code .5}, exponents, and {@code inf}/{@code infinity}/{@code nan}
 * in any case. Validation and {@link #parseLong} allocate nothing, so the reader can check every
 * numeric line while it scans.
 */
final class PythonLiterals {
    /** {@link #intStatus}: not a valid literal. */
    static final int INVALID = -1;
    /** {@link #intStatus}: valid and within {@code long}. */
    static final int FITS_LONG = 0;
    /** {@link #intStatus}: valid but beyond {@code long}. */
    static final int BIG = 1;

    private PythonLiterals() {}

    /** Whether {@code b[off, off+len)} is an integer literal, and whether its value fits in a long. */
    static int intStatus(byte[] b, int off, int len) {
        int end = trimEnd(b, off, off + len);
        int i = trimStart(b, off, end);
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            i++;
        }
        int digitsEnd = digitPart(b, i, end);
        if (digitsEnd != end || digitsEnd == i) {
            return INVALID;
        }
        return parseChecked(b, off, len) ? FITS_LONG : BIG;
    }

    /** The value of a literal that {@link #intStatus} reported as {@link #FITS_LONG}. */
    static long parseLong(byte[] b, int off, int len) {
        int end = trimEnd(b, off, off + len);
        int i = trimStart(b, off, end);
        boolean negative = false;
        if (b[i] == '+' || b[i] == '-') {
            negative = b[i] == '-';
            i++;
        }
        // Accumulate negatively so that Long.MIN_VALUE parses.
        long v = 0;
        for (; i < end; i++) {
            if (b[i] != '_') {
                v = v * 10 - (b[i] - '0');
            }
        }
        return negative ? v : -v;
    }

    /** The value of a valid literal of any size. */
    static BigInteger parseBig(byte[] b, int off, int len) {
        int end = trimEnd(b, off, off + len);
        int i = trimStart(b, off, end);
        StringBuilder sb = new StringBuilder(end - i);
        for (; i < end; i++) {
            if (b[i] != '_') {
                sb.append((char) b[i]);
            }
        }
        return new BigInteger(sb.toString());
    }

    /** Whether {@code b[off, off+len)} is accepted by Python's {@code float()}. */
    static boolean isFloat(byte[] b, int off, int len) {
        int end = trimEnd(b, off, off + len);
        int i = trimStart(b, off, end);
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            i++;
        }
        if (special(b, i, end) != 0) {
            return true;
        }
        int intEnd = digitPart(b, i, end);
        boolean digits = intEnd > i;
        i = intEnd;
        if (i < end && b[i] == '.') {
            int fracEnd = digitPart(b, i + 1, end);
            digits |= fracEnd > i + 1;
            i = fracEnd;
        }
        if (!digits) {
            return false;
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int expEnd = digitPart(b, i, end);
            if (expEnd == i) {
                return false;
            }
            i = expEnd;
        }
        return i == end;
    }

    /** The value of a literal {@link #isFloat} accepted; allocates (a String for the JDK's parser). */
    static double parseFloat(byte[] b, int off, int len) {
        int end = trimEnd(b, off, off + len);
        int i = trimStart(b, off, end);
        boolean negative = false;
        int body = i;
        if (b[body] == '+' || b[body] == '-') {
            negative = b[body] == '-';
            body++;
        }
        int special = special(b, body, end);
        if (special == 1) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (special == 2) {
            // Python keeps the sign of "-nan" (bits fff8...); Java's negation of NaN is unspecified.
            return Double.longBitsToDouble(negative ? 0xfff8000000000000L : 0x7ff8000000000000L);
        }
        StringBuilder sb = new StringBuilder(end - i);
        for (; i < end; i++) {
            if (b[i] != '_') {
                sb.append((char) b[i]);
            }
        }
        // Validated above to contain only digits, '.', exponent and signs: Java parses the same
        // decimal language (and rounds correctly, like Python's dtoa).
        return Double.parseDouble(sb.toString());
    }

    /** 1 for inf/infinity, 2 for nan (any case, exactly filling [i, end)), else 0. */
    private static int special(byte[] b, int i, int end) {
        if (matches(b, i, end, "inf") || matches(b, i, end, "infinity")) {
            return 1;
        }
        return matches(b, i, end, "nan") ? 2 : 0;
    }

    private static boolean matches(byte[] b, int i, int end, String word) {
        if (end - i != word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if ((b[i + k] | 0x20) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** End of {@code digit ('_'? digit)*} starting at i; i itself when there is no digit there. */
    private static int digitPart(byte[] b, int i, int end) {
        if (i >= end || !isDigit(b[i])) {
            return i;
        }
        int j = i + 1;
        while (j < end) {
            if (isDigit(b[j])) {
                j++;
            } else if (b[j] == '_' && j + 1 < end && isDigit(b[j + 1])) {
                j += 2;
            } else {
                break;
            }
        }
        return j;
    }

    /** Parses a validated literal, reporting whether it fits in a long. */
    private static boolean parseChecked(byte[] b, int off, int len) {
        int end = trimEnd(b, off, off + len);
        int i = trimStart(b, off, end);
        boolean negative = false;
        if (b[i] == '+' || b[i] == '-') {
            negative = b[i] == '-';
            i++;
        }
        long v = 0;
        for (; i < end; i++) {
            if (b[i] == '_') {
                continue;
            }
            int d = b[i] - '0';
            if (v < (Long.MIN_VALUE + d) / 10) {
                return false;
            }
            v = v * 10 - d;
        }
        return negative || v != Long.MIN_VALUE;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** Python's bytes whitespace: space, \t, \n, \v, \f, \r. */
    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static int trimStart(byte[] b, int i, int end) {
        while (i < end && isSpace(b[i])) {
            i++;
        }
        return i;
    }

    private static int trimEnd(byte[] b, int off, int end) {
        while (end > off && isSpace(b[end - 1])) {
            end--;
        }
        return end;
    }

    /** For messages: the literal as text, shortened. */
    static String preview(byte[] b, int off, int len) {
        int n = Math.min(len, 40);
        String s = new String(b, off, n, StandardCharsets.ISO_8859_1);
        return len > n ? s + "..." : s;
    }
}
