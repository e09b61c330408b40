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
 * <p>Square problems without forbidden entries start as Jonker and Volgenant's LAPJV does: column
 * reduction with reduction transfer, then two passes of augmenting row reduction, which match most
 * rows by cheap one-row scans, so only a few rows need the search. The result is the same optimum;
 * the start only saves work (2-4x on dense random matrices).
 *
 * <p>Rectangular problems with more rows than columns are solved on the transpose, as SciPy does.
 * Forbidden pairs (+infinity cost) are never chosen; if no complete assignment avoids them the
 * solver throws {@link InfeasibleAssignmentException} naming the row (or column) that cannot be
 * matched. Not thread-safe: use one solver per thread (it reuses its work arrays).
 */
public final class LinearAssignmentSolver {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double[] NO_POTENTIALS = new double[0];
    /**
     * Rows up to this length are scanned without data-dependent branches (see twoSmallest):
     * measured 20-25% faster per matrix from 16 to 32 columns, even at 48.
     */
    private static final int SHORT_ROW = 32;

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
    private double[] reduced = new double[0];
    // Results of twoSmallest (fields: it runs millions of times per batch).
    private double smallest;
    private int smallestAt;
    private double secondSmallest;
    private int secondSmallestAt;

    public AssignmentResult solve(AssignmentProblem problem) {
        return solve(problem, () -> false);
    }

    /**
     * Solves the problem. {@code cancelled} is polled between rows of problems with 64 or more
     * rows (smaller ones take microseconds); when it answers true the solve stops with a
     * {@link CancellationException}.
     */
    public AssignmentResult solve(AssignmentProblem problem, BooleanSupplier cancelled) {
        return solve(problem, cancelled, true);
    }

    /**
     * As {@link #solve(AssignmentProblem, BooleanSupplier)}, but u and v of the result stay empty
     * (saves two copies per matrix when solving many small ones).
     */
    public AssignmentResult solveWithoutPotentials(AssignmentProblem problem, BooleanSupplier cancelled) {
        return solve(problem, cancelled, false);
    }

