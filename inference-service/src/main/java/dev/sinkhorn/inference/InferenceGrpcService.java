package dev.sinkhorn.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import dev.sinkhorn.core.sinkhorn.SinkhornResult;
import dev.sinkhorn.service.MatrixBatchValidator;
import dev.sinkhorn.service.MatrixShape;
import dev.sinkhorn.service.ProtoArrays;
import dev.sinkhorn.service.Statuses;
import dev.sinkhorn.service.UnaryCalls;
import dev.sinkhorn.service.ValidatedBatch;
import dev.sinkhorn.v1.GumbelSinkhornRequest;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.ListModelsResponse;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatchResponse;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.MatrixBatch;
import dev.sinkhorn.v1.ModelInfo;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.SinkhornResponse;
import dev.sinkhorn.v1.Tensor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * gRPC adapter of InferenceService: validates requests, runs core's Sinkhorn ops and the loaded
 * models, asks the matcher for hard assignments, and translates errors into statuses.
 *
 * <p>Sinkhorn and GumbelSinkhorn are handled wholly on the {@link ComputeThread}, handed over
 * by the I/O thread that received them (measured: each thread a request passes through adds
 * latency on a busy machine). Predict and ListModels wait on the matcher or the registry and
 * run on worker threads ({@code @Blocking}).
 */
@GrpcService
public class InferenceGrpcService extends InferenceServiceGrpc.InferenceServiceImplBase {
    @Inject
    InferenceConfig config;
    @Inject
    ModelRegistry registry;
    @Inject
    ComputeThread compute;
    @GrpcClient("matcher")
    MatcherServiceGrpc.MatcherServiceBlockingStub matcher;
    @ConfigProperty(name = "quarkus.grpc.clients.matcher.host")
    String matcherHost;
    @ConfigProperty(name = "quarkus.grpc.clients.matcher.port")
    int matcherPort;

    private MatrixBatchValidator validator;

    @PostConstruct
    void init() {
        validator = new MatrixBatchValidator(Integer.MAX_VALUE, Integer.MAX_VALUE, config.maxElements());
    }

    @Override
    public void sinkhorn(SinkhornRequest request, StreamObserver<SinkhornResponse> out) {
        answerOnComputeThread(out, cancelled -> {
            ValidatedBatch v = validator.validate("log_alpha", request.getLogAlpha(), true);
            float tau = positiveOrDefault("tau", request.getTau(), 1f);
            int nIter = iterations(request.getNIter());
            if (!(request.getTolerance() >= 0) || !Float.isFinite(request.getTolerance())) {
                throw Statuses.invalid("tolerance must be >= 0 and finite, got " + request.getTolerance());
            }
            return apply(v, x -> SinkhornOps.sinkhorn(x, tau, nIter, request.getTolerance(), cancelled));
        });
    }

    @Override
    public void gumbelSinkhorn(GumbelSinkhornRequest request, StreamObserver<SinkhornResponse> out) {
        answerOnComputeThread(out, cancelled -> {
            ValidatedBatch v = validator.validate("log_alpha", request.getLogAlpha(), true);
            MatrixShape s = v.shape();
            float tau = positiveOrDefault("tau", request.getTau(), 1f);
            int nIter = iterations(request.getNIter());
            long samples = request.getNSamples() == 0 ? 1 : Integer.toUnsignedLong(request.getNSamples());
            if (samples > config.maxSamples()) {
                throw Statuses.tooLarge("n_samples = " + samples + " exceeds the cap of " + config.maxSamples());
            }
            if (samples * s.elements() > config.maxElements()) {
                throw Statuses.tooLarge("n_samples * batch*rows*cols = " + samples * s.elements() + " exceeds the cap of "
                        + config.maxElements() + " elements");
            }
            float noise = request.getNoiseFactor() == 0f ? 1f : request.getNoiseFactor();
            if (!(noise > 0) || !Float.isFinite(noise)) {
                throw Statuses.invalid("noise_factor must be >= 0 and finite, got " + request.getNoiseFactor());
            }
            long seed = request.hasSeed() ? request.getSeed() : ThreadLocalRandom.current().nextLong();
            return apply(v, x -> SinkhornOps.gumbelSinkhorn(x, tau, nIter, (int) samples, noise, seed, cancelled));
        });
    }

