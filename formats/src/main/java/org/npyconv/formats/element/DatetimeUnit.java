package org.npyconv.formats.element;

import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * NumPy's datetime64/timedelta64 units and the conversion NumPy's {@code .item()} / {@code tolist()}
 * applies: NaT to {@code None}; date units (Y, M, W, D) to {@code datetime.date}; h..us to
 * {@code datetime.datetime} / {@code datetime.timedelta}; generic, ns and finer (and, for
 * timedelta, Y and M) to the plain integer count; values outside Python's datetime range to the
 * integer count as well.
 */
enum DatetimeUnit {
    Y(0), M(0), W(7L * 86_400_000_000L), D(86_400_000_000L), h(3_600_000_000L), m(60_000_000L),
    s(1_000_000L), ms(1_000L), us(1L), ns(0), ps(0), fs(0), as(0), generic(0);

    /** NaT: NumPy's "not a time" is the minimum int64. */
    static final long NAT = Long.MIN_VALUE;

    /** Microseconds per unit for the linear units up to us; 0 where the unit is not linear or is finer. */
    private final long micros;

    DatetimeUnit(long micros) {
        this.micros = micros;
    }

    static DatetimeUnit of(String text) {
        switch (text) {
            case "Y": return Y;
            case "M": return M;
            case "W": return W;
            case "D": return D;
            case "h": return h;
            case "m": return m;
            case "s": return s;
            case "ms": return ms;
            case "us": case "\u03bcs": return us;
            case "ns": return ns;
            case "ps": return ps;
            case "fs": return fs;
            case "as": return as;
            case "generic": return generic;
            default: return null;
        }
    }

    /** {@code datetime64.item()}: {@code null}, a {@link Long}, a {@link LocalDate} or a {@link LocalDateTime}. */
    static Object datetimeItem(long value, String unitName, int count) {
        if (value == NAT) {
            return null;
        }
        DatetimeUnit unit = of(unitName);
        if (unit == null || unit == generic || unit.ordinal() > us.ordinal()) {
            return value;
        }
        try {
            long v = Math.multiplyExact(value, (long) count);
            LocalDateTime t;
            switch (unit) {
                case Y:
                    t = LocalDate.of(Math.toIntExact(Math.addExact(1970L, v)), 1, 1).atStartOfDay();
                    break;
                case M:
                    t = LocalDate.of(Math.toIntExact(1970L + Math.floorDiv(v, 12L)), (int) Math.floorMod(v, 12L) + 1, 1)
                            .atStartOfDay();
                    break;
                default:
                    long micros = Math.multiplyExact(v, unit.micros);
                    t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
            }
            if (t.getYear() < 1 || t.getYear() > 9999) {
                return value;
            }
            return unit.ordinal() <= D.ordinal() ? t.toLocalDate() : t;
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return value; // beyond Python's datetime: NumPy gives the integer
        }
    }

    /** {@code timedelta64.item()}: {@code null}, a {@link Long} or a {@link Duration}. */
    static Object timedeltaItem(long value, String unitName, int count) {
        if (value == NAT) {
            return null;
        }
        DatetimeUnit unit = of(unitName);
        if (unit == null || unit.micros == 0) {
            return value;
        }
        try {
            long micros = Math.multiplyExact(Math.multiplyExact(value, (long) count), unit.micros);
            long days = Math.floorDiv(micros, 86_400_000_000L);
            if (days < -999_999_999L || days > 999_999_999L) {
                return value;
            }
            return Duration.ofSeconds(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
        } catch (ArithmeticException e) {
            return value;
        }
    }

    /** Units per day for the units below a day, as powers of ten per second where they are sub-second. */
    private static BigInteger perDay(DatetimeUnit u) {
        switch (u) {
            case h: return BigInteger.valueOf(24);
            case m: return BigInteger.valueOf(1440);
            default: return BigInteger.valueOf(86_400).multiply(BigInteger.TEN.pow(fractionDigits(u)));
        }
    }

    private static int fractionDigits(DatetimeUnit u) {
        switch (u) {
            case ms: return 3;
            case us: return 6;
            case ns: return 9;
            case ps: return 12;
            case fs: return 15;
            case as: return 18;
            default: return 0;
        }
    }

    /**
     * NumPy's {@code str(datetime64)}: ISO 8601 at the unit's precision ({@code 2020}, {@code 2020-03},
     * {@code 2020-01-02}, {@code 2020-01-02T03}, ..., {@code 1970-01-01T00:00:00.000000001}), years
     * printed like C's {@code %04d} ({@code -001}), {@code NaT} for NaT.
     */
    static String numpyString(long value, String unitName, int count) {
        if (value == NAT) {
            return "NaT";
        }
        DatetimeUnit unit = of(unitName);
        if (unit == null || unit == generic) {
            return Long.toString(value);
        }
        BigInteger total = BigInteger.valueOf(value).multiply(BigInteger.valueOf(count));
        switch (unit) {
            case Y:
                return year(total.add(BigInteger.valueOf(1970)));
            case M: {
                BigInteger[] qr = floorDivMod(total, BigInteger.valueOf(12));
                return year(qr[0].add(BigInteger.valueOf(1970))) + String.format(Locale.ROOT, "-%02d", qr[1].intValue() + 1);
            }
            case W:
                return date(total.multiply(BigInteger.valueOf(7)));
            case D:
                return date(total);
            default:
                break;
        }
        BigInteger[] dayAndRest = floorDivMod(total, perDay(unit));
        String day = date(dayAndRest[0]);
        BigInteger r = dayAndRest[1];
        switch (unit) {
            case h:
                return day + String.format(Locale.ROOT, "T%02d", r.intValue());
            case m:
                return day + String.format(Locale.ROOT, "T%02d:%02d", r.intValue() / 60, r.intValue() % 60);
            default: {
                int digits = fractionDigits(unit);
                BigInteger[] secAndFrac = r.divideAndRemainder(BigInteger.TEN.pow(digits));
                int sec = secAndFrac[0].intValue();
                String hms = String.format(Locale.ROOT, "T%02d:%02d:%02d", sec / 3600, (sec / 60) % 60, sec % 60);
                if (digits == 0) {
                    return day + hms;
                }
                String frac = secAndFrac[1].toString();
                return day + hms + "." + "0".repeat(digits - frac.length()) + frac;
            }
        }
    }

    private static BigInteger[] floorDivMod(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        if (qr[1].signum() < 0) {
            qr[0] = qr[0].subtract(BigInteger.ONE);
            qr[1] = qr[1].add(b);
        }
        return qr;
    }

    private static String year(BigInteger y) {
        return String.format(Locale.ROOT, "%04d", y);
    }

    /** Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days, in BigInteger). */
    private static String date(BigInteger days) {
        BigInteger z = days.add(BigInteger.valueOf(719_468));
        BigInteger[] eraAndDoe = floorDivMod(z, BigInteger.valueOf(146_097));
        long doe = eraAndDoe[1].longValue();
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long mo = mp < 10 ? mp + 3 : mp - 9;
        BigInteger y = eraAndDoe[0].multiply(BigInteger.valueOf(400)).add(BigInteger.valueOf(yoe + (mo <= 2 ? 1 : 0)));
        return year(y) + String.format(Locale.ROOT, "-%02d-%02d", mo, d);
    }

    /** The unit as NumPy's {@code datetime_data} names it, with the multiplier: {@code s}, {@code 5s}, {@code generic}. */
    static String unitText(String unitName, int count) {
        return count == 1 ? unitName : count + unitName;
    }
}
