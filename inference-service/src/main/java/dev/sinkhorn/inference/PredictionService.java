package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.DependencyUnavailableException;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.service.grpc.TensorValidator;
import dev.sinkhorn.service.grpc.TensorValidator.Dim;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Predict: runs a loaded model on scrambled pieces. Holds a lease on the model for the whole call
 * (a hot swap never frees it underneath), runs the network and its Sinkhorn on the
 * {@link ComputeThread}, and with hard = true asks the matcher for the exact assignments.
 */
@ApplicationScoped
public class PredictionService {
    @Inject
    InferenceConfig config;
    @Inject
    ModelRegistry registry;
    @Inject
    ComputeThread compute;
    @Inject
    MatcherClient matcher;

    private TensorValidator piecesValidator;

    @PostConstruct
    void init() {
        piecesValidator = new TensorValidator(config.maxElements());
    }

    PredictResponse predict(PredictRequest request) {
        CheckpointRecords.requireModelName("model", request.getModel());
        try (ModelRegistry.Lease lease = registry.acquire(request.getModel(), request.getVersion())) {
            LoadedModel loaded = lease.model();
            SinkhornModel model = loaded.model();
            ModelSpec spec = model.spec();
            float[] pieces = piecesValidator.validate("pieces", request.getPieces(),
                    List.of(Dim.any("B"), Dim.of("P", spec.pieces()), Dim.of("C", spec.inChannels()),
                            Dim.of("h", spec.pieceSize()), Dim.of("w", spec.pieceSize())),
                    " for this model (grid " + spec.grid() + ", " + spec.imageSize() + " px images)");
            int batch = request.getPieces().getShape(0);
            SinkhornModel.Prediction p = compute.run(() -> model.predict(pieces, batch));
            int n = spec.pieces();
            boolean bytes = !request.getPieces().getValuesF32Le().isEmpty();
            PredictResponse.Builder r = PredictResponse.newBuilder().setModel(loaded.name()).setVersion(loaded.version())
                    .setLogAlpha(ProtoArrays.matrixBatch(batch, n, n, p.logAlpha(), bytes))
                    .setSoftPermutation(ProtoArrays.matrixBatch(batch, n, n, p.softPermutation(), bytes));
            if (request.getHard()) {
                try {
                    r.addAllAssignments(matcher.assignments(r.getLogAlpha(), "hard = true"));
                } catch (DependencyUnavailableException e) {
                    throw new DependencyUnavailableException(e.getMessage() + "; Predict without hard still works", e.getCause());
                }
            }
            return r.build();
        }
    }
}
