package dev.sinkhorn.core.sinkhorn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.sinkhorn.core.matching.AssignmentProblem;
import dev.sinkhorn.core.matching.LinearAssignmentSolver;
import dev.sinkhorn.core.random.GumbelSampling;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SinkhornOpsTest {
    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static float[] random(SplittableRandom rng, int size, double scale) {
        float[] x = new float[size];
        for (int k = 0; k < size; k++) {
            x[k] = (float) (rng.nextGaussian() * scale);
        }
        return x;
    }

    @Test
    void runsOnThePyTorchEngine() {
        assertEquals("PyTorch", Engine.getInstance().getEngineName());
    }

    @Test
    void equalsTheDoublePrecisionReferenceAndIsDoublyStochastic() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int n : new int[] {2, 4, 9, 16, 36}) {
            int b = 8;
            float[] x = random(rng, b * n * n, 1.0);
            try (NDManager m = manager.newSubManager()) {
                SinkhornResult r = SinkhornOps.sinkhorn(m.create(x, new Shape(b, n, n)), new SinkhornSettings(1f, 200, 0f));
                float[] out = r.matrices().toFloatArray();
                for (int k = 0; k < b; k++) {
                    double[] ref = SinkhornReference.sinkhorn(x, k * n * n, n, 1.0, 200);
                    for (int e = 0; e < n * n; e++) {
                        assertEquals(ref[e], out[k * n * n + e], 1e-5, "n=" + n + " matrix " + k + " entry " + e);
                    }
                    assertTrue(r.maxMarginalError()[k] < 1e-4, "marginal error " + r.maxMarginalError()[k]);
                }
                assertEquals(200, r.iterations());
                // A few iterations at tau = 0.5: still the reference, not yet doubly stochastic.
                SinkhornResult few = SinkhornOps.sinkhorn(m.create(x, new Shape(b, n, n)), new SinkhornSettings(0.5f, 3, 0f));
                double[] ref = SinkhornReference.sinkhorn(x, 0, n, 0.5, 3);
                float[] got = few.matrices().toFloatArray();
                for (int e = 0; e < n * n; e++) {
                    assertEquals(ref[e], got[e], 1e-5);
                }
            }
        }
    }

    @Test
    void stopsEarlyAtTheTolerance() {
        SplittableRandom rng = new SplittableRandom(2);
        float[] x = random(rng, 4 * 9 * 9, 1.0);
        try (NDManager m = manager.newSubManager()) {
            SinkhornResult r = SinkhornOps.sinkhorn(m.create(x, new Shape(4, 9, 9)), new SinkhornSettings(1f, 1000, 1e-3f));
            assertTrue(r.iterations() < 1000, "stopped after " + r.iterations());
            for (float e : r.maxMarginalError()) {
                assertTrue(e <= 1e-3f, "error " + e);
            }
            SinkhornResult one = SinkhornOps.sinkhorn(m.create(x, new Shape(4, 9, 9)), new SinkhornSettings(1f, r.iterations() - 1, 0f));
            float worst = 0;
            for (float e : one.maxMarginalError()) {
                worst = Math.max(worst, e);
            }
            assertTrue(worst > 1e-3f, "one iteration fewer is not yet within tolerance: " + worst);
        }
    }

    @Test
    void stopsWhenItsCallerCancels() {
        float[] x = random(new SplittableRandom(3), 2 * 4 * 4, 1.0);
        try (NDManager m = manager.newSubManager()) {
            int[] asked = new int[1];
            CancellationException e = assertThrows(CancellationException.class,
                    () -> SinkhornOps.sinkhorn(m.create(x, new Shape(2, 4, 4)), new SinkhornSettings(1f, 1000, 0f), () -> ++asked[0] > 5));
            assertEquals(6, asked[0], "asked before every iteration, stopped at the first yes");
            assertEquals("Sinkhorn cancelled after 5 of 1000 iterations", e.getMessage());
            assertThrows(CancellationException.class,
                    () -> SinkhornOps.gumbelSinkhorn(m.create(x, new Shape(2, 4, 4)), SinkhornSettings.of(1f, 20), new GumbelSampling(3, 1f), 7L, () -> true));
            assertEquals(20, SinkhornOps.sinkhorn(m.create(x, new Shape(2, 4, 4)), new SinkhornSettings(1f, 20, 0f), () -> false).iterations());
        }
    }

    @Test
    void atLowTemperatureItIsTheExactMatching() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 7;
        int b = 20;
        LinearAssignmentSolver solver = new LinearAssignmentSolver();
        // Well separated: one permutation scores 3 above everything else.
        float[] x = random(rng, b * n * n, 0.3);
        for (int k = 0; k < b; k++) {
            int[] perm = dev.sinkhorn.core.jigsaw.Jigsaw.randomPermutation(n, rng);
            for (int i = 0; i < n; i++) {
                x[k * n * n + i * n + perm[i]] += 3f;
            }
        }
        try (NDManager m = manager.newSubManager()) {
            float[] s = SinkhornOps.sinkhorn(m.create(x, new Shape(b, n, n)), new SinkhornSettings(0.01f, 100, 0f)).matrices().toFloatArray();
            for (int k = 0; k < b; k++) {
                int[] exact = solver.solve(new AssignmentProblem(x, k * n * n, n, n, false)).rowToCol();
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        assertEquals(j == exact[i] ? 1f : 0f, s[k * n * n + i * n + j], 1e-3, "matrix " + k);
                    }
                }
            }
        }
    }

    @Test
    void gumbelSinkhornIsSeededAndShapedAsDocumented() {
        SplittableRandom rng = new SplittableRandom(4);
        float[] x = random(rng, 3 * 5 * 5, 1.0);
        try (NDManager m = manager.newSubManager()) {
            NDArray la = m.create(x, new Shape(3, 5, 5));
            float[] a = SinkhornOps.gumbelSinkhorn(la, SinkhornSettings.of(1f, 20), new GumbelSampling(4, 1f), 99).matrices().toFloatArray();
            float[] b = SinkhornOps.gumbelSinkhorn(la, SinkhornSettings.of(1f, 20), new GumbelSampling(4, 1f), 99).matrices().toFloatArray();
            float[] c = SinkhornOps.gumbelSinkhorn(la, SinkhornSettings.of(1f, 20), new GumbelSampling(4, 1f), 100).matrices().toFloatArray();
            assertEquals(3 * 4 * 25, a.length);
            assertArrayEquals(a, b);
            assertFalse(Arrays.equals(a, c));
            // Samples of one input differ from each other (different noise per sample).
            assertFalse(Arrays.equals(Arrays.copyOfRange(a, 0, 25), Arrays.copyOfRange(a, 25, 50)));
            // Zero noise: every sample is plain Sinkhorn of its input.
            float[] zero = SinkhornOps.gumbelSinkhorn(la, SinkhornSettings.of(1f, 20), new GumbelSampling(2, 0f), 1).matrices().toFloatArray();
            float[] plain = SinkhornOps.sinkhorn(la, new SinkhornSettings(1f, 20, 0f)).matrices().toFloatArray();
            for (int k = 0; k < 3; k++) {
                for (int s = 0; s < 2; s++) {
                    for (int e = 0; e < 25; e++) {
                        assertEquals(plain[k * 25 + e], zero[(k * 2 + s) * 25 + e], 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void gradientsEqualCentralDifferencesOfTheReference() {
        // n = 4 runs as is, n = 9 and 15 run padded into 16 x 16 blocks on CPU: both must give the
        // gradient of the plain operator. Loss: sum of w * S(x / tau).
        SplittableRandom rng = new SplittableRandom(6);
        for (int n : new int[] {4, 9, 15}) {
            float[] x = random(rng, n * n, 1.0);
            float[] w = random(rng, n * n, 1.0);
            float[] g;
            try (NDManager m = manager.newSubManager()) {
                NDArray la = m.create(x, new Shape(1, n, n));
                la.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray s = SinkhornOps.sinkhornMatrices(la, 0.5f, 20);
                    gc.backward(s.mul(m.create(w, new Shape(1, n, n))).sum());
                }
                g = la.getGradient().toFloatArray();
            }
            double h = 1e-5;
            for (int k = 0; k < n * n; k++) {
                double[] plus = new double[n * n];
                double[] minus = new double[n * n];
                for (int e = 0; e < n * n; e++) {
                    plus[e] = x[e];
                    minus[e] = x[e];
                }
                plus[k] += h;
                minus[k] -= h;
                double[] sp = SinkhornReference.sinkhorn(plus, n, 0.5, 20);
                double[] sm = SinkhornReference.sinkhorn(minus, n, 0.5, 20);
                double diff = 0;
                for (int e = 0; e < n * n; e++) {
                    diff += w[e] * (sp[e] - sm[e]);
                }
                double expected = diff / (2 * h);
                assertEquals(expected, g[k], 1e-4 + 1e-3 * Math.abs(expected), "n=" + n + " entry " + k);
            }
        }
    }

    @Test
    void gradientsReachTheInput() {
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = random(rng, 2 * 4 * 4, 1.0);
        float[] w = random(rng, 2 * 4 * 4, 1.0);
        try (NDManager m = manager.newSubManager()) {
            NDArray la = m.create(x, new Shape(2, 4, 4));
            la.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray s = SinkhornOps.gumbelSinkhorn(la, SinkhornSettings.of(0.5f, 20), new GumbelSampling(3, 1f), 7).matrices();
                // A weighted sum: a plain sum of a doubly stochastic matrix is constant (zero gradient).
                NDArray loss = s.reshape(2, 3, 4, 4).mul(m.create(w, new Shape(2, 1, 4, 4))).sum();
                gc.backward(loss);
            }
            float[] g = la.getGradient().toFloatArray();
            double norm = 0;
            for (float v : g) {
                assertTrue(Float.isFinite(v));
                norm += v * v;
            }
            assertTrue(norm > 1e-8, "gradient norm " + norm);
        }
    }
}
