package dev.sinkhorn.trainer;

import dev.sinkhorn.v1.TrainerServiceGrpc;
import io.quarkus.grpc.GrpcService;

/** gRPC adapter of TrainerService. Methods not implemented yet answer UNIMPLEMENTED. */
@GrpcService
public class TrainerGrpcService extends TrainerServiceGrpc.TrainerServiceImplBase {
}
