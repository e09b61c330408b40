package dev.sinkhorn.core.jigsaw;

import dev.sinkhorn.core.data.ScrambledBatch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.data.TestData;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JigsawTest {
    private static float[] firstImages(int n) {
        ImageSet test = TestData.mnist().test();
        float[] out = new float[n * test.imageSize()];
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        test.copyUnitPixels(idx, n, out);
        return out;
    }

    @Test
    void unscramblingWithTheReturnedPermutationGivesTheTruePieces() {
        for (int grid = 2; grid <= 7; grid++) {
            Jigsaw jigsaw = new Jigsaw(grid);
            ScrambledBatch batch = jigsaw.scramble(firstImages(16), 16, 1, 28, 28, new SplittableRandom(grid));
            assertEquals(grid * grid, batch.pieces());
            assertEquals(28 / grid, batch.pieceHeight());
            float[] restored = Jigsaw.reorder(batch.scrambledPieces(), 16, batch.pieces(), batch.pieceSize(), batch.permutations());
            assertArrayEquals(batch.truePieces(), restored, "grid " + grid);
            for (int[] perm : batch.permutations()) {
                int[] sorted = perm.clone();
                Arrays.sort(sorted);
                for (int i = 0; i < sorted.length; i++) {
                    assertEquals(i, sorted[i]);
                }
            }
        }
    }

    @Test
    void piecesAreTheImageTilesInRowMajorOrder() {
        // A 1x4x4 image numbered 0..15, cut 2x2: piece 1 is the top-right tile {2, 3, 6, 7}.
        float[] image = new float[16];
        for (int i = 0; i < 16; i++) {
            image[i] = i;
        }
        ScrambledBatch b = new Jigsaw(2).scramble(image, 1, 1, 4, 4, new int[][] {{1, 3, 0, 2}});
        assertArrayEquals(new float[] {0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}, b.truePieces());
        // scrambled[i] = true[perm[i]]: first the top-right tile, then the bottom-right one.
        assertArrayEquals(new float[] {2, 3, 6, 7, 10, 11, 14, 15, 0, 1, 4, 5, 8, 9, 12, 13}, b.scrambledPieces());
        assertArrayEquals(image, new Jigsaw(2).assemble(b.truePieces(), 1, 1, 2, 2));
    }

    @Test
    void cropsTheRemainderLikeTheSeed() {
        float[] images = firstImages(2);
        Jigsaw jigsaw = new Jigsaw(3);
        ScrambledBatch b = jigsaw.scramble(images, 2, 1, 28, 28, new SplittableRandom(1));
        float[] assembled = jigsaw.assemble(b.truePieces(), 2, 1, 9, 9);
        for (int img = 0; img < 2; img++) {
            for (int y = 0; y < 27; y++) {
                for (int x = 0; x < 27; x++) {
                    assertEquals(images[img * 784 + y * 28 + x], assembled[img * 729 + y * 27 + x]);
                }
            }
        }
    }

    @Test
    void permutationsAreSeededAndUniform() {
        int n = 9;
        int draws = 36000;
        SplittableRandom rng = new SplittableRandom(42);
        int[][] counts = new int[n][n];
        for (int d = 0; d < draws; d++) {
            int[] perm = Jigsaw.randomPermutation(n, rng);
            for (int i = 0; i < n; i++) {
                counts[i][perm[i]]++;
            }
        }
        // Chi-square of the first position's distribution, 8 degrees of freedom: the 0.999 quantile is 26.1.
        double expected = draws / (double) n;
        double chi2 = 0;
        for (int v = 0; v < n; v++) {
            chi2 += Math.pow(counts[0][v] - expected, 2) / expected;
        }
        assertTrue(chi2 < 26.1, "chi2 of first positions = " + chi2);
        assertArrayEquals(Jigsaw.randomPermutation(n, new SplittableRandom(7)), Jigsaw.randomPermutation(n, new SplittableRandom(7)));
        assertNotEquals(Arrays.toString(Jigsaw.randomPermutation(n, new SplittableRandom(7))),
                Arrays.toString(Jigsaw.randomPermutation(n, new SplittableRandom(8))));
    }
}
