package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.DependencyUnavailableException;
import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.service.grpc.TensorValidator;
import dev.sinkhorn.service.grpc.TensorValidator.Dim;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.Tensor;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Predict: runs a loaded model on its input (scrambled pieces, or lists of numbers for a sorting
 * model). Holds a lease on the model version for the
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

    private TensorValidator validator;

    @PostConstruct
    void init() {
        validator = new TensorValidator(config.maxElements());
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
            Input in = input(request, spec);
            float[] pieces = in.values();
            int batch = in.tensor().getShape(0);
            int n = spec.size();
            boolean bytes = !in.tensor().getValuesF32Le().isEmpty();
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

    private record Input(Tensor tensor, float[] values) {
    }

    /** The request's input, checked against the model's task and shape. */
    private Input input(PredictRequest request, ModelSpec spec) {
        if (request.hasPieces() && request.hasNumbers()) {
            throw new InvalidInputException("pieces and numbers are both set; set one (numbers for a sorting model)");
        }
        if (spec.isSorting()) {
            String field = request.hasNumbers() ? "numbers" : "pieces";
            Tensor t = request.hasNumbers() ? request.getNumbers() : request.getPieces();
            return new Input(t, validator.validate(field, t, List.of(Dim.any("B"), Dim.of("N", spec.items())),
                    " for sorting model " + request.getModel() + " (lists of " + spec.items() + " numbers)"));
        }
        if (request.hasNumbers()) {
            throw new InvalidInputException("numbers: model " + request.getModel() + " is a jigsaw model (grid " + spec.grid()
                    + "); lists of numbers go to a sorting model, pieces [B, P, C, h, w] to this one");
        }
        if (request.getPieces().getShapeCount() == 2) {
            throw new InvalidInputException("pieces.shape " + request.getPieces().getShapeList() + " is a batch of lists, but model "
                    + request.getModel() + " is a jigsaw model: it needs pieces [B, " + spec.pieces() + ", " + spec.inChannels() + ", "
                    + spec.pieceSize() + ", " + spec.pieceSize() + "]");
        }
        Tensor t = request.getPieces();
        return new Input(t, validator.validate("pieces", t,
                List.of(Dim.any("B"), Dim.of("P", spec.pieces()), Dim.of("C", spec.inChannels()),
                        Dim.of("h", spec.pieceSize()), Dim.of("w", spec.pieceSize())),
                " for this model (grid " + spec.grid() + ", " + spec.imageSize() + " px images)"));
    }

    private PredictResponse withAssignments(PredictResponse soft) {
        try {
            return soft.toBuilder().addAllAssignments(matcher.assignments(soft.getLogAlpha(), "hard = true")).build();
        } catch (DependencyUnavailableException e) {
            throw new DependencyUnavailableException(e.getMessage() + "; Predict without hard still works", e.getCause());
        }
    }
}
