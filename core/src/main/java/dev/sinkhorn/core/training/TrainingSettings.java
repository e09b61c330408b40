package dev.sinkhorn.core.training;

/**
 * How to train (the model's architecture and Sinkhorn settings live in its ModelSpec).
 *
 * @param batchSize    images per step
 * @param learningRate Adam's learning rate
 * @param nSamples     Gumbel-Sinkhorn samples per image and step; their losses are summed
 * @param noiseFactor  scale of the Gumbel noise
 * @param seed         seed of shuffling, scrambling and noise
 */
public record TrainingSettings(int batchSize, float learningRate, int nSamples, float noiseFactor, long seed) {
}
