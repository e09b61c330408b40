package dev.sinkhorn.core.sorting;

import dev.sinkhorn.core.data.ScrambledBatch;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws the sorting task's inputs: lists of n numbers, each uniform in a range, with their truth.
 * A list drawn at random is already in a random order, so it is its own scramble: the true order
 * is the sorted list, and the true assignment of number i is its rank (ties, which have
 * probability 0, go by position).
 */
public final class NumberLists {
    private NumberLists() {
    }

    /**
     * {@code batch} lists of {@code n} numbers as a {@link ScrambledBatch} of 1 x 1 x 1 items:
     * scrambledPieces [batch, n] the lists, truePieces [batch, n] each sorted ascending,
     * permutations[b][i] the rank of number i.
     */
    public static ScrambledBatch draw(int batch, int n, UniformRange range, RandomGenerator rng) {
        float[] lists = new float[batch * n];
        float width = (float) (range.high() - range.low());
        for (int k = 0; k < lists.length; k++) {
            lists[k] = (float) range.low() + width * rng.nextFloat();
        }
        return withTruth(lists, batch, n);
    }

    /** The truth of given lists [batch, n] (see {@link #draw}). */
    public static ScrambledBatch withTruth(float[] lists, int batch, int n) {
        float[] sorted = new float[lists.length];
        int[][] ranks = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int[] order = order(lists, b * n, n);
            ranks[b] = new int[n];
            for (int r = 0; r < n; r++) {
                ranks[b][order[r]] = r;
                sorted[b * n + r] = lists[b * n + order[r]];
            }
        }
        return new ScrambledBatch(batch, n, 1, 1, 1, sorted, lists, ranks);
    }

    /** Indices of values[from .. from + n) in ascending order of value (stable). */
    public static int[] order(float[] values, int from, int n) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, c) -> Float.compare(values[from + a], values[from + c]));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
