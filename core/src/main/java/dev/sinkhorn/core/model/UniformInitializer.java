package dev.sinkhorn.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * U(-bound, bound). With bound = 1/sqrt(fan_in) this is PyTorch's default initialisation of
 * Conv2d and Linear weights and biases (kaiming_uniform with a = sqrt(5)), which the seed notebook
 * trained with.
 */
final class UniformInitializer implements Initializer {
    private final float bound;

    UniformInitializer(float bound) {
        this.bound = bound;
    }

    static UniformInitializer forFanIn(long fanIn) {
        return new UniformInitializer((float) (1.0 / Math.sqrt(fanIn)));
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        return manager.randomUniform(-bound, bound, shape, dataType);
    }
}
