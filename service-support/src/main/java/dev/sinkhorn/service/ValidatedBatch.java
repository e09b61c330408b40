package dev.sinkhorn.service;

/**
 * A MatrixBatch that passed validation: its shape, its entries as one array, and whether it came
 * as `values_f32le` bytes (answers then use bytes too).
 */
public record ValidatedBatch(MatrixShape shape, float[] values, boolean bytes) {
}
