package dev.sinkhorn.service;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Ensures the pipeline's topics exist ({@link Topics#ensure}) without blocking a service's start:
 * it runs on its own thread and retries with backoff while Kafka is unreachable. The service's
 * Kafka work waits on {@link #done()}; its readiness reports it.
 */
public final class TopicInitializer {
    private final String bootstrapServers;
    private final int partitions;
    private final short replicationFactor;
    private final Consumer<String> log;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile Thread thread;

    public TopicInitializer(String bootstrapServers, int partitions, short replicationFactor, Consumer<String> log) {
        this.bootstrapServers = bootstrapServers;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.log = log;
    }

    public CompletableFuture<Void> done() {
        return done;
    }

    public void start() {
        thread = new Thread(this::run, "kafka-topics");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void run() {
        long backoffMs = 500;
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        while (!Thread.currentThread().isInterrupted()) {
            try (Admin admin = Admin.create(config)) {
                Topics.ensure(admin, partitions, replicationFactor, Duration.ofSeconds(15));
                log.accept("Kafka topics " + Topics.CHECKPOINTS + " and " + Topics.EVALUATIONS + " are ready at " + bootstrapServers);
                done.complete(null);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.accept("Kafka at " + bootstrapServers + " not usable yet (" + e + "); retrying in " + backoffMs + " ms");
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }
}
