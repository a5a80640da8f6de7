package org.npyconv.formats.element;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * Python's text conventions that the element package reproduces: the string codecs protocol 0-2
 * pickles use, {@code decimal.Decimal} parsing and {@code str()}, and {@code isoformat()}.
 * Stateless.
 */
final class PythonText {
    /** CPython's default limit for int/str conversion ({@code sys.int_info.default_max_str_digits}). */
    static final int MAX_INT_DIGITS = 4300;

    private PythonText() {}

    /** UTF-8 with Python's {@code surrogatepass} (pickle writes lone surrogates that way). */
    static String utf8(byte[] b, int off, int len) {
        String fast = new String(b, off, len, StandardCharsets.UTF_8);
        if (fast.indexOf('\uFFFD') < 0) {
            return fast;
        }
        return utf8Strict(b, off, len);
    }

    private static String utf8Strict(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len);
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i] & 0xFF;
            int cp;
            int n;
            if (c < 0x80) {
                cp = c;
                n = 1;
            } else if (c >= 0xC2 && c <= 0xDF) {
                cp = c & 0x1F;
                n = 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                cp = c & 0x0F;
                n = 3;
            } else if (c >= 0xF0 && c <= 0xF4) {
                cp = c & 0x07;
                n = 4;
            } else {
                throw new IllegalArgumentException("invalid UTF-8 byte 0x" + Integer.toHexString(c) + " in str payload");
            }
            if (i + n > end) {
                throw new IllegalArgumentException("truncated UTF-8 sequence in str payload");
            }
            for (int k = 1; k < n; k++) {
                int cc = b[i + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) {
                    throw new IllegalArgumentException("invalid UTF-8 continuation in str payload");
                }
                cp = (cp << 6) | (cc & 0x3F);
            }
            int min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
            if (cp < min || cp > 0x10FFFF) {
                throw new IllegalArgumentException("overlong or out-of-range UTF-8 in str payload");
            }
            sb.appendCodePoint(cp); // surrogates (ED A0..BF xx) pass through, as with surrogatepass
            i += n;
        }
        return sb.toString();
    }

    /** {@code raw-unicode-escape}: only {@code \\uXXXX} and {@code \\UXXXXXXXX} are escapes; bytes are latin-1. */
    static String rawUnicodeEscape(String latin1) {
        if (latin1.indexOf('\\') < 0) {
            return latin1;
        }
        StringBuilder sb = new StringBuilder(latin1.length());
        int i = 0;
        int n = latin1.length();
        while (i < n) {
            char c = latin1.charAt(i);
            if (c != '\\') {
                sb.append(c);
                i++;
                continue;
            }
            // A run of backslashes: only one preceded by an even number of them starts an escape.
            int run = 0;
            while (i + run < n && latin1.charAt(i + run) == '\\') {
                run++;
            }
            int next = i + run;
            boolean escape = (run % 2 == 1) && next < n && (latin1.charAt(next) == 'u' || latin1.charAt(next) == 'U');
            if (!escape) {
                sb.append(latin1, i, next);
                i = next;
                continue;
            }
            sb.append(latin1, i, next - 1);
            int digits = latin1.charAt(next) == 'u' ? 4 : 8;
            if (next + 1 + digits > n) {
                throw new IllegalArgumentException("truncated \\" + latin1.charAt(next) + " escape in UNICODE");
            }
            long cp = Long.parseLong(latin1.substring(next + 1, next + 1 + digits), 16);
            if (cp > 0x10FFFF) {
                throw new IllegalArgumentException("\\U escape beyond U+10FFFF in UNICODE");
            }
            sb.appendCodePoint((int) cp);
            i = next + 1 + digits;
        }
        return sb.toString();
    }

    /** Python's {@code codecs.escape_decode} of a protocol 0 {@code STRING} body, as latin-1 text. */
    static String escapeDecode(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw new IllegalArgumentException("trailing \\ in STRING");
            }
            char e = s.charAt(i++);
            switch (e) {
                case '\n': break;
                case '\\': sb.append('\\'); break;
                case '\'': sb.append('\''); break;
                case '"': sb.append('"'); break;
                case 'a': sb.append('\u0007'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'v': sb.append('\u000B'); break;
                case 'x': {
                    if (i + 2 > s.length()) {
                        throw new IllegalArgumentException("truncated \\x escape in STRING");
                    }
                    sb.append((char) Integer.parseInt(s.substring(i, i + 2), 16));
                    i += 2;
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7'; k++) {
                            v = v * 8 + (s.charAt(i++) - '0');
                        }
                        sb.append((char) (v & 0xFF));
                    } else {
                        sb.append('\\').append(e); // Python keeps unknown escapes as they are
                    }
            }
        }
        return sb.toString();
    }

    /** Python's {@code int(text)} for the INT/LONG/GET/PUT text arguments; {@link Long} or {@link BigInteger}. */
    static Number parseInt(String text) {
        String t = text.strip().replace("_", "");
        if (t.length() > MAX_INT_DIGITS + 1) {
            throw new IllegalArgumentException("integer text of " + t.length()
                    + " characters exceeds Python's " + MAX_INT_DIGITS + "-digit limit");
        }
        if (t.length() < 19) {
            return Long.parseLong(t);
        }
        return normalize(new BigInteger(t));
    }

    /** Long when it fits in 64 bits, else the BigInteger. */
    static Number normalize(BigInteger v) {
        return v.bitLength() < 64 ? (Number) v.longValue() : v;
    }

    /** Python's {@code float(text)} for protocol 0 {@code FLOAT}. */
    static double parseFloat(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        String body = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
        boolean negative = t.startsWith("-");
        if (body.equals("inf") || body.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (body.equals("nan")) {
            return Double.NaN;
        }
        if (body.isEmpty() || !body.matches("[0-9_.e+-]+")) {
            throw new NumberFormatException("not a Python float: '" + text + "'");
        }
        return Double.parseDouble(t.replace("_", ""));
    }

    /** {@code decimal.Decimal(text)}: a {@link BigDecimal}, or a {@link SpecialDecimal} for NaN, infinities and -0. */
    static Object decimal(String text) {
        String t = text.strip().replace("_", "");
        String lower = t.toLowerCase(Locale.ROOT);
        boolean negative = lower.startsWith("-");
        String body = negative || lower.startsWith("+") ? lower.substring(1) : lower;
        String sign = negative ? "-" : "";
        if (body.equals("inf") || body.equals("infinity")) {
            return new SpecialDecimal(sign + "Infinity");
        }
        if (body.startsWith("nan") || body.startsWith("snan")) {
            String payload = body.substring(body.startsWith("nan") ? 3 : 4);
            if (!payload.matches("[0-9]*")) {
                throw new IllegalArgumentException("invalid Decimal literal '" + text + "'");
            }
            payload = payload.replaceFirst("^0+", "");
            return new SpecialDecimal(sign + (body.startsWith("s") ? "sNaN" : "NaN") + payload);
        }
        if (!body.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?")) {
            throw new IllegalArgumentException("invalid Decimal literal '" + text + "'");
        }
        BigDecimal value = new BigDecimal(t);
        if (negative && value.signum() == 0) {
            return new SpecialDecimal("-" + decimalString(value));
        }
        return value;
    }

    /**
     * Python's {@code str(Decimal)} for a finite value. Java's {@link BigDecimal#toString()} follows
     * the same General Decimal Arithmetic rule (plain notation when the exponent is &le; 0 and the
     * adjusted exponent &ge; -6, else scientific with {@code E+n}/{@code E-n}), so it is used as is.
     */
    static String decimalString(BigDecimal value) {
        return value.toString();
    }

    /** {@code datetime.isoformat()} of the supported date/time values. */
    static String isoformat(Object v) {
        if (v instanceof LocalDate) {
            return date((LocalDate) v);
        }
        if (v instanceof LocalDateTime) {
            LocalDateTime t = (LocalDateTime) v;
            return date(t.toLocalDate()) + "T" + time(t.toLocalTime());
        }
        if (v instanceof OffsetDateTime) {
            OffsetDateTime t = (OffsetDateTime) v;
            return date(t.toLocalDate()) + "T" + time(t.toLocalTime()) + offset(t.getOffset());
        }
        if (v instanceof LocalTime) {
            return time((LocalTime) v);
        }
        if (v instanceof OffsetTime) {
            OffsetTime t = (OffsetTime) v;
            return time(t.toLocalTime()) + offset(t.getOffset());
        }
        throw new IllegalArgumentException("not a date/time value: " + v.getClass().getName());
    }

    private static String date(LocalDate d) {
        return String.format(Locale.ROOT, "%04d-%02d-%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }

    private static String time(LocalTime t) {
        String s = String.format(Locale.ROOT, "%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
        int micros = t.getNano() / 1000;
        return micros == 0 ? s : s + String.format(Locale.ROOT, ".%06d", micros);
    }

    /** Python's {@code +HH:MM[:SS]} ({@code utcoffset} formatting in isoformat). */
    static String offset(ZoneOffset o) {
        int total = o.getTotalSeconds();
        char sign = total < 0 ? '-' : '+';
        total = Math.abs(total);
        String s = String.format(Locale.ROOT, "%c%02d:%02d", sign, total / 3600, (total / 60) % 60);
        return total % 60 == 0 ? s : s + String.format(Locale.ROOT, ":%02d", total % 60);
    }

    /** {@code timedelta.total_seconds()}: microseconds / 10**6, correctly rounded like Python's int true division. */
    static double totalSeconds(Duration d) {
        BigDecimal micros = BigDecimal.valueOf(d.getSeconds()).multiply(BigDecimal.valueOf(1_000_000))
                .add(BigDecimal.valueOf(d.getNano() / 1000));
        return micros.movePointLeft(6).doubleValue();
    }
}
