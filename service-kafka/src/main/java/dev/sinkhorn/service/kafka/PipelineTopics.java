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

    private PipelineTopics() {
    }

    /** The topics with the configuration the pipeline relies on. */
    public static List<NewTopic> required(int partitions, short replicationFactor) {
        return List.of(
                new NewTopic(CHECKPOINTS, partitions, replicationFactor).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        // Checkpoints of bigger models are a few MB.
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(KafkaClients.MAX_RECORD_BYTES))),
                new NewTopic(EVALUATIONS, partitions, replicationFactor),
                new NewTopic(DECISIONS, partitions, replicationFactor).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    }

    /** Creates missing topics and enforces compaction on sinkhorn.checkpoints. */
    public static void ensure(Admin admin, int partitions, short replicationFactor, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Collection<NewTopic> missing = new ArrayList<>();
        for (NewTopic t : required(partitions, replicationFactor)) {
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
