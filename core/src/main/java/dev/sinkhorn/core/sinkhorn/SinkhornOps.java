package dev.sinkhorn.core.sinkhorn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.sinkhorn.core.random.GumbelNoise;
import dev.sinkhorn.core.random.GumbelSampling;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The Sinkhorn operator and Gumbel-Sinkhorn sampling on DJL NDArrays (any engine; PyTorch here),
 * differentiable end to end.
 */
public final class SinkhornOps {
    /** Matrices of 7 to 15 rows run padded to this size on CPU (see padsForSpeed). */
    private static final int PADDED_SIZE = 16;
    private static final BooleanSupplier NEVER = () -> false;

    private SinkhornOps() {
    }

    /**
     * Sinkhorn normalisation in log space: n_iter rounds of "subtract the logsumexp over each row,
     * then over each column" applied to log_alpha / tau, then exp. Converges to a doubly
     * stochastic matrix (Sinkhorn and Knopp, 1967); at tau -> 0 to the hard matching M(log_alpha).
     *
     * @param logAlpha [B, N, N] log-assignment scores (a 2-D [N, N] input is treated as B = 1)
     * @param settings tau, n_iter and the early-stop tolerance
     * @return [B, N, N] matrices with per-matrix max marginal error and the iterations done
     */
    public static SinkhornResult sinkhorn(NDArray logAlpha, SinkhornSettings settings) {
        return sinkhorn(logAlpha, settings, NEVER);
    }

    /**
     * {@link #sinkhorn(NDArray, SinkhornSettings)} that its caller can abandon: {@code cancelled}
     * is asked before every iteration, and once it answers true the work stops with a
     * {@link CancellationException} (a served request whose client has gone stops within one
     * iteration instead of finishing thousands).
     */
    public static SinkhornResult sinkhorn(NDArray logAlpha, SinkhornSettings settings, BooleanSupplier cancelled) {
        int[] done = new int[1];
        NDArray matrices = normalize(logAlpha, settings.tau(), settings.nIter(), settings.tolerance(), done, cancelled).exp();
        float[] errors = marginalErrors(matrices.stopGradient());
        return new SinkhornResult(matrices, errors, done[0]);
    }

    /**
     * The training path of {@link #sinkhorn}: exp of n_iter log-space normalisations of
     * log_alpha / tau, without diagnostics (no extra work per step). [B, N, N] in and out.
     */
    public static NDArray sinkhornMatrices(NDArray logAlpha, float tau, int nIter) {
        return normalize(logAlpha, tau, nIter, 0f, new int[1], NEVER).exp();
    }

