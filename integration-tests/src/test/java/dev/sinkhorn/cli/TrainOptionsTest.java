package dev.sinkhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.v1.TrainingSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What `sinkhorn train` options put in the TrainingSpec it sends (parsed only; no service runs). */
class TrainOptionsTest {

    private static TrainingSpec parse(String... args) {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs(args);
        return train.toSpec();
    }

    @Test
    void edgeAttentionIsSetOnlyWhenAskedForAndCanBeTurnedOff() {
        TrainingSpec on = parse("--model", "m", "--architecture", "context", "--edge-attention");
        assertTrue(on.getSpec().hasEdgeAttention() && on.getSpec().getEdgeAttention(), on.toString());
        TrainingSpec off = parse("--model", "m", "--preset", "fashion", "--no-edge-attention");
        assertTrue(off.getSpec().hasEdgeAttention(), "an explicit --no-edge-attention is sent, to override the preset");
        assertFalse(off.getSpec().getEdgeAttention());
        assertEquals("fashion", off.getPreset());
        assertFalse(parse("--model", "m", "--preset", "fashion").getSpec().hasEdgeAttention(), "unset: the preset decides");
    }
}
