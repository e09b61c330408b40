package dev.sinkhorn.core.errors;

/** A well-formed request this deployment cannot serve in its present state (e.g. a GPU asked for where none is). */
public class PreconditionFailedException extends RuntimeException {
    public PreconditionFailedException(String message) {
        super(message);
    }
}
