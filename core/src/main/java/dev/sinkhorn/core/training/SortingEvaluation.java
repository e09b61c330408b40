package dev.sinkhorn.core.training;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.sinkhorn.core.matching.LinearAssignmentSolver;
import dev.sinkhorn.core.matching.Matrices;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.sorting.TestLists;

/**
 * Scores a sorting model in-process as the paper does: log_alpha of fixed test lists, the hard
 * assignment by the exact solver, then prop_any_wrong, prop_wrong and mean Kendall tau between
 * the predicted and the true order (the numbers the inference service gets from the matcher).
 *
 * <p>The paper's generalisation checks are test lists unlike the training ones: numbers from
 * another range (the network sees them as they are) and lists of another length n. The network
 * scores every number for the N positions it was trained on; for n != N those scores are
 * resampled to n positions by linear interpolation over the relative position
 * ((q + 0.5) / n of the list), so a number keeps its score for "where in the list" it belongs.
 */
public final class SortingEvaluation {
    private static final int BATCH = 256;

    private SortingEvaluation() {
    }

    public static PermutationScores evaluate(SinkhornModel model, TestLists lists) {
        int n = lists.n();
        LinearAssignmentSolver solver = new LinearAssignmentSolver();
        PermutationScores scores = new PermutationScores();
        lists.forEachBatch(BATCH, batch -> {
            int b = batch.batch();
            Matrices logAlpha = new Matrices(b, n, n, logAlpha(model, batch.scrambledPieces(), b, n));
            for (int k = 0; k < b; k++) {
                int[] predicted = solver.solveWithoutPotentials(logAlpha.problem(k, false), () -> false).rowToCol();
                scores.add(batch.permutations()[k], predicted);
            }
        }, () -> false);
        return scores;
    }

    /** log_alpha [b, n, n] of lists [b, n]; for n other than the model's N, resampled (see the class comment). */
    public static float[] logAlpha(SinkhornModel model, float[] lists, int b, int n) {
        int trained = model.spec().items();
        if (n == trained) {
            return model.logAlpha(lists, b);
        }
        float[] scores;
        try (NDManager request = model.manager().newSubManager()) {
            scores = model.network().forward(new ParameterStore(request, false),
                    new NDList(request.create(lists, new Shape(b, n))), false).singletonOrThrow().toFloatArray();
        }
        return resample(scores, b * n, trained, n);
    }

    /** Rows of {@code from} scores resampled to {@code to} positions by linear interpolation. */
    static float[] resample(float[] scores, int rows, int from, int to) {
        float[] out = new float[rows * to];
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < to; q++) {
                double t = Math.min(from - 1, Math.max(0, (q + 0.5) * from / to - 0.5));
                int lo = (int) Math.floor(t);
                int hi = Math.min(from - 1, lo + 1);
                double w = t - lo;
                out[r * to + q] = (float) ((1 - w) * scores[r * from + lo] + w * scores[r * from + hi]);
            }
        }
        return out;
    }
}
