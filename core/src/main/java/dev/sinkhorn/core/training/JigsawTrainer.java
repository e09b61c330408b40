package dev.sinkhorn.core.training;

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
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.jigsaw.JigsawBatch;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Trains a {@link SinkhornModel} on the jigsaw task without ever showing it the true permutation,
 * as the seed notebook: each step scrambles a mini-batch, scores every piece, draws n_samples
 * Gumbel-Sinkhorn soft permutations S((log_alpha + noise_factor * g) / tau), reorders the scrambled
 * pieces with each, and minimises the summed squared error against the true pieces with Adam.
 *
 * <p>Shuffling, scrambles and noise come from one generator seeded by the settings, so a run is
 * reproducible. DJL allows one gradient collector per JVM at a time: steps of all trainers are
 * serialised on a JVM-wide lock (jobs then interleave step by step).
 */
public final class JigsawTrainer {
    private static final ReentrantLock STEP_LOCK = new ReentrantLock();

    private final SinkhornModel model;
    private final TrainingSettings settings;
    private final Optimizer optimizer;
    private final Jigsaw jigsaw;
    private final SplittableRandom rng;

    public JigsawTrainer(SinkhornModel model, TrainingSettings settings) {
        this.model = model;
        this.settings = settings;
        this.optimizer = Optimizer.adam().optLearningRateTracker(Tracker.fixed(settings.learningRate()))
                .optBeta1(0.9f).optBeta2(0.999f).optEpsilon(1e-8f).build();
        this.jigsaw = new Jigsaw(model.spec().grid());
        this.rng = new SplittableRandom(settings.seed());
    }

    public SinkhornModel model() {
        return model;
    }

    /** Steps of one epoch over {@code count} images: full batches only (the seed's drop_last). */
    public long stepsPerEpoch(int count) {
        return count / settings.batchSize();
    }

    /**
     * One pass over the first {@code limit} images (all when limit <= 0) in a freshly shuffled order.
     * {@code cancelled} is polled before every step.
     */
    public EpochResult epoch(ImageSet train, int limit, int epoch, StepListener listener, BooleanSupplier cancelled) {
        int count = limit > 0 ? Math.min(limit, train.count()) : train.count();
        int[] order = shuffled(count);
        int b = settings.batchSize();
        long steps = stepsPerEpoch(count);
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
        JigsawBatch puzzles = jigsaw.scramble(images, b, channels, height, width, rng);
        long noiseSeed = rng.nextLong();
        ModelSpec spec = model.spec();
        int p = spec.pieces();
        int d = puzzles.pieceSize();
        int samples = settings.nSamples();
        STEP_LOCK.lock();
        try (NDManager step = model.manager().newSubManager()) {
            NDArray scrambled = model.normalized(step, puzzles.scrambledPieces(), b);
            NDArray truth = model.normalized(step, puzzles.truePieces(), b).reshape(b, p, d);
            NDArray flat = scrambled.reshape(b, p, d);
            if (samples > 1) {
                flat = flat.repeat(0, samples);
                truth = truth.repeat(0, samples);
            }
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logAlpha = model.network().forward(new ParameterStore(step, false), new NDList(scrambled), true)
                        .singletonOrThrow();
                NDArray repeated = samples > 1 ? logAlpha.repeat(0, samples) : logAlpha;
                NDArray noisy = SinkhornOps.addGumbel(repeated, settings.noiseFactor(), noiseSeed);
                NDArray soft = SinkhornOps.sinkhornMatrices(noisy, spec.tau(), spec.nIter());
                NDArray ordered = SinkhornOps.reorder(soft, flat);
                loss = ordered.sub(truth).square().sum();
                collector.backward(loss);
            }
            for (Pair<String, Parameter> pair : model.network().getParameters()) {
                Parameter param = pair.getValue();
                if (param.requiresGradient()) {
                    NDArray weight = param.getArray();
                    try (NDArray grad = weight.getGradient()) {
                        optimizer.update(param.getId(), weight, grad);
                    }
                }
            }
            return loss.getFloat();
        } finally {
            STEP_LOCK.unlock();
        }
    }

    private int[] shuffled(int count) {
        return Jigsaw.randomPermutation(count, rng);
    }
}
