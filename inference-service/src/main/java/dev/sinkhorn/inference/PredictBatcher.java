package dev.sinkhorn.inference;

import dev.sinkhorn.core.model.SinkhornModel;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Dynamic batching of Predict, as Triton's {@code dynamic_batching}: concurrent requests for the
 * same model version wait in a queue for at most {@code max-queue-delay-microseconds} (or until
 * {@code max-batch-size} puzzles are queued), then run as one forward pass on the
 * {@link ComputeThread}, and each caller gets its own slice. A forward pass costs a few
 * milliseconds whatever its size up to tens of puzzles, so one pass for many small requests is
 * what makes single-puzzle clients fast. Requests whose caller has gone (deadline, cancel) are
 * dropped when their batch is formed. Requests of {@code max-batch-size} puzzles or more run alone.
 * Metrics: {@code sinkhorn_batching_queue_seconds} (time from arrival to the start of its batch)
 * and {@code sinkhorn_batching_batch_puzzles} (puzzles per pass).
 */
@ApplicationScoped
public class PredictBatcher {
    @Inject
    InferenceConfig config;
    @Inject
    ComputeThread compute;
    @Inject
    MeterRegistry metrics;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "batch-timer");
        t.setDaemon(true);
        return t;
    });
    /** The queue of each model version (by identity: a reloaded version gets a new one). */
    private final Map<LoadedModel, Queue> queues = new ConcurrentHashMap<>();
    private Timer queueTime;
    private DistributionSummary batchPuzzles;

    /** One caller's puzzles, waiting for their batch. */
    private record Pending(float[] pieces, int puzzles, BooleanSupplier gone, long arrivedNanos,
            CompletableFuture<SinkhornModel.Prediction> result) {
    }

    /** The requests queued for one model version; guarded by itself. */
    private static final class Queue {
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        int puzzles;
        boolean flushScheduled;
    }

    @PostConstruct
    void init() {
        queueTime = Timer.builder("sinkhorn.batching.queue").description("Predict: time from arrival to the start of its batch")
                .publishPercentileHistogram().register(metrics);
        batchPuzzles = DistributionSummary.builder("sinkhorn.batching.batch.puzzles").description("Predict: puzzles per forward pass")
                .publishPercentileHistogram().register(metrics);
    }

    void onStop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }

    /**
     * Queues {@code puzzles} puzzles; the future completes with their prediction once their batch
     * (with other callers' requests when dynamic batching is on) has run on the compute thread. The
     * caller holds a lease on the model until the future completes.
     *
     * @param gone whether the caller has gone (its deadline passed or it cancelled): it fails with
     *        CancellationException instead of joining a batch
     */
    CompletableFuture<SinkhornModel.Prediction> submit(LoadedModel m, float[] pieces, int puzzles, BooleanSupplier gone) {
        InferenceConfig.DynamicBatching settings = config.dynamicBatching();
        Pending p = new Pending(pieces, puzzles, gone, System.nanoTime(), new CompletableFuture<>());
        if (!settings.enabled() || puzzles >= settings.maxBatchSize()) {
            compute.submit(() -> {
                if (gone.getAsBoolean()) {
                    p.result().completeExceptionally(new CancellationException("the caller went away before its turn"));
                } else {
                    run(m, List.of(p), puzzles);
                }
            });
            return p.result();
        }
        Queue q = queues.computeIfAbsent(m, k -> new Queue());
        boolean full;
        boolean schedule;
        synchronized (q) {
            q.waiting.add(p);
            q.puzzles += puzzles;
            full = q.puzzles >= settings.maxBatchSize();
            schedule = !full && !q.flushScheduled;
            q.flushScheduled |= schedule;
        }
        if (full) {
            compute.submit(() -> flush(m, q));
        } else if (schedule) {
            timer.schedule(() -> compute.submit(() -> flush(m, q)), settings.maxQueueDelayMicroseconds(), TimeUnit.MICROSECONDS);
        }
        return p.result();
    }

    /** On the compute thread: takes up to max-batch-size puzzles off the queue, runs them as one pass, answers each caller. */
    private void flush(LoadedModel m, Queue q) {
        int max = config.dynamicBatching().maxBatchSize();
        List<Pending> batch = new ArrayList<>();
        int total = 0;
        boolean more;
        synchronized (q) {
            while (!q.waiting.isEmpty() && (batch.isEmpty() || total + q.waiting.peek().puzzles() <= max)) {
                Pending p = q.waiting.poll();
                q.puzzles -= p.puzzles();
                if (p.gone().getAsBoolean()) {
                    p.result().completeExceptionally(new CancellationException("the caller went away while it waited for its batch"));
                    continue;
                }
                batch.add(p);
                total += p.puzzles();
            }
            more = !q.waiting.isEmpty();
            q.flushScheduled = more;
        }
        if (more) {
            compute.submit(() -> flush(m, q)); // the rest right after this pass: it has waited long enough
        }
        if (batch.isEmpty()) {
            return;
        }
        run(m, batch, total);
        // What arrived during the pass goes next, without waiting for its timer: passes then run back
        // to back under load (the callers of one pass queue up during the next), and the delay is
        // only ever paid by a request that finds the compute thread idle.
        synchronized (q) {
            if (!q.waiting.isEmpty() && !more) {
                compute.submit(() -> flush(m, q));
            }
        }
    }

    private void run(LoadedModel m, List<Pending> batch, int total) {
        long start = System.nanoTime();
        int pieceValues = batch.get(0).pieces().length / batch.get(0).puzzles();
        float[] all = new float[total * pieceValues];
        int offset = 0;
        for (Pending p : batch) {
            queueTime.record(start - p.arrivedNanos(), TimeUnit.NANOSECONDS);
            System.arraycopy(p.pieces(), 0, all, offset, p.pieces().length);
            offset += p.pieces().length;
        }
        batchPuzzles.record(total);
        SinkhornModel.Prediction out;
        try {
            out = m.model().predict(all, total);
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.result().completeExceptionally(e));
            return;
        }
        int n = out.logAlpha().length / total; // P*P values per puzzle
        int first = 0;
        for (Pending p : batch) {
            int from = first * n;
            int to = (first + p.puzzles()) * n;
            p.result().complete(new SinkhornModel.Prediction(java.util.Arrays.copyOfRange(out.logAlpha(), from, to),
                    java.util.Arrays.copyOfRange(out.softPermutation(), from, to)));
            first += p.puzzles();
        }
    }
}
