package dev.sinkhorn.core.training;

/**
 * One pass over the training images.
 *
 * @param epoch     1-based
 * @param steps     steps done (fewer than planned when cancelled)
 * @param images    images trained on
 * @param meanLoss  summed squared error of the reordered pieces per image (summed over samples)
 * @param seconds   wall time
 * @param cancelled true when it stopped early because it was asked to
 */
public record EpochResult(int epoch, long steps, long images, double meanLoss, double seconds, boolean cancelled) {
}
