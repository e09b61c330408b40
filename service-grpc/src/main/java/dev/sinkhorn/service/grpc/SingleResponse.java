package dev.sinkhorn.service.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** The answer of a client-streaming call (one response message) as a future. */
public final class SingleResponse<T> implements StreamObserver<T> {
    private final CompletableFuture<T> future = new CompletableFuture<>();

    public CompletableFuture<T> future() {
        return future;
    }

    @Override
    public void onNext(T value) {
        future.complete(value);
    }

    @Override
    public void onError(Throwable t) {
        future.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        // the single message already completed the future
    }
}
