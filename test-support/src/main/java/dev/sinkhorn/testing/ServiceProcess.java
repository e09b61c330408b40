package dev.sinkhorn.testing;

import dev.sinkhorn.localkafka.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One of our services run for real as its own JVM from its packaged jar
 * ({@code <module>/target/quarkus-app/quarkus-run.jar}), on free ports, for tests that need a
 * neighbour service. Ports come from {@link FreePorts}, below the ephemeral range, so no outgoing
 * connection can take one before the service binds it. {@link #start()} returns once
 * /q/health/ready answers 200.
 */
public final class ServiceProcess implements AutoCloseable {
    private final String module;
    private final Map<String, String> properties = new TreeMap<>();
    private final int grpcPort;
    private final int httpPort;
    private final Path log;
    private Process process;

    public ServiceProcess(String module) {
        this.module = module;
        this.grpcPort = FreePorts.pick();
        this.httpPort = FreePorts.pick();
        try {
            this.log = Files.createTempFile(module + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a -D system property (Quarkus config) for the service. */
    public ServiceProcess with(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** Whether the process is running (started and not stopped or dead). */
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    public int grpcPort() {
        return grpcPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path log() {
        return log;
    }

    public synchronized ServiceProcess start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Path jar = Repository.root().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + module + " first (mvn package -pl " + module + ")");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dsinkhorn.warmup=" + properties.getOrDefault("sinkhorn.warmup", "1S"),
                "-Dquarkus.grpc.server.port=" + grpcPort, "-Dquarkus.http.port=" + httpPort));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("DJL_OFFLINE", "true");
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady(Duration.ofSeconds(120));
        return this;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with " + process.exitValue() + "; log: " + tail());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready")
                        .toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS); // returns early only if it dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(module + " not ready within " + timeout + "; log: " + tail());
    }

    /** Sends SIGTERM and returns at once (the service drains and exits; see {@link #awaitExit}). */
    public synchronized void terminate() {
        if (process != null) {
            process.destroy();
        }
    }

    /** Sends SIGKILL (a lost pod, a crashed node) and waits until the process is gone. It can be started again. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Waits for the process to exit; its exit code, or -1 if it did not exit in time. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p == null) {
            return 0;
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return -1;
        }
        synchronized (this) {
            process = null;
        }
        return p.exitValue();
    }

    /** Whether the process runs. */
    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The HTTP status of /q/health/ready, or -1 when nothing answers. */
    public int readiness() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready").toURL()
                    .openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Stops the service (SIGTERM, then SIGKILL after 20 s). It can be started again on the same ports. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * The sum of every series of a metric on /q/metrics (Prometheus text), 0 when the service has
     * none yet (counters appear at their first increment).
     */
    public double metric(String name) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/q/metrics").toURL()
                    .openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            return PrometheusText.sum(new String(c.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new UncheckedIOException(module + " /q/metrics: " + e.getMessage(), e);
        }
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

}
