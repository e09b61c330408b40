package dev.sinkhorn.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.sorting.NumberLists;
import dev.sinkhorn.core.sorting.UniformRange;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Trains a sorting {@link SinkhornModel} as the paper (and google/gumbel_sinkhorn's sorting
 * training) does, never showing it the permutation: each step draws a batch of fresh lists of N
 * numbers from the range and takes the Gumbel-Sinkhorn reconstruction step of {@link
 * OptimizerStep}: the soft-reordered list against the sorted list.
 *
 * <p>There is no data set to pass over, so an epoch is a fixed number of steps (the job's
 * checkpoint interval). Lists and noise come from one generator seeded by the settings.
 */
public final class SortingTrainer implements EpochTrainer {
    private final SinkhornModel model;
    private final TrainingSettings settings;
    private final UniformRange range;
    private final long stepsPerEpoch;
    private final Optimizer optimizer;
    private final SplittableRandom rng;

    public SortingTrainer(SinkhornModel model, TrainingSettings settings, UniformRange range, long stepsPerEpoch) {
        if (!model.spec().isSorting()) {
            throw new IllegalArgumentException("a " + model.spec().task() + " model cannot learn to sort");
        }
        this.model = model;
        this.settings = settings;
        this.range = range;
        this.stepsPerEpoch = stepsPerEpoch;
        this.optimizer = OptimizerStep.adam(settings);
        this.rng = new SplittableRandom(settings.seed());
    }

    @Override
    public long stepsPerEpoch() {
        return stepsPerEpoch;
    }

    @Override
    public EpochResult epoch(int epoch, StepListener listener, BooleanSupplier cancelled) {
        int b = settings.batchSize();
        double lossSum = 0;
        long start = System.nanoTime();
        long done = 0;
        while (done < stepsPerEpoch && !cancelled.getAsBoolean()) {
            double loss = step(b);
            lossSum += loss;
            done++;
            listener.afterStep(epoch, done, stepsPerEpoch, loss, b);
        }
        long lists = done * b;
        return new EpochResult(epoch, done, lists, lists == 0 ? Double.NaN : lossSum / lists,
                (System.nanoTime() - start) / 1e9, done < stepsPerEpoch);
    }

    /**
     * One optimisation step on {@code b} fresh lists.
     *
     * @return the summed loss of the step (over lists, positions and samples)
     */
    public double step(int b) {
        int n = model.spec().items();
        ScrambledBatch lists = NumberLists.draw(b, n, range, rng);
        long noiseSeed = rng.nextLong();
        return OptimizerStep.minimise(model, optimizer, settings, noiseSeed, step -> {
            NDArray x = step.create(lists.scrambledPieces(), new Shape(b, n));
            return new OptimizerStep.Batch(x, x.reshape(b, n, 1), step.create(lists.truePieces(), new Shape(b, n, 1)));
        });
    }
}
