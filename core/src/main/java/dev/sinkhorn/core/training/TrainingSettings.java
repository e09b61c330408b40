package dev.sinkhorn.core.training;

/**
 * How to train (the model's architecture and Sinkhorn settings live in its ModelSpec).
 *
 * @param batchSize    images per step
 * @param learningRate Adam's learning rate
 * @param nSamples     Gumbel-Sinkhorn samples per image and step; their losses are summed
 * @param noiseFactor  scale of the Gumbel noise
 * @param seed         seed of shuffling, scrambling and noise
 * @param schedule     how the learning rate moves over the run
 * @param mirror       jigsaw: whether each training image is mirrored left to right with probability 1/2 before it is cut
 */
public record TrainingSettings(int batchSize, float learningRate, int nSamples, float noiseFactor, long seed,
                               LearningRateSchedule schedule, boolean mirror) {
    /** A constant learning rate and no mirroring. */
    public TrainingSettings(int batchSize, float learningRate, int nSamples, float noiseFactor, long seed) {
        this(batchSize, learningRate, nSamples, noiseFactor, seed, LearningRateSchedule.CONSTANT, false);
    }
}
