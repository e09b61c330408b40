package dev.sinkhorn.cli;

import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.TrainingSpec;
import picocli.CommandLine.Option;

/** The options that make a TrainingSpec (all but the model name), shared by `train` and `sweep`. */
final class SpecOptions {
    @Option(names = "--dataset", description = "mnist (default), fashion-mnist, idx:<dir>")
    String dataset;
    @Option(names = "--preset", description = "seed (default: the notebook's settings) or fast")
    String preset;
    @Option(names = "--grid", description = "pieces per side, 2-7 (default 2)")
    Integer grid;
    @Option(names = "--epochs", description = "default 5 (preset fast: 2)")
    Integer epochs;
    @Option(names = "--batch-size", description = "default 64 (preset fast: 128)")
    Integer batchSize;
    @Option(names = "--learning-rate", description = "Adam learning rate, default 1e-4 (preset fast: 3e-3)")
    Float learningRate;
    @Option(names = "--samples", description = "Gumbel-Sinkhorn samples per image (default 1)")
    Integer samples;
    @Option(names = "--noise-factor", description = "Gumbel noise scale (default 1)")
    Float noiseFactor;
    @Option(names = "--tau", description = "temperature (default 0.1)")
    Float tau;
    @Option(names = "--n-iter", description = "Sinkhorn iterations (default 20)")
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
        if (dataset != null) b.setDataset(dataset);
        if (preset != null) b.setPreset(preset);
        if (epochs != null) b.setEpochs(epochs);
        if (batchSize != null) b.setBatchSize(batchSize);
        if (learningRate != null) b.setLearningRate(learningRate);
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
