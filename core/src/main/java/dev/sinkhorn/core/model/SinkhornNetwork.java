package dev.sinkhorn.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * The Sinkhorn network of the seed notebook (Mena et al., Fig. 1), generalised by {@link ModelSpec}.
 *
 * <p>Input: scrambled pieces [B, P, C, h, w], already normalised. Output: log_alpha [B, P, P],
 * row p = the scores of piece p for every position. The same network scores every piece, and all
 * B*P pieces go through it in one batched call (no per-piece loop):
 * conv(k, hidden, padding k/2) -> max-pool 2 -> ReLU -> BatchNorm -> linear(P, no bias).
 *
 * <p>Parameters (saved in this order by {@link #saveParameters}): conv_weight [hidden, C, k, k],
 * conv_bias [hidden], bn_gamma, bn_beta, bn_running_mean, bn_running_var [hidden], linear_weight
 * [P, hidden * ph * pw] over the NCHW flattening of the pooled features, as PyTorch's layers.
 */
public final class SinkhornNetwork extends AbstractBlock {
    private static final byte VERSION = 1;
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
    private final Parameter linearWeight;

    /** A network whose parameters will be initialised from {@code seed} (same seed, same parameters). */
    public SinkhornNetwork(ModelSpec spec, long seed) {
        super(VERSION);
        this.spec = spec;
        int c = spec.inChannels();
        int k = spec.kernelSize();
        int hidden = spec.hiddenChannels();
        long convFanIn = (long) c * k * k;
        convWeight = addParameter(Parameter.builder().setName("conv_weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(hidden, c, k, k)).optInitializer(UniformInitializer.forFanIn(convFanIn, seed)).build());
        convBias = addParameter(Parameter.builder().setName("conv_bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(hidden)).optInitializer(UniformInitializer.forFanIn(convFanIn, seed + 1)).build());
        bnGamma = addParameter(Parameter.builder().setName("bn_gamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(hidden)).optInitializer(Initializer.ONES).build());
        bnBeta = addParameter(Parameter.builder().setName("bn_beta").setType(Parameter.Type.BETA)
                .optShape(new Shape(hidden)).optInitializer(Initializer.ZEROS).build());
        bnRunningMean = addParameter(Parameter.builder().setName("bn_running_mean").setType(Parameter.Type.RUNNING_MEAN)
                .optShape(new Shape(hidden)).optInitializer(Initializer.ZEROS).optRequiresGrad(false).build());
        bnRunningVar = addParameter(Parameter.builder().setName("bn_running_var").setType(Parameter.Type.RUNNING_VAR)
                .optShape(new Shape(hidden)).optInitializer(Initializer.ONES).optRequiresGrad(false).build());
        linearWeight = addParameter(Parameter.builder().setName("linear_weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(spec.pieces(), spec.linearInputs()))
                .optInitializer(UniformInitializer.forFanIn(spec.linearInputs(), seed + 2)).build());
    }

    public ModelSpec spec() {
        return spec;
    }

    /** Creates the parameters on the manager's device. */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, inputShape(1));
    }

    /** The input shape for a batch of b puzzles: [b, P, C, h, w]. */
    public Shape inputShape(long b) {
        return new Shape(b, spec.pieces(), spec.inChannels(), spec.pieceSize(), spec.pieceSize());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray pieces = inputs.singletonOrThrow();
        long b = pieces.getShape().get(0);
        int p = spec.pieces();
        int c = spec.inChannels();
        int ph = spec.pieceSize();
        int pooled = spec.pooledSize();
        int hidden = spec.hiddenChannels();
        long n = b * p;
        // Channels-last: with one channel, [n, h, w, 1] viewed as [n, 1, h, w] has NHWC strides for
        // free, and libtorch then runs conv, max-pool and BatchNorm on their fast NHWC kernels
        // (docs/training.md: the NCHW max-pool alone took most of the forward pass).
        NDArray x = c == 1 ? pieces.reshape(n, ph, ph, 1).transpose(0, 3, 1, 2) : pieces.reshape(n, c, ph, ph);
        ai.djl.Device device = x.getDevice();
        int pad = spec.kernelSize() / 2;
        x = Conv2d.conv2d(x, ps.getValue(convWeight, device, training), ps.getValue(convBias, device, training),
                new Shape(1, 1), new Shape(pad, pad)).singletonOrThrow();
        x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
        x = Activation.relu(x);
        x = BatchNorm.batchNorm(x, ps.getValue(bnRunningMean, device, training), ps.getValue(bnRunningVar, device, training),
                ps.getValue(bnGamma, device, training), ps.getValue(bnBeta, device, training), 1, BN_MOMENTUM, BN_EPSILON,
                training).singletonOrThrow();
        // Flatten in NHWC order (a free view of channels-last memory) and permute the linear weight,
        // stored in PyTorch's NCHW-flatten layout, to match: the same product without a layout copy.
        x = x.transpose(0, 2, 3, 1).reshape(n, spec.linearInputs());
        // Arrays derived from a parameter belong to the parameter's manager (the model's, closed only
        // with the model): hand them to this call's manager, or every forward pass would leak them.
        NDManager scope = x.getManager();
        NDArray w = scoped(ps.getValue(linearWeight, device, training).reshape(p, hidden, pooled, pooled), scope);
        w = scoped(w.transpose(0, 2, 3, 1), scope);
        w = scoped(w.reshape(p, spec.linearInputs()), scope);
        x = Linear.linear(x, w).singletonOrThrow();
        return new NDList(x.reshape(b, p, p));
    }

    private static NDArray scoped(NDArray a, NDManager scope) {
        a.attach(scope);
        return a;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        return new Shape[] {new Shape(b, spec.pieces(), spec.pieces())};
    }
}
