package dev.sinkhorn.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import java.util.SplittableRandom;

/** Where a training step's time goes (a probe for tuning, not a benchmark of record). */
public final class StepProfile {
    public static void main(String[] a) {
        System.setProperty("ai.djl.offline", "true");
        Dataset mnist = DatasetResolver.fromEnvironment(System.err::println).load("mnist");
        ModelSpec spec = ModelSpec.seed(1, 28);
        int b = 64;
        long[] t = new long[6];
        try (SinkhornModel model = SinkhornModel.initialize(spec, mnist.pixelMean(), mnist.pixelStd(), Device.cpu(), 0)) {
            Optimizer opt = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-4f)).build();
            Jigsaw jigsaw = new Jigsaw(2);
            SplittableRandom rng = new SplittableRandom(0);
            float[] images = new float[b * 784];
            int[] idx = new int[b];
            NDArray one = model.manager().create(1f);
            int steps = 600;
            for (int s = 0; s < steps; s++) {
                if (s == 100) {
                    java.util.Arrays.fill(t, 0);
                }
                long t0 = System.nanoTime();
                for (int k = 0; k < b; k++) {
                    idx[k] = (s * b + k) % 60000;
                }
                mnist.train().copyUnitPixels(idx, b, images);
                ScrambledBatch pz = jigsaw.scramble(images, b, 1, 28, 28, rng);
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray x = model.normalized(m, pz.scrambledPieces(), b);
                    NDArray truth = model.normalized(m, pz.truePieces(), b).reshape(b, 4, 196);
                    NDArray flat = x.reshape(b, 4, 196);
                    long t1 = System.nanoTime();
                    NDArray loss;
                    long t2, t3, t4;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray la = model.network().forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                        t2 = System.nanoTime();
                        NDArray soft = SinkhornOps.sinkhornMatrices(SinkhornOps.addGumbel(la, 1f, rng.nextLong()), 0.1f, 20);
                        loss = SinkhornOps.reorder(soft, flat).sub(truth).square().sum();
                        t3 = System.nanoTime();
                        gc.backward(loss.mul(one));
                        t4 = System.nanoTime();
                    }
                    for (Pair<String, Parameter> p : model.network().getParameters()) {
                        if (p.getValue().requiresGradient()) {
                            NDArray w = p.getValue().getArray();
                            try (NDArray g = w.getGradient()) {
                                opt.update(p.getValue().getId(), w, g);
                            }
                        }
                    }
                    loss.getFloat();
                    long t5 = System.nanoTime();
                    t[0] += t1 - t0;
                    t[1] += t2 - t1;
                    t[2] += t3 - t2;
                    t[3] += t4 - t3;
                    t[4] += t5 - t4;
                }
                t[5] += System.nanoTime() - t0;
            }
            String[] names = {"data+scramble+normalise", "network forward", "sinkhorn+loss forward", "backward", "adam update", "step total"};
            for (int i = 0; i < 6; i++) {
                System.out.printf("%-26s %.3f ms%n", names[i], t[i] / 500 / 1e6);
            }
            System.out.printf("=> %.0f img/s%n", b / (t[5] / 500 / 1e9));
        }
    }
}
