package dev.sinkhorn.core.matching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KendallTauTest {

    /** Tau-b from its definition, O(n^2): sum of sign products over pairs / sqrt((n0 - n1)(n0 - n2)). */
    static double reference(int[] x, int[] y) {
        int n = x.length;
        long s = 0;
        long n1 = 0;
        long n2 = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int a = Integer.signum(x[i] - x[j]);
                int b = Integer.signum(y[i] - y[j]);
                s += (long) a * b;
                n1 += a == 0 ? 1 : 0;
                n2 += b == 0 ? 1 : 0;
            }
        }
        long n0 = (long) n * (n - 1) / 2;
        if (n < 2 || n1 == n0 || n2 == n0) {
            return Double.NaN;
        }
        return s / Math.sqrt((double) (n0 - n1) * (n0 - n2));
    }

    @Test
    void valuesComputedByHand() {
        assertEquals(1.0, KendallTau.of(new int[] {0, 1, 2, 3}, new int[] {0, 1, 2, 3}));
        assertEquals(-1.0, KendallTau.of(new int[] {0, 1, 2, 3}, new int[] {3, 2, 1, 0}));
        // One swapped neighbour among 3: 2 concordant, 1 discordant pair: (2 - 1) / 3.
        assertEquals(1.0 / 3, KendallTau.of(new int[] {0, 1, 2}, new int[] {1, 0, 2}), 1e-15);
        // 2x2 jigsaw: two pieces swapped: 6 pairs, 5 concordant, 1 discordant: 4/6.
        assertEquals(2.0 / 3, KendallTau.of(new int[] {0, 1, 2, 3}, new int[] {1, 0, 2, 3}), 1e-15);
        // Ties: x = (1, 2, 2), y = (1, 2, 3): pairs (0,1) +1, (0,2) +1, (1,2) tied in x.
        // n0 = 3, n1 = 1, n2 = 0: 2 / sqrt(2 * 3).
        assertEquals(2 / Math.sqrt(6), KendallTau.of(new int[] {1, 2, 2}, new int[] {1, 2, 3}), 1e-15);
    }

    @Test
    void undefinedWhereScipyIsUndefined() {
        assertTrue(Double.isNaN(KendallTau.of(new int[] {}, new int[] {})));
        assertTrue(Double.isNaN(KendallTau.of(new int[] {0}, new int[] {0})));
        assertTrue(Double.isNaN(KendallTau.of(new int[] {4, 4, 4}, new int[] {0, 1, 2})));
        assertTrue(Double.isNaN(KendallTau.of(new int[] {0, 1, 2}, new int[] {7, 7, 7})));
    }

    @Test
    void equalsTheQuadraticReferenceOnPermutationsAndTiedData() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int trial = 0; trial < 2000; trial++) {
            int n = 2 + rng.nextInt(60);
            int[] x = new int[n];
            int[] y = new int[n];
            int k = trial % 3 == 0 ? n : 1 + rng.nextInt(6);
            for (int i = 0; i < n; i++) {
                x[i] = rng.nextInt(k) - 3;
                y[i] = rng.nextInt(k);
            }
            if (trial % 3 == 0) {
                x = dev.sinkhorn.core.jigsaw.Jigsaw.randomPermutation(n, rng);
                y = dev.sinkhorn.core.jigsaw.Jigsaw.randomPermutation(n, rng);
            }
            double expected = reference(x, y);
            double actual = KendallTau.of(x, y);
            if (Double.isNaN(expected)) {
                assertTrue(Double.isNaN(actual));
            } else {
                assertEquals(expected, actual, 1e-12, Arrays.toString(x) + " vs " + Arrays.toString(y));
            }
        }
    }

    @Test
    void equalsScipyKendalltauTo1e12() throws IOException {
        int checked = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/scipy/kendalltau.csv"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(";");
                int[] x = Arrays.stream(parts[0].split(" ")).mapToInt(Integer::parseInt).toArray();
                int[] y = Arrays.stream(parts[1].split(" ")).mapToInt(Integer::parseInt).toArray();
                double expected = parts[2].equals("nan") ? Double.NaN : Double.parseDouble(parts[2]);
                double actual = KendallTau.of(x, y);
                if (Double.isNaN(expected)) {
                    assertTrue(Double.isNaN(actual), line);
                } else {
                    assertEquals(expected, actual, 1e-12, line);
                }
                double[] xd = Arrays.stream(x).asDoubleStream().map(v -> v * 0.5).toArray();
                double[] yd = Arrays.stream(y).asDoubleStream().toArray();
                assertEquals(actual, KendallTau.of(xd, yd), 0.0, "the real-valued overload ranks identically");
                checked++;
            }
        }
        assertEquals(140, checked);
    }

    @Test
    void largePermutationsAgreeWithTheInversionCount() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 100_000;
        int[] x = dev.sinkhorn.core.jigsaw.Jigsaw.randomPermutation(n, rng);
        // Swap the values 2v and 2v+1 for v < 1000: exactly 1000 discordant pairs, every other pair concordant.
        int[] y = new int[n];
        for (int k = 0; k < n; k++) {
            y[k] = x[k] < 2000 ? x[k] ^ 1 : x[k];
        }
        long n0 = (long) n * (n - 1) / 2;
        assertEquals((n0 - 2000.0) / n0, KendallTau.of(x, y), 1e-12);
    }

    @Test
    void scoresThePapersMetrics() {
        PermutationScores s = new PermutationScores();
        s.add(new int[] {0, 1, 2, 3}, new int[] {0, 1, 2, 3});
        s.add(new int[] {0, 1, 2, 3}, new int[] {1, 0, 2, 3});
        s.add(new int[] {2, 0, 3, 1}, new int[] {2, 0, 3, 1});
        s.add(new int[] {0, 1, 2, 3}, new int[] {3, 2, 1, 0});
        assertEquals(4, s.count());
        assertEquals((1 + 2.0 / 3 + 1 - 1) / 4, s.meanKendallTau(), 1e-15);
        assertEquals(6.0 / 16, s.propWrong(), 1e-15);
        assertEquals(0.5, s.propAnyWrong(), 1e-15);
        PermutationScores other = new PermutationScores();
        other.add(new int[] {0}, new int[] {0}); // tau undefined: counted, not averaged
        s.add(other);
        assertEquals(5, s.count());
        assertEquals((1 + 2.0 / 3 + 1 - 1) / 4, s.meanKendallTau(), 1e-15);
        assertEquals(6.0 / 17, s.propWrong(), 1e-15);
        assertTrue(!s.hasContent() && Double.isNaN(s.l1()));
    }

    @Test
    void identicalItemsAreInterchangeable() {
        // Items 0 and 2 are identical (blank); the prediction swaps them: no visible error.
        float[] items = {0, 0, 7, 7, 0, 0, 5, 5};
        int[] truth = {1, 0, 3, 2};
        int[] predicted = {3, 0, 1, 2};
        assertArrayEquals(new int[] {3, 0, 1, 2}, IdenticalItems.canonicalTruth(items, 0, 2, truth, predicted));
        // A distinguishable swap stays an error: items 1 and 3 differ.
        int[] wrong = {1, 2, 3, 0};
        assertArrayEquals(truth, IdenticalItems.canonicalTruth(items, 0, 2, truth, wrong));
        // Partly right within a group of three identical items: the right one keeps its place.
        float[] blank3 = {0, 0, 0, 1};
        int[] canonical = IdenticalItems.canonicalTruth(blank3, 0, 1, new int[] {0, 1, 2, 3}, new int[] {3, 1, 0, 2});
        assertEquals(1, canonical[1]);
        assertEquals(3, canonical[3]);
    }

    @Test
    void contentErrorsCompareThePlacedItems() {
        // Three items of two values; the prediction swaps the items that belong at positions 0 and 1.
        float[] items = {1, 1, 5, 5, 9, 9};
        int[] truth = {2, 0, 1};      // item 0 belongs at 2, item 1 at 0, item 2 at 1
        int[] predicted = {2, 1, 0};  // items 1 and 2 swapped
        PermutationScores s = new PermutationScores();
        s.addContent(items, 0, 2, truth, predicted);
        // Position 0 holds 9 instead of 5, position 1 holds 5 instead of 9: |diff| 4 on 4 of 6 values.
        assertEquals(16.0 / 6, s.l1(), 1e-12);
        assertEquals(64.0 / 6, s.l2(), 1e-12);
        PermutationScores right = new PermutationScores();
        right.addContent(items, 0, 2, truth, truth);
        assertEquals(0.0, right.l1());
        assertEquals(0.0, right.l2());
    }
}
