package org.npyconv.formats.npy;

/**
 * The header text is not a Python literal {@link PythonLiteral} accepts.
 *
 * <p>Checked on purpose: the parser only knows character positions in a string, so every caller
 * must translate the failure into a {@link org.npyconv.formats.CorruptInputException} that names
 * the file and the absolute byte offset.
 */
final class LiteralSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int index;

    LiteralSyntaxException(String reason, int index) {
        super(reason);
        this.index = index;
    }

    /** Index in the parsed string (UTF-16 code units) of the offending character; its length at end of input. */
    int index() {
        return index;
    }

    /** The problem without the position. */
    String reason() {
        return getMessage();
    }
}
