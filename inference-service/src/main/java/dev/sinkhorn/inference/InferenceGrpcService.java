package dev.sinkhorn.inference;

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
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.function.BooleanSupplier;

/**
 * gRPC adapter of InferenceService: hands each request to the object that serves it
 * ({@link SinkhornEndpoint}, {@link PredictionService}, {@link ModelCatalog}, {@link Lifecycle}) and answers its
 * result, or its failure mapped by {@link GrpcErrors}.
 *
 * <p>Sinkhorn, GumbelSinkhorn and Predict are validated and queued for their batch by the I/O thread
 * that received them ({@link DynamicBatcher}) and answered by the {@link ComputeThread} when the
 * batch has run, without a worker thread between them (measured: each thread a request passes
 * through adds latency on a busy machine). The listing and lifecycle calls run on worker threads ({@code @Blocking}).
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

    @Override
    public void sinkhorn(SinkhornRequest request, StreamObserver<SinkhornResponse> out) {
        UnaryCalls.answerWhenDone(out, () -> sinkhorn.sinkhorn(request, gone(out)));
    }

    @Override
    public void gumbelSinkhorn(GumbelSinkhornRequest request, StreamObserver<SinkhornResponse> out) {
        UnaryCalls.answerWhenDone(out, () -> sinkhorn.gumbelSinkhorn(request, gone(out)));
    }

    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> out) {
        UnaryCalls.answerWhenDone(out, () -> prediction.predict(request, gone(out)));
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

    /** Whether the call's client has gone (deadline passed, cancelled): its queued work is then dropped or stopped. */
    private static BooleanSupplier gone(StreamObserver<?> out) {
        return out instanceof ServerCallStreamObserver<?> server ? server::isCancelled : () -> false;
    }
}
