package dev.sinkhorn.core.random;

/**
 * How many Gumbel-perturbed samples to draw per input matrix, and the noise scale: sample s of
 * matrix X is X + noiseFactor * g with g ~ Gumbel(0, 1) i.i.d. per entry. Used by Gumbel-Sinkhorn
 * (S((X + noise) / tau)) and Gumbel-Matching (M(X + noise)).
 *
 * @param samples     samples per matrix, >= 1
 * @param noiseFactor scale of the noise, finite and >= 0 (0: no noise)
 */
public record GumbelSampling(int samples, float noiseFactor) {
    public GumbelSampling {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        if (!(noiseFactor >= 0) || !Float.isFinite(noiseFactor)) {
            throw new IllegalArgumentException("noiseFactor must be finite and >= 0, got " + noiseFactor);
        }
    }
}
