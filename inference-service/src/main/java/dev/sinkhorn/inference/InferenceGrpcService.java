package dev.sinkhorn.inference;

import dev.sinkhorn.v1.InferenceServiceGrpc;
import io.quarkus.grpc.GrpcService;

/** gRPC adapter of InferenceService. Methods not implemented yet answer UNIMPLEMENTED. */
@GrpcService
public class InferenceGrpcService extends InferenceServiceGrpc.InferenceServiceImplBase {
}
