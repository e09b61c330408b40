package dev.sinkhorn.core.matching;

/**
 * A batch of equally shaped dense matrices in one array: B matrices of R x C, element (b, i, j) at
 * {@code values[b*R*C + i*C + j]} (the contracts' MatrixBatch layout).
 */
public record Matrices(int batch, int rows, int cols, float[] values) {

    public Matrices {
        if (batch < 1 || rows < 1 || cols < 1) {
            throw new IllegalArgumentException("batch, rows and cols must be >= 1, got " + batch + " x " + rows + " x " + cols);
        }
        if (values.length != (long) batch * rows * cols) {
            throw new IllegalArgumentException(values.length + " values for " + batch + " x " + rows + " x " + cols);
        }
    }

    /** batch * rows * cols. */
    public long elements() {
        return (long) batch * rows * cols;
    }

    /** Entries of one matrix, rows * cols. */
    public int matrixSize() {
        return rows * cols;
    }

    /** Matrix b as an assignment problem (a view, no copy). */
    public AssignmentProblem problem(int b, boolean minimize) {
        return new AssignmentProblem(values, b * matrixSize(), rows, cols, minimize);
    }
}
