package dev.sinkhorn.bench;

import ai.djl.Device;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.training.EpochResult;
import dev.sinkhorn.core.training.JigsawTrainer;
import dev.sinkhorn.core.training.TrainingSettings;

/**
 * Training throughput of the seed setting (2x2 MNIST, batch 64, lr 1e-4, tau 0.1, 20 iterations)
 * on IMAGES training images after a warm-up, as one line "ours images_per_second X loss_per_image Y",
 * the format of bench/trainer/torch_reference.py. Arguments: IMAGES [grid].
 */
public final class TrainThroughput {
    public static void main(String[] a) {
        Devices.forName("cpu");
        int images = Integer.parseInt(a[0]);
        int grid = a.length > 1 ? Integer.parseInt(a[1]) : 2;
        Dataset mnist = DatasetResolver.fromEnvironment(System.err::println).load("mnist");
        ModelSpec spec = ModelSpec.jigsaw(1, 28, grid, 32, 5, 0.1f, 20);
        try (SinkhornModel model = SinkhornModel.initialize(spec, mnist.pixelMean(), mnist.pixelStd(), Device.cpu(), 0)) {
            JigsawTrainer trainer = new JigsawTrainer(model, new TrainingSettings(64, 1e-4f, 1, 1f, 0));
            trainer.epoch(mnist.train(), 3200, 1, (e, s, n, l, i) -> { }, () -> false); // warm-up (JIT, allocator)
            EpochResult r = trainer.epoch(mnist.train(), images, 2, (e, s, n, l, i) -> { }, () -> false);
            System.out.printf("ours images_per_second %.1f loss_per_image %.3f%n", r.images() / r.seconds(), r.meanLoss());
        }
    }
}
