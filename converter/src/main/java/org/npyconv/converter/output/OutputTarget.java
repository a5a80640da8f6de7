package org.npyconv.converter.output;

import java.nio.file.Path;

/**
 * Where a conversion writes: one file ({@link OutputFile}) or a directory of part files
 * ({@link DatasetOutput}). Both are written under temporary names and renamed only once complete.
 */
public sealed interface OutputTarget permits OutputFile, DatasetOutput {
    /** The path the user named: the file, or the dataset's directory. */
    Path path();
}
