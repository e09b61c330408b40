package dev.sinkhorn.core.matching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Items with identical content (blank jigsaw pieces, mostly) cannot be told apart by any model:
 * which of them goes where is a coin toss, and positional metrics count the toss as an error. This
 * relabels the truth among identical items to agree with the prediction wherever it can, so that
 * metrics computed against it count only errors that change the reconstruction.
 */
public final class IdenticalItems {
    private IdenticalItems() {
    }

    /**
     * The true permutation with positions exchanged among items of identical content so that as
     * many items as possible are where the prediction put them.
     *
     * @param items [n, d] row-major from {@code offset}: item i's content
     */
    public static int[] canonicalTruth(float[] items, int offset, int d, int[] truth, int[] predicted) {
        int n = truth.length;
        int[] first = groupLeaders(items, offset, d, n);
        Map<Integer, List<Integer>> groups = new HashMap<>();
        for (int i = 0; i < n; i++) {
            groups.computeIfAbsent(first[i], k -> new ArrayList<>()).add(i);
        }
        int[] canonical = truth.clone();
        for (List<Integer> group : groups.values()) {
            if (group.size() < 2) {
                continue;
            }
            List<Integer> freePositions = new ArrayList<>();
            for (int i : group) {
                freePositions.add(truth[i]);
            }
            List<Integer> unplaced = new ArrayList<>();
            for (int i : group) {
                Integer wanted = predicted[i];
                if (freePositions.remove(wanted)) {
                    canonical[i] = wanted; // the prediction is right up to identical content
                } else {
                    unplaced.add(i);
                }
            }
            for (int k = 0; k < unplaced.size(); k++) {
                canonical[unplaced.get(k)] = freePositions.get(k);
            }
        }
        return canonical;
    }

    /**
     * Items grouped by content: entry i is the lowest index of an item whose content equals item
     * i's (i itself when no earlier item does). Items compared in place; n <= 49 pieces, so
     * pairwise is cheap.
     *
     * @param items [n, d] row-major from {@code offset}
     */
    public static int[] groupLeaders(float[] items, int offset, int d, int n) {
        int[] first = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = i;
            for (int j = 0; j < i; j++) {
                if (first[j] == j && Arrays.equals(items, offset + i * d, offset + (i + 1) * d,
                        items, offset + j * d, offset + (j + 1) * d)) {
                    first[i] = j;
                    break;
                }
            }
        }
        return first;
    }
}
