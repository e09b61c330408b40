package dev.sinkhorn.service.grpc;

import dev.sinkhorn.core.errors.DependencyUnavailableException;
import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.core.errors.NotFoundException;
import dev.sinkhorn.core.errors.PreconditionFailedException;
import dev.sinkhorn.core.matching.InfeasibleAssignmentException;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;

/**
 * The one translation of failures into gRPC statuses, used by every adapter. Domain failures keep
 * their messages, which say what and where:
 *
 * <table>
 *   <tr><th>failure</th><th>status</th></tr>
 *   <tr><td>{@link InvalidInputException}</td><td>INVALID_ARGUMENT</td></tr>
 *   <tr><td>{@link InfeasibleAssignmentException}</td><td>INVALID_ARGUMENT ("infeasible: ...")</td></tr>
 *   <tr><td>{@link LimitExceededException}</td><td>RESOURCE_EXHAUSTED</td></tr>
 *   <tr><td>{@link NotFoundException}</td><td>NOT_FOUND</td></tr>
 *   <tr><td>{@link PreconditionFailedException}</td><td>FAILED_PRECONDITION</td></tr>
 *   <tr><td>{@link DependencyUnavailableException}</td><td>UNAVAILABLE</td></tr>
 *   <tr><td>{@link CancellationException}</td><td>DEADLINE_EXCEEDED when the call's deadline has passed, else CANCELLED</td></tr>
 *   <tr><td>a status exception</td><td>itself</td></tr>
 *   <tr><td>anything else</td><td>INTERNAL: a bug, never the caller's fault</td></tr>
 * </table>
 */
public final class GrpcErrors {
    private GrpcErrors() {
    }

    /** The status for a failure of a call whose deadline is unknown (or none). */
    public static StatusRuntimeException toStatus(Throwable e) {
        return toStatus(e, null);
    }

    /** The status for a failure of the call running in {@code context} (its deadline tells timeouts from cancellations). */
    public static StatusRuntimeException toStatus(Throwable e, Context context) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        Status status;
        if (e instanceof InfeasibleAssignmentException) {
            status = Status.INVALID_ARGUMENT.withDescription("infeasible: " + e.getMessage());
        } else if (e instanceof InvalidInputException) {
            status = Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        } else if (e instanceof LimitExceededException) {
            status = Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
        } else if (e instanceof NotFoundException) {
            status = Status.NOT_FOUND.withDescription(e.getMessage());
        } else if (e instanceof PreconditionFailedException) {
            status = Status.FAILED_PRECONDITION.withDescription(e.getMessage());
        } else if (e instanceof DependencyUnavailableException) {
            status = Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e.getCause());
        } else if (e instanceof CancellationException) {
            Deadline deadline = context == null ? null : context.getDeadline();
            status = deadline != null && deadline.isExpired()
                    ? Status.DEADLINE_EXCEEDED.withDescription("the deadline passed: " + e.getMessage())
                    : Status.CANCELLED.withDescription("cancelled by the client: " + e.getMessage());
        } else {
            status = Status.INTERNAL.withDescription(e.toString()).withCause(e);
        }
        return status.asRuntimeException();
    }
}
