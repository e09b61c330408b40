package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.DependencyUnavailableException;
import dev.sinkhorn.service.grpc.SingleResponse;
import dev.sinkhorn.service.grpc.security.BearerToken;
import dev.sinkhorn.v1.MatchAndScoreRequest;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.MatrixBatch;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.ScoreResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.RegisterClientInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The inference service's client of MatcherService: the one place that calls it, with the
 * configured deadline, and turns its failures into domain exceptions. The matcher being away (or
 * too slow) is a {@link DependencyUnavailableException}.
 */
@ApplicationScoped
public class MatcherClient {
    @Inject
    InferenceConfig config;
    @GrpcClient("matcher")
    @RegisterClientInterceptor(BearerToken.class)
    io.grpc.Channel channel; // the async stub (for the client stream) is not injectable itself
    @ConfigProperty(name = "quarkus.grpc.clients.matcher.host")
    String host;
    @ConfigProperty(name = "quarkus.grpc.clients.matcher.port")
    int port;

    /**
     * The exact assignment of every log_alpha matrix (MatcherService.Match, maximising).
     *
     * @throws DependencyUnavailableException whatever the matcher answered instead (named in the message)
     */
    List<Permutation> assignments(MatrixBatch logAlpha, String why) {
        try {
            return MatcherServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(config.matcherDeadline().toMillis(), TimeUnit.MILLISECONDS)
                    .match(MatchRequest.newBuilder().setMatrices(logAlpha).build()).getAssignmentsList();
        } catch (StatusRuntimeException e) {
            throw new DependencyUnavailableException(why + " needs the matcher at " + host + ":" + port + ", which answered "
                    + describe(e.getStatus()), e);
        }
    }

    /** Starts a streamed MatchAndScore of a whole test set. */
    Scoring scoring() {
        return new Scoring();
    }

    /** One MatchAndScore stream: send the messages, then {@link #finish()}; {@link #abort} on failure. */
    final class Scoring {
        private final SingleResponse<ScoreResponse> response = new SingleResponse<>();
        private final StreamObserver<MatchAndScoreRequest> stream = MatcherServiceGrpc.newStub(channel)
                .withDeadlineAfter(config.matcherDeadline().toMillis(), TimeUnit.MILLISECONDS).matchAndScore(response);

        /** True once the matcher answered early (it only does so with an error): sending more is wasted. */
        boolean answered() {
            return response.future().isDone();
        }

        void send(MatchAndScoreRequest message) {
            stream.onNext(message);
        }

        void abort(Throwable why) {
            stream.onError(why);
        }

        /**
         * Ends the stream and waits for the scores.
         *
         * @throws DependencyUnavailableException when the matcher cannot be reached or misses the deadline
         * @throws RejectedException               when it rejects the stream (a bug on one side)
         */
        ScoreResponse finish() throws InterruptedException {
            stream.onCompleted();
            CompletableFuture<ScoreResponse> result = response.future();
            try {
                return result.get(config.matcherDeadline().toMillis() + 5000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new DependencyUnavailableException("the matcher at " + host + ":" + port + " did not answer within "
                        + config.matcherDeadline(), e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof StatusRuntimeException s) {
                    Status.Code code = s.getStatus().getCode();
                    if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                        throw new DependencyUnavailableException("the matcher at " + host + ":" + port + " answered "
                                + describe(s.getStatus()), s);
                    }
                    throw new RejectedException("the matcher rejected the evaluation: " + describe(s.getStatus()), s);
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** The matcher answered a call with an error that trying again will not cure. */
    static final class RejectedException extends RuntimeException {
        RejectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static String describe(Status s) {
        return s.getCode() + (s.getDescription() == null ? "" : " (" + s.getDescription() + ")");
    }
}
