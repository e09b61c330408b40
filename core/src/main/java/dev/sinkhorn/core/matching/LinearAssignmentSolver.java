package dev.sinkhorn.core.matching;

import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Exact linear assignment by shortest augmenting paths with dual potentials (the Jonker-Volgenant
 * family; the variant of Crouse, IEEE TAES 2016, that scipy.optimize.linear_sum_assignment uses).
 * O(n^2 m) for n rows <= m columns, computed in double precision.
 *
 * <p>Each row in turn is added to the matching by a Dijkstra search over reduced costs
 * c[i, j] - u[i] - v[j] (never negative, thanks to the potentials) for the cheapest path to a free
 * column; the potentials are then updated so the reduced costs stay non-negative, and the path is
 * flipped. Ties prefer a free column, which ends the search early.
 *
 * <p>Rectangular problems with more rows than columns are solved on the transpose, as SciPy does.
 * Forbidden pairs (+infinity cost) are never chosen; if no complete assignment avoids them the
 * solver throws {@link InfeasibleAssignmentException} naming the row (or column) that cannot be
 * matched. Not thread-safe: use one solver per thread (it reuses its work arrays).
 */
public final class LinearAssignmentSolver {
    private static final double INF = Double.POSITIVE_INFINITY;

    private double[] cost = new double[0];
    private double[] u = new double[0];
    private double[] v = new double[0];
    private double[] shortest = new double[0];
    private int[] path = new int[0];
    private int[] col4row = new int[0];
    private int[] row4col = new int[0];
    private boolean[] scannedCol = new boolean[0];
    private int[] visitedRows = new int[0];
    private int[] scannedCols = new int[0];

    public AssignmentResult solve(AssignmentProblem problem) {
        return solve(problem, () -> false);
    }

    /**
     * Solves the problem. {@code cancelled} is polled between rows; when it answers true the solve
     * stops with a {@link CancellationException}.
     */
    public AssignmentResult solve(AssignmentProblem problem, BooleanSupplier cancelled) {
        boolean transposed = problem.rows() > problem.cols();
        int n = transposed ? problem.cols() : problem.rows();
        int m = transposed ? problem.rows() : problem.cols();
        prepare(n, m);
        loadCosts(problem, transposed, n, m);

        for (int row = 0; row < n; row++) {
            if ((row & 7) == 0 && cancelled.getAsBoolean()) {
                throw new CancellationException("cancelled after " + row + " of " + n + " rows");
            }
            int sink = augmentingPath(row, n, m);
            if (sink < 0) {
                throw new InfeasibleAssignmentException((transposed ? "column " : "row ") + row
                        + " cannot be matched: every remaining " + (transposed ? "row" : "column")
                        + " is forbidden (infinite) for it or already taken");
            }
        }
        return result(problem, transposed, n, m);
    }

    private void prepare(int n, int m) {
        if (cost.length < n * m) {
            cost = new double[n * m];
        }
        if (u.length < n) {
            u = new double[n];
            col4row = new int[n];
            visitedRows = new int[n];
        }
        if (v.length < m) {
            v = new double[m];
            shortest = new double[m];
            path = new int[m];
            row4col = new int[m];
            scannedCol = new boolean[m];
            scannedCols = new int[m];
        }
        Arrays.fill(u, 0, n, 0.0);
        Arrays.fill(v, 0, m, 0.0);
        Arrays.fill(col4row, 0, n, -1);
        Arrays.fill(row4col, 0, m, -1);
    }

    /** Costs of the minimisation form in the solved orientation: c = X (minimise) or -X (maximise). */
    private void loadCosts(AssignmentProblem p, boolean transposed, int n, int m) {
        float[] x = p.values();
        int off = p.offset();
        int cols = p.cols();
        double sign = p.minimize() ? 1.0 : -1.0;
        if (!transposed) {
            for (int k = 0; k < n * m; k++) {
                cost[k] = sign * x[off + k];
            }
        } else {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    cost[i * m + j] = sign * x[off + j * cols + i];
                }
            }
        }
    }

    /**
     * Dijkstra from {@code row} over reduced costs to the nearest free column; updates potentials
     * and flips the path. Returns the free column reached, or -1 when every path is infinite.
     */
    private int augmentingPath(int row, int n, int m) {
        double[] c = cost;
        double[] sp = shortest;
        boolean[] done = scannedCol;
        Arrays.fill(sp, 0, m, INF);
        Arrays.fill(done, 0, m, false);
        int visited = 0;
        int scanned = 0;
        double minVal = 0.0;
        int i = row;
        int sink = -1;
        while (sink < 0) {
            visitedRows[visited++] = i;
            double ui = u[i];
            int base = i * m;
            double lowest = INF;
            int best = -1;
            for (int j = 0; j < m; j++) {
                if (done[j]) {
                    continue;
                }
                double r = minVal + c[base + j] - ui - v[j];
                if (r < sp[j]) {
                    path[j] = i;
                    sp[j] = r;
                }
                double s = sp[j];
                if (s < lowest || (s == lowest && row4col[j] < 0)) {
                    lowest = s;
                    best = j;
                }
            }
            if (lowest == INF) {
                return -1;
            }
            minVal = lowest;
            done[best] = true;
            scannedCols[scanned++] = best;
            if (row4col[best] < 0) {
                sink = best;
            } else {
                i = row4col[best];
            }
        }
        // Potentials: keep every reduced cost >= 0 and the matched ones at 0.
        u[row] += minVal;
        for (int k = 1; k < visited; k++) {
            int r = visitedRows[k];
            u[r] += minVal - sp[col4row[r]];
        }
        for (int k = 0; k < scanned; k++) {
            int j = scannedCols[k];
            if (j != sink) {
                v[j] -= minVal - sp[j];
            }
        }
        // Flip the alternating path ending at the sink.
        int j = sink;
        while (true) {
            int r = path[j];
            row4col[j] = r;
            int previous = col4row[r];
            col4row[r] = j;
            if (r == row) {
                break;
            }
            j = previous;
        }
        return sink;
    }

    private AssignmentResult result(AssignmentProblem p, boolean transposed, int n, int m) {
        int[] rowToCol = new int[p.rows()];
        Arrays.fill(rowToCol, AssignmentResult.UNASSIGNED);
        double objective = 0.0;
        for (int i = 0; i < n; i++) {
            int j = col4row[i];
            int r = transposed ? j : i;
            int c = transposed ? i : j;
            rowToCol[r] = c;
            objective += p.value(r, c);
        }
        double dual = 0.0;
        for (int i = 0; i < n; i++) {
            dual += u[i];
        }
        for (int j = 0; j < m; j++) {
            dual += v[j];
        }
        return new AssignmentResult(rowToCol, objective, Arrays.copyOf(u, n), Arrays.copyOf(v, m), transposed, dual);
    }
}
