package dev.sinkhorn.core.matching;

/**
 * The scores of (truth, predicted) permutation pairs in both views: positional (the paper's
 * metrics, l1 and l2) and with items of identical content interchangeable (the truth relabelled
 * among them first, see {@link IdenticalItems}: only errors that change the reassembled picture
 * count). Without the items' content no two items are known to be identical, and both views agree.
 * Not thread-safe.
 */
public final class PairScores {
    private final PermutationScores positional = new PermutationScores();
    private final PermutationScores interchangeable = new PermutationScores();

    /** Scores a pair whose items' content is unknown; returns its (positional) Kendall tau. */
    public double add(int[] truth, int[] predicted) {
        interchangeable.add(truth, predicted);
        return positional.add(truth, predicted);
    }

    /**
     * Scores a pair of items [n, d] (row-major from {@code offset}): both views, and l1 and l2 of
     * the positional one; returns its positional Kendall tau.
     */
    public double add(int[] truth, int[] predicted, float[] items, int offset, int d) {
        interchangeable.add(IdenticalItems.canonicalTruth(items, offset, d, truth, predicted), predicted);
        positional.addContent(items, offset, d, truth, predicted);
        return positional.add(truth, predicted);
    }

    public PermutationScores positional() {
        return positional;
    }

    public PermutationScores interchangeable() {
        return interchangeable;
    }
}
