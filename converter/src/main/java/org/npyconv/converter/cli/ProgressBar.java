package org.npyconv.converter.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, drawn only when the terminal is interactive and the run lasts
 * more than a moment; redrawn at most five times a second. {@link #done()} erases it.
 */
final class ProgressBar {
    private static final long FIRST_DRAW_NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private final long began = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** Enabled when stdin/stdout are a terminal (Java cannot ask about stderr alone) and TERM is not dumb. */
    static ProgressBar forTerminal(PrintWriter err) {
        boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        return new ProgressBar(err, tty);
    }

    void update(long done, long total, String unit) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - began < FIRST_DRAW_NANOS || now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double fraction = total > 0 ? Math.min(1.0, (double) done / total) : 0;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = (now - began) / 1e9;
        err.print(String.format(Locale.ROOT, "\r[%s%s] %3.0f%% %s/%s %s/s ", "#".repeat(filled), " ".repeat(WIDTH - filled),
                fraction * 100, Sizes.human(done), Sizes.human(total), Sizes.human((long) (done / seconds))) + unit);
        err.flush();
        drawn = true;
    }

    void done() {
        if (drawn) {
            err.print("\r" + " ".repeat(WIDTH + 60) + "\r");
            err.flush();
        }
    }
}
