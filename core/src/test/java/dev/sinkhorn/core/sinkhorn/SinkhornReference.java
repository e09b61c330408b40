package dev.sinkhorn.core.sinkhorn;

/** The Sinkhorn operator written out in double precision, one matrix at a time: the tests' reference. */
public final class SinkhornReference {
    private SinkhornReference() {
    }

    /** exp of n_iter row-then-column log-space normalisations of x[offset .. offset + n*n) / tau. */
    public static double[] sinkhorn(float[] x, int offset, int n, double tau, int nIter) {
        double[] d = new double[n * n];
        for (int k = 0; k < n * n; k++) {
            d[k] = x[offset + k];
        }
        return sinkhorn(d, n, tau, nIter);
    }

    /** exp of n_iter row-then-column log-space normalisations of the n x n matrix x / tau. */
    public static double[] sinkhorn(double[] x, int n, double tau, int nIter) {
        double[] a = new double[n * n];
        for (int k = 0; k < n * n; k++) {
            a[k] = x[k] / tau;
        }
        for (int it = 0; it < nIter; it++) {
            for (int i = 0; i < n; i++) {
                subtractLogSumExp(a, i * n, 1, n); // row i
            }
            for (int j = 0; j < n; j++) {
                subtractLogSumExp(a, j, n, n); // column j
            }
        }
        for (int k = 0; k < n * n; k++) {
            a[k] = Math.exp(a[k]);
        }
        return a;
    }

    /** a[first + k * stride] -= logsumexp over k < n of the same entries (one row or one column). */
    private static void subtractLogSumExp(double[] a, int first, int stride, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            max = Math.max(max, a[first + k * stride]);
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += Math.exp(a[first + k * stride] - max);
        }
        double lse = max + Math.log(sum);
        for (int k = 0; k < n; k++) {
            a[first + k * stride] -= lse;
        }
    }
}
