package org.npyconv.converter.output;

import java.nio.ByteBuffer;
import org.apache.parquet.column.statistics.Statistics;

/** Page statistics computed in plain loops over a page's values, shared by the bulk page encoders. */
final class PageStatistics {
    private PageStatistics() {
    }

    /**
     * Min and max of {@code count} PLAIN values (little-endian, from the buffer's position) as parquet-java's statistics compute them from every value, but
     * in a plain loop: only the extremes (and each NaN, which its float statistics count and keep
     * out of min/max) are handed to it. Min/max of a set do not depend on order, so feeding the
     * extremes gives the same statistics as feeding every value. {@link Double#compare} orders
     * -0.0 below 0.0 as parquet-java's comparator does.
     */
    static void extremes(Statistics<?> stats, ByteBuffer page, int count) {
        if (count == 0) {
            return;
        }
        switch (stats.type().getPrimitiveTypeName()) {
            case DOUBLE -> {
                java.nio.DoubleBuffer v = page.asDoubleBuffer();
                double min = Double.NaN;
                double max = Double.NaN;
                for (int j = 0; j < count; j++) {
                    double x = v.get(j);
                    if (Double.isNaN(x)) {
                        stats.updateStats(x);
                    } else if (Double.isNaN(min)) {
                        min = x;
                        max = x;
                    } else {
                        min = Double.compare(x, min) < 0 ? x : min;
                        max = Double.compare(x, max) > 0 ? x : max;
                    }
                }
                if (!Double.isNaN(min)) {
                    stats.updateStats(min);
                    stats.updateStats(max);
                }
            }
            case FLOAT -> {
                java.nio.FloatBuffer v = page.asFloatBuffer();
                float min = Float.NaN;
                float max = Float.NaN;
                for (int j = 0; j < count; j++) {
                    float x = v.get(j);
                    if (Float.isNaN(x)) {
                        stats.updateStats(x);
                    } else if (Float.isNaN(min)) {
                        min = x;
                        max = x;
                    } else {
                        min = Float.compare(x, min) < 0 ? x : min;
                        max = Float.compare(x, max) > 0 ? x : max;
                    }
                }
                if (!Float.isNaN(min)) {
                    stats.updateStats(min);
                    stats.updateStats(max);
                }
            }
            case INT64 -> {
                java.nio.LongBuffer v = page.asLongBuffer();
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (int j = 0; j < count; j++) {
                    min = Math.min(min, v.get(j));
                    max = Math.max(max, v.get(j));
                }
                stats.updateStats(min);
                stats.updateStats(max);
            }
            default -> {
                java.nio.IntBuffer v = page.asIntBuffer();
                int min = Integer.MAX_VALUE;
                int max = Integer.MIN_VALUE;
                for (int j = 0; j < count; j++) {
                    min = Math.min(min, v.get(j));
                    max = Math.max(max, v.get(j));
                }
                stats.updateStats(min);
                stats.updateStats(max);
            }
        }
    }

}