    private AssignmentResult solve(AssignmentProblem problem, BooleanSupplier cancelled, boolean withPotentials) {
        boolean transposed = problem.rows() > problem.cols();
        int n = transposed ? problem.cols() : problem.rows();
        int m = transposed ? problem.rows() : problem.cols();
        prepare(n, m);
        boolean finite = loadCosts(problem, transposed, n, m);
        if (finite && n == m) {
            columnReduction(n);
            augmentingRowReduction(n);
            augmentingRowReduction(n);
            rowPotentials(n);
        }

        for (int row = 0; row < n; row++) {
            if (n >= 64 && cancelled.getAsBoolean()) {
                throw new CancellationException("cancelled after " + row + " of " + n + " rows");
            }
            if (col4row[row] >= 0) {
                continue; // matched by the column reduction
            }
            int sink = augmentingPath(row, n, m);
            if (sink < 0) {
                throw new InfeasibleAssignmentException((transposed ? "column " : "row ") + row
                        + " cannot be matched: every remaining " + (transposed ? "row" : "column")
                        + " is forbidden (infinite) for it or already taken");
            }
        }
        return result(problem, transposed, n, m, withPotentials);
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
            reduced = new double[m];
        }
        Arrays.fill(u, 0, n, 0.0);
        Arrays.fill(v, 0, m, 0.0);
        Arrays.fill(col4row, 0, n, -1);
        Arrays.fill(row4col, 0, m, -1);
    }

    /**
     * Costs of the minimisation form in the solved orientation: c = X (minimise) or -X (maximise).
     * Returns true when every cost is finite.
     */
    private boolean loadCosts(AssignmentProblem p, boolean transposed, int n, int m) {
        float[] x = p.values();
        int off = p.offset();
        int cols = p.cols();
        double sign = p.minimize() ? 1.0 : -1.0;
        boolean finite = true;
        if (!transposed) {
            // Flat loops without data-dependent branches: the JIT turns them into SIMD code, which
            // matters for the many small matrices of a batch.
            double[] c = cost;
            int size = n * m;
            double largest = -INF;
            for (int k = 0; k < size; k++) {
                double ck = sign * x[off + k];
                c[k] = ck;
                largest = Math.max(largest, ck);
            }
            requireNoNaN(largest, p);
            finite = largest != INF;
            if (n == m && finite) {
                columnMinima(n);
            }
        } else {
            double largest = -INF;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    double c = sign * x[off + j * cols + i];
                    cost[i * m + j] = c;
                    largest = Math.max(largest, c);
                }
            }
            requireNoNaN(largest, p);
            finite = largest != INF;
        }
        return finite;
    }

    /**
     * NaN has no place in an order of costs (and would break the scans): named by position.
     * {@code largest} is the maximum of all costs, NaN when any is (Math.max propagates it).
     */
    private static void requireNoNaN(double largest, AssignmentProblem p) {
        if (!Double.isNaN(largest)) {
            return;
        }
        for (int i = 0; i < p.rows(); i++) {
            for (int j = 0; j < p.cols(); j++) {
                if (Float.isNaN(p.value(i, j))) {
                    throw new IllegalArgumentException("NaN at row " + i + ", column " + j);
                }
            }
        }
    }

    /** v[j] = min_i c[i, j] and path[j] = the first row attaining it (for the column reduction). */
    private void columnMinima(int n) {
        double[] c = cost;
        Arrays.fill(v, 0, n, INF);
        for (int i = 0; i < n; i++) {
            int base = i * n;
            for (int j = 0; j < n; j++) {
                v[j] = Math.min(v[j], c[base + j]);
            }
        }
        // The first row attaining each minimum: rows from last to first, each overwriting, so the
        // loop needs no branch (sequential memory access, no mispredictions).
        for (int i = n - 1; i >= 0; i--) {
            int base = i * n;
            for (int j = 0; j < n; j++) {
                path[j] = c[base + j] == v[j] ? i : path[j];
            }
        }
    }

    /** reduced[j] = c[i, j] - v[j] for row i of a square problem. */
    private double[] reducedRow(int i, int n) {
        double[] c = cost;
        double[] h = reduced;
        int base = i * n;
        for (int j = 0; j < n; j++) {
            h[j] = c[base + j] - v[j];
        }
        return h;
    }

    /**
     * The smallest of a[0..n). Four independent running minima: one chain of dependent min
     * operations is what limits a scan of a short row.
     */
    private static double minimum(double[] a, int n) {
        double m0 = INF;
        double m1 = INF;
        double m2 = INF;
        double m3 = INF;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            m0 = Math.min(m0, a[j]);
            m1 = Math.min(m1, a[j + 1]);
            m2 = Math.min(m2, a[j + 2]);
            m3 = Math.min(m3, a[j + 3]);
        }
        for (; j < n; j++) {
            m0 = Math.min(m0, a[j]);
        }
        return Math.min(Math.min(m0, m1), Math.min(m2, m3));
    }

    /**
     * The two smallest reduced costs of row i (square problems) into smallest/smallestAt and
     * secondSmallest/secondSmallestAt (the first index of each; the second index is only looked up
     * on a tie, where it is needed). Short rows are scanned with {@link #minimum} (no unpredictable
     * branches, which dominate a short scan); long rows in one branching pass, whose branches are
     * rarely taken and predicted well.
     */
    private void twoSmallest(int i, int n) {
        if (n <= SHORT_ROW) {
            double[] h = reducedRow(i, n);
            double u1 = minimum(h, n);
            int j1 = indexOf(h, u1);
            h[j1] = INF;
            double u2 = minimum(h, n);
            smallest = u1;
            smallestAt = j1;
            secondSmallest = u2;
            secondSmallestAt = u2 == u1 ? indexOf(h, u2) : -1;
            return;
        }
        double[] c = cost;
        int base = i * n;
        double u1 = c[base] - v[0];
        int j1 = 0;
        double u2 = INF;
        int j2 = -1;
        for (int j = 1; j < n; j++) {
            double h = c[base + j] - v[j];
            if (h < u2) {
                if (h >= u1) {
                    u2 = h;
                    j2 = j;
                } else {
                    u2 = u1;
                    j2 = j1;
                    u1 = h;
                    j1 = j;
                }
            }
        }
        smallest = u1;
        smallestAt = j1;
        secondSmallest = u2;
        secondSmallestAt = j2;
    }

    /** The first index of {@code value} in a[0..n), which must hold it. */
    private static int indexOf(double[] a, double value) {
        int j = 0;
        while (a[j] != value) {
            j++;
        }
        return j;
    }

    /**
     * Jonker-Volgenant initialisation for square, finite problems. v[j] = min_i c[i, j] (set by
     * {@link #columnMinima}; dual feasible with u = 0); a row that is the argmin of a column and
     * still free takes it (a tight pair). Then each row matched once moves its slack to u (reduction transfer): u[i] = the
     * second-smallest reduced cost of row i, v[j] lowered by the same amount, which keeps every
     * reduced cost >= 0 and every matched pair tight, and gives later searches better potentials.
     */
    private void columnReduction(int n) {
        int[] matches = visitedRows; // reused as a per-row counter here
        Arrays.fill(matches, 0, n, 0);
        for (int j = n - 1; j >= 0; j--) {
            int best = path[j]; // argmin of column j (columnMinima); v[j] is its minimum
            if (++matches[best] == 1) {
                col4row[best] = j;
                row4col[j] = best;
            }
        }
        for (int i = 0; i < n; i++) {
            if (matches[i] != 1) {
                continue;
            }
            int j1 = col4row[i];
            double[] h = reducedRow(i, n);
            h[j1] = INF;
            double mu = minimum(h, n);
            if (mu != INF) {
                v[j1] -= mu;
                u[i] = mu;
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

    /**
     * Augmenting row reduction (one LAPJV pass). Invariant kept: every matched row's column is a
     * minimum of its reduced costs c[i, j] - v[j]. A free row takes the column of its smallest
     * reduced cost u1; if the second smallest u2 is larger, v of that column drops by u2 - u1 so the
     * row stays indifferent, and a row pushed out tries again at once; on a tie it prefers a free
     * column. The work per pass is capped; rows still free go to the shortest-path search.
     */
    private void augmentingRowReduction(int n) {
        int[] free = scannedCols; // reused: the free rows of this pass
        int numFree = 0;
        for (int i = 0; i < n; i++) {
            if (col4row[i] < 0) {
                free[numFree++] = i;
            }
        }
        if (numFree == 0 || n < 2) {
            return;
        }
        int k = 0;
        int budget = 8 * n;
        while (k < numFree) {
            int i = free[k++];
            twoSmallest(i, n);
            double u1 = smallest;
            int j1 = smallestAt;
            double u2 = secondSmallest;
            int j2 = secondSmallestAt;
            int displaced = row4col[j1];
            boolean strict = u1 < u2;
            if (strict) {
                v[j1] -= u2 - u1;
            } else if (displaced >= 0 && j2 >= 0) {
                j1 = j2;
                displaced = row4col[j2];
            }
            col4row[i] = j1;
            row4col[j1] = i;
            if (displaced >= 0) {
                col4row[displaced] = -1;
                if (strict && --budget > 0) {
                    free[--k] = displaced; // try the displaced row again right away
                }
            }
        }
    }

    /** u consistent with v after the initialisation: tight on matched pairs, feasible everywhere. */
    private void rowPotentials(int n) {
        double[] c = cost;
        for (int i = 0; i < n; i++) {
            int base = i * n;
            if (col4row[i] >= 0) {
                u[i] = c[base + col4row[i]] - v[col4row[i]];
            } else {
                u[i] = minimum(reducedRow(i, n), n);
            }
        }
    }

    private AssignmentResult result(AssignmentProblem p, boolean transposed, int n, int m, boolean withPotentials) {
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
        if (!withPotentials) {
            return new AssignmentResult(rowToCol, objective, NO_POTENTIALS, NO_POTENTIALS, transposed, Double.NaN);
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
