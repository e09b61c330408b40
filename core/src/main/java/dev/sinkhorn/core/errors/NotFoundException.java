package dev.sinkhorn.core.errors;

/** The named thing (a model, a version, a job) does not exist here; subclasses say which kind. */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
