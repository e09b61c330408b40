package dev.sinkhorn.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;
import java.util.function.Supplier;

/** Answers a unary gRPC call: its value, or its failure as a status the client can act on. */
public final class UnaryCalls {
    private UnaryCalls() {
    }

    /** Status exceptions pass through; anything else is INTERNAL (a bug, never the caller's fault). */
    public static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
        answer(out, call, UnaryCalls::internal);
    }

    /** As {@link #answer(StreamObserver, Supplier)}, with a translation of domain exceptions into statuses. */
    public static <T> void answer(StreamObserver<T> out, Supplier<T> call, Function<RuntimeException, StatusRuntimeException> translate) {
        T value;
        try {
            value = call.get();
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (RuntimeException e) {
            out.onError(translate.apply(e));
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }

    public static StatusRuntimeException internal(RuntimeException e) {
        return Status.INTERNAL.withDescription(e.toString()).withCause(e).asRuntimeException();
    }
}
