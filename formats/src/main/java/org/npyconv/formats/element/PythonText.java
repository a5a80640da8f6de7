package org.npyconv.formats.element;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.npyconv.formats.pickle.PythonCodecs;
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
        return PythonCodecs.utf8Surrogatepass(b, off, len);
    }

    /** {@code raw-unicode-escape} of a protocol 0 {@code UNICODE} line read as latin-1. */
    static String rawUnicodeEscape(String latin1) {
        byte[] bytes = latin1.getBytes(StandardCharsets.ISO_8859_1);
        return PythonCodecs.rawUnicodeEscape(bytes, 0, bytes.length);
    }

    /** Python's {@code codecs.escape_decode} of a protocol 0 {@code STRING} body, as latin-1 text. */
    static String escapeDecode(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        return new String(PythonCodecs.escapeDecode(bytes, 0, bytes.length), StandardCharsets.ISO_8859_1);
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
