package dev.sinkhorn.inference;

import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.CheckpointSignatures;
import dev.sinkhorn.service.kafka.ConsumerLoop;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.KafkaTracing;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.TopicPartitions;
import dev.sinkhorn.service.kafka.TopicProvisioner;
import dev.sinkhorn.v1.Decision;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Follows sinkhorn.checkpoints, sinkhorn.evaluations and sinkhorn.decisions from their beginning,
 * without a consumer group: every replica sees every record. At start it reads the three topics to
 * their end, loads every kept version of every model and applies each model's newest decision
 * (which names its serving version) before it reports ready; afterwards it loads each new version
 * as a candidate, unloads versions whose tombstone arrives, applies decisions as they come, and
 * hands a new version to the evaluation when this replica owns the model's partition
 * ({@link EvaluationDuty}). Records that do not parse, fail their digest or
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
    Lifecycle lifecycle;
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

    /** Whether the topics were read to their end and the kept versions loaded. */
    boolean caughtUpNow() {
        return caughtUp;
    }

    /** Readiness: the topics were read to their end and the kept versions loaded. */
    @Produces
    @Readiness
    HealthCheck caughtUpCheck() {
        return () -> HealthCheckResponse.named("checkpoints-caught-up").status(caughtUp)
                .withData("models", registry.names().size()).build();
    }

    /** Reads the topics from their beginning; after catching up, follows them live. */
    private void follow(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> partitions = TopicPartitions.of(c, Duration.ofSeconds(30), PipelineTopics.CHECKPOINTS,
                PipelineTopics.EVALUATIONS, PipelineTopics.DECISIONS);
        c.assign(partitions);
        c.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(30));
        LOG.infof("reading %s, %s and %s to their end (%s)", PipelineTopics.CHECKPOINTS, PipelineTopics.EVALUATIONS,
                PipelineTopics.DECISIONS, end);
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
        LOG.infof("caught up: %d model(s) %s", registry.names().size(), registry.names().stream()
                .map(n -> n + " serving v" + registry.servingVersion(n) + " of " + registry.versions(n).stream().map(LoadedModel::version)
                        .toList()).toList());
    }

    /**
     * After the catch-up, and whenever partitions are assigned to this replica: of every model of an
     * owned partition, the newest version, if newer than the serving one and undecided, is judged
     * when its evaluation is known, else evaluated (and then judged).
     */
    private void evaluateUnjudged() {
        if (!caughtUp) {
            return;
        }
        for (String model : registry.names()) {
            long newest = registry.newestVersion(model);
            if (newest > registry.servingVersion(model) && owned(model)) {
                if (registry.evaluation(model, newest).isPresent()) {
                    judge(model, newest);
                } else {
                    evaluations.submit(model, newest);
                }
            }
        }
    }

    private boolean owned(String model) {
        Integer partition = partitionOf.get(model);
        return partition != null && duty.owns(partition);
    }

    private void judge(String model, long version) {
        try {
            lifecycle.judge(model, version);
        } catch (RuntimeException e) { // Kafka away: the next assignment or restart judges it again
            LOG.warnf("could not decide on %s v%d yet: %s", model, version, e.getMessage());
        }
    }

    private void handle(Iterable<ConsumerRecord<byte[], byte[]>> records, boolean live) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            // Each record is handled in a span that continues the trace its producer started.
            if (r.topic().equals(PipelineTopics.EVALUATIONS)) {
                tracing.process(r, () -> onEvaluation(r));
            } else if (r.topic().equals(PipelineTopics.DECISIONS)) {
                tracing.process(r, () -> onDecision(r));
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

    private void onDecision(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return;
        }
        try {
            registry.applyDecision(Decision.parseFrom(r.value()));
        } catch (Exception e) {
            LOG.warnf("skipping %s record at offset %d: not a Decision (%s)", r.topic(), r.offset(), e.getMessage());
        }
    }

    private void onCheckpoint(ConsumerRecord<byte[], byte[]> r, boolean live) {
        if (r.value() == null) { // a tombstone: the retention policy retired this version
            CheckpointRecords.versionKey(r.key()).ifPresent(k -> {
                if (registry.retire(k.model(), k.version())) {
                    LOG.infof("retired %s v%d (its tombstone arrived)", k.model(), k.version());
                }
            });
            return;
        }
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
        if (registry.has(d.checkpoint().getModel(), d.checkpoint().getVersion())) {
            return; // read again (the same version under its pre-0.3.0 key and its own)
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
            if (live && owned(loaded.model().name())) {
                evaluations.submit(loaded.model().name(), loaded.model().version());
            }
        }
    }

    private void reject(ConsumerRecord<byte[], byte[]> r, CheckpointRecords.Rejection rejection) {
        metrics.counter("sinkhorn.checkpoints.rejected", "reason", rejection.reason()).increment();
        LOG.warnf("skipping %s record at partition %d offset %d (%s): %s", r.topic(), r.partition(), r.offset(),
                rejection.reason(), rejection.message());
    }
}
