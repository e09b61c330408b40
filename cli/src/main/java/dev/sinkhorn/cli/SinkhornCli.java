package dev.sinkhorn.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The `sinkhorn` command: a gRPC client of the trainer, inference and matcher services, for people. */
@Command(name = "sinkhorn", mixinStandardHelpOptions = true, version = "sinkhorn 0.7.0",
        description = "Learn latent permutations with Gumbel-Sinkhorn networks: train, serve, score.",
        subcommands = {DemoCommand.class, TrainCommand.class, WatchCommand.class, JobsCommand.class, ModelsCommand.class,
                EvalCommand.class, UnscrambleCommand.class, SinkhornOpCommand.class, MatchCommand.class, ScoreCommand.class,
                VersionsCommand.class, PromoteCommand.class, RollbackCommand.class, SweepCommand.class, SortCommand.class,
                TokenCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 the operation failed (e.g. a job failed), 2 bad usage or input file,",
                "3 a service is unreachable, 4 a service rejected the request (invalid, too large, not found, not allowed)."})
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

    @Option(names = "--tls-ca", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "${env:SINKHORN_TLS_CA}",
            description = "connect with TLS, trusting the CA certificates in this PEM file (env SINKHORN_TLS_CA)")
    java.nio.file.Path tlsCa;

    @Option(names = "--tls-cert", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "${env:SINKHORN_TLS_CERT}",
            description = "client certificate (PEM) for mutual TLS (env SINKHORN_TLS_CERT)")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "${env:SINKHORN_TLS_KEY}",
            description = "its private key (PKCS#8 PEM) (env SINKHORN_TLS_KEY)")
    java.nio.file.Path tlsKey;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "JWT", defaultValue = "${env:SINKHORN_TOKEN}",
            description = "bearer token sent with every call (env SINKHORN_TOKEN)")
    String token;

    @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "${env:SINKHORN_TOKEN_FILE}",
            description = "read the bearer token from this file (env SINKHORN_TOKEN_FILE)")
    java.nio.file.Path tokenFile;

    private Endpoints endpoints;

    Endpoints endpoints() {
        if (endpoints == null) {
            endpoints = new Endpoints(trainer, inference, matcher, Credentials.of(tlsCa, tlsCert, tlsKey, token, tokenFile));
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
