package dev.sinkhorn.service;

/** The validated shape of a MatrixBatch: batch matrices of rows x cols. */
public record MatrixShape(int batch, int rows, int cols) {
    public long elements() {
        return (long) batch * rows * cols;
    }
}
