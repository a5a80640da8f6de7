package org.npyconv.converter.arrow;

import org.npyconv.formats.UnsupportedInputException;

/**
 * A column whose elements have no common Arrow type under the documented mapping (docs/converter.md):
 * names the two conflicting kinds and the first element position of each.
 */
public final class MixedTypesException extends UnsupportedInputException {
    private static final long serialVersionUID = 1L;

    public MixedTypesException(String reason) {
        super(reason, null, -1, null);
    }
}
