package dev.sinkhorn.core.errors;

/** Something this work needs (another service, the broker) cannot be reached now; trying again later may work. */
public class DependencyUnavailableException extends RuntimeException {
    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
