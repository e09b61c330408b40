package dev.sinkhorn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.TrainingSpec;
import org.junit.jupiter.api.Test;

/** Presets fill what a spec leaves unset, per task; what is set wins. */
class PresetsTest {
    @Test
    void aJigsawSpecGetsTheSeedNotebooksValues() {
        TrainingSpec s = Presets.fill(TrainingSpec.newBuilder().setModel("m").build());
        assertEquals("seed", s.getPreset());
        assertEquals("mnist", s.getDataset());
        assertEquals(5, s.getEpochs());
        assertEquals(64, s.getBatchSize());
        assertEquals(1e-4f, s.getLearningRate());
        assertEquals(0, s.getSteps());
        assertEquals(ModelSpec.newBuilder().setTask("jigsaw").setArchitecture("per-piece").setGrid(2).setHiddenChannels(32)
                .setKernelSize(5).setTau(0.1f).setNIter(20).build(), s.getSpec());
        ModelSpec context = Presets.fill(TrainingSpec.newBuilder().setModel("m").setSpec(ModelSpec.newBuilder()
                .setArchitecture("context").setHeads(2)).build()).getSpec();
        assertEquals(2, context.getLayers());
        assertEquals(2, context.getHeads());
        assertEquals(64, context.getWidth());
        TrainingSpec recipe = Presets.fill(TrainingSpec.newBuilder().setModel("m").setPreset("context").setSpec(ModelSpec.newBuilder()
                .setGrid(4)).build());
        assertEquals(ModelSpec.newBuilder().setTask("jigsaw").setArchitecture("context").setGrid(4).setHiddenChannels(32)
                .setKernelSize(5).setTau(1f).setNIter(20).setLayers(2).setHeads(4).setWidth(64).build(), recipe.getSpec());
        assertEquals(3, recipe.getEpochs());
        assertEquals(1e-3f, recipe.getLearningRate());
        assertEquals("constant", recipe.getLearningRateSchedule());
        assertEquals("none", recipe.getAugment());
        TrainingSpec fashion = Presets.fill(TrainingSpec.newBuilder().setModel("m").setPreset("fashion").build());
        assertEquals("fashion-mnist", fashion.getDataset());
        assertEquals("cosine", fashion.getLearningRateSchedule());
        assertEquals("mirror", fashion.getAugment());
        assertEquals(1e-3f, fashion.getLearningRate());
        assertEquals(recipe.getSpec().toBuilder().setGrid(3).setEdgeAttention(true).build(), fashion.getSpec());
        assertFalse(recipe.getSpec().hasEdgeAttention(), "the context preset leaves edge attention off");
        ModelSpec withoutEdges = Presets.fill(TrainingSpec.newBuilder().setModel("m").setPreset("fashion")
                .setSpec(ModelSpec.newBuilder().setEdgeAttention(false)).build()).getSpec();
        assertTrue(withoutEdges.hasEdgeAttention() && !withoutEdges.getEdgeAttention(), "an explicit false is kept");
        assertEquals("constant", Presets.fill(TrainingSpec.newBuilder().setModel("m").setPreset("fashion")
                .setLearningRateSchedule("constant").build()).getLearningRateSchedule());
        TrainingSpec fast = Presets.fill(TrainingSpec.newBuilder().setModel("m").setPreset("fast").setEpochs(7)
                .setSpec(ModelSpec.newBuilder().setGrid(3)).build());
        assertEquals(7, fast.getEpochs());
        assertEquals(128, fast.getBatchSize());
        assertEquals(3, fast.getSpec().getGrid());
        assertEquals(32, fast.getSpec().getHiddenChannels());
    }

    @Test
    void aSortingSpecGetsTheSortingSettingsAndKeepsWhatItSets() {
        TrainingSpec s = Presets.fill(TrainingSpec.newBuilder().setModel("m").setSpec(ModelSpec.newBuilder().setTask("sorting")).build());
        assertEquals("sorting", s.getPreset());
        assertEquals("uniform", s.getDataset());
        assertEquals(5000, s.getSteps());
        assertEquals(5, s.getEpochs());
        assertEquals(10, s.getBatchSize());
        assertEquals(0.1f, s.getLearningRate());
        assertEquals(5, s.getNSamples());
        assertEquals(1f, s.getNoiseFactor());
        assertEquals(ModelSpec.newBuilder().setTask("sorting").setItems(50).setUnits(32).setTau(1f).setNIter(10).build(), s.getSpec());
        TrainingSpec set = Presets.fill(TrainingSpec.newBuilder().setModel("m").setPreset("sorting").setSteps(300).setDataset("uniform:0:10")
                .setSpec(ModelSpec.newBuilder().setItems(7).setTau(0.5f)).build());
        assertEquals("sorting", set.getSpec().getTask());
        assertEquals(7, set.getSpec().getItems());
        assertEquals(0.5f, set.getSpec().getTau());
        assertEquals(300, set.getSteps());
        assertEquals("uniform:0:10", set.getDataset());
    }
}
