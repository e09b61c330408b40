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
 * what is missing (the KRaft broker on KAFKA_PORT, default 9094, and each service on the port of its
 * configured address, which must be on this machine) and later stops exactly what it started. The
 * launcher's own environment (SINKHORN_HOME, SINKHORN_*_HTTP_PORT) passes through, so a second
 * stack can run beside the usual one.
 */
final class LocalStack {
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
        Map<String, String> env = new java.util.HashMap<>();
        for (String service : List.of("matcher", "inference", "trainer")) {
            String address = configured.get(service);
            if (!endpoints.serving(address)) {
                int port = localPort(address);
                if (port < 0) {
                    throw new Errors.CliException(Errors.UNREACHABLE, service + " at " + address
                            + " does not answer; the demo starts services only on this machine (127.0.0.1 or localhost)");
                }
                env.put("SINKHORN_" + service.toUpperCase() + "_GRPC_PORT", String.valueOf(port));
                missing.add(service);
            } else {
                env.put("SINKHORN_" + service.toUpperCase() + "_GRPC_PORT", String.valueOf(Math.max(localPort(address), 0)));
            }
        }
        if (missing.isEmpty()) {
            return List.of();
        }
        List<String> started = new ArrayList<>(missing);
        if (!portOpen(kafkaPort())) {
            started.add("kafka");
        }
        err.println("starting " + String.join(", ", started) + " with deploy/local/sinkhorn-local (first time: builds and downloads)...");
        env.put("SINKHORN_SERVICES", String.join(" ", missing));
        run(env, "up");
        endpoints.reconnect();
        return started;
    }

    /** The port of an address on this machine ("127.0.0.1:9091", "localhost:9091"), or -1 for another host. */
    static int localPort(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        if (colon < 0 || !(host.equals("127.0.0.1") || host.equals("localhost"))) {
            return -1;
        }
        try {
            return Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static int kafkaPort() {
        String p = System.getenv("KAFKA_PORT");
        return p == null || p.isBlank() ? 9094 : Integer.parseInt(p.strip());
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
