package dev.sinkhorn.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.data.Mirroring;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.model.SinkhornModel;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Trains a {@link SinkhornModel} on the jigsaw task without ever showing it the true permutation,
 * as the seed notebook: each step scrambles a mini-batch (mirrored first, with settings.mirror)
 * and takes the Gumbel-Sinkhorn reconstruction step of {@link OptimizerStep} on its pieces.
 *
 * <p>Shuffling, mirroring, scrambles and noise come from one generator seeded by the settings, so a run is
 * reproducible. Steps of all trainers in the JVM are serialised ({@link OptimizerStep}).
 */
public final class JigsawTrainer {
    private final SinkhornModel model;
    private final TrainingSettings settings;
    private final Optimizer optimizer;
    private final Jigsaw jigsaw;
    private final SplittableRandom rng;

    public JigsawTrainer(SinkhornModel model, TrainingSettings settings) {
        this.model = model;
        this.settings = settings;
        this.optimizer = OptimizerStep.adam(settings);
        this.jigsaw = new Jigsaw(model.spec().grid());
        this.rng = new SplittableRandom(settings.seed());
    }

    public SinkhornModel model() {
        return model;
    }

    /**
     * Epochs over the first {@code limit} images of {@code train} (all when limit <= 0), each a
     * pass in a freshly shuffled order.
     */
    public EpochTrainer over(ImageSet train, int limit) {
        return new EpochTrainer() {
            @Override
            public long stepsPerEpoch() {
                return JigsawTrainer.stepsPerEpoch(train, limit, settings.batchSize());
            }

            @Override
            public EpochResult epoch(int epoch, StepListener listener, BooleanSupplier cancelled) {
                return JigsawTrainer.this.epoch(train, limit, epoch, listener, cancelled);
            }
        };
    }

    /** Steps of one epoch over the first {@code limit} images of train (all when limit <= 0): full batches only (the seed's drop_last). */
    public static long stepsPerEpoch(ImageSet train, int limit, int batchSize) {
        return imagesPerEpoch(train, limit) / batchSize;
    }

    private static int imagesPerEpoch(ImageSet train, int limit) {
        return limit > 0 ? Math.min(limit, train.count()) : train.count();
    }

    /**
     * One pass over the first {@code limit} images (all when limit <= 0) in a freshly shuffled order.
     * {@code cancelled} is polled before every step.
     */
    public EpochResult epoch(ImageSet train, int limit, int epoch, StepListener listener, BooleanSupplier cancelled) {
        int[] order = shuffled(imagesPerEpoch(train, limit));
        int b = settings.batchSize();
        long steps = stepsPerEpoch(train, limit, b);
        float[] images = new float[b * train.imageSize()];
        int[] indices = new int[b];
        double lossSum = 0;
        long seen = 0;
        long start = System.nanoTime();
        long done = 0;
        for (long s = 0; s < steps; s++) {
            if (cancelled.getAsBoolean()) {
                return new EpochResult(epoch, done, seen, seen == 0 ? Double.NaN : lossSum / seen,
                        (System.nanoTime() - start) / 1e9, true);
            }
            System.arraycopy(order, (int) (s * b), indices, 0, b);
            train.copyUnitPixels(indices, b, images);
            if (settings.mirror()) {
                Mirroring.mirrorHalf(images, b, train.channels() * train.height(), train.width(), rng);
            }
            double loss = step(images, b, train.channels(), train.height(), train.width());
            lossSum += loss;
            seen += b;
            done++;
            listener.afterStep(epoch, done, steps, loss, b);
        }
        return new EpochResult(epoch, done, seen, seen == 0 ? Double.NaN : lossSum / seen, (System.nanoTime() - start) / 1e9, false);
    }

    /**
     * One optimisation step on a batch of images [b, C, H, W] with pixels in [0, 1].
     *
     * @return the summed loss of the step (over images, pieces, pixels and samples)
     */
    public double step(float[] images, int b, int channels, int height, int width) {
        ScrambledBatch puzzles = jigsaw.scramble(images, b, channels, height, width, rng);
        long noiseSeed = rng.nextLong();
        int p = model.spec().pieces();
        int d = puzzles.pieceSize();
        return OptimizerStep.minimise(model, optimizer, settings, noiseSeed, step -> {
            NDArray scrambled = model.normalized(step, puzzles.scrambledPieces(), b);
            return new OptimizerStep.Batch(scrambled, scrambled.reshape(b, p, d),
                    model.normalized(step, puzzles.truePieces(), b).reshape(b, p, d));
        });
    }

    private int[] shuffled(int count) {
        return Jigsaw.randomPermutation(count, rng);
    }
}
