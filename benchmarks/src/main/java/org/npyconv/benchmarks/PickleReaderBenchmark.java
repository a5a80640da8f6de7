package org.npyconv.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.npyconv.formats.npy.NpyHeader;
import org.npyconv.formats.pickle.PickleReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Opcode-reader throughput: every opcode of the file's pickle, arguments located but not decoded. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PickleReaderBenchmark {
    @Param({BenchmarkFiles.STRINGS, BenchmarkFiles.RAGGED_F4, BenchmarkFiles.DICTS})
    public String file;

    private Path path;
    private long dataOffset;

    @Setup
    public void locate() throws IOException {
        path = BenchmarkFiles.existing(file);
        dataOffset = NpyHeader.read(path).dataOffset();
    }

    /** Returns the opcode count (consumed by JMH, so the loop cannot be optimised away). */
    @Benchmark
    public long scanOpcodes() throws IOException {
        long opcodes = 0;
        try (PickleReader reader = PickleReader.open(path, dataOffset)) {
            while (reader.next() != null) {
                opcodes++;
            }
        }
        return opcodes;
    }
}
