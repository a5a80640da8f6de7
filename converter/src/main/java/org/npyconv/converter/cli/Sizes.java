package org.npyconv.converter.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Byte counts and rates as people read them (1.5 MB, 320 KB). Decimal units, like ls -h --si.
 *
 * <p>Formatted without {@link java.util.Formatter}: its first floating-point conversion loads
 * {@code DecimalFormatSymbols} and the locale data behind it, ~15 ms of CPU at the end of every
 * {@code convert} and {@code index} run (docs/perf/session8.md). The digits are {@code String.format}'s
 * own: Java rounds the shortest decimal form of the double half-up, as {@link BigDecimal#valueOf(double)}
 * with {@link RoundingMode#HALF_UP} does (SizesTest compares the two).
 */
final class Sizes {
    private static final String[] UNITS = {"KB", "MB", "GB", "TB", "PB"};

    private Sizes() {}

    static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < UNITS.length - 1) {
            v /= 1000;
            u++;
        }
        return fixed(v, v < 10 ? 1 : 0) + " " + UNITS[u];
    }

    static String rate(long bytes, long nanos) {
        return human(nanos <= 0 ? 0 : (long) (bytes * 1e9 / nanos)) + "/s";
    }

    static String seconds(long nanos) {
        return fixed(nanos / 1e9, 2) + " s";
    }

    /** {@code String.format(Locale.ROOT, "%.Nf", v)} for finite {@code v}, N = {@code decimals}. */
    static String fixed(double v, int decimals) {
        return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
    }
}
