package dev.sinkhorn.trainer;

import dev.sinkhorn.core.errors.DependencyUnavailableException;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.KafkaTracing;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.TopicProvisioner;
import dev.sinkhorn.v1.JobCommand;
import dev.sinkhorn.v1.JobRef;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Writes the jobs' records: commands to sinkhorn.jobs (keyed by model: a StartTraining's job, a
 * CancelTraining for a job another replica runs), and the jobs this replica runs to
 * sinkhorn.job-states (their newest state) and sinkhorn.job-events (every event), from which every
 * replica's {@link JobMirror} follows them. Each record carries this process's {@link #INSTANCE}
 * header, so the mirror skips what its own process wrote (already applied when it was written).
 */
@ApplicationScoped
public class JobLog implements Job.Sink {
    /** The header naming the process that wrote a record. */
    static final String INSTANCE = "sinkhorn-instance";
    private static final Logger LOG = Logger.getLogger(JobLog.class);

    @Inject
    KafkaClients kafka;
    @Inject
    TopicProvisioner topics;
    @Inject
    KafkaTracing tracing;

    /** States and events waiting for the sender; beyond this many (Kafka away for long) new ones are dropped. */
    private static final int MAX_WAITING = 10_000;

    /** How long a StartTraining or CancelTraining waits for Kafka; its records expire then too, so an UNAVAILABLE answer means not queued. */
    private static final int COMMAND_TIMEOUT_MS = 30_000;

    private final byte[] instance = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaProducer<byte[], byte[]> commands;
    /**
     * Sends states and events in order, off the jobs' threads: a send waits for topic metadata
     * while Kafka is away, and training must not.
     */
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(MAX_WAITING), r -> {
                Thread t = new Thread(r, "job-records");
                t.setDaemon(true);
                return t;
            }, (r, pool) -> LOG.warnf("%d job records wait for Kafka; dropping one (the job goes on)", MAX_WAITING));

    void onStart(@Observes StartupEvent event) {
        producer = kafka.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000));
        commands = kafka.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, COMMAND_TIMEOUT_MS / 2, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                COMMAND_TIMEOUT_MS));
    }

    /** After the jobs have stopped: their last states and events are sent first. */
    void onStop(@Observes @Priority(5000) ShutdownEvent event) throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(10, TimeUnit.SECONDS);
        producer.close(Duration.ofSeconds(10));
        commands.close(Duration.ofSeconds(5));
    }

    /** Whether a record was written by this process. */
    boolean ownRecord(org.apache.kafka.common.header.Headers headers) {
        org.apache.kafka.common.header.Header h = headers.lastHeader(INSTANCE);
        return h != null && java.util.Arrays.equals(h.value(), instance);
    }

    /**
     * Queues a job: its QUEUED state first (so that no later state of it can be overtaken by this
     * one), then the command on sinkhorn.jobs; returns once Kafka has both (UNAVAILABLE otherwise).
     */
    void submit(TrainingJob job) {
        await(PipelineTopics.JOB_STATES, job.getJobId(), job.toByteArray(), "record job " + job.getJobId());
        await(PipelineTopics.JOBS, job.getModel(), JobCommand.newBuilder().setStart(job).build().toByteArray(),
                "queue job " + job.getJobId());
    }

    /** Asks the replica that runs a job to cancel it; returns once Kafka has the request. */
    void cancel(String model, String jobId) {
        await(PipelineTopics.JOBS, model, JobCommand.newBuilder().setCancel(JobRef.newBuilder().setJobId(jobId)).build().toByteArray(),
                "cancel job " + jobId);
    }

    private void await(String topic, String key, byte[] value, String what) {
        try {
            topics.ready().get(15, TimeUnit.SECONDS);
            // The job's spans (its run, its checkpoints and what follows over Kafka) join the caller's trace.
            tracing.send(commands, record(topic, key, value)).get(COMMAND_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException("interrupted while asking Kafka to " + what, e);
        } catch (Exception e) {
            throw new DependencyUnavailableException("Kafka at " + kafka.bootstrapServers() + " did not take the request to "
                    + what + ": " + e.getMessage(), e);
        }
    }

    /** Records a job's newest state (sent in the background; a failure is logged, the job goes on). */
    @Override
    public void state(TrainingJob job) {
        send(PipelineTopics.JOB_STATES, job.getJobId(), job.toByteArray());
    }

    /** Records one of a job's events (sent in the background, in order). */
    @Override
    public void event(TrainingEvent event) {
        send(PipelineTopics.JOB_EVENTS, event.getJobId(), event.toByteArray());
    }

    private void send(String topic, String key, byte[] value) {
        ProducerRecord<byte[], byte[]> r = record(topic, key, value);
        sender.execute(() -> {
            try {
                producer.send(r, (meta, e) -> {
                    if (e != null) {
                        LOG.warnf("could not record %s on %s: %s", key, topic, e.getMessage());
                    }
                });
            } catch (RuntimeException e) {
                LOG.warnf("could not record %s on %s: %s", key, topic, e.getMessage());
            }
        });
    }

    private ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
        r.headers().add(INSTANCE, instance);
        return r;
    }
}
