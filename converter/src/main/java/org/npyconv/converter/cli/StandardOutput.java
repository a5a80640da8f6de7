package org.npyconv.converter.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The process's standard output as {@code main} hands it to the commands: a UTF-8
 * {@link PrintWriter} for their lines, and the byte stream under it for {@code export}, whose
 * JSON Lines are already UTF-8 bytes (encoding them back through the writer cost a fifth of an
 * export). Tests pass a plain {@code PrintWriter} instead, and export then writes its text there.
 *
 * <p>The bytes go to the same {@link PrintStream} as the writer's text, so they land in order
 * after {@link #bytes()}'s flush; like the writer, that stream never throws (a closed pipe is
 * ignored, as it was with the writer alone). Thread-safe as its parts are.
 */
final class StandardOutput extends PrintWriter {
    private final PrintStream stream;

    StandardOutput(PrintStream stream) {
        super(new OutputStreamWriter(stream, StandardCharsets.UTF_8), false);
        this.stream = stream;
    }

    /** The byte stream under this writer, after flushing the text written so far into it. */
    PrintStream bytes() {
        flush();
        return stream;
    }
}
