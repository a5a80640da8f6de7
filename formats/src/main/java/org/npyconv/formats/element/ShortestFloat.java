package org.npyconv.formats.element;

import com.fasterxml.jackson.core.io.schubfach.DoubleToDecimal;
import com.fasterxml.jackson.core.io.schubfach.FloatToDecimal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Shortest round-trip decimal of a binary floating-point value at its own precision (binary64,
 * binary32 or binary16), formatted as Python's {@code repr(float)}: the fewest significant digits
 * that read back to the same value, the closest such digits when there is a choice, positional
 * notation for decimal exponents in [-4, 16), scientific ({@code 1e-05}, {@code 1.5e+16}) otherwise.
 *
 * <p>Why not {@link Double#toString}: before JDK 19 it sometimes prints a digit too many
 * (JDK-4511638), and it knows nothing of float16. This implementation is exact: it rounds the exact
 * binary value with {@link BigDecimal} and accepts a candidate only when it lies inside the value's
 * rounding interval (ties to even, as IEEE reading does). Most values never reach that search:
 * Schubfach's digits are provably Python's unless they are two digits long (see the fast path).
 * Stateless.
 */
final class ShortestFloat {
    /** The three IEEE binary formats NumPy floats use. */
    enum Format {
        BINARY64(53, -1022, 17), BINARY32(24, -126, 9), BINARY16(11, -14, 5);

        final int precision;
        final int minExponent;
        final int maxDigits;

        Format(int precision, int minExponent, int maxDigits) {
            this.precision = precision;
            this.minExponent = minExponent;
            this.maxDigits = maxDigits;
        }
    }

    /** The longest repr: '-', 17 digits, '.' and "e-308", or "-0.000" and 17 digits. */
    private static final int MAX_LENGTH = 32;

    private ShortestFloat() {}

    /** Python's {@code repr} of {@code v} read at {@code format}'s precision (v must be exactly representable in it). */
    static String repr(double v, Format format) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        byte[] b = new byte[MAX_LENGTH];
        return new String(b, 0, write(v, format, b, 0), StandardCharsets.ISO_8859_1);
    }

    /** Writes {@link #repr} of a finite {@code v} into {@code out}, building no string on the common paths. */
    static void writeRepr(double v, Format format, JsonBytes out) throws IOException {
        out.ensure(MAX_LENGTH);
        out.position(write(v, format, out.buffer(), out.position()));
    }

    /**
     * The repr of a finite {@code v} at {@code b[p]}; returns the position after it. Integers are
     * their own digits; other values take Schubfach's digits where they are provably Python's and
     * the exact search otherwise.
     */
    private static int write(double v, Format format, byte[] b, int p) {
        if (v < 0 || (v == 0 && 1 / v < 0)) {
            b[p++] = '-';
            v = -v;
        }
        if (v == 0) {
            b[p++] = '0';
            b[p++] = '.';
            b[p++] = '0';
            return p;
        }
        if (v == Math.rint(v) && v < (double) (1L << format.precision)) {
            // An integer whose neighbours are at most 1 apart: no shorter decimal rounds to it, and
            // below 2^53 < 10^16 it is written positionally.
            p = JsonBytes.writeDigits((long) v, b, p);
            b[p++] = '.';
            b[p++] = '0';
            return p;
        }
        int end = format == Format.BINARY16 ? -1 : writeSchubfach(v, format, b, p);
        return end >= 0 ? end : writeExact(v, format, b, p);
    }

    /**
     * {@link #repr} of a finite {@code v} by the exact search alone, without the integer and
     * Schubfach fast paths: the reference they are tested against.
     */
    static String exactRepr(double v, Format format) {
        byte[] b = new byte[MAX_LENGTH];
        int p = 0;
        if (v < 0 || (v == 0 && 1 / v < 0)) {
            b[p++] = '-';
            v = -v;
        }
        if (v == 0) {
            return (p > 0 ? "-" : "") + "0.0";
        }
        return new String(b, 0, writeExact(v, format, b, p), StandardCharsets.ISO_8859_1);
    }

    /**
     * The fast path: the digits of Schubfach (Giulietti's shortest-decimal algorithm, the one
     * JDK 19 adopted for {@code Double.toString}; jackson-core ships a port), when they provably are
     * Python's, laid out at {@code b[p]}; returns the position after them, or -1 where the exact
     * search must decide. Schubfach returns the decimal of minimal length {@code m} closest to
     * {@code v}, except that for {@code m = 1} it picks the closest 2-digit decimal (4.9e-324, where
     * Python prints 5e-324). So a result of 3 or more significant digits has {@code m >= 3} and is
     * Python's; one digit is too (the 1-digit decimals are among the 2-digit ones); only 2 digits
     * leave the choice to the exact search. About 30 times faster than the search; allocation:
     * jackson's short string.
     */
    private static int writeSchubfach(double v, Format format, byte[] b, int p) {
        String s = format == Format.BINARY32 ? FloatToDecimal.toString((float) v) : DoubleToDecimal.toString(v);
        int len = s.length();
        // The significant digits without the point ("0.00123" -> 123, "1.5" -> 15) and where the
        // point goes: value = 0.DIGITS x 10^point.
        long d = 0;
        int n = 0;
        int point = 0;
        boolean seenPoint = false;
        int i = 0;
        for (; i < len; i++) {
            char c = s.charAt(i);
            if (c == 'E') {
                break;
            }
            if (c == '.') {
                seenPoint = true;
            } else if (n == 0 && c == '0') {
                if (seenPoint) {
                    point--;
                }
            } else {
                d = d * 10 + (c - '0');
                n++;
                if (!seenPoint) {
                    point++;
                }
            }
        }
        if (i < len) {
            point += Integer.parseInt(s, i + 1, len, 10);
        }
        while (n > 1 && d % 10 == 0) {
            d /= 10;
            n--;
        }
        if (n == 2) {
            return -1;
        }
        return layout(d, point, b, p);
    }

    /**
     * Python's repr layout of {@code 0.DIGITS x 10^point} for digits given as a number without
     * trailing zeros, at {@code b[p]}; returns the position after it.
     */
    static int layout(long digits, int point, byte[] b, int p) {
        int n = JsonBytes.digitCount(digits);
        if (point > -4 && point <= 16) {
            if (point <= 0) {
                b[p++] = '0';
                b[p++] = '.';
                for (int i = 0; i < -point; i++) {
                    b[p++] = '0';
                }
                return JsonBytes.writeDigits(digits, b, p);
            }
            if (point >= n) {
                p = JsonBytes.writeDigits(digits, b, p);
                for (int i = n; i < point; i++) {
                    b[p++] = '0';
                }
                b[p++] = '.';
                b[p++] = '0';
                return p;
            }
            return withPointAfter(digits, n, point, b, p);
        }
        p = n == 1 ? JsonBytes.writeDigits(digits, b, p) : withPointAfter(digits, n, 1, b, p);
        int exp = point - 1;
        b[p++] = 'e';
        b[p++] = (byte) (exp < 0 ? '-' : '+');
        int abs = Math.abs(exp);
        if (abs < 10) {
            b[p++] = '0';
        }
        return JsonBytes.writeDigits(abs, b, p);
    }

    /** The {@code n} digits with a '.' after the first {@code k} (0 < k < n). */
    private static int withPointAfter(long digits, int n, int k, byte[] b, int p) {
        int end = p + n + 1;
        long x = digits;
        for (int q = end - 1; q >= p; q--) {
            if (q == p + k) {
                b[q] = '.';
            } else {
                b[q] = (byte) ('0' + (int) (x % 10));
                x /= 10;
            }
        }
        return end;
    }

    /**
     * The exact search: the fewest digits inside {@code v}'s rounding interval, the closest of them
     * when there is a choice, laid out at {@code b[p]}; {@code v} finite and positive.
     */
    private static int writeExact(double v, Format format, byte[] b, int p) {
        BigDecimal exact = new BigDecimal(v);
        int binaryExponent = Math.getExponent(v);
        int e = Math.max(binaryExponent, format.minExponent) - (format.precision - 1);
        long mantissa = (long) Math.scalb(v, -e);
        BigDecimal halfUlp = powerOfTwo(e - 1);
        boolean powerOfTwo = mantissa == (1L << (format.precision - 1)) && binaryExponent > format.minExponent;
        BigDecimal low = exact.subtract(powerOfTwo ? powerOfTwo(e - 2) : halfUlp);
        BigDecimal high = exact.add(halfUlp);
        boolean inclusive = (mantissa & 1) == 0;

        int length = Math.min(format.maxDigits, startLength(v, format));
        while (length < format.maxDigits && best(exact, length, low, high, inclusive) == null) {
            length++; // defensive: Java's digit count is always enough, but never trust it blindly
        }
        while (length > 1 && best(exact, length - 1, low, high, inclusive) != null) {
            length--;
        }
        BigDecimal chosen = best(exact, length, low, high, inclusive);
        if (chosen == null) {
            chosen = exact.round(new MathContext(format.maxDigits, RoundingMode.HALF_EVEN));
        }
        BigDecimal digits = chosen.stripTrailingZeros();
        int count = digits.precision(); // at most format.maxDigits <= 17: fits a long
        return layout(digits.unscaledValue().longValueExact(), count - digits.scale(), b, p);
    }

    /** 2^k exactly (2^-k is 5^k / 10^k); Math.scalb would underflow below the subnormals. */
    private static BigDecimal powerOfTwo(int k) {
        return k >= 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(k)) : new BigDecimal(BigInteger.valueOf(5).pow(-k), -k);
    }

    private static int startLength(double v, Format format) {
        String s = format == Format.BINARY64 ? Double.toString(v)
                : format == Format.BINARY32 ? Float.toString((float) v) : null;
        if (s == null) {
            return format.maxDigits;
        }
        int e = s.indexOf('E');
        String mantissa = (e < 0 ? s : s.substring(0, e)).replace(".", "");
        mantissa = mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "");
        return Math.max(1, mantissa.length());
    }

    /** The closer of the two {@code length}-digit neighbours of {@code exact} that round-trip, or {@code null}. */
    private static BigDecimal best(BigDecimal exact, int length, BigDecimal low, BigDecimal high, boolean inclusive) {
        BigDecimal down = exact.round(new MathContext(length, RoundingMode.FLOOR));
        BigDecimal up = exact.round(new MathContext(length, RoundingMode.CEILING));
        boolean downOk = inside(down, low, high, inclusive);
        boolean upOk = inside(up, low, high, inclusive);
        if (downOk && upOk) {
            int cmp = exact.subtract(down).compareTo(up.subtract(exact));
            if (cmp != 0) {
                return cmp < 0 ? down : up;
            }
            return lastDigitEven(down) ? down : up;
        }
        return downOk ? down : upOk ? up : null;
    }

    private static boolean inside(BigDecimal c, BigDecimal low, BigDecimal high, boolean inclusive) {
        int lo = c.compareTo(low);
        int hi = c.compareTo(high);
        return inclusive ? lo >= 0 && hi <= 0 : lo > 0 && hi < 0;
    }

    private static boolean lastDigitEven(BigDecimal d) {
        return !d.unscaledValue().testBit(0);
    }
}
