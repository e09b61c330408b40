package dev.sinkhorn.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The `sinkhorn` command: a gRPC client of the trainer, inference and matcher services, for people. */
@Command(name = "sinkhorn", mixinStandardHelpOptions = true, version = "sinkhorn 0.2.0",
        description = "Learn latent permutations with Gumbel-Sinkhorn networks: train, serve, score.",
        subcommands = {DemoCommand.class, TrainCommand.class, WatchCommand.class, JobsCommand.class, ModelsCommand.class,
                EvalCommand.class, UnscrambleCommand.class, SinkhornOpCommand.class, MatchCommand.class, ScoreCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 the operation failed (e.g. a job failed), 2 bad usage or input file,",
                "3 a service is unreachable, 4 a service rejected the request (invalid, too large, not found)."})
public final class SinkhornCli {
    @Option(names = "--trainer", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
            defaultValue = "${env:SINKHORN_TRAINER:-127.0.0.1:9091}", description = "trainer-service gRPC address (env SINKHORN_TRAINER)")
    String trainer;

    @Option(names = "--inference", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
            defaultValue = "${env:SINKHORN_INFERENCE:-127.0.0.1:9092}", description = "inference-service gRPC address (env SINKHORN_INFERENCE)")
    String inference;

    @Option(names = "--matcher", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
            defaultValue = "${env:SINKHORN_MATCHER:-127.0.0.1:9093}", description = "matcher-service gRPC address (env SINKHORN_MATCHER)")
    String matcher;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print results as JSON (one object) for scripts")
    boolean json;

    private Endpoints endpoints;

    Endpoints endpoints() {
        if (endpoints == null) {
            endpoints = new Endpoints(trainer, inference, matcher);
        }
        return endpoints;
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        SinkhornCli root = new SinkhornCli();
        CommandLine cli = new CommandLine(root).setOut(out).setErr(err)
                .setExecutionExceptionHandler((e, cmd, parsed) -> Errors.report(e, cmd.getErr()));
        try {
            return cli.execute(args);
        } finally {
            if (root.endpoints != null) {
                root.endpoints.close();
            }
        }
    }
}
