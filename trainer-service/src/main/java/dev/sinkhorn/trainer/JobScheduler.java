package dev.sinkhorn.trainer;

import dev.sinkhorn.v1.JobState;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * The jobs this replica was given by its partitions of sinkhorn.jobs: one model's jobs one after
 * another in their order on the topic, different models' side by side on a pool of
 * trainer.max-concurrent-jobs threads. When a partition leaves this replica its waiting jobs are
 * dropped (the new owner runs them) and its running jobs are suspended with a checkpoint of their
 * progress (the new owner resumes them). Each job's record is reported {@link #done} once it needs
 * no replica any more, so the consumer can commit past it.
 */
@ApplicationScoped
public class JobScheduler {
    @Inject
    TrainerConfig config;
    @Inject
    JobRunner runner;
    @Inject
    JobLog log;

    /** A job from one record of sinkhorn.jobs, and the trace its StartTraining began (its run joins it). */
    record Entry(Job job, TopicPartition partition, long offset, io.opentelemetry.context.Context trace) {
    }

    private ExecutorService pool;
    /** Guarded by itself: each model's waiting entries. */
    private final Map<String, Queue<Entry>> waiting = new HashMap<>();
    /** Guarded by {@link #waiting}: the entry running per model. */
    private final Map<String, Entry> running = new HashMap<>();
    private final ConcurrentLinkedQueue<Entry> done = new ConcurrentLinkedQueue<>();

    void onStart(@Observes StartupEvent event) {
        pool = Executors.newFixedThreadPool(config.maxConcurrentJobs(), r -> {
            Thread t = new Thread(r, "training-job");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a job behind the earlier jobs of its model (a job already here, read again after a rejoin, is not queued twice). */
    void enqueue(Entry e) {
        synchronized (waiting) {
            boolean here = running.values().stream().anyMatch(r -> r.job() == e.job())
                    || waiting.values().stream().anyMatch(q -> q.stream().anyMatch(w -> w.job() == e.job()));
            e.job().clearSuspend(); // read again after its partition came back: it stays here
            if (here) {
                return;
            }
            waiting.computeIfAbsent(e.job().model(), m -> new ArrayDeque<>()).add(e);
            if (!running.containsKey(e.job().model())) {
                startNext(e.job().model());
            }
        }
    }

    /** Cancels a job waiting here (it ends CANCELLED at once), or one running here (it stops at its next step); false if it is not here. */
    boolean cancel(String jobId) {
        synchronized (waiting) {
            for (Queue<Entry> q : waiting.values()) {
                for (Entry e : q) {
                    if (e.job().id().equals(jobId)) {
                        e.job().finishQueued(log, JobState.CANCELLED, "cancelled before it started");
                        return true;
                    }
                }
            }
            for (Entry e : running.values()) {
                if (e.job().id().equals(jobId)) {
                    e.job().requestCancel();
                    return true;
                }
            }
        }
        return false;
    }

    private void startNext(String model) {
        Queue<Entry> q = waiting.get(model);
        Entry next = q == null ? null : q.poll();
        if (next == null) {
            waiting.remove(model);
            return;
        }
        running.put(model, next);
        pool.submit(next.trace().wrap(() -> {
            boolean handedOver = false;
            try {
                handedOver = !runner.run(next.job());
            } finally {
                if (!handedOver) {
                    done.add(next);
                }
                synchronized (waiting) {
                    running.remove(model);
                    waiting.notifyAll();
                    startNext(model);
                }
            }
        }));
    }

    /** The entries whose jobs ended (or were cancelled while waiting) since the last call. */
    List<Entry> drainDone() {
        List<Entry> out = new ArrayList<>();
        for (Entry e; (e = done.poll()) != null; ) {
            out.add(e);
        }
        return out;
    }

    /**
     * The partitions leave this replica: their waiting jobs are dropped, their running jobs stop at
     * their next step and are suspended (with {@code shuttingDown}, their watchers' streams end
     * here). Waits up to {@code timeoutMs} for them to stop.
     */
    void handOver(Collection<TopicPartition> partitions, boolean shuttingDown, long timeoutMs) throws InterruptedException {
        Set<TopicPartition> leaving = new HashSet<>(partitions);
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (waiting) {
            for (Queue<Entry> q : waiting.values()) {
                q.removeIf(e -> leaving.contains(e.partition()));
            }
            for (Entry e : running.values()) {
                if (leaving.contains(e.partition())) {
                    e.job().requestSuspend(shuttingDown);
                }
            }
            while (running.values().stream().anyMatch(e -> leaving.contains(e.partition()))) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                waiting.wait(left);
            }
        }
    }

    /**
     * The partitions were lost (the group dropped this replica): their waiting jobs are dropped,
     * since the partitions' new owners run them; running jobs go on (docs/scale-out.md).
     */
    void dropWaiting(Collection<TopicPartition> partitions) {
        Set<TopicPartition> lost = new HashSet<>(partitions);
        synchronized (waiting) {
            for (Queue<Entry> q : waiting.values()) {
                q.removeIf(e -> lost.contains(e.partition()));
            }
        }
    }

    void shutdown() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }
}
