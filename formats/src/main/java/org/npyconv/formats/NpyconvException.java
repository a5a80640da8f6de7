package org.npyconv.formats;

import java.nio.file.Path;

/**
 * Root of every failure npyconv reports about its input or its run.
 *
 * <p>Carries where the problem is: the file (may be {@code null} for in-memory input), the absolute
 * byte offset (or {@code -1} when no single byte is to blame) and the construct being read at that
 * offset (an opcode name such as {@code BINUNICODE}, or {@code header}; may be {@code null}).
 * {@link #getMessage()} appends these as {@code "at byte N (WHAT) in FILE"} so a user sees one line
 * that says what is wrong and where; {@link #reason()} keeps the bare text.
 *
 * <p>Unchecked, like Jackson's and jhdf's roots: callers that can recover catch the subclass
 * they can handle; the CLI prints {@code error: } + {@link #getMessage()} and exits 1.
 */
public class NpyconvException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final String construct;

    public NpyconvException(String reason) {
        this(reason, null, -1, null, null);
    }

    public NpyconvException(String reason, Throwable cause) {
        this(reason, null, -1, null, cause);
    }

    public NpyconvException(String reason, Path file, long offset, String construct, Throwable cause) {
        super(reason, cause);
        this.file = file;
        this.offset = offset;
        this.construct = construct;
    }

    /** The problem without the location. */
    public String reason() {
        return super.getMessage();
    }

    /** The file being read, or {@code null}. */
    public Path file() {
        return file;
    }

    /** Absolute byte offset in {@link #file()} where the problem starts, or {@code -1}. */
    public long offset() {
        return offset;
    }

    /** What was being read at {@link #offset()} (opcode name, {@code header}, ...), or {@code null}. */
    public String construct() {
        return construct;
    }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder(reason());
        if (offset >= 0) {
            sb.append(" at byte ").append(offset);
            if (construct != null) {
                sb.append(" (").append(construct).append(')');
            }
        } else if (construct != null) {
            sb.append(" (").append(construct).append(')');
        }
        if (file != null) {
            sb.append(" in ").append(file);
        }
        return sb.toString();
    }
}
