package dev.sinkhorn.matcher;

import dev.sinkhorn.service.grpc.LoopbackChannel;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.service.grpc.SingleResponse;
import dev.sinkhorn.service.grpc.WarmupGate;
import dev.sinkhorn.v1.MatchAndScoreRequest;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Before the matcher reports ready: calls itself over gRPC on loopback ({@link LoopbackChannel})
 * with batches of the shapes clients send (4x4 to 16x16 batches, both encodings, a dense matrix,
 * Score and a MatchAndScore stream) for at least {@code sinkhorn.warmup} and until the JIT compiler
 * is steady (at most twice that): the transport, the message handling and the row scans are
 * compiled by then.
 */
@ApplicationScoped
public class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class);

    @Inject
    MatchingService matching;
    @Inject
    WarmupGate gate;
    @ConfigProperty(name = "sinkhorn.warmup")
    Duration budget;
    @ConfigProperty(name = "quarkus.grpc.server.port")
    int port;
    @ConfigProperty(name = "quarkus.grpc.server.ssl.certificate")
    Optional<String> certificate;
    @ConfigProperty(name = "quarkus.grpc.server.ssl.key")
    Optional<String> key;

    void onStart(@Observes StartupEvent event) {
        Thread t = new Thread(this::run, "warm-up");
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        long start = System.nanoTime();
        SplittableRandom rng = new SplittableRandom(1);
        List<MatchRequest> requests = List.of(match(rng, 2000, 9, true), match(rng, 1000, 4, true), match(rng, 500, 16, true),
                match(rng, 1000, 9, false), match(rng, 1, 300, true));
        ScoreRequest score = score(rng);
        MatchAndScoreRequest stream = MatchAndScoreRequest.newBuilder().setMatrices(requests.get(1).getMatrices())
                .addAllTruth(score.getTruthList()).build();
        int calls = 0;
        ManagedChannel channel = null;
        try {
            channel = LoopbackChannel.open(port, certificate, key);
            Channel keyed = LoopbackChannel.keyed(channel, gate.key());
            MatcherServiceGrpc.MatcherServiceBlockingStub stub = MatcherServiceGrpc.newBlockingStub(keyed)
                    .withMaxOutboundMessageSize(64 << 20);
            MatcherServiceGrpc.MatcherServiceStub async = MatcherServiceGrpc.newStub(keyed);
            calls = gate.warmUntilSteady(() -> {
                for (MatchRequest r : requests) {
                    stub.withDeadlineAfter(60, TimeUnit.SECONDS).match(r);
                }
                stub.withDeadlineAfter(60, TimeUnit.SECONDS).score(score);
                SingleResponse<ScoreResponse> answer = new SingleResponse<>();
                StreamObserver<MatchAndScoreRequest> out = async.withDeadlineAfter(60, TimeUnit.SECONDS).matchAndScore(answer);
                out.onNext(stream);
                out.onCompleted();
                answer.future().get(60, TimeUnit.SECONDS);
                return requests.size() + 2;
            }, budget, budget.multipliedBy(2));
        } catch (Exception e) {
            LOG.warnf("warm-up stopped early: %s", e);
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
        }
        gate.done(calls + " calls (Match, Score, MatchAndScore) in " + (System.nanoTime() - start) / 1_000_000
                + " ms, until the JIT compiler was steady");
        LOG.infof("warmed up: %s", gate.summary());
    }

    private static MatchRequest match(SplittableRandom rng, int b, int n, boolean bytes) {
        float[] x = new float[b * n * n];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) rng.nextDouble();
        }
        return MatchRequest.newBuilder().setMatrices(ProtoArrays.matrixBatch(b, n, n, x, bytes)).build();
    }

    /** 1,000 pairs of 4-permutations (the MatchAndScore above uses them as its truth). */
    private static ScoreRequest score(SplittableRandom rng) {
        ScoreRequest.Builder r = ScoreRequest.newBuilder();
        for (int k = 0; k < 1000; k++) {
            r.addTruth(permutation(rng)).addPredicted(permutation(rng));
        }
        return r.build();
    }

    private static Permutation permutation(SplittableRandom rng) {
        int[] p = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        Permutation.Builder b = Permutation.newBuilder();
        for (int v : p) {
            b.addIndex(v);
        }
        return b.build();
    }
}
