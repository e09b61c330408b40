package dev.sinkhorn.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.TestData;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import java.util.ArrayList;
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
}
