package dev.sinkhorn.inference;

import dev.sinkhorn.service.kafka.ConsumerLoop;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.TopicProvisioner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Which replica evaluates which models: the replicas form one Kafka consumer group
 * ({@code inference.evaluation-group}) over sinkhorn.checkpoints, and a replica evaluates the
 * models whose checkpoints are on the partitions the group assigned to it. Kafka keeps exactly one
 * owner per partition and moves partitions when a replica leaves or dies, so each new version is
 * evaluated once, by one replica, and a new owner takes over what is left unevaluated.
 *
 * <p>The group is used for its assignment only: the partitions are paused (nothing is fetched;
 * every replica reads the checkpoints itself, group-less, in {@link KafkaFollower}) and no offset
 * is committed.
 */
@ApplicationScoped
public class EvaluationDuty {
    private static final Logger LOG = Logger.getLogger(EvaluationDuty.class);

    @Inject
    KafkaClients kafka;
    @Inject
    InferenceConfig config;
    @Inject
    TopicProvisioner topics;
    @Inject
    MeterRegistry metrics;

    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private volatile Runnable onAssigned = () -> {
    };
    private ConsumerLoop loop;

    void onStart(@Observes StartupEvent event) {
        metrics.gaugeCollectionSize("sinkhorn.evaluation.partitions.owned", Tags.empty(), owned);
        loop = new ConsumerLoop("evaluation-duty", kafka,
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, config.evaluationGroup(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                topics.ready(), this::holdPartitions);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        loop.stop(); // closing the consumer leaves the group: the others take over at once
    }

    /** Whether this replica evaluates the models of this sinkhorn.checkpoints partition. */
    boolean owns(int partition) {
        return owned.contains(partition);
    }

    /** Run (on the group's thread) after partitions were assigned to this replica. */
    void onAssigned(Runnable action) {
        onAssigned = action;
    }

    private void holdPartitions(KafkaConsumer<byte[], byte[]> c) {
        try {
            c.subscribe(List.of(PipelineTopics.CHECKPOINTS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(p -> owned.remove(p.partition()));
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    onPartitionsRevoked(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    c.pause(partitions);
                    partitions.forEach(p -> owned.add(p.partition()));
                    LOG.infof("this replica now evaluates the models on %s partitions %s (the other partitions have other owners)",
                            PipelineTopics.CHECKPOINTS, owned);
                    onAssigned.run();
                }
            });
            while (loop.running()) {
                c.poll(Duration.ofSeconds(1)); // keeps the membership; paused partitions return nothing
            }
        } finally {
            owned.clear();
        }
    }
}
