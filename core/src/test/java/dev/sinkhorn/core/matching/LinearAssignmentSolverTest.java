package dev.sinkhorn.core.matching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.random.GumbelSampling;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class LinearAssignmentSolverTest {
    private final LinearAssignmentSolver solver = new LinearAssignmentSolver();

    /** Best objective over all assignments, by enumeration (rows <= cols; transposes otherwise). */
    static double bruteForce(AssignmentProblem p) {
        int rows = p.rows();
        int cols = p.cols();
        boolean t = rows > cols;
        int n = t ? cols : rows;
        int m = t ? rows : cols;
        double[] best = {p.minimize() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY};
        enumerate(p, t, n, m, 0, new boolean[m], 0.0, best);
        return best[0];
    }

    private static void enumerate(AssignmentProblem p, boolean t, int n, int m, int row, boolean[] used, double sum, double[] best) {
        if (row == n) {
            best[0] = p.minimize() ? Math.min(best[0], sum) : Math.max(best[0], sum);
            return;
        }
        for (int c = 0; c < m; c++) {
            if (!used[c]) {
                double x = t ? p.value(c, row) : p.value(row, c);
                if (Double.isInfinite(x)) {
                    continue;
                }
                used[c] = true;
                enumerate(p, t, n, m, row + 1, used, sum + x, best);
                used[c] = false;
            }
        }
    }

    private void checkAgainstBruteForce(int rows, int cols, boolean minimize, DoubleSupplier entries) {
        float[] x = new float[rows * cols];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) entries.getAsDouble();
        }
        AssignmentProblem p = new AssignmentProblem(x, 0, rows, cols, minimize);
        AssignmentResult r = solver.solve(p);
        Certificate.check(p, r);
        assertEquals(bruteForce(p), r.objective(), 1e-9 * Math.max(1, Math.abs(r.objective())),
                rows + "x" + cols + (minimize ? " min" : " max"));
    }

    @Test
    void matchesBruteForceOnEverySizeUpTo7() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int rows = 1; rows <= 7; rows++) {
            for (int cols = 1; cols <= 7; cols++) {
                for (int trial = 0; trial < 20; trial++) {
                    for (boolean minimize : new boolean[] {false, true}) {
                        checkAgainstBruteForce(rows, cols, minimize, rng::nextDouble);                  // uniform
                        checkAgainstBruteForce(rows, cols, minimize, () -> rng.nextInt(3));            // heavy integer ties
                        checkAgainstBruteForce(rows, cols, minimize, () -> -100 * rng.nextDouble());   // negative
                        checkAgainstBruteForce(rows, cols, minimize, () -> rng.nextGaussian() * 1e3);  // mixed sign, large
                    }
                }
            }
        }
    }

    @Test
    void allEqualEntriesGiveAnyPermutation() {
        float[] x = new float[36];
        java.util.Arrays.fill(x, 2.5f);
        AssignmentProblem p = AssignmentProblem.maximize(x, 6, 6);
        AssignmentResult r = solver.solve(p);
        Certificate.check(p, r);
        assertEquals(15.0, r.objective(), 1e-12);
    }

    @Test
    void findsTheKnownMatching() {
        // scipy.optimize.linear_sum_assignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]) -> cols [1, 0, 2], cost 5.
        float[] c = {4, 1, 3, 2, 0, 5, 3, 2, 2};
        AssignmentResult min = solver.solve(AssignmentProblem.minimize(c, 3, 3));
        assertArrayEquals(new int[] {1, 0, 2}, min.rowToCol());
        assertEquals(5.0, min.objective());
        AssignmentResult max = solver.solve(AssignmentProblem.maximize(c, 3, 3));
        assertEquals(11.0, max.objective()); // 4 + 5 + 2
        assertArrayEquals(new int[] {0, 2, 1}, max.rowToCol());
    }

    @Test
    void rectangularWithMoreRowsLeavesRowsUnassigned() {
        // 3 rows, 2 columns, maximise: rows 0 and 2 take the columns, row 1 stays unassigned.
        float[] x = {9, 1, 0, 0, 1, 8};
        AssignmentProblem p = AssignmentProblem.maximize(x, 3, 2);
        AssignmentResult r = solver.solve(p);
        Certificate.check(p, r);
        assertArrayEquals(new int[] {0, AssignmentResult.UNASSIGNED, 1}, r.rowToCol());
        assertEquals(17.0, r.objective());
    }

    @Test
    void certifiesLargeRandomMatrices() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int n : new int[] {200, 1000}) {
            float[] x = new float[n * n];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) rng.nextDouble();
            }
            for (boolean minimize : new boolean[] {false, true}) {
                AssignmentProblem p = new AssignmentProblem(x, 0, n, n, minimize);
                AssignmentResult r = solver.solve(p);
                Certificate.check(p, r);
                // Uniform [0, 1): the optimum of n rows is close to n (max) or 0 (min).
                assertTrue(minimize ? r.objective() < 2 : r.objective() > n - 2, "objective " + r.objective());
            }
        }
        float[] wide = new float[150 * 400];
        for (int k = 0; k < wide.length; k++) {
            wide[k] = (float) rng.nextGaussian();
        }
        Certificate.check(AssignmentProblem.maximize(wide, 150, 400), solver.solve(AssignmentProblem.maximize(wide, 150, 400)));
        Certificate.check(AssignmentProblem.maximize(wide, 400, 150), solver.solve(AssignmentProblem.maximize(wide, 400, 150)));
    }

    @Test
    void certifiesShortAndLongRowScansWithTies() {
        // Rows of up to 32 entries and longer ones are scanned differently; one solver, reused across
        // sizes on both sides of the switch, with continuous entries and with heavy integer ties.
        SplittableRandom rng = new SplittableRandom(11);
        for (int n : new int[] {8, 16, 31, 32, 33, 64, 100, 16, 200, 9}) {
            for (int trial = 0; trial < 5; trial++) {
                float[] uniform = new float[n * n];
                float[] tied = new float[n * n];
                for (int k = 0; k < uniform.length; k++) {
                    uniform[k] = (float) rng.nextDouble();
                    tied[k] = rng.nextInt(3);
                }
                for (float[] x : new float[][] {uniform, tied}) {
                    for (boolean minimize : new boolean[] {false, true}) {
                        AssignmentProblem p = new AssignmentProblem(x, 0, n, n, minimize);
                        Certificate.check(p, solver.solve(p));
                    }
                }
            }
        }
    }

    @Test
    void nanIsRejectedWithItsPosition() {
        float[] x = {1, 2, 3, 4, 5, Float.NaN, 7, 8, 9};
        IllegalArgumentException square = assertThrows(IllegalArgumentException.class,
                () -> solver.solve(AssignmentProblem.maximize(x, 3, 3)));
        assertEquals("NaN at row 1, column 2", square.getMessage());
        // Solved on the transpose (more rows than columns): still named in the caller's orientation.
        float[] threeByTwo = {1, 2, 3, Float.NaN, 5, 6};
        IllegalArgumentException tall = assertThrows(IllegalArgumentException.class,
                () -> solver.solve(AssignmentProblem.minimize(threeByTwo, 3, 2)));
        assertEquals("NaN at row 1, column 1", tall.getMessage());
        float[] batch = new float[4 * 4];
        batch[3 * 4 + 1] = Float.NaN;
        try (BatchMatcher matcher = new BatchMatcher(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> matcher.solve(new Matrices(4, 2, 2, batch), new MatchOptions(false, true), () -> false));
            assertEquals("matrix 3: NaN at row 0, column 1", e.getMessage());
        }
        // The solver still works afterwards.
        assertEquals(3.0, solver.solve(AssignmentProblem.maximize(new float[] {1, 0, 0, 2}, 2, 2)).objective());
    }

    @Test
    void forbiddenEntriesAreAvoidedOrReportedInfeasible() {
        float ninf = Float.NEGATIVE_INFINITY;
        // Maximising: -inf marks forbidden pairs. The diagonal is forbidden; the best is off it.
        float[] x = {ninf, 5, 1, 2, ninf, 7, 3, 4, ninf};
        AssignmentProblem p = AssignmentProblem.maximize(x, 3, 3);
        AssignmentResult r = solver.solve(p);
        assertEquals(bruteForce(p), r.objective());
        for (int i = 0; i < 3; i++) {
            assertTrue(r.rowToCol()[i] != i);
        }
        // A row with every entry forbidden.
        float[] deadRow = {1, 2, 3, ninf, ninf, ninf};
        InfeasibleAssignmentException e = assertThrows(InfeasibleAssignmentException.class,
                () -> solver.solve(AssignmentProblem.maximize(deadRow, 2, 3)));
        assertTrue(e.getMessage().startsWith("row 1 cannot be matched"), e.getMessage());
        // Transposed (more rows than columns): a column with every entry forbidden.
        float[] deadColumn = {1, ninf, 2, ninf, 3, ninf};
        e = assertThrows(InfeasibleAssignmentException.class, () -> solver.solve(AssignmentProblem.maximize(deadColumn, 3, 2)));
        assertTrue(e.getMessage().startsWith("column 1 cannot be matched"), e.getMessage());
        float[] rowOnly = {ninf, ninf, 1, 2};
        e = assertThrows(InfeasibleAssignmentException.class, () -> solver.solve(AssignmentProblem.maximize(rowOnly, 2, 2)));
        assertTrue(e.getMessage().startsWith("row 0 cannot be matched"), e.getMessage());
        // Two rows that can only use the same column.
        float inf = Float.POSITIVE_INFINITY;
        float[] clash = {1, inf, 2, inf};
        e = assertThrows(InfeasibleAssignmentException.class, () -> solver.solve(AssignmentProblem.minimize(clash, 2, 2)));
        assertTrue(e.getMessage().startsWith("row 1 cannot be matched"), e.getMessage());
    }

    @Test
    void stopsWhenCancelled() {
        float[] x = new float[300 * 300];
        assertThrows(CancellationException.class, () -> solver.solve(AssignmentProblem.maximize(x, 300, 300), () -> true));
    }

    @Test
    void batchMatcherSolvesInParallelInOrderAndNamesTheInfeasibleMatrix() {
        SplittableRandom rng = new SplittableRandom(3);
        int batch = 500;
        float[] x = new float[batch * 16];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) rng.nextDouble();
        }
        try (BatchMatcher matcher = new BatchMatcher(2)) {
            AssignmentResult[] results = matcher.solve(new Matrices(batch, 4, 4, x), new MatchOptions(false, true), () -> false);
            for (int b = 0; b < batch; b++) {
                AssignmentProblem p = new AssignmentProblem(x, b * 16, 4, 4, false);
                Certificate.check(p, results[b]);
            }
            x[77 * 16 + 4] = Float.NEGATIVE_INFINITY;
            x[77 * 16 + 5] = Float.NEGATIVE_INFINITY;
            x[77 * 16 + 6] = Float.NEGATIVE_INFINITY;
            x[77 * 16 + 7] = Float.NEGATIVE_INFINITY;
            InfeasibleAssignmentException e = assertThrows(InfeasibleAssignmentException.class,
                    () -> matcher.solve(new Matrices(batch, 4, 4, x), new MatchOptions(false, true), () -> false));
            assertTrue(e.getMessage().startsWith("matrix 77: row 1 cannot be matched"), e.getMessage());
        }
    }

    @Test
    void gumbelMatchingSamplesAreSeededAndConcentrateOnStrongMatrices() {
        float[] x = {10, 0, 0, 0, 10, 0, 0, 0, 10};
        try (BatchMatcher matcher = new BatchMatcher(2)) {
            AssignmentResult[] a = matcher.sample(new Matrices(1, 3, 3, x), new GumbelSampling(50, 1f), 42, () -> false);
            AssignmentResult[] b = matcher.sample(new Matrices(1, 3, 3, x), new GumbelSampling(50, 1f), 42, () -> false);
            AssignmentResult[] c = matcher.sample(new Matrices(1, 3, 3, x), new GumbelSampling(50, 1f), 43, () -> false);
            boolean differs = false;
            int identity = 0;
            for (int s = 0; s < 50; s++) {
                assertArrayEquals(a[s].rowToCol(), b[s].rowToCol());
                assertEquals(a[s].objective(), b[s].objective());
                differs |= a[s].objective() != c[s].objective();
                identity += java.util.Arrays.equals(a[s].rowToCol(), new int[] {0, 1, 2}) ? 1 : 0;
            }
            assertTrue(differs, "another seed gives other noise");
            // A margin of 10 against unit Gumbel noise: the identity wins nearly always.
            assertTrue(identity >= 48, "identity in " + identity + " of 50 samples");
            // With a huge noise factor the samples spread over many permutations.
            AssignmentResult[] noisy = matcher.sample(new Matrices(1, 3, 3, x), new GumbelSampling(200, 1000f), 1, () -> false);
            long distinct = java.util.Arrays.stream(noisy).map(r -> java.util.Arrays.toString(r.rowToCol())).distinct().count();
            assertEquals(6, distinct);
        }
    }
}
