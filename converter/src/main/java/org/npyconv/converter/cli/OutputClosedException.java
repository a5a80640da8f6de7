package org.npyconv.converter.cli;

import java.io.IOException;

/**
 * Standard output was closed under a streaming command: {@code npyconv export big.npy | head}
 * once {@code head} has its lines. Other Unix tools die of SIGPIPE there; the JVM ignores SIGPIPE
 * and {@link java.io.PrintStream} swallows the EPIPE, so export used to render the whole file into
 * the void. It stops instead, silently, with the shell's status for a SIGPIPE death (141).
 */
final class OutputClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    OutputClosedException() {
        super("standard output was closed");
    }
}
