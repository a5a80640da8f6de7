package org.npyconv.converter.output;

import java.nio.file.Path;
import java.util.Locale;

/** The container a conversion writes. */
public enum OutputFormat {
    /** Arrow IPC file format (with footer), bounded record batches. */
    ARROW,
    /** Parquet with bounded row groups, statistics, page indexes and the embedded Arrow schema. */
    PARQUET;

    /** The format an output path's extension names ({@code .parquet}/{@code .pq}; {@code .arrow}/{@code .feather}/{@code .ipc}); {@code null} if none. */
    public static OutputFormat ofExtension(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet") || name.endsWith(".pq")) {
            return PARQUET;
        }
        if (name.endsWith(".arrow") || name.endsWith(".feather") || name.endsWith(".ipc")) {
            return ARROW;
        }
        return null;
    }
}
