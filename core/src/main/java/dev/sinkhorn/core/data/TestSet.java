package dev.sinkhorn.core.data;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What a model is judged on: a fixed number of scrambled inputs with their truth, handed out in
 * order in batches ({@code TestPuzzles} for jigsaw models, {@code TestLists} for sorting models).
 */
public interface TestSet {
    /** Inputs in the set. */
    int count();

    /** Hands the inputs to {@code each}, at most {@code batchSize} per batch; stops early once {@code stop} answers true. */
    void forEachBatch(int batchSize, Consumer<ScrambledBatch> each, BooleanSupplier stop);
}
