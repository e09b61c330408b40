package dev.sinkhorn.core.matching;

import java.util.Arrays;

/**
 * Kendall's tau-b with ties, in O(n log n): the same statistic and the same arithmetic as
 * scipy.stats.kendalltau (variant 'b'), so results agree to rounding.
 *
 * <pre>
 *   tau_b = (P - Q) / sqrt((n0 - n1) (n0 - n2))
 * </pre>
 * with n0 = n(n-1)/2 pairs, P - Q = n0 - n1 - n2 + n3 - 2 * discordant, n1 / n2 the pairs tied in
 * x / y, n3 the pairs tied in both. Discordant pairs are counted by a merge sort of y in
 * (x, y)-sorted order. Undefined (NaN), as in SciPy, when n < 2 or either input is constant.
 */
public final class KendallTau {
    private KendallTau() {
    }

    /** Tau-b of two equally long integer sequences (permutations, ranks, any ints). */
    public static double of(int[] x, int[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " entries, y has " + y.length);
        }
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        int[] rx = denseRanks(x);
        int[] ry = denseRanks(y);
        long xTies = tiedPairs(rx);
        long yTies = tiedPairs(ry);
        int[] ys = new int[n];
        long jointTies = 0;
        if (xTies == 0) {
            // x has distinct ranks 0..n-1: placing y at x's rank is the (x, y) order; no sort needed.
            for (int k = 0; k < n; k++) {
                ys[rx[k]] = ry[k];
            }
        } else {
            // Sort pairs by (x, y) in one primitive sort of packed keys (ranks fit in 31 bits).
            long[] keys = new long[n];
            for (int k = 0; k < n; k++) {
                keys[k] = ((long) rx[k] << 32) | ry[k];
            }
            Arrays.sort(keys);
            long run = 1;
            ys[0] = (int) keys[0];
            for (int k = 1; k < n; k++) {
                ys[k] = (int) keys[k];
                if (keys[k] == keys[k - 1]) {
                    run++;
                } else {
                    jointTies += run * (run - 1) / 2;
                    run = 1;
                }
            }
            jointTies += run * (run - 1) / 2;
        }
        long total = (long) n * (n - 1) / 2;
        if (xTies == total || yTies == total) {
            return Double.NaN;
        }
        long discordant = countInversions(ys);
        long conMinusDis = total - xTies - yTies + jointTies - 2 * discordant;
        double tau = conMinusDis / Math.sqrt(total - xTies) / Math.sqrt(total - yTies);
        return Math.min(1.0, Math.max(-1.0, tau));
    }

    /** Tau-b of two equally long real sequences; NaN entries are not allowed. */
    public static double of(double[] x, double[] y) {
        return of(denseRanks(x), denseRanks(y));
    }

    /** Dense ranks 0..k-1 of the values (equal values share a rank). */
    static int[] denseRanks(int[] values) {
        int n = values.length;
        if (isPermutation(values)) {
            return values;
        }
        long[] keyed = new long[n];
        for (int k = 0; k < n; k++) {
            keyed[k] = ((long) values[k] << 32) | k; // sorts by value (signed), then index
        }
        Arrays.sort(keyed);
        int[] ranks = new int[n];
        int rank = -1;
        int previous = 0;
        for (int k = 0; k < n; k++) {
            int value = (int) (keyed[k] >> 32);
            if (k == 0 || value != previous) {
                rank++;
                previous = value;
            }
            ranks[(int) keyed[k]] = rank;
        }
        return ranks;
    }

    private static int[] denseRanks(double[] values) {
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int k = 0; k < n; k++) {
            if (Double.isNaN(values[k])) {
                throw new IllegalArgumentException("value " + k + " is NaN");
            }
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        int[] ranks = new int[n];
        int rank = -1;
        for (int k = 0; k < n; k++) {
            if (k == 0 || values[order[k]] != values[order[k - 1]]) {
                rank++;
            }
            ranks[order[k]] = rank;
        }
        return ranks;
    }

    /** True for a permutation of 0..n-1: its own dense ranks. */
    private static boolean isPermutation(int[] values) {
        int n = values.length;
        boolean[] seen = new boolean[n];
        for (int v : values) {
            if (v < 0 || v >= n || seen[v]) {
                return false;
            }
            seen[v] = true;
        }
        return true;
    }

    /** Pairs with equal values, sum over groups of g(g-1)/2, for dense ranks. */
    private static long tiedPairs(int[] ranks) {
        int[] counts = new int[ranks.length];
        for (int r : ranks) {
            counts[r]++;
        }
        long ties = 0;
        for (int c : counts) {
            ties += (long) c * (c - 1) / 2;
        }
        return ties;
    }

    /** Number of pairs k < l with a[k] > a[l] (strictly), by bottom-up merge sort. Sorts a. */
    static long countInversions(int[] a) {
        int n = a.length;
        int[] src = a;
        int[] dst = new int[n];
        long inversions = 0;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    if (src[j] < src[i]) {
                        inversions += mid - i;
                        dst[k++] = src[j++];
                    } else {
                        dst[k++] = src[i++];
                    }
                }
                while (i < mid) {
                    dst[k++] = src[i++];
                }
                while (j < hi) {
                    dst[k++] = src[j++];
                }
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        return inversions;
    }
}
