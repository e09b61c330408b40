package dev.sinkhorn.core.matching;

/**
 * The solution of an {@link AssignmentProblem} and its optimality certificate.
 *
 * <p>{@code rowToCol[i]} is the column assigned to row i, or {@link #UNASSIGNED} (-1) for the
 * rows - cols rows left without one when rows > cols. {@code objective} is the sum of the chosen
 * entries, in double precision.
 *
 * <p>Dual potentials are those of the minimisation form min sum c[i, j] (c = X when minimising,
 * c = -X when maximising) in the orientation solved ({@code transposed}: the problem was solved on
 * the transpose because rows > cols; then u is indexed by the original columns and v by the
 * original rows). They certify optimality: u[r] + v[k] <= c[r, k] everywhere, with equality on every
 * assigned pair, and, when there are more columns than rows, v[k] <= 0 with v[k] = 0 where k is left
 * unassigned. {@code dualObjective} is
 * sum u + sum v; it equals the minimisation objective at the optimum (its gap is a diagnostic).
 * u and v are empty (and dualObjective NaN) when the solve was asked not to keep them.
 */
public record AssignmentResult(int[] rowToCol, double objective, double[] u, double[] v, boolean transposed,
                               double dualObjective) {
    public static final int UNASSIGNED = -1;
}
