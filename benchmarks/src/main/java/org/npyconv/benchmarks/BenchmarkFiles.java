package org.npyconv.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

/** The harness's benchmark files, relative to the repository root (where JMH is started). */
final class BenchmarkFiles {
    static final String STRINGS = "bench-data/strings.npy";
    static final String RAGGED_F4 = "bench-data/ragged_f4.npy";
    static final String DICTS = "bench-data/dicts.npy";

    private BenchmarkFiles() {}

    /** {@code file} as a path, failing with the command that creates it when it is missing. */
    static Path existing(String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(file + " does not exist: run 'benchmarks/run-e2e.sh --generate-only'"
                    + " from the repository root, or pass -p file=PATH");
        }
        return path;
    }
}
