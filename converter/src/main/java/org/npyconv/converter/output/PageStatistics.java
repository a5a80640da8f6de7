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

    /**
     * Float and double bits as integers in {@link Float#compare} order ({@code bits ^ ((bits >> 31)
     * & MAX)}: negative values' magnitude bits flipped); the keys of the infinities bound every
     * number, NaNs fall outside.
     */
    private static final int FLOAT_POSITIVE_INFINITY_KEY = 0x7F800000;
    private static final int FLOAT_NEGATIVE_INFINITY_KEY = 0xFF800000 ^ Integer.MAX_VALUE;
    private static final long DOUBLE_POSITIVE_INFINITY_KEY = 0x7FF0000000000000L;
    private static final long DOUBLE_NEGATIVE_INFINITY_KEY = 0xFFF0000000000000L ^ Long.MAX_VALUE;

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
                // On the bits first, as integers that order like Double.compare (-0.0 below 0.0, as
                // parquet-java's comparator): a NaN lands beyond the infinities, and only then is the
                // NaN-aware loop below needed.
                long lo = Long.MAX_VALUE;
                long hi = Long.MIN_VALUE;
                for (int j = 0; j < count; j++) {
                    long b = (long) LONGS.get(a, at + 8 * j);
                    long key = b ^ ((b >> 63) & Long.MAX_VALUE);
                    lo = Math.min(lo, key);
                    hi = Math.max(hi, key);
                }
                if (lo >= DOUBLE_NEGATIVE_INFINITY_KEY && hi <= DOUBLE_POSITIVE_INFINITY_KEY) {
                    stats.updateStats(Double.longBitsToDouble(lo ^ ((lo >> 63) & Long.MAX_VALUE)));
                    stats.updateStats(Double.longBitsToDouble(hi ^ ((hi >> 63) & Long.MAX_VALUE)));
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
                int lo = Integer.MAX_VALUE;
                int hi = Integer.MIN_VALUE;
                for (int j = 0; j < count; j++) {
                    int b = (int) INTS.get(a, at + 4 * j);
                    int key = b ^ ((b >> 31) & Integer.MAX_VALUE);
                    lo = Math.min(lo, key);
                    hi = Math.max(hi, key);
                }
                if (lo >= FLOAT_NEGATIVE_INFINITY_KEY && hi <= FLOAT_POSITIVE_INFINITY_KEY) {
                    stats.updateStats(Float.intBitsToFloat(lo ^ ((lo >> 31) & Integer.MAX_VALUE)));
                    stats.updateStats(Float.intBitsToFloat(hi ^ ((hi >> 31) & Integer.MAX_VALUE)));
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
