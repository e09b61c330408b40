package dev.sinkhorn.service.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.model.ModelSpec;
import org.junit.jupiter.api.Test;

/** sinkhorn.v1.ModelSpec and core's ModelSpec carry the same network both ways, old checkpoints' specs included. */
class ModelSpecsTest {

    @Test
    void edgeAttentionSurvivesTheRoundTripAndIsLeftUnsetWhenOff() {
        ModelSpec edges = ModelSpec.jigsaw(1, 28, 3, 32, 5, 1f, 20).withContext(2, 4, 64).withEdgeAttention(true);
        dev.sinkhorn.v1.ModelSpec proto = ModelSpecs.toProto(edges);
        assertTrue(proto.hasEdgeAttention() && proto.getEdgeAttention());
        assertEquals(edges, ModelSpecs.toCore(proto));
        dev.sinkhorn.v1.ModelSpec plain = ModelSpecs.toProto(edges.withEdgeAttention(false));
        assertFalse(plain.hasEdgeAttention(), "off is written as before 0.7.0: unset");
        assertEquals(edges.withEdgeAttention(false), ModelSpecs.toCore(plain));
    }

    @Test
    void aJigsawSpecWithoutArchitectureIsPerPiece() {
        dev.sinkhorn.v1.ModelSpec old = dev.sinkhorn.v1.ModelSpec.newBuilder().setTask("jigsaw").setInChannels(1).setImageSize(28)
                .setGrid(2).setHiddenChannels(32).setKernelSize(5).setTau(0.1f).setNIter(20).build();
        assertEquals(ModelSpec.seed(1, 28), ModelSpecs.toCore(old));
    }
}
