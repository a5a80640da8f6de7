package org.npyconv.converter.cli;

import java.util.Locale;

/** Byte counts and rates as people read them (1.5 MB, 320 KB). Decimal units, like ls -h --si. */
final class Sizes {
    private Sizes() {}

    static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    static String rate(long bytes, long nanos) {
        return human(nanos <= 0 ? 0 : (long) (bytes * 1e9 / nanos)) + "/s";
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
