package dev.sinkhorn.matcher;

import dev.sinkhorn.service.grpc.GrpcErrors;
import dev.sinkhorn.service.grpc.RequestParsing;
import dev.sinkhorn.service.grpc.UnaryCalls;
import dev.sinkhorn.v1.MatchAndScoreRequest;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatchResponse;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.SampleMatchingRequest;
import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/**
 * gRPC adapter of MatcherService: hands each request to {@link MatchingService} and answers its
 * result, or its failure mapped by {@link GrpcErrors}. Runs on worker threads (the solves are CPU
 * work); a call's deadline or cancellation stops its solve.
 */
@GrpcService
@Blocking
public class MatcherGrpcService implements MatcherServiceGrpc.AsyncService, BindableService {
    /** The generated binding, with requests whose bytes do not parse answered INVALID_ARGUMENT. */
    @Override
    public ServerServiceDefinition bindService() {
        return RequestParsing.rejectUnparsable(MatcherServiceGrpc.bindService(this));
    }

    @Inject
    MatchingService matching;

    @Override
    public void match(MatchRequest request, StreamObserver<MatchResponse> out) {
        UnaryCalls.answer(out, () -> matching.match(request, Context.current()::isCancelled));
    }

    @Override
    public void sampleMatching(SampleMatchingRequest request, StreamObserver<MatchResponse> out) {
        UnaryCalls.answer(out, () -> matching.sampleMatching(request, Context.current()::isCancelled));
    }

    @Override
    public void score(ScoreRequest request, StreamObserver<ScoreResponse> out) {
        UnaryCalls.answer(out, () -> matching.score(request));
    }

    @Override
    public StreamObserver<MatchAndScoreRequest> matchAndScore(StreamObserver<ScoreResponse> out) {
        Context context = Context.current();
        MatchAndScoreSession session = matching.session(context::isCancelled);
        return new StreamObserver<>() {
            private boolean failed;

            @Override
            public void onNext(MatchAndScoreRequest request) {
                if (failed) {
                    return;
                }
                try {
                    session.add(request);
                } catch (RuntimeException e) {
                    failed = true;
                    out.onError(GrpcErrors.toStatus(e, context));
                }
            }

            @Override
            public void onError(Throwable t) {
                failed = true; // the client went away; nothing to answer
            }

            @Override
            public void onCompleted() {
                if (!failed) {
                    UnaryCalls.answer(out, context, session::finish);
                }
            }
        };
    }
}
