package org.npyconv.converter.output;

import java.util.Objects;

/** One Arrow IPC or Parquet file, replaced in one rename (docs/converter.md, "Atomic output"). */
public record OutputFile(java.nio.file.Path path) implements OutputTarget {
    public OutputFile {
        Objects.requireNonNull(path, "path");
    }
}
