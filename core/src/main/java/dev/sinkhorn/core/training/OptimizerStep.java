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
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The training step every task shares: score the scrambled input, draw n_samples Gumbel-Sinkhorn
 * soft permutations S((log_alpha + noise_factor * g) / tau), reorder the scrambled items with each
 * ({@code ordered[q] = sum_p S[p, q] items[p]}), and minimise the summed squared error against the
 * true items with Adam; the permutation itself is never shown.
 *
 * <p>DJL allows one gradient collector per JVM at a time, so steps of all trainers (any task) hold
 * one JVM-wide lock; jobs then interleave step by step.
 */
final class OptimizerStep {
    private static final ReentrantLock LOCK = new ReentrantLock();

    private OptimizerStep() {
    }

    /**
     * Adam with the settings' learning rate and schedule and PyTorch's defaults otherwise. DJL
     * counts updates per parameter from 1; every parameter is updated once per step.
     */
    static Optimizer adam(TrainingSettings settings) {
        float rate = settings.learningRate();
        LearningRateSchedule schedule = settings.schedule();
        Tracker tracker = schedule.totalSteps() == 0 ? Tracker.fixed(rate) : update -> rate * schedule.factor(update - 1L);
        return Optimizer.adam().optLearningRateTracker(tracker).optBeta1(0.9f).optBeta2(0.999f).optEpsilon(1e-8f).build();
    }

    /** What one step trains on, made in the step's manager: the network's input and the items [b, n, d] as scrambled and as true. */
    record Batch(NDArray input, NDArray scrambledItems, NDArray trueItems) {
    }

    /**
     * One optimisation step on the batch {@code make} builds.
     *
     * @return the summed loss (over inputs, items, values and samples)
     */
    static double minimise(SinkhornModel model, Optimizer optimizer, TrainingSettings settings, long noiseSeed,
                           Function<NDManager, Batch> make) {
        ModelSpec spec = model.spec();
        int samples = settings.nSamples();
        LOCK.lock();
        try (NDManager step = model.manager().newSubManager()) {
            Batch batch = make.apply(step);
            NDArray flat = batch.scrambledItems();
            NDArray truth = batch.trueItems();
            if (samples > 1) {
                flat = flat.repeat(0, samples);
                truth = truth.repeat(0, samples);
            }
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logAlpha = model.network().forward(new ParameterStore(step, false), new NDList(batch.input()), true)
                        .singletonOrThrow();
                NDArray repeated = samples > 1 ? logAlpha.repeat(0, samples) : logAlpha;
                NDArray noisy = SinkhornOps.addGumbel(repeated, settings.noiseFactor(), noiseSeed);
                NDArray soft = SinkhornOps.sinkhornMatrices(noisy, spec.tau(), spec.nIter());
                loss = SinkhornOps.reorder(soft, flat).sub(truth).square().sum();
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
            LOCK.unlock();
        }
    }
}
