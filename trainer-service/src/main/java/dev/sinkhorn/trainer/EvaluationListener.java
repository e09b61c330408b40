package dev.sinkhorn.trainer;

import dev.sinkhorn.service.kafka.ConsumerLoop;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.KafkaTracing;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.TopicPartitions;
import dev.sinkhorn.service.kafka.TopicProvisioner;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.Evaluation;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Follows sinkhorn.evaluations and sinkhorn.decisions (new records only, no consumer group) and
 * hands each Evaluation and Decision to the job that published that model version, which streams
 * it to its watchers.
 */
@ApplicationScoped
public class EvaluationListener {
    private static final Logger LOG = Logger.getLogger(EvaluationListener.class);

    @Inject
    KafkaClients kafka;
    @Inject
    TopicProvisioner topics;
    @Inject
    Jobs jobs;
    @Inject
    KafkaTracing tracing;

    private ConsumerLoop loop;

    void onStart(@Observes StartupEvent event) {
        loop = new ConsumerLoop("evaluation-listener", kafka, Map.of(), topics.ready(), this::listen);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        loop.stop();
    }

    private void listen(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> parts = TopicPartitions.of(c, Duration.ofSeconds(30), PipelineTopics.EVALUATIONS, PipelineTopics.DECISIONS);
        c.assign(parts);
        if (!jobs.anyPublished()) {
            c.seekToEnd(parts); // nothing published yet by this process: older evaluations are not ours
        } else {
            c.seekToBeginning(parts); // after a reconnect: do not miss one of our own (jobs drop repeats)
        }
        while (loop.running()) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(1))) {
                tracing.process(r, () -> {
                    try {
                        if (r.value() == null) {
                            return;
                        }
                        if (r.topic().equals(PipelineTopics.DECISIONS)) {
                            jobs.onDecision(Decision.parseFrom(r.value()));
                        } else {
                            jobs.onEvaluation(Evaluation.parseFrom(r.value()));
                        }
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        LOG.warnf("skipping %s record at offset %d: not a protobuf message of its topic", r.topic(), r.offset());
                    }
                });
            }
        }
    }
}
