package dev.sinkhorn.core.training;

/** Told after every training step; cheap to call, so it decides itself how often to report. */
@FunctionalInterface
public interface StepListener {
    /**
     * @param epoch         1-based epoch
     * @param step          steps done in this epoch
     * @param stepsPerEpoch planned steps of the epoch
     * @param loss          summed loss of this step
     * @param images        images of this step
     */
    void afterStep(int epoch, long step, long stepsPerEpoch, double loss, int images);
}
