package org.npyconv.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.npyconv.indexer.Indexer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Index build: the whole sidecar pass, written to a scratch file (the real sidecar is left alone). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class IndexBuildBenchmark {
    @Param({BenchmarkFiles.STRINGS, BenchmarkFiles.RAGGED_F4, BenchmarkFiles.DICTS})
    public String file;

    private Path path;
    private Path scratchIndex;

    @Setup
    public void prepare() throws IOException {
        path = BenchmarkFiles.existing(file);
        scratchIndex = Files.createTempFile("npyconv-bench-", ".npyidx");
    }

    @Benchmark
    public Indexer.Result build() throws IOException {
        return Indexer.build(path, scratchIndex, Indexer.DEFAULT_CHECKPOINT_INTERVAL, Indexer.Progress.NONE);
    }

    @TearDown
    public void removeScratch() throws IOException {
        Files.deleteIfExists(scratchIndex);
    }
}
