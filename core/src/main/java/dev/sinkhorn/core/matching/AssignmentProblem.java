package dev.sinkhorn.core.matching;

/**
 * A linear assignment problem: choose for every row (every column, when rows > cols) a distinct
 * column (row) so that the sum of the chosen entries is maximal (or minimal).
 *
 * <p>Shape: {@code values} is rows x cols, row-major, starting at {@code offset} (so a problem can
 * view one matrix of a batch without copying). Entries are finite, except that a forbidden pair
 * may be marked with -infinity when maximising or +infinity when minimising.
 */
public record AssignmentProblem(float[] values, int offset, int rows, int cols, boolean minimize) {

    public AssignmentProblem {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("rows and cols must be >= 1, got " + rows + " x " + cols);
        }
        if (offset < 0 || offset + (long) rows * cols > values.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix at offset " + offset
                    + " does not fit in " + values.length + " values");
        }
    }

    /** A maximisation problem on a whole array. */
    public static AssignmentProblem maximize(float[] values, int rows, int cols) {
        return new AssignmentProblem(values, 0, rows, cols, false);
    }

    public static AssignmentProblem minimize(float[] values, int rows, int cols) {
        return new AssignmentProblem(values, 0, rows, cols, true);
    }

    public float value(int i, int j) {
        return values[offset + i * cols + j];
    }
}