    private static NDArray normalize(NDArray logAlpha, float tau, int nIter, float tolerance, int[] done,
                                     BooleanSupplier cancelled) {
        NDArray x = logAlpha.getShape().dimension() == 2 ? logAlpha.expandDims(0) : logAlpha;
        if (tau != 1f) {
            // A tensor scalar that lives with the input's manager: DJL's div(Number) frees its
            // scalar while autograd may still need it (docs/training.md).
            x = x.div(x.getManager().create(tau));
        }
        int n = Math.toIntExact(x.getShape().get(1));
        boolean padded = padsForSpeed(x, n);
        if (padded) {
            x = blockDiagonal(x, n);
        }
        for (int it = 0; it < nIter; it++) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("Sinkhorn cancelled after " + it + " of " + nIter + " iterations");
            }
            // x.logSoftmax(axis) is exactly x - logsumexp(x, axis): rows (axis 2), then columns (axis 1).
            x = x.logSoftmax(2).logSoftmax(1);
            done[0]++;
            if (tolerance > 0 && rowError((padded ? topLeft(x, n) : x).stopGradient()).max().getFloat() <= tolerance) {
                break; // columns are exact after the column step; rows carry the error
            }
        }
        return padded ? topLeft(x, n) : x;
    }

    /**
     * Whether to run [B, n, n] as [B, 16, 16] blocks (see {@link #blockDiagonal}): on CPU, libtorch's
     * log_softmax over a dimension shorter than its vector width (16 floats with AVX-512) is about
     * 6x slower per element than over 16 (measured: [1024, 9, 9] 12.8 ms padded to 6.1 ms,
     * [1024, 15, 15] 38 ms to 7 ms, 20 iterations). Below 7 the extra elements cost more than that.
     */
    private static boolean padsForSpeed(NDArray x, int n) {
        return n >= 7 && n < PADDED_SIZE && x.getDevice().getDeviceType().equals(Device.Type.CPU);
    }

    /**
     * [B, n, n] -> [B, 16, 16]: x in the top-left block, zeros in the bottom-right block and -inf
     * between. Sinkhorn of a block-diagonal matrix is Sinkhorn of each block (exp(-inf) = 0 never
     * mixes them, and every row and column keeps finite entries, so nothing becomes NaN), so the
     * top-left block of the result is exactly Sinkhorn of x. Differentiable (concatenations).
     */
    private static NDArray blockDiagonal(NDArray x, int n) {
        NDManager manager = x.getManager();
        long b = x.getShape().get(0);
        int pad = PADDED_SIZE - n;
        NDArray top = x.concat(manager.full(new Shape(b, n, pad), Float.NEGATIVE_INFINITY), 2);
        NDArray bottom = manager.full(new Shape(b, pad, n), Float.NEGATIVE_INFINITY)
                .concat(manager.zeros(new Shape(b, pad, pad)), 2);
        return top.concat(bottom, 1);
    }

    private static NDArray topLeft(NDArray x, int n) {
        return x.get(new NDIndex(":, :{}, :{}", n, n));
    }

    /**
     * Samples of the Gumbel-Sinkhorn distribution S((log_alpha + noise_factor * g) / tau), as
     * google/gumbel_sinkhorn's gumbel_sinkhorn(log_alpha, temp, n_samples, noise_factor, n_iters).
     *
     * @param logAlpha [B, N, N]
     * @param settings tau, n_iter and tolerance of the Sinkhorn operator applied to each sample
     * @param sampling samples per input matrix and the noise scale (0: plain Sinkhorn, repeated)
     * @param seed     noise seed: equal seeds give equal samples
     * @return [B * samples, N, N], the samples of input b at b * samples + s
     */
    public static SinkhornResult gumbelSinkhorn(NDArray logAlpha, SinkhornSettings settings, GumbelSampling sampling, long seed) {
        return gumbelSinkhorn(logAlpha, settings, sampling, seed, NEVER);
    }

    /**
     * {@link #gumbelSinkhorn(NDArray, SinkhornSettings, GumbelSampling, long)} that its caller can
     * abandon, as {@link #sinkhorn(NDArray, SinkhornSettings, BooleanSupplier)}.
     */
    public static SinkhornResult gumbelSinkhorn(NDArray logAlpha, SinkhornSettings settings, GumbelSampling sampling, long seed,
                                                BooleanSupplier cancelled) {
        return sinkhorn(gumbelPerturbed(logAlpha, sampling, seed), settings, cancelled);
    }

    /**
     * The inputs of Gumbel-Sinkhorn's samples, log_alpha + noise_factor * g: each matrix repeated
     * {@code samples} times, then {@link #addGumbel} over the whole [B * samples, N, N] array. The
     * noise depends on the seed and on B, so a seeded request gives the same samples whether it
     * runs alone or in a pass with other requests' matrices (which are perturbed on their own).
     *
     * @param logAlpha [B, N, N] (a 2-D [N, N] input is treated as B = 1)
     * @return [B * samples, N, N], the samples of input b at b * samples + s
     */
    public static NDArray gumbelPerturbed(NDArray logAlpha, GumbelSampling sampling, long seed) {
        NDArray x = logAlpha.getShape().dimension() == 2 ? logAlpha.expandDims(0) : logAlpha;
        NDArray repeated = sampling.samples() == 1 ? x : x.repeat(0, sampling.samples());
        return addGumbel(repeated, sampling.noiseFactor(), seed);
    }

    /** x + noiseFactor * g, g ~ Gumbel(0, 1) i.i.d. per entry from {@link GumbelNoise}(seed). */
    public static NDArray addGumbel(NDArray x, float noiseFactor, long seed) {
        return x.add(gumbel(x.getManager(), x.getShape(), noiseFactor, seed));
    }

    /** noiseFactor * Gumbel(0, 1) noise of the given shape from a seeded generator (see {@link GumbelNoise}). */
    public static NDArray gumbel(NDManager manager, Shape shape, float noiseFactor, long seed) {
        float[] g = new float[Math.toIntExact(shape.size())];
        new GumbelNoise(seed).fill(g, 0, g.length, noiseFactor);
        return manager.create(g, shape);
    }

    /**
     * Reorders pieces with (soft) permutations: ordered[b, q] = sum_p S[b, p, q] * pieces[b, p],
     * as the seed notebook's einsum("bpq,bpchw->bqchw").
     *
     * @param permutations [B, P, P]
     * @param pieces       [B, P, D] (pieces flattened to D = C*h*w)
     * @return [B, P, D]
     */
    public static NDArray reorder(NDArray permutations, NDArray pieces) {
        return permutations.transpose(0, 2, 1).batchMatMul(pieces);
    }

    private static NDArray rowError(NDArray logX) {
        return logX.exp().sum(new int[] {2}).sub(1f).abs().max(new int[] {1});
    }

    private static float[] marginalErrors(NDArray m) {
        NDArray rows = m.sum(new int[] {2}).sub(1f).abs().max(new int[] {1});
        NDArray cols = m.sum(new int[] {1}).sub(1f).abs().max(new int[] {1});
        return rows.maximum(cols).toFloatArray();
    }
}
