package dev.sinkhorn.core.training;

import java.util.function.BooleanSupplier;

/** Trains a model an epoch at a time (what a job runs, whatever its task). */
public interface EpochTrainer {
    /** Steps of every epoch. */
    long stepsPerEpoch();

    /** Trains one epoch; {@code cancelled} is polled before every step. */
    EpochResult epoch(int epoch, StepListener listener, BooleanSupplier cancelled);
}
