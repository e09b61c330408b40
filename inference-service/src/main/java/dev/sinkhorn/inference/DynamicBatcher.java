package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.DependencyUnavailableException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Dynamic batching, as Triton's {@code dynamic_batching}: concurrent requests of the same
 * {@link Kind} (Predict on one model version; Sinkhorn and GumbelSinkhorn with one matrix size and
 * one set of operator settings) wait in a queue for at most {@code max-queue-delay-microseconds}
 * (or until {@code max-batch-size} items are queued), then run as one pass on the
 * {@link ComputeThread}, and each caller gets its own slice. A pass costs about the same whatever
 * its size up to tens of items, so one pass for many small requests is what makes single-item
 * clients fast. Requests whose caller has gone (deadline, cancel) are dropped when their batch is
 * formed; a pass whose callers have all gone stops. Requests of {@code max-batch-size} items or
 * more, and kinds that are not batchable, run alone.
 *
 * <p>Metrics, tagged with the RPC: {@code sinkhorn_batching_queue_seconds} (time from arrival to the
 * start of its batch) and {@code sinkhorn_batching_batch_<unit>} (items per pass: puzzles for
 * Predict, matrices for Sinkhorn and GumbelSinkhorn).
 */
@ApplicationScoped
public class DynamicBatcher {
    /**
     * What a pass computes. Equal kinds share a queue, so equality must mean "can run in one pass".
     *
     * @param <I> one caller's input
     * @param <R> one caller's result
     */
    interface Kind<I, R> {
        /** The RPC, as the metrics' tag. */
        String rpc();

        /** What an item is (the batch-size metric's name). */
        String unit();

        /** Whether requests of this kind may share a pass (false: every one runs alone). */
        boolean batchable();

        /** The input's items (puzzles, matrices), counted against max-batch-size. */
        int items(I input);

        /**
         * Runs the inputs as one pass on the compute thread.
         *
         * @param allGone whether every caller of the pass has gone: long work stops when it says so
         * @return one result per input, in order
         */
        List<R> run(List<I> inputs, BooleanSupplier allGone);
    }

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
    /** The meters of each RPC, registered once. */
    private record Meters(Timer queueTime, DistributionSummary batchSize) {
    }

    private final Map<String, Meters> meters = new ConcurrentHashMap<>();
    /** The queue of each kind; a drained queue is removed (kinds come and go with model versions and request settings). */
    private final Map<Kind<?, ?>, Queue<?, ?>> queues = new ConcurrentHashMap<>();

    /** One caller's input, waiting for its batch. */
    private record Pending<I, R>(I input, int items, BooleanSupplier gone, long arrivedNanos, CompletableFuture<R> result) {
    }

    /** The requests queued for one kind; guarded by itself. */
    private static final class Queue<I, R> {
        final Kind<I, R> kind;
        final ArrayDeque<Pending<I, R>> waiting = new ArrayDeque<>();
        int items;
        boolean flushScheduled;

        Queue(Kind<I, R> kind) {
            this.kind = kind;
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }

    /**
     * Queues the input; the future completes with its result once its batch (with other callers'
     * inputs when dynamic batching is on) has run on the compute thread, or fails as the pass did.
     *
     * @param gone whether the caller has gone (its deadline passed or it cancelled): it fails with
     *        CancellationException instead of joining a batch
     */
    <I, R> CompletableFuture<R> submit(Kind<I, R> kind, I input, BooleanSupplier gone) {
        InferenceConfig.DynamicBatching settings = config.dynamicBatching();
        int items = kind.items(input);
        Pending<I, R> p = new Pending<>(input, items, gone, System.nanoTime(), new CompletableFuture<>());
        if (!settings.enabled() || !kind.batchable() || items >= settings.maxBatchSize()) {
            try {
                compute.submit(() -> {
                    if (gone.getAsBoolean()) {
                        p.result().completeExceptionally(new CancellationException("the caller went away before its turn"));
                    } else {
                        run(kind, List.of(p), items);
                    }
                });
            } catch (RejectedExecutionException stopping) {
                p.result().completeExceptionally(shuttingDown(stopping));
            }
            return p.result();
        }
        @SuppressWarnings("unchecked")
        Queue<I, R> q = (Queue<I, R>) queues.computeIfAbsent(kind, k -> new Queue<>(kind));
        boolean full;
        boolean schedule;
        synchronized (q) {
            q.waiting.add(p);
            q.items += items;
            full = q.items >= settings.maxBatchSize();
            schedule = !full && !q.flushScheduled;
            q.flushScheduled |= schedule;
        }
        if (full) {
            flushLater(q);
        } else if (schedule) {
            try {
                timer.schedule(() -> flushLater(q), settings.maxQueueDelayMicroseconds(), TimeUnit.MICROSECONDS);
            } catch (RejectedExecutionException stopping) {
                failAll(q, stopping);
            }
        }
        return p.result();
    }

