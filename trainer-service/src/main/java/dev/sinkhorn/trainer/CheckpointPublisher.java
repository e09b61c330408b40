package dev.sinkhorn.trainer;

import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.CheckpointSignatures;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.KafkaTracing;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.TopicProvisioner;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.CheckpointPublished;
import dev.sinkhorn.v1.TrainingEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Delivers checkpoints to sinkhorn.checkpoints, in order, exactly once: one sender thread, an
 * idempotent producer with acks=all, each record sent only after the previous one was
 * acknowledged. Versions continue from the newest one on the topic (read when a model is first
 * published by this process), so they stay monotonic across trainer restarts. While Kafka is away,
 * checkpoints wait in a bounded queue and training goes on; one that is not acknowledged within
 * trainer.checkpoint-delivery-timeout fails its job.
 */
@ApplicationScoped
public class CheckpointPublisher {
    private static final Logger LOG = Logger.getLogger(CheckpointPublisher.class);

    @Inject
    TrainerConfig config;
    @Inject
    MeterRegistry metrics;
    @Inject
    TopicProvisioner topics;
    @Inject
    KafkaClients kafka;
    @Inject
    KafkaTracing tracing;

    /** A checkpoint waiting for its version and its acknowledgement. */
    private record Pending(Job job, Checkpoint.Builder checkpoint, long deadlineNanos, CompletableFuture<Long> delivered,
            Context trace) {
    }

    private LinkedBlockingQueue<Pending> queue;
    private PrivateKey signingKey;
    private final Map<String, Long> lastVersions = new ConcurrentHashMap<>();
    private KafkaProducer<byte[], byte[]> producer;
    private Thread sender;
    private volatile boolean running = true;

