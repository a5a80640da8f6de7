package org.npyconv.formats;

import java.nio.file.Path;

/** The input is valid but uses something npyconv does not handle (yet); the message says what. */
public class UnsupportedInputException extends NpyconvException {
    private static final long serialVersionUID = 1L;

    public UnsupportedInputException(String reason, Path file, long offset, String construct) {
        super(reason, file, offset, construct, null);
    }
}
