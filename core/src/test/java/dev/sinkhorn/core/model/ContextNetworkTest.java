package dev.sinkhorn.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The context-aware network: its shapes, its equivariance to the order of the pieces, and that pieces see each other. */
class ContextNetworkTest {
    private static final ModelSpec SPEC = ModelSpec.jigsaw(1, 28, 3, 8, 3, 1f, 10).withContext(2, 4, 16);

    private static float[] pieces(int puzzles, long seed) {
        float[] x = new float[puzzles * 9 * 81];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) rng.nextDouble();
        }
        return x;
    }

    @Test
    void scoresEveryPieceAndPermutingThePiecesPermutesTheRows() throws Exception {
        try (SinkhornModel model = SinkhornModel.initialize(SPEC, 0.1f, 0.3f, Device.cpu(), 7)) {
            assertTrue(model.network() instanceof ContextNetwork);
            float[] x = pieces(2, 1);
            float[] logAlpha = model.logAlpha(x, 2);
            assertEquals(2 * 9 * 9, logAlpha.length);
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
        ModelSpec unknown = new ModelSpec("jigsaw", 1, 28, 3, 8, 3, 1f, 10, 0, 0, "graph", 0, 0, 0);
        assertTrue(String.join("\n", unknown.problems()).contains("architecture: 'graph' is not one of"), unknown.problems().toString());
        assertTrue(SPEC.problems().isEmpty(), SPEC.problems().toString());
    }
}
