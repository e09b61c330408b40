package dev.sinkhorn.core.errors;

/**
 * What a caller sent is malformed: a shape, a value or a field that cannot be used. The message
 * says what and where (field, index, row and column), because it reaches the caller as it is.
 */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }
}
