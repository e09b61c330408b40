package dev.sinkhorn.core.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks a solution's dual potentials as an optimality certificate (LP duality for the
 * assignment problem in its minimisation form, c = X or -X, in the orientation solved):
 * dual feasibility u[r] + v[k] <= c[r, k] on every pair, complementary slackness (equality) on
 * every assigned pair, for rectangular problems v[k] <= 0 with v[k] = 0 on unassigned columns,
 * and the assignment is a valid (partial) matching. Together they prove the objective optimal.
 */
public final class Certificate {
    private Certificate() {
    }

    public static void check(AssignmentProblem p, AssignmentResult r) {
        int rows = p.rows();
        int cols = p.cols();
        boolean t = r.transposed();
        assertEquals(rows > cols, t, "transposed iff rows > cols");
        int n = t ? cols : rows;
        int m = t ? rows : cols;
        assertEquals(n, r.u().length);
        assertEquals(m, r.v().length);
        // Matching in the solved orientation: rowIn[k] = which solved-row took solved-column k.
        int[] solvedColToRow = new int[m];
        java.util.Arrays.fill(solvedColToRow, -1);
        int assigned = 0;
        for (int i = 0; i < rows; i++) {
            int j = r.rowToCol()[i];
            if (j == AssignmentResult.UNASSIGNED) {
                continue;
            }
            assertTrue(j >= 0 && j < cols, "column in range");
            assigned++;
            int sr = t ? j : i;
            int sc = t ? i : j;
            assertEquals(-1, solvedColToRow[sc], "column " + sc + " used twice");
            solvedColToRow[sc] = sr;
        }
        assertEquals(Math.min(rows, cols), assigned, "every row (or column) of the smaller side assigned");
        double scale = 1;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (Float.isFinite(p.value(i, j))) {
                    scale = Math.max(scale, Math.abs(p.value(i, j)));
                }
            }
        }
        double tol = 1e-9 * scale * Math.max(n, 1);
        double objective = 0;
        for (int sr = 0; sr < n; sr++) {
            for (int sc = 0; sc < m; sc++) {
                double c = cost(p, t ? sc : sr, t ? sr : sc);
                double slack = c - r.u()[sr] - r.v()[sc];
                assertTrue(slack >= -tol, "dual infeasible at (" + sr + ", " + sc + "): slack " + slack);
                if (solvedColToRow[sc] == sr) {
                    assertEquals(0.0, slack, tol, "complementary slackness at (" + sr + ", " + sc + ")");
                    objective += p.value(t ? sc : sr, t ? sr : sc);
                }
            }
        }
        if (n < m) {
            // Rectangular: columns are matched at most once (an inequality), so their duals are <= 0
            // and vanish on unmatched columns. Square problems match every column: v is free.
            for (int sc = 0; sc < m; sc++) {
                assertTrue(r.v()[sc] <= tol, "v[" + sc + "] must be <= 0");
                if (solvedColToRow[sc] < 0) {
                    assertEquals(0.0, r.v()[sc], tol, "v of an unassigned column must be 0");
                }
            }
        }
        assertEquals(objective, r.objective(), tol, "objective is the sum of the chosen entries");
        double minimised = p.minimize() ? objective : -objective;
        assertEquals(minimised, r.dualObjective(), tol * n, "no duality gap");
    }

    private static double cost(AssignmentProblem p, int i, int j) {
        double x = p.value(i, j);
        return p.minimize() ? x : -x;
    }
}