    /** Queues a flush of q on the compute thread; when the service is stopping, its callers fail instead of waiting for ever. */
    private <I, R> void flushLater(Queue<I, R> q) {
        try {
            compute.submit(() -> flush(q));
        } catch (RejectedExecutionException stopping) {
            failAll(q, stopping);
        }
    }

    private static <I, R> void failAll(Queue<I, R> q, RejectedExecutionException stopping) {
        synchronized (q) {
            q.waiting.forEach(p -> p.result().completeExceptionally(shuttingDown(stopping)));
            q.waiting.clear();
            q.items = 0;
        }
    }

    private static DependencyUnavailableException shuttingDown(RejectedExecutionException cause) {
        return new DependencyUnavailableException("the inference service is shutting down", cause);
    }

    /** On the compute thread: takes up to max-batch-size items off the queue, runs them as one pass, answers each caller. */
    private <I, R> void flush(Queue<I, R> q) {
        int max = config.dynamicBatching().maxBatchSize();
        List<Pending<I, R>> batch = new ArrayList<>();
        int total = 0;
        boolean more;
        synchronized (q) {
            while (!q.waiting.isEmpty() && (batch.isEmpty() || total + q.waiting.peek().items() <= max)) {
                Pending<I, R> p = q.waiting.poll();
                q.items -= p.items();
                if (p.gone().getAsBoolean()) {
                    p.result().completeExceptionally(new CancellationException("the caller went away while it waited for its batch"));
                    continue;
                }
                batch.add(p);
                total += p.items();
            }
            more = !q.waiting.isEmpty();
            q.flushScheduled = more;
        }
        if (more) {
            flushLater(q); // the rest right after this pass: it has waited long enough
        }
        if (!batch.isEmpty()) {
            run(q.kind, batch, total);
        }
        // What arrived during the pass goes next, without waiting for its timer: passes then run back
        // to back under load (the callers of one pass queue up during the next), and the delay is
        // only ever paid by a request that finds the compute thread idle. A queue left empty is
        // removed; a caller that still adds to it has scheduled its own flush, which runs it.
        synchronized (q) {
            if (!q.waiting.isEmpty() && !more) {
                q.flushScheduled = true;
                flushLater(q);
            } else if (q.waiting.isEmpty() && !q.flushScheduled) {
                queues.remove(q.kind, q);
            }
        }
    }

    private <I, R> void run(Kind<I, R> kind, List<Pending<I, R>> batch, int total) {
        long start = System.nanoTime();
        Meters m = meters.computeIfAbsent(kind.rpc(), rpc -> new Meters(
                Timer.builder("sinkhorn.batching.queue").description("time from arrival to the start of its batch")
                        .tag("rpc", rpc).publishPercentileHistogram().register(metrics),
                DistributionSummary.builder("sinkhorn.batching.batch." + kind.unit()).description(kind.unit() + " per pass")
                        .tag("rpc", rpc).publishPercentileHistogram().register(metrics)));
        batch.forEach(p -> m.queueTime().record(start - p.arrivedNanos(), TimeUnit.NANOSECONDS));
        m.batchSize().record(total);
        List<R> results;
        try {
            results = kind.run(batch.stream().map(Pending::input).toList(),
                    () -> batch.stream().allMatch(p -> p.gone().getAsBoolean()));
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.result().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }
}
