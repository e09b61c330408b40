package dev.sinkhorn.core.sinkhorn;

import ai.djl.ndarray.NDArray;

/**
 * The result of the Sinkhorn operator, with its convergence diagnostics.
 *
 * @param matrices           [B, N, N] near doubly stochastic matrices (attached to the input's manager)
 * @param maxMarginalError   per matrix: max over its rows and columns of |sum - 1| after the last iteration
 * @param iterations         iterations done (each one row and one column normalisation)
 */
public record SinkhornResult(NDArray matrices, float[] maxMarginalError, int iterations) {
}
