/**
 * The ways a request can fail that are the caller's or the deployment's business rather than a bug.
 * Domain and application code throws these; only the gRPC adapters (through one shared mapper)
 * turn them into status codes: invalid input, a cap exceeded, not found, a precondition failed, a
 * dependency unavailable. Anything else reaching an adapter is a bug (INTERNAL).
 */
package dev.sinkhorn.core.errors;
