package dev.sinkhorn.core.training;

import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.jigsaw.JigsawBatch;
import dev.sinkhorn.core.matching.AssignmentProblem;
import dev.sinkhorn.core.matching.IdenticalItems;
import dev.sinkhorn.core.matching.LinearAssignmentSolver;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.SinkhornModel;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Scores a model on held-out puzzles in-process: the first {@code limit} images of a split,
 * scrambled with a fixed seed, hard-matched with the exact solver, scored with Kendall tau and the
 * paper's metrics (the same numbers the inference service gets from the matcher over gRPC).
 */
public final class JigsawEvaluation {
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

    public static Result evaluate(SinkhornModel model, ImageSet images, int limit, long seed) {
        int n = Math.min(limit, images.count());
        int grid = model.spec().grid();
        int p = grid * grid;
        Jigsaw jigsaw = new Jigsaw(grid);
        SplittableRandom rng = new SplittableRandom(seed);
        LinearAssignmentSolver solver = new LinearAssignmentSolver();
        PermutationScores scores = new PermutationScores();
        PermutationScores interchangeable = new PermutationScores();
        int batch = 256;
        float[] pixels = new float[batch * images.imageSize()];
        int[] idx = new int[batch];
        for (int from = 0; from < n; from += batch) {
            int b = Math.min(batch, n - from);
            for (int k = 0; k < b; k++) {
                idx[k] = from + k;
            }
            images.copyUnitPixels(idx, b, pixels);
            JigsawBatch puzzles = jigsaw.scramble(Arrays.copyOf(pixels, b * images.imageSize()), b, images.channels(),
                    images.height(), images.width(), rng);
            float[] logAlpha = model.logAlpha(puzzles.scrambledPieces(), b);
            for (int k = 0; k < b; k++) {
                int[] predicted = solver.solve(new AssignmentProblem(logAlpha, k * p * p, p, p, false), () -> false, false)
                        .rowToCol();
                scores.add(puzzles.permutations()[k], predicted);
                scores.addContent(puzzles.scrambledPieces(), k * p * puzzles.pieceSize(), puzzles.pieceSize(),
                        puzzles.permutations()[k], predicted);
                interchangeable.add(IdenticalItems.canonicalTruth(puzzles.scrambledPieces(), k * p * puzzles.pieceSize(),
                        puzzles.pieceSize(), puzzles.permutations()[k], predicted), predicted);
            }
        }
        return new Result(scores, interchangeable);
    }
}
