package dev.sinkhorn.trainer;

import dev.sinkhorn.service.kafka.ConsumerLoop;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.TopicPartitions;
import dev.sinkhorn.service.kafka.TopicProvisioner;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Follows sinkhorn.job-states and sinkhorn.job-events from their beginning, so this replica knows
 * every job and its events whichever replica runs it: ListJobs, WatchTraining and CancelTraining
 * answer from it. Records this process wrote are skipped (applied when written). The replica is
 * ready, and takes jobs from sinkhorn.jobs, once it has read both topics to their end.
 */
@ApplicationScoped
public class JobMirror {
    private static final Logger LOG = Logger.getLogger(JobMirror.class);

    @Inject
    KafkaClients kafka;
    @Inject
    TopicProvisioner topics;
    @Inject
    Jobs jobs;
    @Inject
    JobLog log;

    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    /** Guarded by itself: how far the mirror has read each partition. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private ConsumerLoop loop;
    private Admin admin;

    void onStart(@Observes StartupEvent event) {
        admin = kafka.admin();
        loop = new ConsumerLoop("job-mirror", kafka, Map.of(), topics.ready(), this::follow);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        loop.stop();
        admin.close(Duration.ofSeconds(5));
    }

    /** Completes once both topics have been read to the end they had when the mirror started. */
    CompletableFuture<Void> caughtUp() {
        return caughtUp;
    }

    @Produces
    @Readiness
    HealthCheck jobsKnown() {
        return () -> HealthCheckResponse.named("training-jobs").status(caughtUp.isDone()).build();
    }

    /**
     * Waits (up to {@code timeout}) until the mirror has read everything written to both topics
     * before this call: a job started on another replica a moment ago is then known.
     */
    void awaitCaughtUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> end;
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            synchronized (positions) {
                positions.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
            }
            end = new HashMap<>();
            admin.listOffsets(latest).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((p, info) -> end.put(p, info.offset()));
        } catch (Exception e) {
            LOG.debugf("cannot read the job topics' ends: %s", e);
            return;
        }
        synchronized (positions) {
            while (end.entrySet().stream().anyMatch(e -> positions.getOrDefault(e.getKey(), 0L) < e.getValue())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(positions, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void follow(KafkaConsumer<byte[], byte[]> c) throws Exception {
        List<TopicPartition> parts = TopicPartitions.of(c, Duration.ofSeconds(30), PipelineTopics.JOB_STATES, PipelineTopics.JOB_EVENTS);
        c.assign(parts);
        synchronized (positions) {
            // From the beginning at start; after a restart of this loop (Kafka away), on from where it was: nothing twice.
            for (TopicPartition p : parts) {
                Long at = positions.get(p);
                if (at == null) {
                    c.seekToBeginning(List.of(p));
                } else {
                    c.seek(p, at);
                }
            }
        }
        Map<TopicPartition, Long> end = c.endOffsets(parts);
        while (loop.running()) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                if (r.value() == null || log.ownRecord(r.headers())) {
                    continue;
                }
                try {
                    if (r.topic().equals(PipelineTopics.JOB_STATES)) {
                        jobs.mirrorState(TrainingJob.parseFrom(r.value()));
                    } else {
                        jobs.mirrorEvent(TrainingEvent.parseFrom(r.value()));
                    }
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    LOG.warnf("skipping %s record at offset %d: not a protobuf message of its topic", r.topic(), r.offset());
                }
            }
            synchronized (positions) {
                for (TopicPartition p : parts) {
                    positions.put(p, c.position(p));
                }
                positions.notifyAll();
                if (!caughtUp.isDone() && end.entrySet().stream().allMatch(e -> positions.get(e.getKey()) >= e.getValue())) {
                    LOG.infof("%d job(s) known from %s and %s", jobs.all().size(), PipelineTopics.JOB_STATES, PipelineTopics.JOB_EVENTS);
                    caughtUp.complete(null);
                }
            }
        }
    }
}
