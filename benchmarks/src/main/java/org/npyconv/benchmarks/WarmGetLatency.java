package org.npyconv.benchmarks;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.npyconv.indexer.NpyObjectArray;
import org.npyconv.indexer.NpyRawArray;
import org.npyconv.indexer.NpzArchive;

/**
 * The end-to-end harness's warm random-get measurement: opens a file once, warms up with random
 * gets, then times single {@code get(i)} calls at uniformly random {@code i} and prints one JSON
 * line with the median and the 99th percentile in microseconds. A distribution of single calls,
 * which JMH's averages do not give.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.npyconv.benchmarks.WarmGetLatency FILE [--gets N] [--seed S] [--member KEY]</pre>
 *
 * With {@code --member}, FILE is an {@code .npz} and KEY one of its members (docs/npz.md): an
 * object member through its array index, a numeric, structured or string member by offset, through
 * deflate checkpoints when it is deflated.
 */
public final class WarmGetLatency {
    private WarmGetLatency() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args.length % 2 == 0) {
            System.err.println("usage: WarmGetLatency FILE [--gets N] [--seed S] [--member KEY]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int gets = 20_000;
        long seed = 42;
        String member = null;
        for (int a = 1; a < args.length; a += 2) {
            switch (args[a]) {
                case "--gets" -> gets = Integer.parseInt(args[a + 1]);
                case "--seed" -> seed = Long.parseLong(args[a + 1]);
                case "--member" -> member = args[a + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[a]);
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        long[] nanos = new long[gets];
        long sink = 0;
        if (member != null) {
            try (NpzArchive npz = NpzArchive.open(file)) {
                NpzArchive.Member m = npz.member(member);
                if (m.header() != null && !m.isObject()) {
                    sink = rawGets(npz, m, random, nanos);
                    report(nanos, sink);
                    return;
                }
            }
        }
        try (NpzArchive npz = member == null ? null : NpzArchive.open(file);
             NpyObjectArray array = npz == null ? NpyObjectArray.open(file) : npz.objectArray(member)) {
            long n = array.size();
            for (int i = 0; i < gets; i++) { // warm-up: as many gets as are timed
                sink += System.identityHashCode(array.get(random.nextLong(n)));
            }
            for (int i = 0; i < gets; i++) {
                long at = random.nextLong(n);
                long began = System.nanoTime();
                Object element = array.get(at);
                nanos[i] = System.nanoTime() - began;
                sink += System.identityHashCode(element);
            }
        }
        report(nanos, sink);
    }

    /** Warm-up and timed gets of a non-object member, all through one member channel (as a long-running reader would). */
    private static long rawGets(NpzArchive npz, NpzArchive.Member m, SplittableRandom random, long[] nanos)
            throws IOException {
        long sink = 0;
        try (FileChannel channel = npz.randomAccessChannel(m);
             NpyRawArray array = NpyRawArray.of(channel, m.header(), Path.of(npz.file() + "!" + m.zip().name()))) {
            long n = array.size();
            for (int i = 0; i < nanos.length; i++) {
                sink += array.get(random.nextLong(n)).hashCode();
            }
            for (int i = 0; i < nanos.length; i++) {
                long at = random.nextLong(n);
                long began = System.nanoTime();
                Object item = array.get(at);
                nanos[i] = System.nanoTime() - began;
                sink += item.hashCode();
            }
        }
        return sink;
    }

    private static void report(long[] nanos, long sink) {
        int gets = nanos.length;
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "{\"gets\": %d, \"median_us\": %.3f, \"p99_us\": %.3f, \"max_us\": %.3f, \"sink\": %d}%n",
                gets, percentile(nanos, 0.5), percentile(nanos, 0.99), nanos[gets - 1] / 1e3, sink & 1);
    }

    /** The nearest-rank percentile of sorted nanoseconds, in microseconds. */
    private static double percentile(long[] sortedNanos, double q) {
        int rank = (int) Math.ceil(q * sortedNanos.length) - 1;
        return sortedNanos[Math.max(rank, 0)] / 1e3;
    }
}
