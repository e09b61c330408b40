package dev.sinkhorn.core.errors;

/** A well-formed input above a configured cap (size, iterations, samples); the message names the cap. */
public class LimitExceededException extends RuntimeException {
    public LimitExceededException(String message) {
        super(message);
    }
}
