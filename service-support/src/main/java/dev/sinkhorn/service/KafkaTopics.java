package dev.sinkhorn.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.interceptor.Interceptor;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Creates the pipeline's topics at start (retrying while Kafka is away) and reports ready once they
 * exist: the CDI face of {@link TopicInitializer} for the services that use Kafka (trainer and
 * inference). A bean only where a service indexes this jar (quarkus.index-dependency in its
 * application.properties); the matcher, which has no Kafka, does not.
 */
@ApplicationScoped
public class KafkaTopics {
    private static final Logger LOG = Logger.getLogger(KafkaTopics.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "sinkhorn.topics.partitions")
    int partitions;
    @ConfigProperty(name = "sinkhorn.topics.replication-factor")
    short replicationFactor;

    private TopicInitializer initializer;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        initializer = new TopicInitializer(bootstrapServers, partitions, replicationFactor, LOG::info);
        initializer.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        initializer.stop();
    }

    /** Completes once the topics exist. */
    public CompletableFuture<Void> ready() {
        return initializer.done();
    }

    /** Readiness: the topics exist. */
    @Produces
    @Readiness
    HealthCheck topicsReady() {
        return () -> HealthCheckResponse.named("kafka-topics").status(initializer != null && initializer.done().isDone()).build();
    }
}
