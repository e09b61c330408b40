package dev.sinkhorn.core.matching;

/**
 * The paper's metrics for (truth, predicted) permutation pairs, accumulated one pair at a time so
 * a whole test set can be scored without keeping it.
 *
 * <ul>
 *   <li>mean Kendall tau-b over pairs where it is defined (NaN when none is);</li>
 *   <li>prop_wrong: misplaced positions / all positions;</li>
 *   <li>prop_any_wrong: pairs with at least one misplaced position / all pairs.</li>
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

    public void add(PermutationScores other) {
        count += other.count;
        positions += other.positions;
        wrongPositions += other.wrongPositions;
        anyWrong += other.anyWrong;
        definedTaus += other.definedTaus;
        tauSum += other.tauSum;
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
