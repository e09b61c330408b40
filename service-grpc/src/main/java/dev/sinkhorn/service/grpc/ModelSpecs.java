package dev.sinkhorn.service.grpc;

import dev.sinkhorn.core.model.ModelSpec;

/** Converts between the sinkhorn.v1.ModelSpec message and core's {@link ModelSpec}. */
public final class ModelSpecs {
    private ModelSpecs() {
    }

    /**
     * A jigsaw spec without an architecture (every checkpoint before 0.5.0) is the seed's per-piece
     * network; one without edge_attention (before 0.7.0) has none.
     */
    public static ModelSpec toCore(dev.sinkhorn.v1.ModelSpec m) {
        String architecture = m.getArchitecture().isEmpty() && !m.getTask().equals(ModelSpec.SORTING) ? ModelSpec.PER_PIECE
                : m.getArchitecture();
        return new ModelSpec(m.getTask(), m.getInChannels(), m.getImageSize(), m.getGrid(), m.getHiddenChannels(),
                m.getKernelSize(), m.getTau(), m.getNIter(), m.getItems(), m.getUnits(), architecture, m.getLayers(), m.getHeads(),
                m.getWidth(), m.getEdgeAttention());
    }

    public static dev.sinkhorn.v1.ModelSpec toProto(ModelSpec s) {
        dev.sinkhorn.v1.ModelSpec.Builder b = dev.sinkhorn.v1.ModelSpec.newBuilder().setTask(s.task()).setInChannels(s.inChannels())
                .setImageSize(s.imageSize()).setGrid(s.grid()).setHiddenChannels(s.hiddenChannels())
                .setKernelSize(s.kernelSize()).setTau(s.tau()).setNIter(s.nIter()).setItems(s.items()).setUnits(s.units())
                .setArchitecture(s.architecture()).setLayers(s.layers()).setHeads(s.heads()).setWidth(s.width());
        if (s.edgeAttention()) { // left unset otherwise, as in every checkpoint before 0.7.0
            b.setEdgeAttention(true);
        }
        return b.build();
    }
}
