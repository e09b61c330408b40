package dev.sinkhorn.bench;

import ai.djl.Device;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.training.JigsawEvaluation;
import dev.sinkhorn.core.training.JigsawTrainer;
import dev.sinkhorn.core.training.TrainingSettings;

/**
 * Wall seconds of training (evaluations excluded) until the full 10k test set's mean Kendall tau
 * first reaches a target, checking every {@code evalEvery} steps.
 * Arguments: target lr batch tau nSamples hidden evalEvery maxEpochs seed.
 */
public final class TimeToAccuracy {
    public static void main(String[] a) {
        System.setProperty("ai.djl.offline", "true");
        double target = Double.parseDouble(a[0]);
        float lr = Float.parseFloat(a[1]);
        int batch = Integer.parseInt(a[2]);
        float tau = Float.parseFloat(a[3]);
        int samples = Integer.parseInt(a[4]);
        int hidden = Integer.parseInt(a[5]);
        int evalEvery = Integer.parseInt(a[6]);
        int maxEpochs = Integer.parseInt(a[7]);
        long seed = Long.parseLong(a[8]);
        Dataset mnist = DatasetResolver.fromEnvironment(System.err::println).load("mnist");
        ModelSpec spec = ModelSpec.jigsaw(1, 28, 2, hidden, 5, tau, 20);
        System.out.println(result(mnist, spec, new TrainingSettings(batch, lr, samples, 1f, seed), target, evalEvery, maxEpochs));
    }

    /** "reached <tau> after <s> s (<images> images)" or "not reached", with the final score. */
    static String result(Dataset mnist, ModelSpec spec, TrainingSettings settings, double target, int evalEvery, int maxEpochs) {
        try (SinkhornModel model = SinkhornModel.initialize(spec, mnist.pixelMean(), mnist.pixelStd(), Device.cpu(),
                settings.seed())) {
            JigsawTrainer trainer = new JigsawTrainer(model, settings);
            double[] trainNanos = {0};
            long[] last = {System.nanoTime()};
            long[] images = {0};
            double[] reached = {-1, 0, 0};
            for (int e = 1; e <= maxEpochs && reached[0] < 0; e++) {
                trainer.epoch(mnist.train(), 0, e, (ep, step, n, loss, imgs) -> {
                    images[0] += imgs;
                    if (step % evalEvery == 0 && reached[0] < 0) {
                        trainNanos[0] += System.nanoTime() - last[0];
                        double tau = JigsawEvaluation.score(model, mnist.test(), 10000, 2018).meanKendallTau();
                        if (tau >= target) {
                            reached[0] = trainNanos[0] / 1e9;
                            reached[1] = tau;
                            reached[2] = images[0];
                        }
                        last[0] = System.nanoTime();
                    }
                }, () -> reached[0] >= 0);
            }
            return reached[0] < 0 ? "not reached" : String.format("reached %.4f after %.2f s of training (%d images)",
                    reached[1], reached[0], (long) reached[2]);
        }
    }
}
