package dev.sinkhorn.inference;

import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.CheckpointSignatures;
import dev.sinkhorn.service.kafka.ConsumerLoop;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.KafkaTracing;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.TopicProvisioner;
import dev.sinkhorn.v1.Evaluation;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Follows sinkhorn.checkpoints and sinkhorn.evaluations from their beginning, without a consumer
 * group: every replica sees every record. At start it reads both topics to their end and loads
 * the newest valid version of every model before it reports ready; afterwards it hot-swaps a
 * model whenever a newer version arrives and hands it to the evaluation when this replica owns
 * the model's partition ({@link EvaluationDuty}). Records that do not parse, fail their digest or
 * do not fit their spec are skipped with a log line and the metric
 * sinkhorn_checkpoints_rejected_total{reason}; the consumer goes on.
 */
@ApplicationScoped
public class KafkaFollower {
    private static final Logger LOG = Logger.getLogger(KafkaFollower.class);

    @Inject
    KafkaClients kafka;
    @Inject
    TopicProvisioner topics;
    @Inject
    ModelRegistry registry;
    @Inject
    EvaluationRunner evaluations;
    @Inject
    KafkaTracing tracing;
    @Inject
    EvaluationDuty duty;
    @Inject
    MeterRegistry metrics;

    @Inject
    InferenceConfig config;

    private Map<String, PublicKey> trustedKeys;
    private volatile boolean caughtUp;
    /** The sinkhorn.checkpoints partition of each model (its key's partition). */
    private final Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
    private ConsumerLoop loop;

    void onStart(@Observes StartupEvent event) {
        trustedKeys = config.trustedCheckpointKeys().map(CheckpointSignatures::readTrustedKeys).orElse(null);
        if (trustedKeys != null) {
            LOG.infof("loading only checkpoints signed by the trusted keys %s (%s)", trustedKeys.keySet(),
                    config.trustedCheckpointKeys().get());
        } else {
            LOG.warn("checkpoint signatures are NOT checked (inference.trusted-checkpoint-keys is unset): any record on "
                    + PipelineTopics.CHECKPOINTS + " with a matching sha256 is served; see docs/security.md");
        }
        duty.onAssigned(this::evaluateUnjudged);
        loop = new ConsumerLoop("kafka-follower", kafka, Map.of(), topics.ready(), this::follow);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        loop.stop();
    }

    /** Whether both topics were read to their end and the newest models loaded. */
    boolean caughtUpNow() {
        return caughtUp;
    }

    /** Readiness: both topics were read to their end and the newest models loaded. */
    @Produces
    @Readiness
    HealthCheck caughtUpCheck() {
        return () -> HealthCheckResponse.named("checkpoints-caught-up").status(caughtUp)
                .withData("models", registry.all().size()).build();
    }

    /** Reads both topics from their beginning; after catching up, follows them live. */
    private void follow(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(PipelineTopics.CHECKPOINTS, PipelineTopics.EVALUATIONS)) {
            for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        c.assign(partitions);
        c.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(30));
        LOG.infof("reading %s and %s to their end (%s)", PipelineTopics.CHECKPOINTS, PipelineTopics.EVALUATIONS, end);
        while (loop.running() && !caughtUp) {
            handle(c.poll(Duration.ofMillis(500)), false);
            if (reached(c, end)) {
                caughtUp();
            }
        }
        while (loop.running()) {
            handle(c.poll(Duration.ofSeconds(1)), true);
        }
    }

    private boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void caughtUp() {
        caughtUp = true;
        evaluateUnjudged();
        LOG.infof("caught up: serving %d model(s) %s", registry.all().size(),
                registry.all().stream().map(m -> m.name() + " v" + m.version()).toList());
    }

    /**
     * After the catch-up, and whenever partitions are assigned to this replica: every loaded model
     * of an owned partition whose version has no evaluation yet gets one.
     */
    private void evaluateUnjudged() {
        if (!caughtUp) {
            return;
        }
        for (LoadedModel m : registry.all()) {
            if (!registry.evaluated(m.name(), m.version())) {
                evaluateIfOwned(m.name(), m.version());
            }
        }
    }

    private void evaluateIfOwned(String model, long version) {
        Integer partition = partitionOf.get(model);
        if (partition != null && duty.owns(partition)) {
            evaluations.submit(model, version);
        }
    }

    private void handle(Iterable<ConsumerRecord<byte[], byte[]>> records, boolean live) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            // Each record is handled in a span that continues the trace its producer started.
            if (r.topic().equals(PipelineTopics.EVALUATIONS)) {
                tracing.process(r, () -> onEvaluation(r));
            } else {
                tracing.process(r, () -> onCheckpoint(r, live));
            }
        }
    }

    private void onEvaluation(ConsumerRecord<byte[], byte[]> r) {
        try {
            registry.recordEvaluation(Evaluation.parseFrom(r.value()));
        } catch (Exception e) {
            LOG.warnf("skipping %s record at offset %d: not an Evaluation (%s)", r.topic(), r.offset(), e.getMessage());
        }
    }

    private void onCheckpoint(ConsumerRecord<byte[], byte[]> r, boolean live) {
        CheckpointRecords.Decoded d = CheckpointRecords.decode(r.key(), r.value());
        if (!d.ok()) {
            reject(r, d.rejection());
            return;
        }
        if (trustedKeys != null) {
            Optional<String> problem = CheckpointSignatures.problem(d.checkpoint(), trustedKeys);
            if (problem.isPresent()) {
                reject(r, new CheckpointRecords.Rejection("signature", problem.get()));
                return;
            }
        }
        partitionOf.put(d.checkpoint().getModel(), r.partition());
        if (d.checkpoint().getVersion() <= registry.currentVersion(d.checkpoint().getModel())) {
            return; // an older version (compaction keeps only the newest eventually)
        }
        CheckpointLoader.Result loaded = CheckpointLoader.load(d.checkpoint());
        if (loaded.model() == null) {
            reject(r, loaded.rejection());
            return;
        }
        if (registry.install(loaded.model())) {
            metrics.counter("sinkhorn.checkpoints.loaded").increment();
            LOG.infof("loaded %s v%d (epoch %d, job %s)", loaded.model().name(), loaded.model().version(),
                    d.checkpoint().getEpoch(), d.checkpoint().getJobId());
            if (live) {
                evaluateIfOwned(loaded.model().name(), loaded.model().version());
            }
        }
    }

    private void reject(ConsumerRecord<byte[], byte[]> r, CheckpointRecords.Rejection rejection) {
        metrics.counter("sinkhorn.checkpoints.rejected", "reason", rejection.reason()).increment();
        LOG.warnf("skipping %s record at partition %d offset %d (%s): %s", r.topic(), r.partition(), r.offset(),
                rejection.reason(), rejection.message());
    }
}
