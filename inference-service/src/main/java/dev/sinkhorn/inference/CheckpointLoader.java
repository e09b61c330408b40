package dev.sinkhorn.inference;

import ai.djl.MalformedModelException;
import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.service.grpc.ModelSpecs;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.v1.Checkpoint;
import java.util.List;

/** Turns a checked Checkpoint into a {@link LoadedModel}, or says why it cannot be used. */
final class CheckpointLoader {
    private CheckpointLoader() {
    }

    /** The outcome: a model, or a rejection (reason tag and message). */
    record Result(LoadedModel model, CheckpointRecords.Rejection rejection) {
    }

    static Result load(Checkpoint c) {
        ModelSpec spec = ModelSpecs.toCore(c.getSpec());
        List<String> problems = spec.problems();
        if (!problems.isEmpty()) {
            return rejected("spec", c.getModel() + " v" + c.getVersion() + ": invalid spec: " + String.join("; ", problems));
        }
        if (!(c.getPixelStd() > 0)) {
            return rejected("spec", c.getModel() + " v" + c.getVersion() + ": pixel_std must be > 0, got " + c.getPixelStd());
        }
        try {
            SinkhornModel model = SinkhornModel.fromParameters(spec, c.getPixelMean(), c.getPixelStd(),
                    c.getParameters().toByteArray(), Devices.forName("auto"));
            return new Result(new LoadedModel(c, model, System.currentTimeMillis()), null);
        } catch (MalformedModelException e) {
            return rejected("parameters", c.getModel() + " v" + c.getVersion() + ": " + e.getMessage());
        }
    }

    private static Result rejected(String reason, String message) {
        return new Result(null, new CheckpointRecords.Rejection(reason, message));
    }
}
