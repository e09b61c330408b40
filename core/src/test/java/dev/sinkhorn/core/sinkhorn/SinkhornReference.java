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
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, a[i * n + j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += Math.exp(a[i * n + j] - max);
                }
                double lse = max + Math.log(sum);
                for (int j = 0; j < n; j++) {
                    a[i * n + j] -= lse;
                }
            }
            for (int j = 0; j < n; j++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, a[i * n + j]);
                }
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += Math.exp(a[i * n + j] - max);
                }
                double lse = max + Math.log(sum);
                for (int i = 0; i < n; i++) {
                    a[i * n + j] -= lse;
                }
            }
        }
        for (int k = 0; k < n * n; k++) {
            a[k] = Math.exp(a[k]);
        }
        return a;
    }
}