    void onStart(@Observes StartupEvent event) {
        signingKey = config.signingKey().map(CheckpointSignatures::readPrivateKey).orElse(null);
        if (signingKey != null) {
            LOG.infof("checkpoints are signed (Ed25519) with key '%s' from %s", config.signingKeyId(), config.signingKey().get());
        } else {
            LOG.warn("checkpoints are NOT signed (trainer.signing-key is unset): inference replicas that require signatures "
                    + "will not load them; see docs/security.md");
        }
        queue = new LinkedBlockingQueue<>(config.checkpointQueue());
        int timeoutMs = (int) config.checkpointDeliveryTimeout().toMillis();
        producer = kafka.producer(Map.of(
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, timeoutMs),
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs));
        sender = new Thread(this::sendLoop, "checkpoint-sender");
        sender.setDaemon(true);
        sender.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        sender.interrupt();
        producer.close(Duration.ofSeconds(5));
    }

    /**
     * Queues a checkpoint (everything but version and digest set). Blocks while the queue is full;
     * the future completes with the version once Kafka acknowledged it, or fails.
     */
    CompletableFuture<Long> publish(Job job, Checkpoint.Builder checkpoint) throws InterruptedException {
        long deadline = System.nanoTime() + config.checkpointDeliveryTimeout().toNanos();
        Pending p = new Pending(job, checkpoint, deadline, new CompletableFuture<>(), Context.current());
        if (!queue.offer(p, config.checkpointDeliveryTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            p.delivered().completeExceptionally(new IllegalStateException("checkpoint queue full for "
                    + config.checkpointDeliveryTimeout() + ": Kafka at " + kafka.bootstrapServers() + " is not taking checkpoints"));
        }
        return p.delivered();
    }

    /** Looks the model's newest version up again before its next checkpoint (another replica may have published it since). */
    void forget(String model) {
        lastVersions.remove(model);
    }

    private void sendLoop() {
        while (running) {
            Pending p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                long version = deliver(p);
                p.delivered().complete(version);
            } catch (InterruptedException e) {
                p.delivered().completeExceptionally(e);
                return;
            } catch (Exception e) {
                // The outcome of that send is unknown: look the version up again next time.
                lastVersions.remove(p.job().model());
                metrics.counter("sinkhorn.checkpoints.failed").increment();
                p.delivered().completeExceptionally(e);
            }
        }
    }

    private long deliver(Pending p) throws Exception {
        String model = p.checkpoint().getModel();
        long version = nextVersion(model, p.deadlineNanos()) ;
        Checkpoint c = CheckpointRecords.withDigest(p.checkpoint().setVersion(version));
        if (signingKey != null) {
            c = CheckpointSignatures.sign(c, config.signingKeyId(), signingKey);
        }
        long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(p.deadlineNanos() - System.nanoTime()));
        try {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(PipelineTopics.CHECKPOINTS, partition(model),
                    CheckpointRecords.key(model, version), c.toByteArray());
            try (Scope scope = p.trace().makeCurrent()) {
                tracing.send(producer, record).get(remaining, TimeUnit.MILLISECONDS);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(model + " v" + version + " (epoch " + c.getEpoch() + ") was not acknowledged by Kafka at "
                    + kafka.bootstrapServers() + " within " + config.checkpointDeliveryTimeout());
        }
        lastVersions.put(model, version);
        retireOld(model, version);
        p.job().published(version);
        metrics.counter("sinkhorn.checkpoints.published").increment();
        LOG.infof("published %s v%d (epoch %d, %d bytes)", model, version, c.getEpoch(), c.getParameters().size());
        p.job().emit(TrainingEvent.newBuilder().setCheckpoint(CheckpointPublished.newBuilder().setModel(model)
                .setVersion(version).setEpoch(c.getEpoch()).setSizeBytes(c.getParameters().size())));
        return version;
    }

    private int partition(String model) {
        return CheckpointRecords.partition(model, producer.partitionsFor(PipelineTopics.CHECKPOINTS).size());
    }

    /**
     * Retention: with version n published, version n - keepVersions is retired (a tombstone under
     * its key, which compaction then removes) unless it ever served, as the model's newest decision
     * on sinkhorn.decisions says. A failure here loses nothing: the version merely stays.
     */
    private void retireOld(String model, long published) {
        long old = published - config.keepVersions();
        if (old < 1) {
            return;
        }
        try {
            if (DecisionLog.newest(kafka, model, Duration.ofSeconds(15)).map(d -> d.getEverServedList().contains(old)
                    || d.getServingVersion() == old).orElse(false)) {
                return;
            }
            producer.send(new ProducerRecord<>(PipelineTopics.CHECKPOINTS, partition(model), CheckpointRecords.key(model, old), null))
                    .get(30, TimeUnit.SECONDS);
            metrics.counter("sinkhorn.checkpoints.retired").increment();
            LOG.infof("retired %s v%d (keeping the newest %d versions and every one that served)", model, old, config.keepVersions());
        } catch (Exception e) {
            LOG.warnf("could not retire %s v%d (%s); it stays on %s", model, old, e.getMessage(), PipelineTopics.CHECKPOINTS);
        }
    }

    /** The version after the newest on the topic (looked up once per model, retried while Kafka is away). */
    private long nextVersion(String model, long deadlineNanos) throws Exception {
        Long last = lastVersions.get(model);
        long backoff = 500;
        while (last == null) {
            try {
                topics.ready().get(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())),
                        TimeUnit.MILLISECONDS);
                last = CheckpointLog.read(kafka, model, Duration.ofSeconds(15)).version();
                lastVersions.put(model, last);
            } catch (java.util.concurrent.TimeoutException | org.apache.kafka.common.KafkaException e) {
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) > deadlineNanos) {
                    throw new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " was not reachable within "
                            + config.checkpointDeliveryTimeout() + " to number " + model + "'s checkpoint: " + e.getMessage());
                }
                LOG.warnf("cannot read %s yet (%s); retrying in %d ms", PipelineTopics.CHECKPOINTS, e.getMessage(), backoff);
                TimeUnit.MILLISECONDS.sleep(backoff);
                backoff = Math.min(backoff * 2, 5000);
            }
        }
        return last + 1;
    }
}
