package dev.sinkhorn.service.grpc;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Answers a unary gRPC call: its value, or its failure as the status {@link GrpcErrors} gives it. */
public final class UnaryCalls {
    private UnaryCalls() {
    }

    /** Runs the call on this thread, which runs the gRPC call (its Context is current). */
    public static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
        answer(out, Context.current(), call);
    }

    /**
     * Runs the call, possibly on another thread than the gRPC call's: {@code context} is the
     * call's, captured where it was current.
     */
    public static <T> void answer(StreamObserver<T> out, Context context, Supplier<T> call) {
        T value;
        try {
            value = call.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e, context));
            return;
        } catch (Error e) { // e.g. OutOfMemoryError: answer, so the caller does not wait for its deadline
            out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
            throw e;
        }
        out.onNext(value);
        out.onCompleted();
    }

    /**
     * Answers the call when the future the call returns completes, on the thread that completes
     * it; a call that fails before it returns a future is answered at once. For work that is queued
     * (e.g. batched) rather than done by a thread that waits for it.
     */
    public static <T> void answerWhenDone(StreamObserver<T> out, Supplier<java.util.concurrent.CompletableFuture<T>> call) {
        Context context = Context.current();
        java.util.concurrent.CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e, context));
            return;
        }
        future.whenComplete((value, failure) -> {
            if (failure == null) {
                out.onNext(value);
                out.onCompleted();
                return;
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            out.onError(cause instanceof Error ? Status.INTERNAL.withDescription(cause.toString()).asRuntimeException()
                    : GrpcErrors.toStatus(cause, context));
        });
    }
}
