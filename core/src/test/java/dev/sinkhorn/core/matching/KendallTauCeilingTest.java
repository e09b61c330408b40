package dev.sinkhorn.core.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.jigsaw.Jigsaw;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KendallTauCeilingTest {

    @Test
    void aHandComputedHedgeBeatsPlacingTheGroupOnItsPositions() {
        // Items 0, 1, 2 identical at positions 0, 1, 3; item 3 alone at position 2. A member
        // placed before item 3 wins sign(2 - s) on average over s in {0, 1, 3}: 1/3. Placing the
        // group where it belongs (two members before item 3, one after) expects (2 - 1) / 3 / 6 =
        // 1/18; putting all three before item 3 expects 3 * (1/3) / 6 = 1/6.
        int[] truth = {0, 1, 3, 2};
        int[] leaders = {0, 0, 0, 3};
        KendallTauCeiling ceiling = new KendallTauCeiling(truth, leaders);
        assertEquals(1.0 / 18, ceiling.expectedTau(truth), 1e-12);
        assertEquals(1.0 / 18, meanOverRelabellings(truth, leaders, truth), 1e-12);
        assertEquals(1.0 / 6, ceiling.best(), 1e-12);
        int[] hedge = {0, 1, 2, 3};
        assertEquals(1.0 / 6, ceiling.expectedTau(hedge), 1e-12);
        assertEquals(1.0 / 6, meanOverRelabellings(truth, leaders, hedge), 1e-12);
    }

    @Test
    void noIdenticalItemsMeansOnlyTheTruthIsBest() {
        assertEquals(1.0, new KendallTauCeiling(new int[] {2, 0, 1}, new int[] {0, 1, 2}).best(), 0);
    }

    @Test
    void theDynamicProgrammeFindsTheBestOfAllPredictionsAndTheExpectationIsTheMetricsMean() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 300; trial++) {
            int n = 2 + rng.nextInt(6);
            int[] truth = Jigsaw.randomPermutation(n, rng);
            int[] leaders = randomGroups(n, rng);
            KendallTauCeiling ceiling = new KendallTauCeiling(truth, leaders);
            double bruteForce = Double.NEGATIVE_INFINITY;
            for (int[] q : allPermutations(n)) {
                double expected = ceiling.expectedTau(q);
                if (n <= 5) {
                    assertEquals(meanOverRelabellings(truth, leaders, q), expected, 1e-12);
                }
                bruteForce = Math.max(bruteForce, expected);
            }
            assertEquals(bruteForce, ceiling.best(), 1e-12, "n " + n + " trial " + trial);
            assertTrue(ceiling.best() >= ceiling.expectedTau(truth) - 1e-12);
        }
    }

    /** The mean of KendallTau.of(relabelled truth, predicted) over every relabelling within the groups. */
    private static double meanOverRelabellings(int[] truth, int[] leaders, int[] predicted) {
        int n = truth.length;
        double sum = 0;
        int count = 0;
        for (int[] relabel : allPermutations(n)) {
            boolean withinGroups = true;
            for (int i = 0; i < n; i++) {
                withinGroups &= leaders[relabel[i]] == leaders[i];
            }
            if (!withinGroups) {
                continue;
            }
            int[] relabelled = new int[n];
            for (int i = 0; i < n; i++) {
                relabelled[i] = truth[relabel[i]];
            }
            sum += KendallTau.of(relabelled, predicted);
            count++;
        }
        return sum / count;
    }

    private static int[] randomGroups(int n, SplittableRandom rng) {
        int[] leaders = new int[n];
        for (int i = 0; i < n; i++) {
            int j = rng.nextInt(i + 1); // join an earlier item's group, or (j == i) start a new one
            leaders[i] = j == i || rng.nextInt(3) == 0 ? i : leaders[j];
        }
        return leaders;
    }

    private static List<int[]> allPermutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] prefix, boolean[] used, int k, List<int[]> out) {
        if (k == prefix.length) {
            out.add(prefix.clone());
            return;
        }
        for (int v = 0; v < prefix.length; v++) {
            if (!used[v]) {
                used[v] = true;
                prefix[k] = v;
                permute(prefix, used, k + 1, out);
                used[v] = false;
            }
        }
    }
}
