package dev.sinkhorn.core.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.TestData;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JigsawTrainerTest {

    @Test
    void learnsToUnscrambleMnistWithoutSeeingPermutations() {
        Dataset mnist = TestData.mnist();
        ModelSpec spec = ModelSpec.seed(1, 28);
        try (SinkhornModel model = SinkhornModel.initialize(spec, mnist.pixelMean(), mnist.pixelStd(), Device.cpu())) {
            double before = JigsawEvaluation.score(model, mnist.test(), 1000, 7).meanKendallTau();
            JigsawTrainer trainer = new JigsawTrainer(model, new TrainingSettings(64, 1e-3f, 1, 1f, 0));
            List<Double> losses = new ArrayList<>();
            EpochResult r = trainer.epoch(mnist.train(), 3200, 1, (e, s, n, loss, images) -> losses.add(loss / images), () -> false);
            assertEquals(50, r.steps());
            assertEquals(3200, r.images());
            double early = losses.subList(0, 10).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double late = losses.subList(40, 50).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(late < 0.7 * early, "loss per image falls: " + early + " -> " + late);
            PermutationScores after = JigsawEvaluation.score(model, mnist.test(), 1000, 7);
            assertTrue(after.meanKendallTau() > 0.5, "held-out Kendall tau " + after.meanKendallTau() + " (before: " + before + ")");
            assertTrue(after.meanKendallTau() > before + 0.3);
        }
    }

    @Test
    void stopsAtTheNextStepWhenCancelled() {
        Dataset mnist = TestData.mnist();
        try (SinkhornModel model = SinkhornModel.initialize(ModelSpec.seed(1, 28), mnist.pixelMean(), mnist.pixelStd(), Device.cpu())) {
            JigsawTrainer trainer = new JigsawTrainer(model, new TrainingSettings(32, 1e-4f, 2, 1f, 1));
            int[] calls = {0};
            EpochResult r = trainer.epoch(mnist.train(), 640, 1, (e, s, n, loss, images) -> { }, () -> ++calls[0] > 3);
            assertTrue(r.cancelled());
            assertEquals(3, r.steps());
        }
    }

    @Test
    void theLearningRateScheduleDrivesTheOptimiser() {
        Dataset mnist = TestData.mnist();
        try (SinkhornModel model = SinkhornModel.initialize(ModelSpec.seed(1, 28), mnist.pixelMean(), mnist.pixelStd(), Device.cpu())) {
            List<float[]> initial = trainable(model);
            // A cosine schedule already at its end: every step's rate is 0, so nothing trainable moves.
            EpochResult r = new JigsawTrainer(model, new TrainingSettings(32, 1e-3f, 1, 1f, 0, LearningRateSchedule.cosine(4, 4), true))
                    .epoch(mnist.train(), 128, 1, (e, s, n, loss, images) -> { }, () -> false);
            assertEquals(4, r.steps());
            List<float[]> after = trainable(model);
            for (int i = 0; i < initial.size(); i++) {
                assertArrayEquals(initial.get(i), after.get(i), "parameter " + i);
            }
            // One step from step 3 of 4: the first update runs at factor (1 + cos(3 pi / 4)) / 2 = 0.146
            // (were the tracker's 1-based update count taken for the step, it would be 0 and nothing would move).
            new JigsawTrainer(model, new TrainingSettings(32, 1e-3f, 1, 1f, 0, LearningRateSchedule.cosine(4, 3), true))
                    .epoch(mnist.train(), 32, 1, (e, s, n, loss, images) -> { }, () -> false);
            List<float[]> moved = trainable(model);
            boolean changed = false;
            for (int i = 0; i < initial.size(); i++) {
                changed |= !Arrays.equals(initial.get(i), moved.get(i));
            }
            assertTrue(changed, "a rate above 0 moves the weights");
        }
    }

    private static List<float[]> trainable(SinkhornModel model) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : model.network().getParameters()) {
            if (p.getValue().requiresGradient()) {
                out.add(p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }
}
