package dev.sinkhorn.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The Sinkhorn network of the paper's number-sorting task (Mena et al. 2018, section 5.1; as in
 * google/gumbel_sinkhorn's sorting model): every number of a list goes through the same small
 * network, linear(1 -> units) -> ReLU -> linear(units -> N), whose N outputs are that number's
 * scores for the N positions of the sorted list.
 *
 * <p>Input: lists [B, N] (no normalisation). Output: log_alpha [B, N, N], row i = the scores of
 * number i. All B*N numbers go through the network in one batched call. Lists of another length
 * n are scored too ([B, n] gives [B, n, N]: every number's scores for the N trained positions),
 * which is what {@code SortingEvaluation} resamples to test on another length.
 *
 * <p>Parameters (saved in this order): hidden_weight [units, 1], hidden_bias [units],
 * output_weight [N, units], output_bias [N], initialised as PyTorch's nn.Linear
 * (U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
 */
public final class SortingNetwork extends ScoringNetwork {
    private static final byte VERSION = 1;

    private final Parameter hiddenWeight;
    private final Parameter hiddenBias;
    private final Parameter outputWeight;
    private final Parameter outputBias;

    SortingNetwork(ModelSpec spec, long seed) {
        super(VERSION, spec);
        int units = spec.units();
        int n = spec.items();
        hiddenWeight = addParameter(Parameter.builder().setName("hidden_weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(units, 1)).optInitializer(UniformInitializer.forFanIn(1, seed)).build());
        hiddenBias = addParameter(Parameter.builder().setName("hidden_bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(units)).optInitializer(UniformInitializer.forFanIn(1, seed + 1)).build());
        outputWeight = addParameter(Parameter.builder().setName("output_weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(n, units)).optInitializer(UniformInitializer.forFanIn(units, seed + 2)).build());
        outputBias = addParameter(Parameter.builder().setName("output_bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(n)).optInitializer(UniformInitializer.forFanIn(units, seed + 3)).build());
    }

    @Override
    public Shape inputShape(long b) {
        return new Shape(b, spec().items());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray lists = inputs.singletonOrThrow();
        long b = lists.getShape().get(0);
        long n = lists.getShape().get(1);
        ai.djl.Device device = lists.getDevice();
        NDArray x = lists.reshape(b * n, 1);
        x = Linear.linear(x, ps.getValue(hiddenWeight, device, training), ps.getValue(hiddenBias, device, training))
                .singletonOrThrow();
        x = Activation.relu(x);
        x = Linear.linear(x, ps.getValue(outputWeight, device, training), ps.getValue(outputBias, device, training))
                .singletonOrThrow();
        return new NDList(x.reshape(b, n, spec().items()));
    }
}
