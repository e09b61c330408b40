package dev.sinkhorn.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void constantIsOneThroughout() {
        assertEquals(1f, LearningRateSchedule.CONSTANT.factor(0));
        assertEquals(1f, LearningRateSchedule.CONSTANT.factor(1_000_000));
    }

    @Test
    void cosineFallsFromOneToZeroAndARunStartedPartWayContinuesTheCurve() {
        LearningRateSchedule whole = LearningRateSchedule.cosine(1000, 0);
        assertEquals(1f, whole.factor(0), 1e-7);
        assertEquals(0.5f, whole.factor(500), 1e-6);
        assertEquals((1 + Math.cos(Math.PI / 4)) / 2, whole.factor(250), 1e-6);
        assertEquals(0f, whole.factor(1000), 1e-7);
        assertEquals(0f, whole.factor(5000), 1e-7); // past the end it stays at 0
        LearningRateSchedule handedOver = LearningRateSchedule.cosine(1000, 600);
        for (int step = 0; step <= 400; step += 50) {
            assertEquals(whole.factor(600 + step), handedOver.factor(step), 1e-7);
        }
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(-1, 0));
    }
}
