package dev.sinkhorn.core.data;

import java.util.SplittableRandom;

/**
 * Training-time augmentation: each image of a batch mirrored left to right with probability 1/2.
 * A mirrored garment is as plausible a garment, so the network sees twice the distinct puzzles;
 * test images are never mirrored.
 */
public final class Mirroring {
    private Mirroring() {
    }

    /**
     * Mirrors, in place, each of the first {@code b} images of {@code images} ([b, rows, width]
     * row-major, rows = channels x height) with probability 1/2.
     *
     * @return how many images were mirrored
     */
    public static int mirrorHalf(float[] images, int b, int rows, int width, SplittableRandom rng) {
        int mirrored = 0;
        for (int k = 0; k < b; k++) {
            if (!rng.nextBoolean()) {
                continue;
            }
            mirrored++;
            for (int r = 0; r < rows; r++) {
                int row = (k * rows + r) * width;
                for (int x = 0, y = width - 1; x < y; x++, y--) {
                    float t = images[row + x];
                    images[row + x] = images[row + y];
                    images[row + y] = t;
                }
            }
        }
        return mirrored;
    }
}
