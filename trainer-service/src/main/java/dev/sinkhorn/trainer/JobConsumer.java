package dev.sinkhorn.trainer;

import dev.sinkhorn.service.kafka.ConsumerLoop;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.KafkaTracing;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.v1.JobCommand;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * This replica's membership of the trainers' consumer group on sinkhorn.jobs
 * ({@code trainer.jobs-group}): Kafka shares the partitions out among the live replicas, and this
 * one runs the jobs of the partitions it owns ({@link JobScheduler}). A partition's offset is
 * committed only past jobs that ended, so when a replica stops or is lost (no heartbeat within
 * {@code trainer.jobs-session-timeout}) its partitions move and the new owner reads their
 * unfinished jobs again: it resumes a started one from its newest checkpoint. Waits for the
 * {@link JobMirror} first, so it knows which of the records' jobs have already ended.
 */
@ApplicationScoped
public class JobConsumer {
    private static final Logger LOG = Logger.getLogger(JobConsumer.class);

    @Inject
    KafkaClients kafka;
    @Inject
    TrainerConfig config;
    @Inject
    Jobs jobs;
    @Inject
    JobScheduler scheduler;
    @Inject
    JobMirror mirror;
    @Inject
    KafkaTracing tracing;
    @ConfigProperty(name = "quarkus.shutdown.timeout", defaultValue = "30S")
    Duration shutdownTimeout;
    @ConfigProperty(name = "quarkus.grpc.server.port")
    int grpcPort;

    private ConsumerLoop loop;
    private volatile boolean shuttingDown;
    /** Consumer thread only: per owned partition, the offsets read and whether their job needs no replica any more. */
    private final Map<TopicPartition, TreeMap<Long, Boolean>> offsets = new HashMap<>();
    private final Object stopped = new Object();
    private boolean running;

    void onStart(@Observes StartupEvent event) {
        loop = new ConsumerLoop("job-consumer", kafka, Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, config.jobsGroup(),
                // Names the replica in the group's description (kafka-consumer-groups --describe shows who owns what).
                ConsumerConfig.CLIENT_ID_CONFIG, "sinkhorn-trainer-" + ReplicaName.of(grpcPort),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.jobsSessionTimeout().toMillis(),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, config.jobsSessionTimeout().toMillis() / 4),
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100), mirror.caughtUp(), this::consume);
        loop.start();
    }

    /**
     * Shutdown (SIGTERM), before the gRPC server drains: the running jobs stop at their next step,
     * publish a checkpoint of their progress and are suspended (their watchers' streams end with
     * `suspended`); the group then gives this replica's partitions to the others, which resume
     * them. Waits up to quarkus.shutdown.timeout.
     */
    void onStop(@Observes @Priority(50) ShutdownEvent event) throws InterruptedException {
        shuttingDown = true;
        loop.stop();
        long deadline = System.currentTimeMillis() + shutdownTimeout.toMillis();
        synchronized (stopped) {
            while (running && System.currentTimeMillis() < deadline) {
                stopped.wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
        }
        scheduler.shutdown();
    }

    private void consume(KafkaConsumer<byte[], byte[]> c) throws InterruptedException {
        synchronized (stopped) {
            running = true;
        }
        offsets.clear();
        try {
            c.subscribe(List.of(PipelineTopics.JOBS), new Rebalance(c));
            while (loop.running()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    tracing.process(r, () -> handle(r));
                }
                commit(c);
            }
        } catch (WakeupException stopping) {
            // below
        } finally {
            if (shuttingDown) {
                scheduler.handOver(c.assignment(), true, shutdownTimeout.toMillis());
                commit(c);
                offsets.clear();
            }
            synchronized (stopped) {
                running = false;
                stopped.notifyAll();
            }
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition p = new TopicPartition(r.topic(), r.partition());
        TreeMap<Long, Boolean> read = offsets.computeIfAbsent(p, k -> new TreeMap<>());
        read.put(r.offset(), true);
        JobCommand command;
        try {
            command = JobCommand.parseFrom(r.value());
        } catch (com.google.protobuf.InvalidProtocolBufferException | NullPointerException e) {
            LOG.warnf("skipping %s record at offset %d: not a JobCommand", r.topic(), r.offset());
            return;
        }
        if (command.hasStart()) {
            Job job = jobs.adopt(command.getStart());
            if (!job.finished()) {
                read.put(r.offset(), false);
                scheduler.enqueue(new JobScheduler.Entry(job, p, r.offset(), io.opentelemetry.context.Context.current()));
            }
        } else if (command.hasCancel()) {
            scheduler.cancel(command.getCancel().getJobId());
        }
    }

    /** Commits each owned partition past the jobs that need no replica any more. */
    private void commit(KafkaConsumer<byte[], byte[]> c) {
        for (JobScheduler.Entry e : scheduler.drainDone()) {
            TreeMap<Long, Boolean> read = offsets.get(e.partition());
            if (read != null && read.containsKey(e.offset())) {
                read.put(e.offset(), true);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        offsets.forEach((p, read) -> {
            long next = -1;
            while (!read.isEmpty() && read.firstEntry().getValue()) {
                next = read.pollFirstEntry().getKey() + 1;
            }
            if (next >= 0) {
                commits.put(p, new OffsetAndMetadata(next));
            }
        });
        if (commits.isEmpty()) {
            return;
        }
        try {
            c.commitSync(commits, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            // Kafka away, or the partition moved: the jobs are read again, and the ended ones skipped.
            LOG.debugf("could not commit %s: %s", commits, e);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> consumer;

        Rebalance(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.infof("now running the jobs of %s", partitions);
            }
        }

        /** The partitions move to another replica: hand their jobs over, then commit what ended. */
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            LOG.infof("handing over the jobs of %s", partitions);
            try {
                scheduler.handOver(partitions, shuttingDown, shutdownTimeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            commit(consumer);
            partitions.forEach(offsets::remove);
        }

        /**
         * The group dropped this replica (no heartbeat in time, e.g. Kafka away): its jobs keep
         * running, as they would with Kafka away; the records are read again when it rejoins.
         */
        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warnf("lost %s (the group dropped this replica); running jobs go on, waiting ones are left to the new owners",
                    partitions);
            scheduler.dropWaiting(partitions);
            partitions.forEach(offsets::remove);
        }
    }
}
