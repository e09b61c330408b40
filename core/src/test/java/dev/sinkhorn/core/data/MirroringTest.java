package dev.sinkhorn.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MirroringTest {
    @Test
    void mirroredImagesHaveEveryRowReversedAndTheOthersAreUntouched() {
        int b = 200;
        int rows = 2 * 3; // 2 channels of 3 rows
        int width = 5;
        float[] images = new float[b * rows * width];
        for (int i = 0; i < images.length; i++) {
            images[i] = i;
        }
        float[] before = images.clone();
        int mirrored = Mirroring.mirrorHalf(images, b, rows, width, new SplittableRandom(4));
        int seen = 0;
        for (int k = 0; k < b; k++) {
            int from = k * rows * width;
            float[] image = Arrays.copyOfRange(images, from, from + rows * width);
            float[] original = Arrays.copyOfRange(before, from, from + rows * width);
            if (Arrays.equals(image, original)) {
                continue;
            }
            seen++;
            for (int r = 0; r < rows; r++) {
                for (int x = 0; x < width; x++) {
                    assertEquals(original[r * width + width - 1 - x], image[r * width + x], "image " + k + " row " + r + " x " + x);
                }
            }
        }
        assertEquals(mirrored, seen);
        assertTrue(mirrored > 70 && mirrored < 130, "about half of 200 mirrored, got " + mirrored);
    }

    @Test
    void theSameSeedMirrorsTheSameImagesAndOnlyTheFirstB() {
        float[] a = new float[4 * 2 * 2 + 4];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        float[] c = a.clone();
        int mirrored = Mirroring.mirrorHalf(a, 4, 2, 2, new SplittableRandom(9));
        assertEquals(mirrored, Mirroring.mirrorHalf(c, 4, 2, 2, new SplittableRandom(9)));
        assertTrue(mirrored > 0, "seed 9 mirrors some of the 4");
        assertArrayEquals(a, c);
        for (int i = 16; i < a.length; i++) {
            assertEquals(i, a[i]);
        }
    }
}
