package dev.sinkhorn.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Turns failures into a message that says what to do, and an exit code. */
final class Errors {
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    /** A service refused the request: invalid, too large, not found, or not allowed for this caller. */
    static final int REJECTED = 4;

    private Errors() {
    }

    /** An error the user should read as is (no stack trace), with its exit code. */
    static final class CliException extends RuntimeException {
        final int exitCode;

        CliException(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    static int report(Exception e, PrintWriter err) {
        if (e instanceof CliException c) {
            err.println("error: " + c.getMessage());
            return c.exitCode;
        }
        if (e instanceof StatusRuntimeException s) {
            Status.Code code = s.getStatus().getCode();
            String what = s.getStatus().getDescription() == null ? "" : ": " + s.getStatus().getDescription();
            if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                err.println("error: service unreachable (" + code + what + ")");
                err.println("  start the local services with: deploy/local/sinkhorn-local up   (or pass --trainer/--inference/--matcher)");
                return UNREACHABLE;
            }
            err.println("error: " + code + what);
            if (code == Status.Code.UNAUTHENTICATED) {
                err.println("  the services are secured: pass a token with --token or --token-file (env SINKHORN_TOKEN, "
                        + "SINKHORN_TOKEN_FILE); docs/security.md");
            }
            return code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED
                    || code == Status.Code.INVALID_ARGUMENT || code == Status.Code.RESOURCE_EXHAUSTED
                    || code == Status.Code.NOT_FOUND || code == Status.Code.FAILED_PRECONDITION ? REJECTED : FAILED;
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            err.println("error: " + e.getMessage());
            return USAGE;
        }
        err.println("error: " + e);
        e.printStackTrace(err);
        return FAILED;
    }
}
