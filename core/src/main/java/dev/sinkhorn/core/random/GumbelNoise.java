package dev.sinkhorn.core.random;

import java.util.SplittableRandom;

/**
 * Standard Gumbel(0, 1) noise, g = -log(-log(U + eps) + eps) with U ~ Uniform[0, 1) and
 * eps = 1e-20, as google/gumbel_sinkhorn's sample_gumbel. One seeded generator per stream of
 * noise, so equal seeds give equal noise on every machine and thread.
 */
public final class GumbelNoise {
    public static final double EPS = 1e-20;
    private final SplittableRandom random;

    public GumbelNoise(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** An independent stream for item {@code index} of a batch drawn under {@code seed}: reproducible under any parallelism. */
    public static GumbelNoise forItem(long seed, long index) {
        return new GumbelNoise(mix(seed, index));
    }

    public double next() {
        double u = random.nextDouble();
        return -Math.log(-Math.log(u + EPS) + EPS);
    }

    /** Fills out[offset .. offset+length) with scale * g. */
    public void fill(float[] out, int offset, int length, double scale) {
        for (int k = offset; k < offset + length; k++) {
            out[k] = (float) (scale * next());
        }
    }

    /** A well-mixed 64-bit seed from (seed, index) (the SplitMix64 finaliser). */
    static long mix(long seed, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
