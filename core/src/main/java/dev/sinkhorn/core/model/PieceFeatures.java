package dev.sinkhorn.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import java.util.function.UnaryOperator;

/**
 * What both jigsaw networks see of a piece: conv(k, hidden, padding k/2) -> max-pool 2 -> ReLU ->
 * BatchNorm, all B*P pieces in one batched call, flattened in NHWC order: [B*P, ph * pw * hidden].
 *
 * <p>Parameters, added to the owning block in this order: conv_weight [hidden, C, k, k], conv_bias
 * [hidden], bn_gamma, bn_beta, bn_running_mean, bn_running_var [hidden] (PyTorch's layouts).
 */
final class PieceFeatures {
    private static final float BN_EPSILON = 1e-5f;
    /** DJL's convention: running = momentum * running + (1 - momentum) * batch; PyTorch's 0.1 is DJL's 0.9. */
    private static final float BN_MOMENTUM = 0.9f;

    private final ModelSpec spec;
    private final Parameter convWeight;
    private final Parameter convBias;
    private final Parameter bnGamma;
    private final Parameter bnBeta;
    private final Parameter bnRunningMean;
    private final Parameter bnRunningVar;

    /** @param add the owning block's addParameter */
    PieceFeatures(ModelSpec spec, long seed, UnaryOperator<Parameter> add) {
        this.spec = spec;
        int c = spec.inChannels();
        int k = spec.kernelSize();
        int hidden = spec.hiddenChannels();
        long convFanIn = (long) c * k * k;
        convWeight = add.apply(Parameter.builder().setName("conv_weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(hidden, c, k, k)).optInitializer(UniformInitializer.forFanIn(convFanIn, seed)).build());
        convBias = add.apply(Parameter.builder().setName("conv_bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(hidden)).optInitializer(UniformInitializer.forFanIn(convFanIn, seed + 1)).build());
        bnGamma = add.apply(Parameter.builder().setName("bn_gamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(hidden)).optInitializer(Initializer.ONES).build());
        bnBeta = add.apply(Parameter.builder().setName("bn_beta").setType(Parameter.Type.BETA)
                .optShape(new Shape(hidden)).optInitializer(Initializer.ZEROS).build());
        bnRunningMean = add.apply(Parameter.builder().setName("bn_running_mean").setType(Parameter.Type.RUNNING_MEAN)
                .optShape(new Shape(hidden)).optInitializer(Initializer.ZEROS).optRequiresGrad(false).build());
        bnRunningVar = add.apply(Parameter.builder().setName("bn_running_var").setType(Parameter.Type.RUNNING_VAR)
                .optShape(new Shape(hidden)).optInitializer(Initializer.ONES).optRequiresGrad(false).build());
    }

    /** The input shape for a batch of b puzzles: [b, P, C, h, w]. */
    Shape inputShape(long b) {
        return new Shape(b, spec.pieces(), spec.inChannels(), spec.pieceSize(), spec.pieceSize());
    }

    /** Features of every piece of [B, P, C, h, w] (normalised): [B*P, ph * pw * hidden], NHWC-flattened. */
    NDArray forward(ParameterStore ps, NDArray pieces, boolean training) {
        long n = pieces.getShape().get(0) * spec.pieces();
        int c = spec.inChannels();
        int ph = spec.pieceSize();
        // Channels-last: with one channel, [n, h, w, 1] viewed as [n, 1, h, w] has NHWC strides for
        // free, and libtorch then runs conv, max-pool and BatchNorm on their fast NHWC kernels
        // (docs/training.md: the NCHW max-pool alone took most of the forward pass).
        NDArray x = c == 1 ? pieces.reshape(n, ph, ph, 1).transpose(0, 3, 1, 2) : pieces.reshape(n, c, ph, ph);
        Device device = x.getDevice();
        int pad = spec.kernelSize() / 2;
        x = Conv2d.conv2d(x, ps.getValue(convWeight, device, training), ps.getValue(convBias, device, training),
                new Shape(1, 1), new Shape(pad, pad)).singletonOrThrow();
        x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
        x = Activation.relu(x);
        x = BatchNorm.batchNorm(x, ps.getValue(bnRunningMean, device, training), ps.getValue(bnRunningVar, device, training),
                ps.getValue(bnGamma, device, training), ps.getValue(bnBeta, device, training), 1, BN_MOMENTUM, BN_EPSILON,
                training).singletonOrThrow();
        // Flatten in NHWC order: a free view of channels-last memory (an NCHW flatten would copy).
        return x.transpose(0, 2, 3, 1).reshape(n, spec.linearInputs());
    }
}
