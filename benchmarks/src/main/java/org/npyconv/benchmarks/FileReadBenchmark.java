package org.npyconv.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.npyconv.formats.MappedReads;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One sequential pass over a whole (page-cached) file into a reused 1 MiB heap buffer, the way the
 * indexer's scan window and checksum thread and the converter's pickle windows read: positional
 * {@code FileChannel.read} (read(2)) against {@link MappedReads} (copies out of a sliding mapping).
 * docs/perf/mapped-reads.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FileReadBenchmark {
    @Param({BenchmarkFiles.STRINGS, BenchmarkFiles.RAGGED_F4})
    public String file;

    private Path path;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20);

    @Setup
    public void locate() throws IOException {
        path = BenchmarkFiles.existing(file);
    }

    /** Returns a byte of every buffer (consumed by JMH, so the reads cannot be optimised away). */
    @Benchmark
    public long positionalReads() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
             MappedReads in = MappedReads.positional(ch)) {
            return pass(in);
        }
    }

    @Benchmark
    public long mappedReads() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
             MappedReads in = MappedReads.mapped(ch)) {
            return pass(in);
        }
    }

    private long pass(MappedReads in) throws IOException {
        long sum = 0;
        long at = 0;
        int n;
        while ((n = in.read(buffer.clear(), at)) > 0) {
            at += n;
            sum += buffer.get(n - 1);
        }
        return sum + at;
    }
}
