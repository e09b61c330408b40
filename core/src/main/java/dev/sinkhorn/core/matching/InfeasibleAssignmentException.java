package dev.sinkhorn.core.matching;

/** No complete assignment avoids the forbidden (infinite) entries; the message names the row or column that cannot be matched. */
public final class InfeasibleAssignmentException extends IllegalArgumentException {
    public InfeasibleAssignmentException(String message) {
        super(message);
    }
}
