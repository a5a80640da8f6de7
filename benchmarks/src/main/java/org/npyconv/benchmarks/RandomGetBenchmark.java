package org.npyconv.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.npyconv.indexer.NpyObjectArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Random {@code get} at uniformly random positions. {@link #warm} reuses one open array (caches
 * and JIT warm, the steady state of a long-lived reader); {@link #coldElement} opens the array,
 * reads one element and closes it, so nothing an earlier get resolved is reused (the in-JVM part
 * of {@code npyconv get} from a cold process). The sidecar is built in setup if it is missing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RandomGetBenchmark {
    @Param({BenchmarkFiles.STRINGS, BenchmarkFiles.RAGGED_F4, BenchmarkFiles.DICTS})
    public String file;

    private final SplittableRandom random = new SplittableRandom(42);
    private Path path;
    private NpyObjectArray array;

    @Setup
    public void open() throws IOException {
        path = BenchmarkFiles.existing(file);
        array = NpyObjectArray.open(path);
    }

    @Benchmark
    public Object warm() {
        return array.get(random.nextLong(array.size()));
    }

    @Benchmark
    public Object coldElement() throws IOException {
        try (NpyObjectArray fresh = NpyObjectArray.open(path)) {
            return fresh.get(random.nextLong(fresh.size()));
        }
    }

    @TearDown
    public void close() throws IOException {
        array.close();
    }
}
