package dev.sinkhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command answers --help (exit 0, its usage), without any service running. */
class HelpTest {

    @Test
    void everyCommandAnswersHelp() {
        Set<String> commands = new CommandLine(new SinkhornCli()).getSubcommands().keySet();
        assertTrue(commands.containsAll(Set.of("demo", "train", "watch", "jobs", "models", "eval", "unscramble", "sinkhorn", "match",
                "score", "token", "versions", "promote", "rollback", "sweep")), commands.toString());
        assertHelp(new String[] {"--help"}, "Usage: sinkhorn");
        for (String command : commands) {
            assertHelp(new String[] {command, "--help"}, "Usage: sinkhorn " + command);
        }
    }

    private static void assertHelp(String[] args, String expected) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SinkhornCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        assertTrue(out.toString().contains(expected), String.join(" ", args) + " printed:\n" + out);
    }
}
