package dev.sinkhorn.core.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.TestData;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import org.junit.jupiter.api.Test;

/**
 * The reason the context architecture exists: on 3x3 MNIST, trained the same way on the same
 * images (only by the reconstruction loss), the network whose pieces see each other places more
 * pieces right, counted with identical pieces interchangeable (errors that change the picture).
 */
class ContextTrainingTest {
    private static final int IMAGES = 9600;

    private static JigsawEvaluation.Result train(ModelSpec spec, Dataset mnist) {
        try (SinkhornModel model = SinkhornModel.initialize(spec, mnist.pixelMean(), mnist.pixelStd(), Device.cpu(), 3)) {
            JigsawTrainer trainer = new JigsawTrainer(model, new TrainingSettings(64, 1e-3f, 1, 1f, 3));
            trainer.epoch(mnist.train(), IMAGES, 1, (e, s, n, loss, images) -> { }, () -> false);
            return JigsawEvaluation.evaluate(model, mnist.test(), 1000, 2018);
        }
    }

    @Test
    void onThreeByThreeMnistTheContextNetworkBeatsThePerPieceOne() {
        Dataset mnist = TestData.mnist();
        ModelSpec perPiece = ModelSpec.jigsaw(1, 28, 3, 32, 5, 1f, 20);
        PermutationScores alone = train(perPiece, mnist).interchangeable();
        PermutationScores together = train(perPiece.withContext(2, 4, 64), mnist).interchangeable();
        String both = String.format("per-piece tau %.4f any_wrong %.4f, context tau %.4f any_wrong %.4f", alone.meanKendallTau(),
                alone.propAnyWrong(), together.meanKendallTau(), together.propAnyWrong());
        System.out.println(both);
        assertTrue(together.meanKendallTau() > alone.meanKendallTau() + MARGIN_TAU, both);
        assertTrue(together.propAnyWrong() < alone.propAnyWrong() - MARGIN_ANY, both);
    }

    private static final double MARGIN_TAU = 0.02;
    private static final double MARGIN_ANY = 0.05;
}
