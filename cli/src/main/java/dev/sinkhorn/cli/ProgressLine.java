package dev.sinkhorn.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr: redrawn in place on a terminal, printed every few seconds as
 * plain lines otherwise (logs, CI). Messages printed through it keep the bar below them.
 */
final class ProgressLine {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final boolean terminal = System.console() != null;
    private long lastPlainNanos;
    private String current = "";

    ProgressLine(PrintWriter err) {
        this.err = err;
    }

    void update(double fraction, String text) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * WIDTH);
        current = String.format("[%s%s] %3.0f%% %s", "=".repeat(filled), " ".repeat(WIDTH - filled), fraction * 100, text);
        if (terminal) {
            err.print("\r" + current + "\u001b[K");
            err.flush();
        } else if (System.nanoTime() - lastPlainNanos > 5_000_000_000L) {
            err.println(current);
            lastPlainNanos = System.nanoTime();
        }
    }

    /** A line above the bar. */
    void message(String line) {
        if (terminal) {
            err.print("\r\u001b[K");
        }
        err.println(line);
        if (terminal && !current.isEmpty()) {
            err.print(current);
        }
        err.flush();
    }

    void done() {
        if (terminal && !current.isEmpty()) {
            err.println();
        }
        current = "";
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