    @Override
    @Blocking
    public void predict(PredictRequest request, StreamObserver<PredictResponse> out) {
        UnaryCalls.answer(out, () -> {
            if (request.getModel().isEmpty()) {
                throw Statuses.invalid("model is required");
            }
            try (ModelRegistry.Lease lease = registry.acquire(request.getModel(), request.getVersion())) {
                LoadedModel loaded = lease.model();
                SinkhornModel model = loaded.model();
                float[] pieces = validatePieces(request.getPieces(), model.spec());
                int batch = request.getPieces().getShape(0);
                SinkhornModel.Prediction p = compute.run(() -> model.predict(pieces, batch));
                int n = model.spec().pieces();
                boolean bytes = !request.getPieces().getValuesF32Le().isEmpty();
                PredictResponse.Builder r = PredictResponse.newBuilder().setModel(loaded.name()).setVersion(loaded.version())
                        .setLogAlpha(ProtoArrays.matrixBatch(batch, n, n, p.logAlpha(), bytes))
                        .setSoftPermutation(ProtoArrays.matrixBatch(batch, n, n, p.softPermutation(), bytes));
                if (request.getHard()) {
                    r.addAllAssignments(hardAssignments(r.getLogAlpha()).getAssignmentsList());
                }
                return r.build();
            }
        });
    }

