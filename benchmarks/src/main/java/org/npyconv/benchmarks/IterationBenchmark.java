package org.npyconv.benchmarks;

import java.io.IOException;
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
import org.openjdk.jmh.infra.Blackhole;

/** Element iteration: every element in order through {@link NpyObjectArray#stream()}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class IterationBenchmark {
    @Param({BenchmarkFiles.STRINGS, BenchmarkFiles.RAGGED_F4, BenchmarkFiles.DICTS})
    public String file;

    private NpyObjectArray array;

    @Setup
    public void open() throws IOException {
        array = NpyObjectArray.open(BenchmarkFiles.existing(file));
    }

    @Benchmark
    public void stream(Blackhole elements) {
        array.stream().forEach(elements::consume);
    }

    @TearDown
    public void close() throws IOException {
        array.close();
    }
}
