package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.DependencyUnavailableException;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.KafkaTracing;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.v1.Decision;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes lifecycle decisions to sinkhorn.decisions (key = model) and waits for the broker's
 * acknowledgement: a decision exists once it is on the topic, where every replica (this one
 * included, through {@link KafkaFollower}) reads it.
 */
@ApplicationScoped
public class DecisionWriter {
    @Inject
    KafkaClients kafka;
    @Inject
    KafkaTracing tracing;

    private KafkaProducer<byte[], byte[]> producer;

    @PostConstruct
    void init() {
        producer = kafka.producer(Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000));
    }

    void onStop(@Observes ShutdownEvent event) {
        producer.close(Duration.ofSeconds(5));
    }

    /**
     * @throws DependencyUnavailableException when Kafka does not take it within 30 s (nothing changed then)
     */
    void write(Decision d) {
        try {
            tracing.send(producer, new ProducerRecord<>(PipelineTopics.DECISIONS, CheckpointRecords.key(d.getModel()), d.toByteArray()))
                    .get(35, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException("interrupted while writing the decision on " + d.getModel(), e);
        } catch (Exception e) {
            throw new DependencyUnavailableException("Kafka at " + kafka.bootstrapServers() + " did not take the decision on "
                    + d.getModel() + " (" + e.getMessage() + "); nothing changed, call again", e);
        }
    }
}
