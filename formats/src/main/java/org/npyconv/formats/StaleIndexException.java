package org.npyconv.formats;

import java.nio.file.Path;

/** A sidecar index does not belong to the file it is used with (the file changed or was replaced). */
public class StaleIndexException extends NpyconvException {
    private static final long serialVersionUID = 1L;

    public StaleIndexException(String reason, Path index) {
        super(reason, index, -1, null, null);
    }
}
