package dev.sinkhorn.trainer;

import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.TrainingSpec;

/**
 * Named defaults for unset TrainingSpec fields. "seed": the seed notebook (grid 2, hidden 32,
 * kernel 5, tau 0.1, n_iter 20, 5 epochs, batch 64, learning rate 1e-4). "fast": the recipe that
 * reaches mean Kendall tau 0.99 on 2x2 MNIST in the fewest training seconds (measured in
 * docs/benchmarks.md): the seed's network with learning rate 3e-3 and batch 128, 2 epochs.
 */
final class Presets {
    static final String SEED = "seed";
    static final String FAST = "fast";

    private Presets() {
    }

    static boolean known(String preset) {
        return preset.isEmpty() || preset.equals(SEED) || preset.equals(FAST);
    }

    /** The spec with every unset field filled from the preset (in_channels / image_size stay 0: they come from the data set). */
    static TrainingSpec fill(TrainingSpec in) {
        boolean fast = in.getPreset().equals(FAST);
        TrainingSpec.Builder b = in.toBuilder().setPreset(in.getPreset().isEmpty() ? SEED : in.getPreset());
        if (b.getDataset().isEmpty()) {
            b.setDataset("mnist");
        }
        if (b.getEpochs() == 0) {
            b.setEpochs(fast ? 2 : 5);
        }
        if (b.getBatchSize() == 0) {
            b.setBatchSize(fast ? 128 : 64);
        }
        if (b.getLearningRate() == 0f) {
            b.setLearningRate(fast ? 3e-3f : 1e-4f);
        }
        if (b.getNSamples() == 0) {
            b.setNSamples(1);
        }
        if (b.getNoiseFactor() == 0f) {
            b.setNoiseFactor(1f);
        }
        if (b.getDevice().isEmpty()) {
            b.setDevice("auto");
        }
        ModelSpec.Builder s = b.getSpec().toBuilder();
        if (s.getTask().isEmpty()) {
            s.setTask("jigsaw");
        }
        if (s.getGrid() == 0) {
            s.setGrid(2);
        }
        if (s.getHiddenChannels() == 0) {
            s.setHiddenChannels(32);
        }
        if (s.getKernelSize() == 0) {
            s.setKernelSize(5);
        }
        if (s.getTau() == 0f) {
            s.setTau(0.1f);
        }
        if (s.getNIter() == 0) {
            s.setNIter(20);
        }
        return b.setSpec(s).build();
    }
}
