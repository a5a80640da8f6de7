package org.npyconv.converter.output;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.parquet.column.statistics.Statistics;

/** Page statistics computed in plain loops over a page's values, shared by the bulk page encoders. */
final class PageStatistics {
    private static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private PageStatistics() {
    }

    /** {@link #extremes(Statistics, byte[], int, int)} of a heap buffer's values from its position. */
    static void extremes(Statistics<?> stats, ByteBuffer page, int count) {
        extremes(stats, page.array(), page.arrayOffset() + page.position(), count);
    }

    /**
     * Min and max of {@code count} PLAIN values (little-endian, from {@code at}) as parquet-java's
     * statistics compute them from every value, but in a plain loop over the bytes: only the
     * extremes (and each NaN, which its float statistics count and keep out of min/max) are handed
     * to it. Min/max of a set do not depend on order, so feeding the extremes gives the same
     * statistics as feeding every value. {@link Double#compare} orders -0.0 below 0.0 as
     * parquet-java's comparator does.
     */
    static void extremes(Statistics<?> stats, byte[] a, int at, int count) {
        if (count == 0) {
            return;
        }
        switch (stats.type().getPrimitiveTypeName()) {
            case DOUBLE -> {
                // Branch-free first: Math.min/max order -0.0 below 0.0 as parquet-java does, and give
                // NaN when any value is NaN; only then is the slower loop below needed.
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < count; j++) {
                    double x = (double) DOUBLES.get(a, at + 8 * j);
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
                if (lo == lo) {
                    stats.updateStats(lo);
                    stats.updateStats(hi);
                    return;
                }
                double min = Double.NaN;
                double max = Double.NaN;
                for (int j = 0; j < count; j++) {
                    double x = (double) DOUBLES.get(a, at + 8 * j);
                    if (x != x) {
                        stats.updateStats(x);
                    } else if (min != min) {
                        min = x;
                        max = x;
                    } else {
                        // The plain comparisons settle all but equal values (where only ±0 can differ).
                        if (x < min || x == min && Double.compare(x, min) < 0) {
                            min = x;
                        }
                        if (x > max || x == max && Double.compare(x, max) > 0) {
                            max = x;
                        }
                    }
                }
                if (min == min) {
                    stats.updateStats(min);
                    stats.updateStats(max);
                }
            }
            case FLOAT -> {
                float lo = Float.POSITIVE_INFINITY;
                float hi = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < count; j++) {
                    float x = (float) FLOATS.get(a, at + 4 * j);
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
                if (lo == lo) {
                    stats.updateStats(lo);
                    stats.updateStats(hi);
                    return;
                }
                float min = Float.NaN;
                float max = Float.NaN;
                for (int j = 0; j < count; j++) {
                    float x = (float) FLOATS.get(a, at + 4 * j);
                    if (x != x) {
                        stats.updateStats(x);
                    } else if (min != min) {
                        min = x;
                        max = x;
                    } else {
                        if (x < min || x == min && Float.compare(x, min) < 0) {
                            min = x;
                        }
                        if (x > max || x == max && Float.compare(x, max) > 0) {
                            max = x;
                        }
                    }
                }
                if (min == min) {
                    stats.updateStats(min);
                    stats.updateStats(max);
                }
            }
            case INT64 -> {
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (int j = 0; j < count; j++) {
                    long x = (long) LONGS.get(a, at + 8 * j);
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                }
                stats.updateStats(min);
                stats.updateStats(max);
            }
            default -> {
                int min = Integer.MAX_VALUE;
                int max = Integer.MIN_VALUE;
                for (int j = 0; j < count; j++) {
                    int x = (int) INTS.get(a, at + 4 * j);
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                }
                stats.updateStats(min);
                stats.updateStats(max);
            }
        }
    }
}
