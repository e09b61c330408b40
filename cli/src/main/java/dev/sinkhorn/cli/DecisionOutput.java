package dev.sinkhorn.cli;

import dev.sinkhorn.v1.Decision;
import java.io.PrintWriter;

/** Prints a lifecycle decision: one line, or the message as JSON. */
final class DecisionOutput {
    private DecisionOutput() {
    }

    static void print(PrintWriter out, Decision d, boolean json) {
        if (json) {
            out.println(Output.json(d));
        } else {
            out.printf("%s: serving v%d (%s)%n", d.getModel(), d.getServingVersion(), d.getReason());
        }
    }
}
