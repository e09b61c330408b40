package dev.sinkhorn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The services on this machine, through the local launcher (deploy/local/sinkhorn-local): starts
 * what is missing (the KRaft broker on 9094, services on their default ports) and later stops
 * exactly what it started.
 */
final class LocalStack {
    static final Map<String, String> DEFAULT_ADDRESSES = Map.of("trainer", "127.0.0.1:9091", "inference", "127.0.0.1:9092",
            "matcher", "127.0.0.1:9093");
    private final Path root;
    private final PrintWriter err;

    LocalStack(PrintWriter err) {
        this.root = repositoryRoot();
        this.err = err;
    }

    /** The repository root: -Dsinkhorn.repo (set by the ./sinkhorn launcher), else the first parent with the launcher. */
    static Path repositoryRoot() {
        String configured = System.getProperty("sinkhorn.repo");
        if (configured != null) {
            return Path.of(configured);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("deploy/local/sinkhorn-local"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new Errors.CliException(Errors.USAGE, "cannot find deploy/local/sinkhorn-local above " + Path.of("").toAbsolutePath()
                    + "; run the demo from the repository (or start the services yourself and pass their addresses)");
        }
        return dir;
    }

    /**
     * Starts the services (and the broker) that are not serving; returns the names started, for
     * {@link #stop}. Services at non-default addresses must already run.
     */
    List<String> startMissing(Endpoints endpoints) throws IOException, InterruptedException {
        Map<String, String> configured = Map.of("trainer", endpoints.trainerAddress(), "inference", endpoints.inferenceAddress(),
                "matcher", endpoints.matcherAddress());
        List<String> missing = new ArrayList<>();
        for (String service : List.of("matcher", "inference", "trainer")) {
            if (!endpoints.serving(configured.get(service))) {
                if (!configured.get(service).equals(DEFAULT_ADDRESSES.get(service))) {
                    throw new Errors.CliException(Errors.UNREACHABLE, service + " at " + configured.get(service)
                            + " does not answer; the demo starts services only on this machine's default ports");
                }
                missing.add(service);
            }
        }
        if (missing.isEmpty()) {
            return List.of();
        }
        List<String> started = new ArrayList<>(missing);
        if (!portOpen(9094)) {
            started.add("kafka");
        }
        err.println("starting " + String.join(", ", started) + " with deploy/local/sinkhorn-local (first time: builds and downloads)...");
        run(Map.of("SINKHORN_SERVICES", String.join(" ", missing)), "up");
        endpoints.reconnect();
        return started;
    }

    void stop(List<String> started) throws IOException, InterruptedException {
        if (started.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("stop"));
        args.addAll(started);
        run(Map.of(), args.toArray(String[]::new));
    }

    private void run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("deploy/local/sinkhorn-local").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).lines()) {
            lines.forEach(l -> {
                err.println("  " + l);
                err.flush();
            });
        }
        if (p.waitFor() != 0) {
            throw new Errors.CliException(Errors.FAILED, "deploy/local/sinkhorn-local " + String.join(" ", args) + " failed (exit "
                    + p.exitValue() + "); logs in " + root.resolve(".local/logs"));
        }
    }

    static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
