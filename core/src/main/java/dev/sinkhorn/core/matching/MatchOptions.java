package dev.sinkhorn.core.matching;

/**
 * How {@link BatchMatcher} solves a batch.
 *
 * @param minimize       true: minimise the sum of the chosen entries; false: maximise it (the hard matching M(X))
 * @param withPotentials keep each solution's dual potentials (its optimality certificate); costs two
 *                       copies per matrix, so leave it off when solving many small matrices
 */
public record MatchOptions(boolean minimize, boolean withPotentials) {
    /** Maximise, without potentials: M(X) for every matrix. */
    public static final MatchOptions MAXIMIZE = new MatchOptions(false, false);
}
