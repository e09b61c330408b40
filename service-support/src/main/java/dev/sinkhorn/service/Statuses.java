package dev.sinkhorn.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The gRPC errors the services answer with, built one way everywhere. */
public final class Statuses {
    private Statuses() {
    }

    /** INVALID_ARGUMENT: the request is malformed; the message says what and where. */
    public static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    /** RESOURCE_EXHAUSTED: the request is well formed but above a configured cap. */
    public static StatusRuntimeException tooLarge(String message) {
        return Status.RESOURCE_EXHAUSTED.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException unavailable(String message, Throwable cause) {
        return Status.UNAVAILABLE.withDescription(message).withCause(cause).asRuntimeException();
    }

    public static StatusRuntimeException failedPrecondition(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }
}
