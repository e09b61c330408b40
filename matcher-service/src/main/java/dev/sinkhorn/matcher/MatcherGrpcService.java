package dev.sinkhorn.matcher;

import dev.sinkhorn.v1.MatcherServiceGrpc;
import io.quarkus.grpc.GrpcService;

/** gRPC adapter of MatcherService. Methods not implemented yet answer UNIMPLEMENTED. */
@GrpcService
public class MatcherGrpcService extends MatcherServiceGrpc.MatcherServiceImplBase {
}
