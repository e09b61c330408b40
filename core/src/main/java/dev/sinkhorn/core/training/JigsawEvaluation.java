package dev.sinkhorn.core.training;

import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.jigsaw.TestPuzzles;
import dev.sinkhorn.core.matching.IdenticalItems;
import dev.sinkhorn.core.matching.LinearAssignmentSolver;
import dev.sinkhorn.core.matching.Matrices;
import dev.sinkhorn.core.matching.PairScores;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.SinkhornModel;

/**
 * Scores a model on held-out puzzles in-process: the {@link TestPuzzles} of a split, hard-matched
 * with the exact solver, scored with Kendall tau and the paper's metrics (the same puzzles and
 * numbers the inference service gets from the matcher over gRPC).
 */
public final class JigsawEvaluation {
    private static final int BATCH = 256;

    private JigsawEvaluation() {
    }

    /**
     * Both views of the score: positional (the paper's metrics, what the services report) and with
     * identical pieces interchangeable (see {@link IdenticalItems}): errors that change the picture.
     */
    public record Result(PermutationScores positional, PermutationScores interchangeable) {
    }

    public static PermutationScores score(SinkhornModel model, ImageSet images, int limit, long seed) {
        return evaluate(model, images, limit, seed).positional();
    }

    /** One scored puzzle: its truth, the prediction and its scrambled pieces [P, d] (unit pixels) from {@code offset}. */
    public interface PuzzleListener {
        void scored(int[] truth, int[] predicted, float[] pieces, int offset, int d);
    }

    public static Result evaluate(SinkhornModel model, ImageSet images, int limit, long seed) {
        return evaluate(model, images, limit, seed, (truth, predicted, pieces, offset, d) -> { });
    }

    /** {@link #evaluate(SinkhornModel, ImageSet, int, long)}, showing every scored puzzle to {@code listener} (in order, one thread). */
    public static Result evaluate(SinkhornModel model, ImageSet images, int limit, long seed, PuzzleListener listener) {
        int p = model.spec().pieces();
        LinearAssignmentSolver solver = new LinearAssignmentSolver();
        PairScores scores = new PairScores();
        new TestPuzzles(images, model.spec().grid(), limit, seed).forEachBatch(BATCH, puzzles -> {
            int b = puzzles.batch();
            int d = puzzles.pieceSize();
            Matrices logAlpha = new Matrices(b, p, p, model.logAlpha(puzzles.scrambledPieces(), b));
            for (int k = 0; k < b; k++) {
                int[] truth = puzzles.permutations()[k];
                int[] predicted = solver.solveWithoutPotentials(logAlpha.problem(k, false), () -> false).rowToCol();
                scores.add(truth, predicted, puzzles.scrambledPieces(), k * p * d, d);
                listener.scored(truth, predicted, puzzles.scrambledPieces(), k * p * d, d);
            }
        }, () -> false);
        return new Result(scores.positional(), scores.interchangeable());
    }
}
