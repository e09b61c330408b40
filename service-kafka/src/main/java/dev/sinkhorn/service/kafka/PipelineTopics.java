package dev.sinkhorn.service.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The pipeline's Kafka topics: their names and the configuration they need. Every service that uses
 * Kafka calls {@link #ensure} at start: missing topics are created, and an existing
 * sinkhorn.checkpoints without compaction is switched to it (a deleting policy would lose models).
 */
public final class PipelineTopics {
    /**
     * Checkpoint records, key = "model/version" on the model's partition, value = protobuf Checkpoint
     * (see {@link CheckpointRecords}). Compacted: every version stays until it is tombstoned.
     */
    public static final String CHECKPOINTS = "sinkhorn.checkpoints";
    /** Evaluation records, key = model name, value = protobuf Evaluation. */
    public static final String EVALUATIONS = "sinkhorn.evaluations";
    /** Lifecycle decisions, key = model name, value = protobuf Decision. Compacted: each model's newest decision holds its state. */
    public static final String DECISIONS = "sinkhorn.decisions";
    /**
     * Training jobs to run, key = model name (one model's jobs on one partition, in order), value =
     * protobuf JobCommand. Trainer replicas share its partitions as a consumer group, so it needs at
     * least as many partitions as trainer replicas ({@link #DEFAULT_JOB_PARTITIONS}).
     */
    public static final String JOBS = "sinkhorn.jobs";
    /** Each job's newest state, key = job id, value = protobuf TrainingJob. Compacted: every job stays known. */
    public static final String JOB_STATES = "sinkhorn.job-states";
    /** Every job's events as its watchers get them, key = job id, value = protobuf TrainingEvent. Kept 7 days. */
    public static final String JOB_EVENTS = "sinkhorn.job-events";
    /** Partitions of sinkhorn.jobs when a service creates it: room for 12 trainer replicas. */
    public static final int DEFAULT_JOB_PARTITIONS = 12;
    private static final String WEEK_MS = String.valueOf(7L * 24 * 3600 * 1000);

    private PipelineTopics() {
    }

    /** The topics with the configuration the pipeline relies on ({@link #DEFAULT_JOB_PARTITIONS} for sinkhorn.jobs). */
    public static List<NewTopic> required(int partitions, short replicationFactor) {
        return required(partitions, DEFAULT_JOB_PARTITIONS, replicationFactor);
    }

    /** The topics with the configuration the pipeline relies on. */
    public static List<NewTopic> required(int partitions, int jobPartitions, short replicationFactor) {
        return List.of(
                new NewTopic(CHECKPOINTS, partitions, replicationFactor).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        // Checkpoints of bigger models are a few MB.
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(KafkaClients.MAX_RECORD_BYTES))),
                new NewTopic(EVALUATIONS, partitions, replicationFactor),
                new NewTopic(DECISIONS, partitions, replicationFactor).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(JOBS, jobPartitions, replicationFactor).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, WEEK_MS)),
                new NewTopic(JOB_STATES, partitions, replicationFactor).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(JOB_EVENTS, partitions, replicationFactor).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, WEEK_MS)));
    }

    /** {@link #ensure(Admin, int, int, short, Duration)} with {@link #DEFAULT_JOB_PARTITIONS}. */
    public static void ensure(Admin admin, int partitions, short replicationFactor, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        ensure(admin, partitions, DEFAULT_JOB_PARTITIONS, replicationFactor, timeout);
    }

    /** Creates missing topics and enforces compaction on sinkhorn.checkpoints. */
    public static void ensure(Admin admin, int partitions, int jobPartitions, short replicationFactor, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Collection<NewTopic> missing = new ArrayList<>();
        for (NewTopic t : required(partitions, jobPartitions, replicationFactor)) {
            if (!existing.contains(t.name())) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            try {
                admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e; // another service created it at the same moment: fine
                }
            }
        }
        ConfigResource checkpoints = new ConfigResource(ConfigResource.Type.TOPIC, CHECKPOINTS);
        Config config = admin.describeConfigs(List.of(checkpoints)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(checkpoints);
        ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            admin.incrementalAlterConfigs(Map.of(checkpoints, List.of(new AlterConfigOp(
                    new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT),
                    AlterConfigOp.OpType.SET)))).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
