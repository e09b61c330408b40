package dev.sinkhorn.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The context-aware network: its shapes, its equivariance to the order of the pieces (with and
 * without edge attention), that pieces see each other, and the edge dissimilarities on a hand case.
 */
class ContextNetworkTest {
    private static final ModelSpec SPEC = ModelSpec.jigsaw(1, 28, 3, 8, 3, 1f, 10).withContext(2, 4, 16);
    private static final ModelSpec EDGES = SPEC.withEdgeAttention(true);

    private static float[] pieces(int puzzles, long seed) {
        float[] x = new float[puzzles * 9 * 81];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) rng.nextDouble();
        }
        return x;
    }

    /** x holds 2 puzzles of 9 pieces of 81 floats; logAlpha is the model's output for them. */
    private static void assertPermutingThePiecesPermutesTheRows(SinkhornModel model, float[] x, float[] logAlpha) {
        int[] perm = {4, 0, 8, 2, 6, 1, 3, 7, 5};
        float[] permuted = new float[x.length];
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 9; i++) {
                System.arraycopy(x, (b * 9 + perm[i]) * 81, permuted, (b * 9 + i) * 81, 81);
            }
        }
        float[] again = model.logAlpha(permuted, 2);
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 9; i++) {
                for (int q = 0; q < 9; q++) {
                    assertEquals(logAlpha[(b * 9 + perm[i]) * 9 + q], again[(b * 9 + i) * 9 + q], 1e-4, "puzzle " + b + " row " + i);
                }
            }
        }
    }

    @Test
    void scoresEveryPieceAndPermutingThePiecesPermutesTheRows() throws Exception {
        try (SinkhornModel model = SinkhornModel.initialize(SPEC, 0.1f, 0.3f, Device.cpu(), 7)) {
            assertTrue(model.network() instanceof ContextNetwork);
            float[] x = pieces(2, 1);
            float[] logAlpha = model.logAlpha(x, 2);
            assertEquals(2 * 9 * 9, logAlpha.length);
            assertPermutingThePiecesPermutesTheRows(model, x, logAlpha);
            try (SinkhornModel copy = SinkhornModel.fromParameters(SPEC, 0.1f, 0.3f, model.parameters(), Device.cpu())) {
                assertArrayEquals(logAlpha, copy.logAlpha(x, 2), 1e-6f);
            }
        }
    }

    @Test
    void aPiecesScoresDependOnTheOtherPieces() {
        try (SinkhornModel context = SinkhornModel.initialize(SPEC, 0.1f, 0.3f, Device.cpu(), 7);
             SinkhornModel perPiece = SinkhornModel.initialize(ModelSpec.jigsaw(1, 28, 3, 8, 3, 1f, 10), 0.1f, 0.3f, Device.cpu(), 7)) {
            float[] x = pieces(1, 2);
            float[] changed = x.clone();
            for (int k = 81; k < 9 * 81; k++) {
                changed[k] = 1 - changed[k]; // every piece but the first
            }
            float[] a = context.logAlpha(x, 1);
            float[] b = context.logAlpha(changed, 1);
            double diff = 0;
            for (int q = 0; q < 9; q++) {
                diff += Math.abs(a[q] - b[q]);
            }
            assertTrue(diff > 1e-3, "row 0 of the context network moved by " + diff);
            float[] c = perPiece.logAlpha(x, 1);
            float[] d = perPiece.logAlpha(changed, 1);
            for (int q = 0; q < 9; q++) {
                assertEquals(c[q], d[q], 1e-6, "the per-piece network's row 0 sees only piece 0");
            }
        }
    }

    @Test
    void specProblemsNameTheContextFields() {
        String all = String.join("\n", ModelSpec.jigsaw(1, 28, 3, 8, 3, 1f, 10).withContext(0, 3, 16).problems());
        assertTrue(all.contains("layers: must be 1 to 12") && all.contains("width: must be 1 to 1024 and a multiple of heads (3)"), all);
        ModelSpec unknown = new ModelSpec("jigsaw", 1, 28, 3, 8, 3, 1f, 10, 0, 0, "graph", 0, 0, 0, false);
        assertTrue(String.join("\n", unknown.problems()).contains("architecture: 'graph' is not one of"), unknown.problems().toString());
        assertTrue(SPEC.problems().isEmpty(), SPEC.problems().toString());
        assertTrue(EDGES.problems().isEmpty(), EDGES.problems().toString());
        String perPiece = String.join("\n", ModelSpec.jigsaw(1, 28, 3, 8, 3, 1f, 10).withEdgeAttention(true).problems());
        assertTrue(perPiece.contains("layers/heads/width/edge_attention: only for architecture \"context\""), perPiece);
    }

    @Test
    void edgeDissimilaritiesCompareTheTouchingPixelsInEveryDirection() {
        // One 2x2 puzzle of 2x2-pixel pieces, piece k holding rows {k, k + 1} x columns {0, 10}:
        // piece k = [[k, k + 10], [k + 1, k + 11]] (row-major).
        float[] x = new float[4 * 4];
        for (int k = 0; k < 4; k++) {
            x[k * 4] = k;
            x[k * 4 + 1] = k + 10;
            x[k * 4 + 2] = k + 1;
            x[k * 4 + 3] = k + 11;
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] d = ContextNetwork.edgeDissimilarity(m.create(x, new Shape(1, 4, 1, 2, 2)), 1, 4).toFloatArray();
            assertEquals(4 * 16, d.length);
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    // j right of i: i's last column (i + 10, i + 11) against j's first (j, j + 1).
                    double right = Math.pow(i + 10 - j, 2);
                    // j below i: i's last row (i + 1, i + 11) against j's first (j, j + 10).
                    double below = (Math.pow(i + 1 - j, 2) + Math.pow(i + 11 - j - 10, 2)) / 2;
                    assertEquals(right, d[i * 4 + j], 1e-3, "right " + i + " " + j);
                    assertEquals(below, d[16 + i * 4 + j], 1e-3, "below " + i + " " + j);
                    assertEquals(right, d[32 + j * 4 + i], 1e-3, "left " + j + " " + i);
                    assertEquals(below, d[48 + j * 4 + i], 1e-3, "above " + j + " " + i);
                }
            }
            assertEquals(0, d[16 + 0 * 4 + 1], 1e-6, "piece 1 continues piece 0 downwards exactly");
        }
    }

    @Test
    void withEdgeAttentionPermutingThePiecesStillPermutesTheRowsAndTheEdgeWeightsCount() throws Exception {
        try (SinkhornModel model = SinkhornModel.initialize(EDGES, 0.1f, 0.3f, Device.cpu(), 7)) {
            float[] x = pieces(2, 3);
            float[] before = model.logAlpha(x, 2);
            int edgeParameters = 0;
            for (var p : model.network().getParameters()) {
                if (p.getKey().endsWith("edge_weight")) {
                    edgeParameters++;
                    float[] w = new float[16];
                    for (int k = 0; k < w.length; k++) {
                        w[k] = (k % 5 - 2) * 0.7f;
                    }
                    p.getValue().getArray().set(FloatBuffer.wrap(w));
                }
            }
            assertEquals(2, edgeParameters, "one [4, heads] weight per layer");
            float[] logAlpha = model.logAlpha(x, 2);
            double moved = 0;
            for (int k = 0; k < logAlpha.length; k++) {
                moved += Math.abs(logAlpha[k] - before[k]);
            }
            assertTrue(moved > 1e-2, "the edge bias changed log_alpha by only " + moved);
            assertPermutingThePiecesPermutesTheRows(model, x, logAlpha);
            try (SinkhornModel copy = SinkhornModel.fromParameters(EDGES, 0.1f, 0.3f, model.parameters(), Device.cpu())) {
                assertArrayEquals(logAlpha, copy.logAlpha(x, 2), 1e-6f);
            }
            // Never loaded as the network without edge attention, nor the other way round.
            assertThrows(MalformedModelException.class, () -> SinkhornModel.fromParameters(SPEC, 0.1f, 0.3f, model.parameters(),
                    Device.cpu()));
            try (SinkhornModel plain = SinkhornModel.initialize(SPEC, 0.1f, 0.3f, Device.cpu(), 7)) {
                assertThrows(MalformedModelException.class, () -> SinkhornModel.fromParameters(EDGES, 0.1f, 0.3f, plain.parameters(),
                        Device.cpu()));
            }
        }
    }
}
