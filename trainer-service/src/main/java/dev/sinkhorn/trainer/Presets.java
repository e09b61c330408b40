package dev.sinkhorn.trainer;

import dev.sinkhorn.core.training.LearningRateSchedule;
import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.TrainingSpec;
import java.util.Map;

/**
 * Named defaults for unset TrainingSpec fields. "seed": the seed notebook (grid 2, hidden 32,
 * kernel 5, tau 0.1, n_iter 20, 5 epochs, batch 64, learning rate 1e-4). "fast": the recipe that
 * reaches mean Kendall tau 0.99 on 2x2 MNIST in the fewest training seconds (measured in
 * docs/benchmarks.md): the seed's network with learning rate 3e-3 and batch 128, 2 epochs.
 * "context": the recipe for larger puzzles (docs/training.md): the context-aware architecture
 * (2 Transformer layers, 4 heads, width 64) on 3x3 puzzles, tau 1.0, learning rate 1e-3, batch 64,
 * 3 epochs. "fashion": the 3x3 Fashion-MNIST recipe: "context" with edge attention on data set
 * "fashion-mnist", a cosine learning-rate schedule from 1e-3 and mirrored training images, 50
 * epochs. "sorting": the number-sorting task with google/gumbel_sinkhorn's sorting settings (items 50,
 * units 32, tau 1.0, n_iter 10, learning rate 0.1, batch 10, 5 samples, noise 1.0, data set
 * "uniform"), 5000 steps in 5 epochs; a spec with task "sorting" and no preset gets it.
 */
final class Presets {
    static final String SEED = "seed";
    static final String FAST = "fast";
    static final String SORTING = "sorting";
    static final String CONTEXT = "context";
    static final String FASHION = "fashion";
    static final String NO_AUGMENT = "none";
    static final String MIRROR = "mirror";

    /** A preset's values; the spec's fields (0 = unset) are filled from them. */
    private record Defaults(String dataset, int epochs, int batchSize, float learningRate, int nSamples, int steps, TrainingSpec model,
                            String schedule, String augment) {
        Defaults(String dataset, int epochs, int batchSize, float learningRate, int nSamples, int steps, TrainingSpec model) {
            this(dataset, epochs, batchSize, learningRate, nSamples, steps, model, LearningRateSchedule.CONSTANT_NAME, NO_AUGMENT);
        }
    }

    private static final Defaults SEED_VALUES = new Defaults("mnist", 5, 64, 1e-4f, 1, 0, jigsaw());
    private static final Map<String, Defaults> ALL = Map.of(SEED, SEED_VALUES,
            FAST, new Defaults("mnist", 2, 128, 3e-3f, 1, 0, jigsaw()),
            CONTEXT, new Defaults("mnist", 3, 64, 1e-3f, 1, 0, context()),
            FASHION, new Defaults("fashion-mnist", 50, 64, 1e-3f, 1, 0, fashion(), LearningRateSchedule.COSINE_NAME, MIRROR),
            SORTING, new Defaults("uniform", 5, 10, 0.1f, 5, 5000, TrainingSpec.newBuilder().setSpec(ModelSpec.newBuilder()
                    .setTask(SORTING).setItems(50).setUnits(32).setTau(1f).setNIter(10)).build()));

    private Presets() {
    }

    private static TrainingSpec jigsaw() {
        return TrainingSpec.newBuilder().setSpec(ModelSpec.newBuilder().setTask("jigsaw").setArchitecture("per-piece").setGrid(2)
                .setHiddenChannels(32).setKernelSize(5).setTau(0.1f).setNIter(20)).build();
    }

    private static TrainingSpec context() {
        return TrainingSpec.newBuilder().setSpec(jigsaw().getSpec().toBuilder().setArchitecture("context").setGrid(3).setTau(1f)
                .setLayers(2).setHeads(4).setWidth(64)).build();
    }

    private static TrainingSpec fashion() {
        return TrainingSpec.newBuilder().setSpec(context().getSpec().toBuilder().setEdgeAttention(true)).build();
    }

    static boolean known(String preset) {
        return preset.isEmpty() || ALL.containsKey(preset);
    }

    /** The spec with every unset field filled from the preset (in_channels / image_size stay 0: they come from the data set). */
    static TrainingSpec fill(TrainingSpec in) {
        String name = !in.getPreset().isEmpty() ? in.getPreset() : in.getSpec().getTask().equals(SORTING) ? SORTING : SEED;
        Defaults d = ALL.getOrDefault(name, SEED_VALUES);
        TrainingSpec.Builder b = in.toBuilder().setPreset(name);
        if (b.getDataset().isEmpty()) {
            b.setDataset(d.dataset());
        }
        if (b.getEpochs() == 0) {
            b.setEpochs(d.epochs());
        }
        if (b.getBatchSize() == 0) {
            b.setBatchSize(d.batchSize());
        }
        if (b.getLearningRate() == 0f) {
            b.setLearningRate(d.learningRate());
        }
        if (b.getNSamples() == 0) {
            b.setNSamples(d.nSamples());
        }
        if (b.getSteps() == 0) {
            b.setSteps(d.steps());
        }
        if (b.getNoiseFactor() == 0f) {
            b.setNoiseFactor(1f);
        }
        if (b.getLearningRateSchedule().isEmpty()) {
            b.setLearningRateSchedule(d.schedule());
        }
        if (b.getAugment().isEmpty()) {
            b.setAugment(d.augment());
        }
        if (b.getDevice().isEmpty()) {
            b.setDevice("auto");
        }
        // Unset model fields (0 / "") take the preset's; fields set explicitly are kept.
        ModelSpec.Builder s = d.model().getSpec().toBuilder().mergeFrom(b.getSpec());
        if (s.getArchitecture().equals("context")) { // the context network's size, where unset
            s.setLayers(s.getLayers() == 0 ? 2 : s.getLayers()).setHeads(s.getHeads() == 0 ? 4 : s.getHeads())
                    .setWidth(s.getWidth() == 0 ? 64 : s.getWidth());
        }
        return b.setSpec(s).build();
    }
}
