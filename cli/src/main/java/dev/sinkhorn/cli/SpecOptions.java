package dev.sinkhorn.cli;

import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.TrainingSpec;
import picocli.CommandLine.Option;

/** The options that make a TrainingSpec (all but the model name), shared by `train` and `sweep`. */
final class SpecOptions {
    @Option(names = "--task", description = "jigsaw (default) or sorting (sort lists of --items numbers)")
    String task;
    @Option(names = "--dataset", description = "mnist (default), fashion-mnist, idx:<dir>; sorting: uniform (default, [0, 1)) "
            + "or uniform:<low>:<high>")
    String dataset;
    @Option(names = "--preset", description = "seed (default: the notebook's settings), fast, context (larger puzzles: "
            + "--architecture context on 3x3), fashion (the 3x3 Fashion-MNIST recipe), or sorting (the default of --task sorting)")
    String preset;
    @Option(names = "--architecture", description = "jigsaw: per-piece (default, the seed's) or context (pieces see each other "
            + "through a Transformer encoder before they are scored)")
    String architecture;
    @Option(names = "--layers", description = "context: Transformer encoder layers (default 2)")
    Integer layers;
    @Option(names = "--heads", description = "context: attention heads (default 4)")
    Integer heads;
    @Option(names = "--width", description = "context: width of the piece embeddings (default 64)")
    Integer width;
    @Option(names = "--edge-attention", negatable = true, description = "context: bias the attention by how well pieces' "
            + "edges fit (default off; preset fashion: on)")
    Boolean edgeAttention;
    @Option(names = "--items", description = "sorting: numbers per list, N (default 50)")
    Integer items;
    @Option(names = "--units", description = "sorting: hidden units of the per-number network (default 32)")
    Integer units;
    @Option(names = "--steps", description = "sorting: optimisation steps of the run, split into --epochs checkpoints (default 5000)")
    Integer steps;
    @Option(names = "--grid", description = "pieces per side, 2-7 (default 2)")
    Integer grid;
    @Option(names = "--epochs", description = "default 5 (preset fast: 2); sorting: checkpoints of the run (default 5)")
    Integer epochs;
    @Option(names = "--batch-size", description = "default 64 (preset fast: 128)")
    Integer batchSize;
    @Option(names = "--learning-rate", description = "Adam learning rate, default 1e-4 (preset fast: 3e-3)")
    Float learningRate;
    @Option(names = "--learning-rate-schedule", description = "constant (default) or cosine (down to 0 over the job; preset fashion)")
    String learningRateSchedule;
    @Option(names = "--augment", description = "jigsaw: none (default) or mirror (training images mirrored left to right "
            + "with probability 1/2; preset fashion)")
    String augment;
    @Option(names = "--samples", description = "Gumbel-Sinkhorn samples per image (default 1)")
    Integer samples;
    @Option(names = "--noise-factor", description = "Gumbel noise scale (default 1)")
    Float noiseFactor;
    @Option(names = "--tau", description = "temperature (default 0.1; sorting 1.0)")
    Float tau;
    @Option(names = "--n-iter", description = "Sinkhorn iterations (default 20; sorting 10)")
    Integer nIter;
    @Option(names = "--hidden", description = "hidden channels (default 32)")
    Integer hidden;
    @Option(names = "--kernel", description = "kernel size (default 5)")
    Integer kernel;
    @Option(names = "--seed", defaultValue = "0", description = "seed (default 0)")
    long seed;
    @Option(names = "--train-limit", defaultValue = "0", description = "train on the first N images only (0: all)")
    int trainLimit;
    @Option(names = "--device", description = "auto (default), cpu or gpu")
    String device;

    /** The spec these options set (model name unset). */
    TrainingSpec.Builder toSpec() {
        TrainingSpec.Builder b = TrainingSpec.newBuilder().setSeed(seed).setTrainLimit(trainLimit);
        ModelSpec.Builder s = ModelSpec.newBuilder();
        if (task != null) s.setTask(task);
        if (architecture != null) s.setArchitecture(architecture);
        if (layers != null) s.setLayers(layers);
        if (heads != null) s.setHeads(heads);
        if (width != null) s.setWidth(width);
        if (edgeAttention != null) s.setEdgeAttention(edgeAttention);
        if (items != null) s.setItems(items);
        if (units != null) s.setUnits(units);
        if (steps != null) b.setSteps(steps);
        if (dataset != null) b.setDataset(dataset);
        if (preset != null) b.setPreset(preset);
        if (epochs != null) b.setEpochs(epochs);
        if (batchSize != null) b.setBatchSize(batchSize);
        if (learningRate != null) b.setLearningRate(learningRate);
        if (learningRateSchedule != null) b.setLearningRateSchedule(learningRateSchedule);
        if (augment != null) b.setAugment(augment);
        if (samples != null) b.setNSamples(samples);
        if (noiseFactor != null) b.setNoiseFactor(noiseFactor);
        if (device != null) b.setDevice(device);
        if (grid != null) s.setGrid(grid);
        if (tau != null) s.setTau(tau);
        if (nIter != null) s.setNIter(nIter);
        if (hidden != null) s.setHiddenChannels(hidden);
        if (kernel != null) s.setKernelSize(kernel);
        return b.setSpec(s);
    }
}
