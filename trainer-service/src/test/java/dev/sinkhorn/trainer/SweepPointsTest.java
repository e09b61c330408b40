package dev.sinkhorn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.SweepAxis;
import dev.sinkhorn.v1.SweepSpec;
import dev.sinkhorn.v1.TrainingSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A sweep's points: the grid's combinations in order (last axis fastest) over the base, or the listed points; errors name the axis. */
class SweepPointsTest {
    private static SweepAxis axis(String field, double... values) {
        SweepAxis.Builder a = SweepAxis.newBuilder().setField(field);
        for (double v : values) {
            a.addValues(v);
        }
        return a.build();
    }

    @Test
    void aGridIsEveryCombinationOverTheBase() {
        TrainingSpec base = TrainingSpec.newBuilder().setEpochs(3).setSpec(ModelSpec.newBuilder().setGrid(3)).build();
        List<SweepPoints.Point> points = SweepPoints.of(SweepSpec.newBuilder().setName("s").setBase(base)
                .addGrid(axis("learning_rate", 1e-3, 3e-3)).addGrid(axis("tau", 0.1, 1, 2)).build(), 64);
        assertEquals(6, points.size());
        assertEquals("learning_rate=0.001 tau=0.1", points.get(0).description());
        assertEquals("learning_rate=0.001 tau=2", points.get(2).description());
        assertEquals("learning_rate=0.003 tau=1", points.get(4).description());
        TrainingSpec p4 = points.get(4).spec();
        assertEquals("s-4", p4.getModel());
        assertEquals(3e-3f, p4.getLearningRate());
        assertEquals(1f, p4.getSpec().getTau());
        assertEquals(3, p4.getSpec().getGrid(), "the base's other fields stay");
        assertEquals(3, p4.getEpochs());
    }

    @Test
    void listedPointsOverrideTheBase() {
        List<SweepPoints.Point> points = SweepPoints.of(SweepSpec.newBuilder().setName("l").setBase(TrainingSpec.newBuilder().setEpochs(2))
                .addPoints(TrainingSpec.newBuilder().setBatchSize(32)).addPoints(TrainingSpec.newBuilder().setEpochs(4).setModel("ignored"))
                .build(), 64);
        assertEquals(List.of("l-0", "l-1"), points.stream().map(p -> p.spec().getModel()).toList());
        assertEquals(32, points.get(0).spec().getBatchSize());
        assertEquals(2, points.get(0).spec().getEpochs());
        assertEquals(4, points.get(1).spec().getEpochs());
        assertTrue(points.get(1).description().contains("epochs: 4"), points.get(1).description());
    }

    @Test
    void badSweepsAreRejectedNamingWhat() {
        assertTrue(assertThrows(InvalidInputException.class, () -> SweepPoints.of(SweepSpec.newBuilder().setName("s")
                .addGrid(axis("learning_rate", 1e-3)).addGrid(axis("momentum", 0.9)).build(), 64)).getMessage()
                .startsWith("grid[1].field: \"momentum\" is not one of"));
        assertTrue(assertThrows(InvalidInputException.class, () -> SweepPoints.of(SweepSpec.newBuilder().setName("s")
                .addGrid(axis("epochs", 1.5)).build(), 64)).getMessage().contains("epochs takes whole numbers"));
        assertTrue(assertThrows(InvalidInputException.class, () -> SweepPoints.of(SweepSpec.newBuilder().setName("no spaces")
                .addGrid(axis("epochs", 1)).build(), 64)).getMessage().startsWith("name:"));
        assertTrue(assertThrows(InvalidInputException.class, () -> SweepPoints.of(SweepSpec.newBuilder().setName("s").build(), 64))
                .getMessage().contains("needs a grid or points"));
        assertTrue(assertThrows(LimitExceededException.class, () -> SweepPoints.of(SweepSpec.newBuilder().setName("s")
                .addGrid(axis("seed", 1, 2, 3, 4, 5, 6, 7, 8, 9)).addGrid(axis("epochs", 1, 2, 3, 4, 5, 6, 7, 8)).build(), 64))
                .getMessage().contains("trainer.max-sweep-points is 64"));
    }
}