    @Override
    @Blocking
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
        UnaryCalls.answer(out, () -> {
            ListModelsResponse.Builder r = ListModelsResponse.newBuilder();
            for (LoadedModel m : registry.all()) {
                ModelInfo.Builder info = ModelInfo.newBuilder().setName(m.name()).setVersion(m.version())
                        .setSpec(m.checkpoint().getSpec()).setDataset(m.checkpoint().getDataset())
                        .setJobId(m.checkpoint().getJobId()).setEpoch(m.checkpoint().getEpoch()).setLoadedAtMs(m.loadedAtMs());
                if (registry.lastEvaluation(m.name()) != null) {
                    info.setLastEvaluation(registry.lastEvaluation(m.name()));
                }
                r.addModels(info);
            }
            return r.build();
        });
    }

    private MatchResponse hardAssignments(MatrixBatch logAlpha) {
        try {
            return matcher.withDeadlineAfter(config.matcherDeadline().toMillis(), TimeUnit.MILLISECONDS)
                    .match(MatchRequest.newBuilder().setMatrices(logAlpha).build());
        } catch (StatusRuntimeException e) {
            throw Statuses.unavailable("hard = true needs the matcher at " + matcherHost + ":" + matcherPort
                    + ", which answered " + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                    : " (" + e.getStatus().getDescription() + ")") + "; Predict without hard still works", e);
        }
    }

    /** Checks pieces against the model: shape [B, P, C, h, w], values, caps. Returns the values. */
    private float[] validatePieces(Tensor t, ModelSpec spec) {
        List<Integer> expected = List.of(spec.pieces(), spec.inChannels(), spec.pieceSize(), spec.pieceSize());
        if (t.getShapeCount() != 5 || t.getShape(0) == 0 || !t.getShapeList().subList(1, 5).equals(expected)) {
            throw Statuses.invalid("pieces.shape must be [B >= 1, " + spec.pieces() + ", " + spec.inChannels() + ", "
                    + spec.pieceSize() + ", " + spec.pieceSize() + "] for this model (grid " + spec.grid() + ", "
                    + spec.imageSize() + " px images), got " + t.getShapeList());
        }
        long batch = Integer.toUnsignedLong(t.getShape(0));
        long size = batch * spec.pieces() * spec.pieceFloats();
        if (size > config.maxElements()) {
            throw Statuses.tooLarge("pieces hold " + size + " values, above the cap of " + config.maxElements());
        }
        if (ProtoArrays.count(t) != size) {
            throw Statuses.invalid("pieces.values has " + ProtoArrays.count(t) + " entries, shape " + t.getShapeList()
                    + " needs " + size + " (set values or values_f32le, not both)");
        }
        float[] values = ProtoArrays.values(t);
        for (int k = 0; k < size; k++) {
            if (!Float.isFinite(values[k])) {
                long perImage = (long) spec.pieces() * spec.pieceFloats();
                throw Statuses.invalid("pieces.values[" + k + "] (image " + k / perImage + ", piece "
                        + (k % perImage) / spec.pieceFloats() + ") is " + values[k] + "; must be finite");
            }
        }
        return values;
    }

    private int iterations(int nIter) {
        long n = nIter == 0 ? 20 : Integer.toUnsignedLong(nIter);
        if (n > config.maxIterations()) {
            throw Statuses.tooLarge("n_iter = " + n + " exceeds the cap of " + config.maxIterations());
        }
        return (int) n;
    }

    private static float positiveOrDefault(String field, float value, float fallback) {
        float v = value == 0f ? fallback : value;
        if (!(v > 0) || !Float.isFinite(v)) {
            throw Statuses.invalid(field + " must be > 0 and finite, got " + value);
        }
        return v;
    }

    /**
     * Answers the call on the compute thread: validation, libtorch work and the answer. The call
     * is given whether its client has gone (deadline passed, cancelled): work for it is not
     * started, or stops at its next iteration, and ends as CANCELLED.
     */
    private <T> void answerOnComputeThread(StreamObserver<T> out, Function<BooleanSupplier, T> call) {
        BooleanSupplier cancelled = out instanceof ServerCallStreamObserver<T> server ? server::isCancelled : () -> false;
        try {
            compute.submit(() -> {
                try {
                    UnaryCalls.answer(out, () -> {
                        if (cancelled.getAsBoolean()) {
                            throw new CancellationException("cancelled by the client before it started");
                        }
                        return call.apply(cancelled);
                    }, InferenceGrpcService::status);
                } catch (Error e) { // e.g. OutOfMemoryError: answer, so the caller does not wait for its deadline
                    out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
                    throw e;
                }
            });
        } catch (RejectedExecutionException stopping) {
            out.onError(Statuses.unavailable("the inference service is shutting down", stopping));
        }
    }

    private static StatusRuntimeException status(RuntimeException e) {
        return e instanceof CancellationException
                ? Status.CANCELLED.withDescription(e.getMessage()).asRuntimeException()
                : UnaryCalls.internal(e);
    }

    /** Runs a Sinkhorn op on the batch ([B, N, N], on a manager closed after the call) and answers in the request's encoding. */
    private static SinkhornResponse apply(ValidatedBatch v, Function<NDArray, SinkhornResult> op) {
        MatrixShape s = v.shape();
        try (NDManager m = NDManager.newBaseManager(Devices.forName("auto"))) {
            NDArray x = m.create(v.values(), new Shape(s.batch(), s.rows(), s.cols()));
            return response(op.apply(x), s.rows(), v.bytes());
        }
    }

    private static SinkhornResponse response(SinkhornResult r, int n, boolean bytes) {
        float[] m = r.matrices().toFloatArray();
        SinkhornResponse.Builder b = SinkhornResponse.newBuilder().setMatrices(ProtoArrays.matrixBatch(m.length / (n * n), n, n, m, bytes))
                .setIterations(r.iterations());
        for (float e : r.maxMarginalError()) {
            b.addMaxMarginalError(e);
        }
        return b.build();
    }
}
