package dev.sinkhorn.service.grpc;

import dev.sinkhorn.core.matching.Matrices;

/**
 * A MatrixBatch field that passed validation: its matrices, and whether they came as
 * `values_f32le` bytes (answers then use bytes too).
 */
public record ValidatedBatch(Matrices matrices, boolean bytes) {
}
