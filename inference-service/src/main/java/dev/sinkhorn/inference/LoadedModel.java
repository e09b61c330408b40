package dev.sinkhorn.inference;

import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.v1.Checkpoint;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded checkpoint version. Requests hold a lease while they use it; after it is replaced it
 * is closed when the last lease ends, so a request never sees its parameters freed.
 */
final class LoadedModel {
    private final Checkpoint checkpoint; // without the parameter bytes
    private final SinkhornModel model;
    private final long loadedAtMs;
    private final AtomicInteger leases = new AtomicInteger(1); // 1 = held by the registry
    private volatile boolean closed;

    LoadedModel(Checkpoint checkpoint, SinkhornModel model, long loadedAtMs) {
        this.checkpoint = checkpoint.toBuilder().clearParameters().build();
        this.model = model;
        this.loadedAtMs = loadedAtMs;
    }

    String name() {
        return checkpoint.getModel();
    }

    long version() {
        return checkpoint.getVersion();
    }

    Checkpoint checkpoint() {
        return checkpoint;
    }

    SinkhornModel model() {
        return model;
    }

    long loadedAtMs() {
        return loadedAtMs;
    }

    /** Takes a lease; false when the model is already being closed. */
    boolean acquire() {
        while (true) {
            int n = leases.get();
            if (n == 0) {
                return false;
            }
            if (leases.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Ends a lease (the registry's own on retirement); the last one closes the model. */
    void release() {
        if (leases.decrementAndGet() == 0 && !closed) {
            closed = true;
            model.close();
        }
    }
}
