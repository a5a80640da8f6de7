package org.npyconv.converter.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.npyconv.formats.NpyconvException;

/** Turns a failure into the one {@code error: ...} line the CLI contract promises. */
final class FailureReport {
    private FailureReport() {}

    static int report(Throwable failure, boolean debug, PrintWriter err) {
        if (debug) {
            failure.printStackTrace(err);
        }
        if (unwrapped(failure) instanceof OutputClosedException) {
            return NpyconvCommand.EXIT_OUTPUT_CLOSED; // the reader left on purpose: nothing to report
        }
        err.println("error: " + describe(failure));
        err.flush();
        return NpyconvCommand.EXIT_FAILURE;
    }

    /** The I/O failure an {@link java.io.UncheckedIOException} carries (renderers write to an {@code Appendable}), else the failure. */
    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof java.io.UncheckedIOException ? failure.getCause() : failure;
    }

    static String describe(Throwable failure) {
        Throwable t = unwrapped(failure);
        if (t instanceof NpyconvException) {
            return t.getMessage();
        }
        if (t instanceof NoSuchFileException) {
            return "no such file: " + ((NoSuchFileException) t).getFile();
        }
        if (t instanceof AccessDeniedException) {
            return "permission denied: " + ((AccessDeniedException) t).getFile();
        }
        if (t instanceof NotDirectoryException) {
            return "not a directory: " + ((NotDirectoryException) t).getFile();
        }
        if (t instanceof FileAlreadyExistsException) {
            return "file exists: " + ((FileAlreadyExistsException) t).getFile();
        }
        if (t instanceof java.io.IOException) {
            return "I/O error: " + t.getMessage();
        }
        if (t instanceof OutOfMemoryError) {
            // Input-driven sizes are bounded before allocation, but one legitimately huge element
            // (a 900 MiB bytes value) must still fit in the heap, once per --threads worker.
            return "out of memory with a heap of " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB: the largest"
                    + " element must fit, once per --threads worker (raise it with NPYCONV_JAVA_OPTS=-Xmx..., or use"
                    + " fewer threads); if no element is that large, this is a bug: please report it with --debug output";
        }
        String message = t.getMessage();
        return "internal error: " + t.getClass().getSimpleName() + (message == null ? "" : ": " + message)
                + " (a bug: rerun with --debug and report it)";
    }
}
