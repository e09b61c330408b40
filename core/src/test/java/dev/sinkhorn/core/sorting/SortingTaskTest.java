package dev.sinkhorn.core.sorting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.training.SortingEvaluation;
import dev.sinkhorn.core.training.SortingTrainer;
import dev.sinkhorn.core.training.TrainingSettings;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The sorting task: its data, its network's shapes and symmetry, and a short training that learns to sort. */
class SortingTaskTest {
    @Test
    void listsComeWithTheirSortedTruthAndRanks() {
        ScrambledBatch b = NumberLists.withTruth(new float[] {0.3f, 0.1f, 0.7f, 5f, 2f, 9f}, 2, 3);
        assertArrayEquals(new float[] {0.1f, 0.3f, 0.7f, 2f, 5f, 9f}, b.truePieces());
        assertArrayEquals(new int[] {1, 0, 2}, b.permutations()[0]);
        assertArrayEquals(new int[] {1, 0, 2}, b.permutations()[1]);
        // scrambled[i] = true[perm[i]]: the ScrambledBatch convention the matcher scores by
        for (int i = 0; i < 3; i++) {
            assertEquals(b.scrambledPieces()[i], b.truePieces()[b.permutations()[0][i]]);
        }
        ScrambledBatch drawn = NumberLists.draw(50, 7, new UniformRange(0, 10), new SplittableRandom(3));
        for (float v : drawn.scrambledPieces()) {
            assertTrue(v >= 0 && v < 10, "in range: " + v);
        }
    }

    @Test
    void rangesParseAndNameThemselves() {
        assertEquals(UniformRange.UNIT, UniformRange.parse("uniform"));
        assertEquals(new UniformRange(0, 10), UniformRange.parse("uniform:0:10"));
        assertEquals("uniform:0:10", new UniformRange(0, 10).name());
        assertEquals("uniform", UniformRange.parse("uniform:0:1").name());
        assertTrue(assertThrows(InvalidInputException.class, () -> UniformRange.parse("uniform:3:1")).getMessage().contains("low < high"));
        assertTrue(assertThrows(InvalidInputException.class, () -> UniformRange.parse("uniform:a:1")).getMessage().contains("numbers"));
        assertTrue(assertThrows(InvalidInputException.class, () -> UniformRange.parse("uniform:1")).getMessage().contains("uniform:<low>:<high>"));
    }

    @Test
    void theNetworkScoresEveryNumberAndPermutingTheListPermutesTheRows() {
        ModelSpec spec = ModelSpec.sorting(6, 16, 1f, 10);
        try (SinkhornModel model = SinkhornModel.initialize(spec, 0f, 1f, Device.cpu(), 5)) {
            float[] lists = {0.9f, 0.1f, 0.5f, 0.3f, 0.7f, 0.2f, 0.4f, 0.8f, 0.6f, 0.0f, 1.0f, 0.35f};
            float[] logAlpha = model.logAlpha(lists, 2);
            assertEquals(2 * 6 * 6, logAlpha.length);
            int[] perm = {3, 0, 5, 1, 4, 2};
            float[] permuted = new float[12];
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < 6; i++) {
                    permuted[b * 6 + i] = lists[b * 6 + perm[i]];
                }
            }
            float[] again = model.logAlpha(permuted, 2);
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < 6; i++) {
                    for (int q = 0; q < 6; q++) {
                        assertEquals(logAlpha[(b * 6 + perm[i]) * 6 + q], again[(b * 6 + i) * 6 + q], 1e-6, "row " + i + " of list " + b);
                    }
                }
            }
            // The parameters go through a checkpoint and back unchanged.
            try (SinkhornModel copy = SinkhornModel.fromParameters(spec, 0f, 1f, model.parameters(), Device.cpu())) {
                assertArrayEquals(logAlpha, copy.logAlpha(lists, 2));
            } catch (ai.djl.MalformedModelException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void resamplingToAnotherLengthKeepsRelativePositions() {
        float[] ramp = {0f, 1f, 2f, 3f}; // one row: score = position
        float[] half = dev.sinkhorn.core.training.SortingEvaluationAccess.resample(ramp, 1, 4, 2);
        assertArrayEquals(new float[] {0.5f, 2.5f}, half, 1e-6f);
        float[] same = dev.sinkhorn.core.training.SortingEvaluationAccess.resample(ramp, 1, 4, 4);
        assertArrayEquals(ramp, same, 1e-6f);
    }

    @Test
    void aShortTrainingLearnsToSortFiveNumbers() {
        ModelSpec spec = ModelSpec.sorting(5, 32, 1f, 10);
        try (SinkhornModel model = SinkhornModel.initialize(spec, 0f, 1f, Device.cpu(), 1)) {
            TestLists test = new TestLists(500, 5, UniformRange.UNIT, 2018);
            // An untrained network is already monotone in its input more often than not (a random
            // ReLU of one number), so "learned" is judged by the lists it gets wholly right.
            PermutationScores before = SortingEvaluation.evaluate(model, test);
            SortingTrainer trainer = new SortingTrainer(model, new TrainingSettings(10, 0.1f, 5, 1f, 1), UniformRange.UNIT, 500);
            trainer.epoch(1, (e, s, n, loss, lists) -> { }, () -> false);
            PermutationScores after = SortingEvaluation.evaluate(model, test);
            assertTrue(after.meanKendallTau() > 0.9, "Kendall tau after 500 steps: " + after.meanKendallTau()
                    + " (before " + before.meanKendallTau() + ")");
            assertTrue(after.propAnyWrong() < 0.1 && after.propAnyWrong() < before.propAnyWrong() / 2,
                    "lists with a number misplaced: " + before.propAnyWrong() + " -> " + after.propAnyWrong());
        }
    }
}
