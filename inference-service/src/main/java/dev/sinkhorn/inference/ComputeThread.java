package dev.sinkhorn.inference;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The one thread that runs libtorch work (Sinkhorn ops, forward passes) for requests and
 * evaluations. libtorch sets up per-thread state on a thread's first operations (measured: a
 * Sinkhorn on [1024, 4, 4] takes ~12 ms on a fresh thread, ~4 ms on a warm one), and every calling
 * thread gets its own OpenMP team; Quarkus' worker pool would spread requests over many threads.
 * Funnelling the work through one warm thread, whose operations use all cores, avoids both.
 */
@ApplicationScoped
public class ComputeThread {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "libtorch");
        t.setDaemon(true);
        return t;
    });

    void onStop(@Observes ShutdownEvent event) {
        thread.shutdownNow();
    }

    /**
     * Queues the work for the compute thread and returns at once; the work answers its call
     * itself. For RPCs whose whole handling is libtorch work: the I/O thread hands the request
     * straight to the compute thread, without a worker thread between them waiting for it.
     */
    public void submit(Runnable work) {
        thread.execute(work);
    }

    /** Runs the work on the compute thread and returns its result (its exceptions are rethrown as they are). */
    public <T> T run(Supplier<T> work) {
        Future<T> f = thread.submit(work::get);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the compute thread");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
