package org.npyconv.converter.output;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A dataset: {@code directory/part-00000.EXT}, {@code part-00001.EXT}, ..., part {@code k} holding
 * rows {@code [k * rowsPerFile, (k + 1) * rowsPerFile)} in order, each a complete standalone file with
 * the same column types, and a {@code _SUCCESS} marker once every part is in place
 * (docs/converter.md, "Datasets"; the commit protocol is {@link DatasetDirectory}'s).
 *
 * @param directory   the dataset's directory (created if missing)
 * @param rowsPerFile most rows per part; {@link #ONE_PART} puts every row in {@code part-00000}
 */
public record DatasetOutput(Path directory, long rowsPerFile) implements OutputTarget {
    /** {@code rowsPerFile} for a dataset of a single part. */
    public static final long ONE_PART = Long.MAX_VALUE;

    public DatasetOutput {
        Objects.requireNonNull(directory, "directory");
        if (rowsPerFile < 1) {
            throw new IllegalArgumentException("rows per file must be at least 1");
        }
    }

    @Override
    public Path path() {
        return directory;
    }

    /** Parts a dataset of {@code rows} rows has: at least one, so that an empty array still records its schema. */
    public long partsFor(long rows) {
        return rows == 0 ? 1 : (rows - 1) / rowsPerFile + 1;
    }
}
