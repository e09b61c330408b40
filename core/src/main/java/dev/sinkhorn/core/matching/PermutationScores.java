package dev.sinkhorn.core.matching;

/**
 * The paper's metrics for (truth, predicted) permutation pairs, accumulated one pair at a time so
 * a whole test set can be scored without keeping it.
 *
 * <ul>
 *   <li>mean Kendall tau-b over pairs where it is defined (NaN when none is);</li>
 *   <li>prop_wrong: misplaced positions / all positions;</li>
 *   <li>prop_any_wrong: pairs with at least one misplaced position / all pairs;</li>
 *   <li>l1 and l2, when the items' content is given: mean absolute and mean squared difference per
 *       value between the items as placed by the prediction and as placed by the truth.</li>
 * </ul>
 * Not thread-safe; combine per-thread accumulators with {@link #add(PermutationScores)}.
 */
public final class PermutationScores {
    private long count;
    private long positions;
    private long wrongPositions;
    private long anyWrong;
    private long definedTaus;
    private double tauSum;
    private long contentValues;
    private double absSum;
    private double squareSum;

    /** Scores one pair and returns its Kendall tau. Both must be equally long. */
    public double add(int[] truth, int[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("truth has " + truth.length + " entries, predicted " + predicted.length);
        }
        int wrong = 0;
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] != predicted[i]) {
                wrong++;
            }
        }
        double tau = KendallTau.of(truth, predicted);
        count++;
        positions += truth.length;
        wrongPositions += wrong;
        anyWrong += wrong > 0 ? 1 : 0;
        if (!Double.isNaN(tau)) {
            definedTaus++;
            tauSum += tau;
        }
        return tau;
    }

    /**
     * Adds the content error of one pair: items [n, d] (row-major from {@code offset}) placed at
     * the predicted positions against the same items placed at the true ones. Accumulates
     * |difference| and difference^2 per value for {@link #l1()} and {@link #l2()}.
     */
    public void addContent(float[] items, int offset, int d, int[] truth, int[] predicted) {
        int n = truth.length;
        int[] truthInverse = new int[n];
        for (int i = 0; i < n; i++) {
            truthInverse[truth[i]] = i;
        }
        for (int i = 0; i < n; i++) {
            // Position predicted[i] holds item i; the truth puts item truthInverse[predicted[i]] there.
            int other = truthInverse[predicted[i]];
            if (other == i) {
                continue;
            }
            int a = offset + i * d;
            int b = offset + other * d;
            for (int k = 0; k < d; k++) {
                double diff = items[a + k] - items[b + k];
                absSum += Math.abs(diff);
                squareSum += diff * diff;
            }
        }
        contentValues += (long) n * d;
    }

    public void add(PermutationScores other) {
        count += other.count;
        positions += other.positions;
        wrongPositions += other.wrongPositions;
        anyWrong += other.anyWrong;
        definedTaus += other.definedTaus;
        tauSum += other.tauSum;
        contentValues += other.contentValues;
        absSum += other.absSum;
        squareSum += other.squareSum;
    }

    /** True when {@link #addContent} was called: l1 and l2 are defined. */
    public boolean hasContent() {
        return contentValues > 0;
    }

    /** Mean absolute difference per value between predicted and true placements. */
    public double l1() {
        return contentValues == 0 ? Double.NaN : absSum / contentValues;
    }

    /** Mean squared difference per value between predicted and true placements. */
    public double l2() {
        return contentValues == 0 ? Double.NaN : squareSum / contentValues;
    }

    public long count() {
        return count;
    }

    public double meanKendallTau() {
        return definedTaus == 0 ? Double.NaN : tauSum / definedTaus;
    }

    public double propWrong() {
        return positions == 0 ? Double.NaN : (double) wrongPositions / positions;
    }

    public double propAnyWrong() {
        return count == 0 ? Double.NaN : (double) anyWrong / count;
    }
}
