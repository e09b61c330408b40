package dev.sinkhorn.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.random.GumbelSampling;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import dev.sinkhorn.core.sinkhorn.SinkhornResult;
import dev.sinkhorn.core.sinkhorn.SinkhornSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The Sinkhorn operator's pass for the {@link DynamicBatcher}: Sinkhorn and GumbelSinkhorn requests
 * on N x N matrices with the same settings run as one [sum of B_i, N, N] operator call (Sinkhorn
 * acts on each matrix alone, so a caller's matrices come out as they would alone). GumbelSinkhorn
 * inputs are perturbed per request with the request's seed first. Early stopping
 * (tolerance > 0) stops on the batch's worst matrix, so such requests are not batchable: they run
 * alone, and their iteration count is their own.
 *
 * @param n        matrix size
 * @param settings tau, n_iter and tolerance
 */
record SinkhornPass(int n, SinkhornSettings settings) implements DynamicBatcher.Kind<SinkhornPass.Matrices, SinkhornPass.Output> {
    /**
     * One caller's matrices.
     *
     * @param values   batch x N x N log-assignment scores
     * @param batch    matrices in the request
     * @param sampling Gumbel samples per matrix and noise scale, or null for plain Sinkhorn
     * @param seed     the noise's seed (with sampling)
     */
    record Matrices(float[] values, int batch, GumbelSampling sampling, long seed) {
        int outputs() {
            return sampling == null ? batch : batch * sampling.samples();
        }
    }

    /**
     * One caller's result.
     *
     * @param matrices         outputs x N x N doubly stochastic matrices
     * @param maxMarginalError per output matrix
     * @param iterations       iterations done
     */
    record Output(float[] matrices, float[] maxMarginalError, int iterations) {
    }

    @Override
    public String rpc() {
        return "Sinkhorn";
    }

    @Override
    public String unit() {
        return "matrices";
    }

    @Override
    public boolean batchable() {
        return settings.tolerance() == 0f;
    }

    @Override
    public int items(Matrices input) {
        return input.outputs();
    }

    @Override
    public List<Output> run(List<Matrices> inputs, BooleanSupplier allGone) {
        try (NDManager m = NDManager.newBaseManager(Devices.forName("auto"))) {
            NDList parts = new NDList(inputs.size());
            for (Matrices in : inputs) {
                NDArray x = m.create(in.values(), new Shape(in.batch(), n, n));
                parts.add(in.sampling() == null ? x : SinkhornOps.gumbelPerturbed(x, in.sampling(), in.seed()));
            }
            NDArray all = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            SinkhornResult r = SinkhornOps.sinkhorn(all, settings, allGone);
            float[] values = r.matrices().toFloatArray();
            List<Output> outputs = new ArrayList<>(inputs.size());
            int first = 0;
            for (Matrices in : inputs) {
                int last = first + in.outputs();
                outputs.add(new Output(Arrays.copyOfRange(values, first * n * n, last * n * n),
                        Arrays.copyOfRange(r.maxMarginalError(), first, last), r.iterations()));
                first = last;
            }
            return outputs;
        }
    }
}
