package dev.sinkhorn.service.kafka;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Makes sure the pipeline's topics exist ({@link PipelineTopics#ensure}) when a service that uses
 * Kafka starts, without blocking its start: on its own thread, retrying with backoff while Kafka is
 * unreachable. The service's Kafka work waits on {@link #ready()}; its readiness reports it.
 */
@ApplicationScoped
public class TopicProvisioner {
    private static final Logger LOG = Logger.getLogger(TopicProvisioner.class);

    @Inject
    KafkaClients kafka;
    @ConfigProperty(name = "sinkhorn.topics.partitions")
    int partitions;
    @ConfigProperty(name = "sinkhorn.topics.replication-factor")
    short replicationFactor;
    @ConfigProperty(name = "sinkhorn.topics.job-partitions", defaultValue = "12")
    int jobPartitions;

    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile Thread thread;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        thread = new Thread(this::provision, "kafka-topics");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Completes once the topics exist. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Readiness: the topics exist. */
    @Produces
    @Readiness
    HealthCheck topicsReady() {
        return () -> HealthCheckResponse.named("kafka-topics").status(ready.isDone()).build();
    }

    private void provision() {
        long backoffMs = 500;
        while (!Thread.currentThread().isInterrupted()) {
            try (Admin admin = kafka.admin()) {
                PipelineTopics.ensure(admin, partitions, jobPartitions, replicationFactor, Duration.ofSeconds(15));
                LOG.infof("Kafka topics %s and %s are ready at %s", PipelineTopics.CHECKPOINTS, PipelineTopics.EVALUATIONS,
                        kafka.bootstrapServers());
                ready.complete(null);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.infof("Kafka at %s not usable yet (%s); retrying in %d ms", kafka.bootstrapServers(), e, backoffMs);
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
