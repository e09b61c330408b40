package dev.sinkhorn.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * U(-bound, bound) from a seeded Java generator (reproducible, independent of the engine's global
 * random state). With bound = 1/sqrt(fan_in) this is PyTorch's default initialisation of Conv2d
 * and Linear weights and biases (kaiming_uniform with a = sqrt(5)), which the seed notebook
 * trained with.
 */
final class UniformInitializer implements Initializer {
    private final float bound;
    private final long seed;

    UniformInitializer(float bound, long seed) {
        this.bound = bound;
        this.seed = seed;
    }

    static UniformInitializer forFanIn(long fanIn, long seed) {
        return new UniformInitializer((float) (1.0 / Math.sqrt(fanIn)), seed);
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int k = 0; k < values.length; k++) {
            values[k] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return manager.create(values, shape).toType(dataType, false);
    }
}
