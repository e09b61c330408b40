package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.DependencyUnavailableException;
import dev.sinkhorn.service.grpc.GrpcErrors;
import dev.sinkhorn.service.grpc.RequestParsing;
import dev.sinkhorn.service.grpc.UnaryCalls;
import dev.sinkhorn.service.grpc.security.AccessControl;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.GumbelSinkhornRequest;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.ListModelsResponse;
import dev.sinkhorn.v1.ListVersionsRequest;
import dev.sinkhorn.v1.ListVersionsResponse;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.PromoteRequest;
import dev.sinkhorn.v1.RollbackRequest;
import dev.sinkhorn.v1.SetPromotionPolicyRequest;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.SinkhornResponse;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * gRPC adapter of InferenceService: hands each request to the object that serves it
 * ({@link SinkhornEndpoint}, {@link PredictionService}, {@link ModelCatalog}, {@link Lifecycle}) and answers its
 * result, or its failure mapped by {@link GrpcErrors}.
 *
 * <p>Sinkhorn and GumbelSinkhorn are handled wholly on the {@link ComputeThread}, handed over by
 * the I/O thread that received them (measured: each thread a request passes through adds latency
 * on a busy machine); Predict is queued for its batch by the I/O thread and answered when the
 * batch has run. The listing and lifecycle calls run on worker threads ({@code @Blocking}).
 */
@GrpcService
public class InferenceGrpcService implements InferenceServiceGrpc.AsyncService, BindableService {
    /** The generated binding, with requests whose bytes do not parse answered INVALID_ARGUMENT. */
    @Override
    public ServerServiceDefinition bindService() {
        return RequestParsing.rejectUnparsable(InferenceServiceGrpc.bindService(this));
    }

    @Inject
    SinkhornEndpoint sinkhorn;
    @Inject
    PredictionService prediction;
    @Inject
    ModelCatalog catalog;
    @Inject
    Lifecycle lifecycle;
    @Inject
    ComputeThread compute;

    @Override
    public void sinkhorn(SinkhornRequest request, StreamObserver<SinkhornResponse> out) {
        answerOnComputeThread(out, cancelled -> sinkhorn.sinkhorn(request, cancelled));
    }

    @Override
    public void gumbelSinkhorn(GumbelSinkhornRequest request, StreamObserver<SinkhornResponse> out) {
        answerOnComputeThread(out, cancelled -> sinkhorn.gumbelSinkhorn(request, cancelled));
    }

    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> out) {
        BooleanSupplier gone = out instanceof ServerCallStreamObserver<PredictResponse> server ? server::isCancelled : () -> false;
        UnaryCalls.answerWhenDone(out, () -> prediction.predict(request, gone));
    }

    @Override
    @Blocking
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
        UnaryCalls.answer(out, catalog::listModels);
    }

    @Override
    @Blocking
    public void listVersions(ListVersionsRequest request, StreamObserver<ListVersionsResponse> out) {
        UnaryCalls.answer(out, () -> catalog.listVersions(request.getModel()));
    }

    @Override
    @Blocking
    public void promote(PromoteRequest request, StreamObserver<Decision> out) {
        UnaryCalls.answer(out, () -> lifecycle.promote(request.getModel(), request.getVersion(), request.getReason(),
                AccessControl.caller()));
    }

    @Override
    @Blocking
    public void rollback(RollbackRequest request, StreamObserver<Decision> out) {
        UnaryCalls.answer(out, () -> lifecycle.rollback(request.getModel(), request.getReason(), AccessControl.caller()));
    }

    @Override
    @Blocking
    public void setPromotionPolicy(SetPromotionPolicyRequest request, StreamObserver<Decision> out) {
        UnaryCalls.answer(out, () -> lifecycle.setPolicy(request.getModel(), request.getPolicy(), AccessControl.caller()));
    }

    /**
     * Answers the call on the compute thread. The call is given whether its client has gone
     * (deadline passed, cancelled): work for it is not started, or stops at its next iteration.
     */
    private <T> void answerOnComputeThread(StreamObserver<T> out, Function<BooleanSupplier, T> call) {
        Context context = Context.current();
        BooleanSupplier cancelled = out instanceof ServerCallStreamObserver<T> server ? server::isCancelled : () -> false;
        try {
            compute.submit(() -> UnaryCalls.answer(out, context, () -> {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("cancelled before it started");
                }
                return call.apply(cancelled);
            }));
        } catch (RejectedExecutionException stopping) {
            out.onError(GrpcErrors.toStatus(new DependencyUnavailableException(
                    "the inference service is shutting down", stopping)));
        }
    }
}
