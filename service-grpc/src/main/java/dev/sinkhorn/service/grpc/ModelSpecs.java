package dev.sinkhorn.service.grpc;

import dev.sinkhorn.core.model.ModelSpec;

/** Converts between the sinkhorn.v1.ModelSpec message and core's {@link ModelSpec}. */
public final class ModelSpecs {
    private ModelSpecs() {
    }

    public static ModelSpec toCore(dev.sinkhorn.v1.ModelSpec m) {
        return new ModelSpec(m.getTask(), m.getInChannels(), m.getImageSize(), m.getGrid(), m.getHiddenChannels(),
                m.getKernelSize(), m.getTau(), m.getNIter());
    }

    public static dev.sinkhorn.v1.ModelSpec toProto(ModelSpec s) {
        return dev.sinkhorn.v1.ModelSpec.newBuilder().setTask(s.task()).setInChannels(s.inChannels())
                .setImageSize(s.imageSize()).setGrid(s.grid()).setHiddenChannels(s.hiddenChannels())
                .setKernelSize(s.kernelSize()).setTau(s.tau()).setNIter(s.nIter()).build();
    }
}
