package dev.sinkhorn.core.jigsaw;

import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.data.TestSet;
import dev.sinkhorn.core.data.ImageSet;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The fixed puzzles a model is judged on: the first {@code limit} images of a split (all of them
 * when it has fewer), cut into grid x grid pieces and scrambled by a generator seeded with
 * {@code seed}. Every version of a model, in-process or in the inference service, sees exactly
 * the same puzzles, whatever the batch size: each image draws its permutation in turn.
 *
 * @param images the split (pixels 0..255; handed out as [0, 1] floats)
 * @param grid   pieces per side
 * @param limit  images to use (<= 0: all)
 * @param seed   seed of the scrambles
 */
public record TestPuzzles(ImageSet images, int grid, int limit, long seed) implements TestSet {

    /** Puzzles in the set. */
    @Override
    public int count() {
        return limit <= 0 ? images.count() : Math.min(limit, images.count());
    }

    /**
     * Scrambles the puzzles in order, at most {@code batchSize} per batch, and hands each batch to
     * {@code each}; stops early once {@code stop} answers true (asked before every batch).
     */
    @Override
    public void forEachBatch(int batchSize, Consumer<ScrambledBatch> each, BooleanSupplier stop) {
        int n = count();
        Jigsaw jigsaw = new Jigsaw(grid);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] pixels = new float[batchSize * images.imageSize()];
        int[] indices = new int[batchSize];
        for (int from = 0; from < n && !stop.getAsBoolean(); from += batchSize) {
            int b = Math.min(batchSize, n - from);
            for (int k = 0; k < b; k++) {
                indices[k] = from + k;
            }
            images.copyUnitPixels(indices, b, pixels);
            each.accept(jigsaw.scramble(Arrays.copyOf(pixels, b * images.imageSize()), b, images.channels(), images.height(),
                    images.width(), rng));
        }
    }
}
