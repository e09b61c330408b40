package dev.sinkhorn.core.jigsaw;

import dev.sinkhorn.core.data.ScrambledBatch;
import java.util.random.RandomGenerator;

/**
 * The jigsaw task of the seed notebook: cut [C, H, W] images into grid x grid pieces of
 * floor(H / grid) x floor(W / grid) pixels (row-major piece order; the remainder at the right and
 * bottom edges is cropped) and shuffle the pieces of each image with a uniform random permutation.
 *
 * <p>Plain float arrays rather than tensor ops: scrambling a batch is a handful of memory copies,
 * far cheaper than many small NDArray calls (0.67 to 0.23 ms per step: docs/training.md, "What makes training fast on a CPU").
 */
public final class Jigsaw {
    private final int grid;

    public Jigsaw(int grid) {
        if (grid < 1) {
            throw new IllegalArgumentException("grid must be >= 1, got " + grid);
        }
        this.grid = grid;
    }

    public int grid() {
        return grid;
    }

    /** Pieces per puzzle, grid * grid. */
    public int pieces() {
        return grid * grid;
    }

    /**
     * Cuts and scrambles a batch.
     *
     * @param images [batch, channels, height, width] row-major
     * @param rng    the generator the permutations are drawn from (seeded for reproducibility)
     */
    public ScrambledBatch scramble(float[] images, int batch, int channels, int height, int width, RandomGenerator rng) {
        int[][] perms = new int[batch][];
        for (int b = 0; b < batch; b++) {
            perms[b] = randomPermutation(pieces(), rng);
        }
        return scramble(images, batch, channels, height, width, perms);
    }

    /** Cuts a batch and scrambles it with the given permutations (scrambled[i] = true[perm[i]]). */
    public ScrambledBatch scramble(float[] images, int batch, int channels, int height, int width, int[][] permutations) {
        if (images.length != batch * channels * height * width) {
            throw new IllegalArgumentException("images holds " + images.length + " floats, shape ["
                    + batch + ", " + channels + ", " + height + ", " + width + "] needs " + batch * channels * height * width);
        }
        int ph = height / grid;
        int pw = width / grid;
        if (ph < 1 || pw < 1) {
            throw new IllegalArgumentException(height + "x" + width + " images cannot be cut into " + grid + "x" + grid + " pieces");
        }
        int p = pieces();
        int pieceSize = channels * ph * pw;
        float[] truePieces = cut(images, batch, channels, height, width, ph, pw);
        float[] scrambled = new float[truePieces.length];
        for (int b = 0; b < batch; b++) {
            int[] perm = permutations[b];
            for (int i = 0; i < p; i++) {
                System.arraycopy(truePieces, (b * p + perm[i]) * pieceSize, scrambled, (b * p + i) * pieceSize, pieceSize);
            }
        }
        return new ScrambledBatch(batch, p, channels, ph, pw, truePieces, scrambled, permutations);
    }

    private float[] cut(float[] images, int batch, int channels, int height, int width, int ph, int pw) {
        int p = pieces();
        float[] out = new float[batch * p * channels * ph * pw];
        int o = 0;
        for (int b = 0; b < batch; b++) {
            for (int gy = 0; gy < grid; gy++) {
                for (int gx = 0; gx < grid; gx++) {
                    for (int c = 0; c < channels; c++) {
                        int planeBase = (b * channels + c) * height * width;
                        for (int y = 0; y < ph; y++) {
                            int src = planeBase + (gy * ph + y) * width + gx * pw;
                            System.arraycopy(images, src, out, o, pw);
                            o += pw;
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Puts pieces back in place: out[b][assignment[b][i]] = pieces[b][i]. With the true permutation
     * (or a perfect prediction) as assignment, scrambled pieces come out as the true pieces.
     * Rows whose assignment is out of range (-1: unassigned) are dropped.
     */
    public static float[] reorder(float[] pieces, int batch, int pieceCount, int pieceSize, int[][] assignment) {
        float[] out = new float[pieces.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < pieceCount; i++) {
                int q = assignment[b][i];
                if (q >= 0 && q < pieceCount) {
                    System.arraycopy(pieces, (b * pieceCount + i) * pieceSize, out, (b * pieceCount + q) * pieceSize, pieceSize);
                }
            }
        }
        return out;
    }

    /**
     * Assembles pieces [batch, grid*grid, channels, ph, pw] (in row-major grid order) into images
     * [batch, channels, grid*ph, grid*pw].
     */
    public float[] assemble(float[] pieces, int batch, int channels, int ph, int pw) {
        int h = grid * ph;
        int w = grid * pw;
        float[] out = new float[batch * channels * h * w];
        int i = 0;
        for (int b = 0; b < batch; b++) {
            for (int gy = 0; gy < grid; gy++) {
                for (int gx = 0; gx < grid; gx++) {
                    for (int c = 0; c < channels; c++) {
                        int planeBase = (b * channels + c) * h * w;
                        for (int y = 0; y < ph; y++) {
                            System.arraycopy(pieces, i, out, planeBase + (gy * ph + y) * w + gx * pw, pw);
                            i += pw;
                        }
                    }
                }
            }
        }
        return out;
    }

    /** A uniform random permutation of 0..n-1 (Fisher-Yates). */
    public static int[] randomPermutation(int n, RandomGenerator rng) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }
}
