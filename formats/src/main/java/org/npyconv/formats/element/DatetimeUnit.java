package org.npyconv.formats.element;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

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
}
