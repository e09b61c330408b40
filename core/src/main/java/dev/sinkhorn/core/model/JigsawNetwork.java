package dev.sinkhorn.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

/**
 * The Sinkhorn network of the seed notebook (Mena et al., Fig. 1), generalised by {@link ModelSpec}.
 *
 * <p>Input: scrambled pieces [B, P, C, h, w], already normalised. Output: log_alpha [B, P, P],
 * row p = the scores of piece p for every position. The same network scores every piece, and all
 * B*P pieces go through it in one batched call (no per-piece loop):
 * conv(k, hidden, padding k/2) -> max-pool 2 -> ReLU -> BatchNorm -> linear(P, no bias).
 *
 * <p>Parameters (saved in this order by {@link #saveParameters}): those of {@link PieceFeatures}
 * (conv_weight [hidden, C, k, k], conv_bias [hidden], bn_gamma, bn_beta, bn_running_mean,
 * bn_running_var [hidden]), then linear_weight [P, hidden * ph * pw] over the NCHW flattening of the
 * pooled features, as PyTorch's layers.
 */
public final class JigsawNetwork extends PuzzleNetwork {
    private static final byte VERSION = 1;

    private final ModelSpec spec;
    private final Parameter linearWeight;

    /** A network whose parameters will be initialised from {@code seed} (same seed, same parameters). */
    JigsawNetwork(ModelSpec spec, long seed) {
        super(VERSION, spec, seed);
        this.spec = spec;
        linearWeight = addParameter(Parameter.builder().setName("linear_weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(spec.pieces(), spec.linearInputs()))
                .optInitializer(UniformInitializer.forFanIn(spec.linearInputs(), seed + 2)).build());
    }

    @Override
    protected NDArray scores(ParameterStore ps, NDArray pieces, NDArray x, long b, boolean training) {
        int p = spec.pieces();
        int pooled = spec.pooledSize();
        int hidden = spec.hiddenChannels();
        // The features are NHWC-flattened; permute the linear weight, stored in PyTorch's
        // NCHW-flatten layout, to match: the same product without a layout copy.
        // Arrays derived from a parameter belong to the parameter's manager (the model's, closed only
        // with the model): hand them to this call's manager, or every forward pass would leak them.
        NDManager scope = x.getManager();
        NDArray w = scoped(ps.getValue(linearWeight, x.getDevice(), training).reshape(p, hidden, pooled, pooled), scope);
        w = scoped(w.transpose(0, 2, 3, 1), scope);
        w = scoped(w.reshape(p, spec.linearInputs()), scope);
        return Linear.linear(x, w).singletonOrThrow();
    }

    private static NDArray scoped(NDArray a, NDManager scope) {
        a.attach(scope);
        return a;
    }
}
