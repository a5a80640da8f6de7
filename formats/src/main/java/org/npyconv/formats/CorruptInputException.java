package org.npyconv.formats;

import java.nio.file.Path;

/** The input is malformed: truncated, lying about a length, not a .npy/pickle at all. */
public class CorruptInputException extends NpyconvException {
    private static final long serialVersionUID = 1L;

    public CorruptInputException(String reason, Path file, long offset, String construct) {
        super(reason, file, offset, construct, null);
    }

    public CorruptInputException(String reason, Path file, long offset, String construct, Throwable cause) {
        super(reason, file, offset, construct, cause);
    }
}
