package dev.sinkhorn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkhorn.core.training.LearningRateSchedule;
import dev.sinkhorn.core.training.TrainingSettings;
import dev.sinkhorn.v1.TrainingSpec;
import org.junit.jupiter.api.Test;

/** How a job's attempt trains: where it stands on its learning-rate curve, and whether it mirrors. */
class AttemptSettingsTest {
    private static final TrainingSpec COSINE_10 = TrainingSpec.newBuilder().setLearningRateSchedule("cosine").setEpochs(10).build();

    @Test
    void aFreshJobRunsTheWholeCurveAndAHandedOverOneContinuesIt() {
        assertEquals(LearningRateSchedule.cosine(1000, 0), JobRunner.schedule(COSINE_10, 100, 0, 10));
        // Another replica takes the job over after epoch 6 of 10.
        assertEquals(LearningRateSchedule.cosine(1000, 600), JobRunner.schedule(COSINE_10, 100, 6, 10));
    }

    @Test
    void aResumedJobRunsACurveOfItsOwnOverItsEpochs() {
        // resume = true from a checkpoint of epoch 30: epochs 31 to 40 are this job's run.
        assertEquals(LearningRateSchedule.cosine(1000, 0), JobRunner.schedule(COSINE_10, 100, 30, 40));
        // ... and handed over after epoch 35.
        assertEquals(LearningRateSchedule.cosine(1000, 500), JobRunner.schedule(COSINE_10, 100, 35, 40));
    }

    @Test
    void aJobsSettingsCarryItsScheduleAndAugmentation() {
        TrainingSpec spec = COSINE_10.toBuilder().setBatchSize(64).setLearningRate(1e-3f).setNSamples(2).setNoiseFactor(0.5f)
                .setSeed(7).setAugment("mirror").build();
        assertEquals(new TrainingSettings(64, 1e-3f, 2, 0.5f, 7, LearningRateSchedule.cosine(1000, 600), true),
                JobRunner.settings(spec, 100, 6, 10));
        assertEquals(new TrainingSettings(64, 1e-3f, 2, 0.5f, 7), JobRunner.settings(spec.toBuilder().setAugment("")
                .setLearningRateSchedule("").build(), 100, 6, 10), "old job records: constant, no mirroring");
    }

    @Test
    void constantIsTheDefaultAndWhatOldJobRecordsGet() {
        assertEquals(LearningRateSchedule.CONSTANT, JobRunner.schedule(TrainingSpec.newBuilder().setEpochs(10).build(), 100, 0, 10));
        assertEquals(LearningRateSchedule.CONSTANT, JobRunner.schedule(COSINE_10.toBuilder().setLearningRateSchedule("constant").build(),
                100, 3, 10));
    }
}
