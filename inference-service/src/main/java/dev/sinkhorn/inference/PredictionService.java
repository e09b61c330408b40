package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.DependencyUnavailableException;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.service.grpc.TensorValidator;
import dev.sinkhorn.service.grpc.TensorValidator.Dim;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Predict: runs a loaded model on scrambled pieces. Holds a lease on the model version for the
 * whole call (a retirement never frees it underneath), runs the network and its Sinkhorn through
 * the {@link DynamicBatcher} (on the compute thread, batched with other callers' requests), and
 * with hard = true asks the matcher for the exact assignments.
 */
@ApplicationScoped
public class PredictionService {
    @Inject
    InferenceConfig config;
    @Inject
    ModelRegistry registry;
    @Inject
    DynamicBatcher batcher;
    @Inject
    MatcherClient matcher;

    private TensorValidator piecesValidator;

    @PostConstruct
    void init() {
        piecesValidator = new TensorValidator(config.maxElements());
    }

    /**
     * Validates the request and queues it; the future completes with the answer (or fails) once
     * its batch has run (and, with hard = true, the matcher has answered).
     *
     * @param gone whether the caller has gone (deadline passed, cancelled): its batch then skips it
     */
    CompletableFuture<PredictResponse> predict(PredictRequest request, BooleanSupplier gone) {
        CheckpointRecords.requireModelName("model", request.getModel());
        ModelRegistry.Lease lease = registry.acquire(request.getModel(), request.getVersion());
        try {
            LoadedModel loaded = lease.model();
            ModelSpec spec = loaded.model().spec();
            float[] pieces = piecesValidator.validate("pieces", request.getPieces(),
                    List.of(Dim.any("B"), Dim.of("P", spec.pieces()), Dim.of("C", spec.inChannels()),
                            Dim.of("h", spec.pieceSize()), Dim.of("w", spec.pieceSize())),
                    " for this model (grid " + spec.grid() + ", " + spec.imageSize() + " px images)");
            int batch = request.getPieces().getShape(0);
            int n = spec.pieces();
            boolean bytes = !request.getPieces().getValuesF32Le().isEmpty();
            CompletableFuture<PredictResponse> answer = batcher.submit(new PredictPass(loaded), new PredictPass.Puzzles(pieces, batch), gone).thenApply(p -> PredictResponse
                    .newBuilder().setModel(loaded.name()).setVersion(loaded.version())
                    .setLogAlpha(ProtoArrays.matrixBatch(batch, n, n, p.logAlpha(), bytes))
                    .setSoftPermutation(ProtoArrays.matrixBatch(batch, n, n, p.softPermutation(), bytes)).build());
            if (request.getHard()) { // the matcher call waits on the network: a worker thread, not the compute thread
                answer = answer.thenApplyAsync(this::withAssignments, Infrastructure.getDefaultWorkerPool());
            }
            return answer.whenComplete((r, e) -> lease.close());
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    private PredictResponse withAssignments(PredictResponse soft) {
        try {
            return soft.toBuilder().addAllAssignments(matcher.assignments(soft.getLogAlpha(), "hard = true")).build();
        } catch (DependencyUnavailableException e) {
            throw new DependencyUnavailableException(e.getMessage() + "; Predict without hard still works", e.getCause());
        }
    }
}
