package dev.sinkhorn.core.training;

/**
 * How the learning rate moves over a run, as a factor of the base rate per optimisation step:
 * constant (1), or down from 1 to 0 along a half cosine over {@code totalSteps} steps. A run that
 * starts part-way (handed to another replica after some epochs) passes {@code startStep}, the steps
 * already taken, and continues the curve where it was.
 *
 * @param totalSteps steps of the whole run; 0 keeps the rate constant
 * @param startStep  steps taken before this trainer's first one
 */
public record LearningRateSchedule(long totalSteps, long startStep) {
    public static final String CONSTANT_NAME = "constant";
    public static final String COSINE_NAME = "cosine";
    public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(0, 0);

    public LearningRateSchedule {
        if (totalSteps < 0 || startStep < 0) {
            throw new IllegalArgumentException("totalSteps " + totalSteps + " and startStep " + startStep + " must be >= 0");
        }
    }

    public static LearningRateSchedule cosine(long totalSteps, long startStep) {
        return new LearningRateSchedule(totalSteps, startStep);
    }

    /** The factor of the base rate at this trainer's {@code step}-th step (0-based): 1 when constant, (1 + cos(pi t / T)) / 2 else. */
    public float factor(long step) {
        if (totalSteps == 0) {
            return 1f;
        }
        double t = Math.min(startStep + step, totalSteps);
        return (float) ((1 + Math.cos(Math.PI * t / totalSteps)) / 2);
    }
}
