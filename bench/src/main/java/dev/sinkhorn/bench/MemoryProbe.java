package dev.sinkhorn.bench;

import ai.djl.Device;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.training.JigsawEvaluation;
import dev.sinkhorn.core.training.JigsawTrainer;
import dev.sinkhorn.core.training.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory while training and evaluating: it must level off (a leak check). Args: grid epochs limit. */
public final class MemoryProbe {
    public static void main(String[] a) throws Exception {
        Devices.forName("cpu");
        int grid = Integer.parseInt(a[0]);
        Dataset mnist = DatasetResolver.fromEnvironment(System.err::println).load("mnist");
        try (SinkhornModel model = SinkhornModel.initialize(ModelSpec.jigsaw(1, 28, grid, 32, 5, 1f, 20),
                mnist.pixelMean(), mnist.pixelStd(), Device.cpu(), 0)) {
            JigsawTrainer t = new JigsawTrainer(model, new TrainingSettings(64, 1e-3f, 1, 1f, 0));
            for (int e = 1; e <= Integer.parseInt(a[1]); e++) {
                t.epoch(mnist.train(), Integer.parseInt(a[2]), e, (ep, s, n, l, i) -> { }, () -> false);
                long afterTrain = rssMb();
                JigsawEvaluation.evaluate(model, mnist.test(), 2000, 1);
                System.out.printf("epoch %d: RSS after training %d MB, after evaluation %d MB%n", e, afterTrain, rssMb());
            }
        }
    }

    static long rssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }
}
