package dev.sinkhorn.trainer;

import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainingSpec;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The jobs of this trainer: queued in order, run by a pool of trainer.max-concurrent-jobs threads. */
@ApplicationScoped
public class Jobs {
    @Inject
    TrainerConfig config;
    @Inject
    JobRunner runner;
    @ConfigProperty(name = "quarkus.shutdown.timeout", defaultValue = "30S")
    Duration shutdownTimeout;

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final List<Job> order = new ArrayList<>();
    private ExecutorService pool;

    void onStart(@Observes StartupEvent event) {
        pool = Executors.newFixedThreadPool(config.maxConcurrentJobs(), r -> {
            Thread t = new Thread(r, "training-job");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Shutdown (SIGTERM), before the gRPC server drains: running jobs stop at their next step,
     * publish a checkpoint of where they are and end INTERRUPTED; queued ones end INTERRUPTED at
     * once. Their watchers get the `finished` event and a clean end of stream. Waits for them up to
     * quarkus.shutdown.timeout.
     */
    void onStop(@Observes @Priority(50) ShutdownEvent event) {
        for (Job job : all()) {
            synchronized (job) {
                if (job.snapshot().getState() == JobState.QUEUED) {
                    job.finish(JobState.INTERRUPTED, "the trainer shut down before the job started; StartTraining it again");
                }
            }
            job.requestInterrupt();
        }
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        for (Job job : all()) {
            try {
                job.awaitFinished(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        pool.shutdownNow();
    }

    /** Queues a validated spec (defaults filled). */
    Job start(TrainingSpec spec) {
        Job job = new Job(UUID.randomUUID().toString(), spec);
        jobs.put(job.id(), job);
        synchronized (order) {
            order.add(job);
        }
        // The job's spans (checkpoint publish and what follows over Kafka) join the StartTraining trace.
        pool.submit(io.opentelemetry.context.Context.current().wrap(() -> runner.run(job)));
        return job;
    }

    Job get(String id) {
        Job job = jobs.get(id);
        if (job == null) {
            throw new NoSuchJobException(id);
        }
        return job;
    }

    /**
     * Asks a job to stop at its next step (a queued job is cancelled at once) and waits up to
     * {@code waitMs} for it to end, so the answer can say CANCELLED.
     */
    Job cancel(String id, long waitMs) throws InterruptedException {
        Job job = get(id);
        job.requestCancel();
        synchronized (job) {
            if (job.snapshot().getState() == JobState.QUEUED) {
                job.finish(JobState.CANCELLED, "cancelled before it started");
            }
        }
        job.awaitFinished(waitMs);
        return job;
    }

    List<Job> all() {
        synchronized (order) {
            return List.copyOf(order);
        }
    }

    boolean anyPublished() {
        return all().stream().anyMatch(j -> j.snapshot().getLatestVersion() > 0);
    }

    void onDecision(Decision d) {
        for (Job job : all()) {
            if (job.model().equals(d.getModel()) && job.owns(d.getVersion())) {
                job.decision(d);
            }
        }
    }

    void onEvaluation(Evaluation e) {
        for (Job job : all()) {
            if (job.model().equals(e.getModel()) && job.owns(e.getVersion())) {
                job.evaluation(e);
            }
        }
    }
}
