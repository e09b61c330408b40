package dev.sinkhorn.core.sinkhorn;

/**
 * The Sinkhorn operator's settings.
 *
 * @param tau       temperature > 0: the operator normalises exp(log_alpha / tau)
 * @param nIter     iterations (each one row and one column normalisation); the cap when tolerance > 0
 * @param tolerance > 0: stop after the first iteration at which every row and column sum of every
 *                  matrix is within tolerance of 1; 0: always nIter iterations
 */
public record SinkhornSettings(float tau, int nIter, float tolerance) {
    public SinkhornSettings {
        if (!(tau > 0) || !Float.isFinite(tau)) {
            throw new IllegalArgumentException("tau must be > 0 and finite, got " + tau);
        }
        if (nIter < 0) {
            throw new IllegalArgumentException("nIter must be >= 0, got " + nIter);
        }
        if (!(tolerance >= 0) || !Float.isFinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be >= 0 and finite, got " + tolerance);
        }
    }

    /** n_iter iterations at temperature tau, no early stop. */
    public static SinkhornSettings of(float tau, int nIter) {
        return new SinkhornSettings(tau, nIter, 0f);
    }
}
