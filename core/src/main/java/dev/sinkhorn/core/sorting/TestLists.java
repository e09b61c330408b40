package dev.sinkhorn.core.sorting;

import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.data.TestSet;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The fixed lists a sorting model is judged on: {@code count} lists of {@code n} numbers from
 * {@code range}, drawn by a generator seeded with {@code seed}, so every version of a model sees
 * the same lists whatever the batch size (the paper's "freshly drawn" test lists: never trained
 * on, since training draws from its own generator).
 */
public record TestLists(int count, int n, UniformRange range, long seed) implements TestSet {

    /** Draws the lists in order, at most {@code batchSize} per batch; stops once {@code stop} says so. */
    @Override
    public void forEachBatch(int batchSize, Consumer<ScrambledBatch> each, BooleanSupplier stop) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int from = 0; from < count && !stop.getAsBoolean(); from += batchSize) {
            each.accept(NumberLists.draw(Math.min(batchSize, count - from), n, range, rng));
        }
    }
}
