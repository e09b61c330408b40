package dev.sinkhorn.core.matching;

import java.util.Arrays;

/**
 * The best positional Kendall tau a model can expect on one puzzle whose items are right up to
 * identical content. Such a model knows where every distinct item goes and which positions each
 * group of identical items takes, but not which member takes which: from where it stands the
 * truth is relabelled uniformly at random within every group. A model that just places each
 * group somehow on its positions scores the "perfect reconstruction" expectation; one that hedges
 * (moves group members off the group's positions to win more pairs on average) can score more,
 * and positional tau rewards it. This computes that maximum exactly.
 *
 * <p>For permutations, tau = (concordant - discordant) / (n (n - 1) / 2), so the expected tau of a
 * prediction Q is linear in pairs:
 * <pre>
 *   E tau(Q) = sum over pairs, a placed before b by Q, of c(a, b) / (n (n - 1) / 2)
 *   c(a, b)  = E[sign(T_b - T_a)]   (the mean over the positions a's and b's groups take; 0 within a group)
 * </pre>
 * and the best Q is a linear-ordering problem, solved by dynamic programming over prefixes of the
 * order. Two facts make it small: members of a group are interchangeable, and in some optimal
 * order the distinct items keep their true order (moving an out-of-order pair of distinct items
 * into order gains 2 on their pair and loses nothing on any item between them, since
 * sign(T_a - t) + sign(t - T_b) <= 0 for every t when T_a < T_b). A state is then (distinct items
 * placed, members of each group placed): (singles + 1) * prod(group size + 1) states.
 */
public final class KendallTauCeiling {
    /** States beyond which the dynamic programme refuses (about 0.5 GB of doubles). */
    private static final long MAX_STATES = 1L << 26;

    private final int n;
    private final int[] truth;
    private final int[] leaders;

    /**
     * @param truth   truth[i] = true position of item i (a permutation of 0..n-1)
     * @param leaders items grouped by content, as {@link IdenticalItems#groupLeaders}: equal
     *                entries are identical items
     */
    public KendallTauCeiling(int[] truth, int[] leaders) {
        if (truth.length != leaders.length) {
            throw new IllegalArgumentException("truth has " + truth.length + " entries, leaders " + leaders.length);
        }
        this.n = truth.length;
        this.truth = truth.clone();
        this.leaders = leaders.clone();
    }

    /** E[sign(T_b - T_a)] over the relabellings: the gain of placing item a before item b. */
    double gain(int a, int b) {
        if (leaders[a] == leaders[b]) {
            return 0;
        }
        return meanSign(positionsOf(leaders[a]), positionsOf(leaders[b]));
    }

    /** The expected positional Kendall tau of a prediction (predicted[i] = position given to item i). */
    public double expectedTau(int[] predicted) {
        double sum = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (predicted[a] < predicted[b]) {
                    sum += gain(a, b);
                }
            }
        }
        return sum / pairs();
    }

    /** The highest expected positional Kendall tau over all predictions; 1 when no two items are identical. */
    public double best() {
        if (n < 2) {
            return Double.NaN;
        }
        // Groups of two or more identical items, and distinct items (groups of one).
        int[] groupSize = new int[n];
        for (int i = 0; i < n; i++) {
            groupSize[leaders[i]]++;
        }
        int singles = 0;
        int groups = 0;
        for (int i = 0; i < n; i++) {
            if (leaders[i] == i) {
                if (groupSize[i] == 1) {
                    singles++;
                } else {
                    groups++;
                }
            }
        }
        if (groups == 0) {
            return 1.0;
        }
        // Distinct items by true position (the order an optimal prediction keeps), groups by leader.
        int[] itemAt = new int[n];
        for (int i = 0; i < n; i++) {
            itemAt[truth[i]] = i;
        }
        int[][] singlePositions = new int[singles][];
        int[][] groupPositions = new int[groups][];
        int s = 0;
        int g = 0;
        for (int position = 0; position < n; position++) {
            if (groupSize[leaders[itemAt[position]]] == 1) {
                singlePositions[s++] = new int[] {position};
            }
        }
        for (int i = 0; i < n; i++) {
            if (leaders[i] == i && groupSize[i] > 1) {
                groupPositions[g++] = positionsOf(i);
            }
        }
        // beforeGroup[k][h]: sum over the first k singles of c(single, member of h).
        double[][] beforeGroup = new double[singles + 1][groups];
        for (int k = 0; k < singles; k++) {
            for (int h = 0; h < groups; h++) {
                beforeGroup[k + 1][h] = beforeGroup[k][h] + meanSign(singlePositions[k], groupPositions[h]);
            }
        }
        double[][] groupBeforeGroup = new double[groups][groups];
        for (int h = 0; h < groups; h++) {
            for (int j = 0; j < groups; j++) {
                groupBeforeGroup[h][j] = h == j ? 0 : meanSign(groupPositions[h], groupPositions[j]);
            }
        }
        // State index: k + (singles + 1) * (mixed radix of the members placed per group).
        long[] stride = new long[groups + 1];
        stride[0] = singles + 1;
        for (int h = 0; h < groups; h++) {
            stride[h + 1] = stride[h] * (groupPositions[h].length + 1);
        }
        if (stride[groups] > MAX_STATES) {
            throw new IllegalArgumentException(stride[groups] + " states, more than " + MAX_STATES);
        }
        int states = (int) stride[groups];
        double[] bestTo = new double[states];
        Arrays.fill(bestTo, Double.NEGATIVE_INFINITY);
        bestTo[0] = 0;
        int[] placed = new int[groups];
        for (int state = 0; state < states; state++) {
            double here = bestTo[state];
            if (here == Double.NEGATIVE_INFINITY) {
                continue;
            }
            int k = state % (singles + 1);
            for (int h = 0; h < groups; h++) {
                placed[h] = (int) (state / stride[h] % (groupPositions[h].length + 1));
            }
            if (k < singles) { // the next distinct item: after k distinct items (+1 each) and the members placed
                double gain = k;
                for (int h = 0; h < groups; h++) {
                    gain -= placed[h] * meanSign(singlePositions[k], groupPositions[h]);
                }
                relax(bestTo, state + 1, here + gain);
            }
            for (int h = 0; h < groups; h++) {
                if (placed[h] < groupPositions[h].length) { // one more member of group h
                    double gain = beforeGroup[k][h];
                    for (int j = 0; j < groups; j++) {
                        gain += placed[j] * groupBeforeGroup[j][h];
                    }
                    relax(bestTo, state + (int) stride[h], here + gain);
                }
            }
        }
        return bestTo[states - 1] / pairs();
    }

    private static void relax(double[] bestTo, int state, double value) {
        if (value > bestTo[state]) {
            bestTo[state] = value;
        }
    }

    private double pairs() {
        return n * (n - 1) / 2.0;
    }

    /** The true positions of the items whose leader is {@code leader}. */
    private int[] positionsOf(int leader) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (leaders[i] == leader) {
                count++;
            }
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (leaders[i] == leader) {
                out[k++] = truth[i];
            }
        }
        return out;
    }

    /** Mean of sign(t - s) over s in {@code from} and t in {@code to}. */
    private static double meanSign(int[] from, int[] to) {
        double sum = 0;
        for (int s : from) {
            for (int t : to) {
                sum += Integer.signum(t - s);
            }
        }
        return sum / (from.length * (double) to.length);
    }
}
