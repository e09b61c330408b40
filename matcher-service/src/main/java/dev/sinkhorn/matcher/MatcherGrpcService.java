package dev.sinkhorn.matcher;

import dev.sinkhorn.core.matching.AssignmentResult;
import dev.sinkhorn.core.matching.BatchMatcher;
import dev.sinkhorn.core.matching.InfeasibleAssignmentException;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.service.MatrixBatchValidator;
import dev.sinkhorn.service.MatrixShape;
import dev.sinkhorn.service.ProtoArrays;
import dev.sinkhorn.service.Statuses;
import dev.sinkhorn.service.UnaryCalls;
import dev.sinkhorn.service.ValidatedBatch;
import dev.sinkhorn.v1.DualPotentials;
import dev.sinkhorn.v1.MatchAndScoreRequest;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatchResponse;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.SampleMatchingRequest;
import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import dev.sinkhorn.v1.Tensor;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * gRPC adapter of MatcherService: validates, delegates to core's {@link BatchMatcher} and
 * {@link PermutationScores}, and translates results and errors. Runs on worker threads (the
 * solves are CPU work); a request's deadline or cancellation stops its solve.
 */
@GrpcService
@Blocking
public class MatcherGrpcService extends MatcherServiceGrpc.MatcherServiceImplBase {
    @Inject
    MatcherConfig config;

    private BatchMatcher matcher;
    private MatrixBatchValidator validator;

    @PostConstruct
    void init() {
        int threads = config.parallelism() > 0 ? config.parallelism() : Runtime.getRuntime().availableProcessors();
        matcher = new BatchMatcher(threads);
        validator = new MatrixBatchValidator(config.maxRows(), config.maxCols(), config.maxElements());
    }

    @PreDestroy
    void close() {
        matcher.close();
    }

    @Override
    public void match(MatchRequest request, StreamObserver<MatchResponse> out) {
        Context context = Context.current();
        UnaryCalls.answer(out, () -> {
            float forbidden = request.getMinimize() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            ValidatedBatch v = validator.validate("matrices", request.getMatrices(), false, forbidden);
            MatrixShape s = v.shape();
            AssignmentResult[] results = matcher.solve(v.values(), s.batch(), s.rows(), s.cols(),
                    request.getMinimize(), request.getIncludePotentials(), Context.current()::isCancelled);
            return toResponse(results, request.getIncludePotentials());
        }, e -> toStatus(e, context));
    }

    @Override
    public void sampleMatching(SampleMatchingRequest request, StreamObserver<MatchResponse> out) {
        Context context = Context.current();
        UnaryCalls.answer(out, () -> {
            ValidatedBatch v = validator.validate("log_alpha", request.getLogAlpha(), false);
            MatrixShape s = v.shape();
            long samples = request.getNSamples() == 0 ? 1 : Integer.toUnsignedLong(request.getNSamples());
            if (samples * s.elements() > config.maxElements()) {
                throw Statuses.tooLarge("n_samples * batch*rows*cols = " + samples * s.elements()
                        + " exceeds the cap of " + config.maxElements() + " elements");
            }
            float noise = request.getNoiseFactor() == 0f ? 1f : request.getNoiseFactor();
            if (!(noise > 0f) || !Float.isFinite(noise)) {
                throw Statuses.invalid("noise_factor must be finite and >= 0, got " + request.getNoiseFactor());
            }
            long seed = request.hasSeed() ? request.getSeed() : ThreadLocalRandom.current().nextLong();
            AssignmentResult[] results = matcher.sample(v.values(), s.batch(), s.rows(), s.cols(),
                    (int) samples, noise, seed, Context.current()::isCancelled);
            return toResponse(results, false);
        }, e -> toStatus(e, context));
    }

    @Override
    public void score(ScoreRequest request, StreamObserver<ScoreResponse> out) {
        Context context = Context.current();
        UnaryCalls.answer(out, () -> {
            if (request.getTruthCount() != request.getPredictedCount()) {
                throw Statuses.invalid("truth has " + request.getTruthCount() + " permutations but predicted has "
                        + request.getPredictedCount());
            }
            if (request.getTruthCount() == 0) {
                throw Statuses.invalid("truth is empty: nothing to score");
            }
            int[][] truth = PermutationValidator.toArrays("truth", request.getTruthList(), -1);
            int[][] predicted = PermutationValidator.toArrays("predicted", request.getPredictedList(), truth[0].length);
            long elements = (long) truth.length * truth[0].length;
            if (elements > config.maxElements()) {
                throw Statuses.tooLarge("truth holds " + elements + " entries, above the cap of " + config.maxElements());
            }
            PermutationScores scores = new PermutationScores();
            ScoreResponse.Builder b = ScoreResponse.newBuilder();
            for (int k = 0; k < truth.length; k++) {
                b.addKendallTau(scores.add(truth[k], predicted[k]));
            }
            return fill(b, scores).build();
        }, e -> toStatus(e, context));
    }

    @Override
    public StreamObserver<MatchAndScoreRequest> matchAndScore(StreamObserver<ScoreResponse> out) {
        Context context = Context.current();
        return new StreamObserver<>() {
            private final PermutationScores scores = new PermutationScores();
            private int n = -1;
            private long message;
            private boolean failed;
            private Boolean withItems;

            @Override
            public void onNext(MatchAndScoreRequest request) {
                if (failed) {
                    return;
                }
                try {
                    String at = "message " + message++ + ": ";
                    ValidatedBatch v = validate(at, request);
                    MatrixShape s = v.shape();
                    int[][] truth = PermutationValidator.toArrays(at + "truth", request.getTruthList(), n);
                    int d = itemSize(at, request, s);
                    float[] items = d > 0 ? ProtoArrays.values(request.getItems()) : null;
                    if (items != null) {
                        for (int k = 0; k < items.length; k++) {
                            if (!Float.isFinite(items[k])) {
                                throw Statuses.invalid(at + "items.values[" + k + "] is " + items[k] + "; must be finite");
                            }
                        }
                    }
                    // Solved only once the whole message is valid.
                    AssignmentResult[] results = matcher.solve(v.values(), s.batch(), s.rows(), s.cols(),
                            false, false, context::isCancelled);
                    for (int k = 0; k < results.length; k++) {
                        scores.add(truth[k], results[k].rowToCol());
                        if (items != null) {
                            scores.addContent(items, k * n * d, d, truth[k], results[k].rowToCol());
                        }
                    }
                } catch (RuntimeException e) {
                    failed = true;
                    out.onError(toStatus(e, context));
                }
            }

            private ValidatedBatch validate(String at, MatchAndScoreRequest request) {
                ValidatedBatch v;
                try {
                    v = validator.validate("matrices", request.getMatrices(), true);
                } catch (StatusRuntimeException e) {
                    throw e.getStatus().withDescription(at + e.getStatus().getDescription()).asRuntimeException();
                }
                MatrixShape s = v.shape();
                if (n >= 0 && s.rows() != n) {
                    throw Statuses.invalid(at + "matrices are " + s.rows() + " x " + s.rows() + " but earlier messages had "
                            + n + " x " + n);
                }
                n = s.rows();
                if (request.getTruthCount() != s.batch()) {
                    throw Statuses.invalid(at + "truth has " + request.getTruthCount() + " permutations for "
                            + s.batch() + " matrices");
                }
                return v;
            }

            /** Validates the optional items [B, N, D] against the matrices; returns D, or 0 without items. */
            private int itemSize(String at, MatchAndScoreRequest request, MatrixShape s) {
                boolean has = request.hasItems();
                if (withItems != null && withItems != has) {
                    throw Statuses.invalid(at + "items " + (has ? "sent" : "missing") + ": send items in every message or in none");
                }
                withItems = has;
                if (!has) {
                    return 0;
                }
                Tensor items = request.getItems();
                if (items.getShapeCount() != 3 || items.getShape(0) != s.batch() || items.getShape(1) != s.rows()
                        || items.getShape(2) < 1) {
                    throw Statuses.invalid(at + "items.shape must be [" + s.batch() + ", " + s.rows() + ", D >= 1], got "
                            + items.getShapeList());
                }
                long d = Integer.toUnsignedLong(items.getShape(2));
                long expected = (long) s.batch() * s.rows() * d;
                if (expected > config.maxElements()) {
                    throw Statuses.tooLarge(at + "items hold " + expected + " values, above the cap of " + config.maxElements());
                }
                if (ProtoArrays.count(items) != expected) {
                    throw Statuses.invalid(at + "items.values has " + ProtoArrays.count(items) + " entries, shape needs " + expected
                            + " (set values or values_f32le, not both)");
                }
                return (int) d;
            }

            @Override
            public void onError(Throwable t) {
                failed = true; // the client went away; nothing to answer
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                if (scores.count() == 0) {
                    out.onError(Statuses.invalid("the stream carried no matrices: nothing to score"));
                    return;
                }
                ScoreResponse.Builder b = fill(ScoreResponse.newBuilder(), scores);
                if (scores.hasContent()) {
                    b.setL1(scores.l1()).setL2(scores.l2());
                }
                out.onNext(b.build());
                out.onCompleted();
            }
        };
    }

    private static ScoreResponse.Builder fill(ScoreResponse.Builder b, PermutationScores scores) {
        return b.setCount(scores.count()).setMeanKendallTau(scores.meanKendallTau())
                .setPropWrong(scores.propWrong()).setPropAnyWrong(scores.propAnyWrong());
    }

    static MatchResponse toResponse(AssignmentResult[] results, boolean potentials) {
        MatchResponse.Builder b = MatchResponse.newBuilder();
        for (AssignmentResult r : results) {
            Permutation.Builder p = Permutation.newBuilder();
            for (int c : r.rowToCol()) {
                p.addIndex(c); // UNASSIGNED (-1) travels as 0xFFFFFFFF
            }
            b.addAssignments(p).addObjective(r.objective());
            if (potentials) {
                DualPotentials.Builder d = DualPotentials.newBuilder().setTransposed(r.transposed());
                for (double x : r.u()) {
                    d.addU(x);
                }
                for (double x : r.v()) {
                    d.addV(x);
                }
                b.addPotentials(d);
            }
        }
        return b.build();
    }


    private static StatusRuntimeException toStatus(RuntimeException e, Context context) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof InfeasibleAssignmentException) {
            return Statuses.invalid("infeasible: " + e.getMessage());
        }
        if (e instanceof CancellationException) {
            boolean expired = context.getDeadline() != null && context.getDeadline().isExpired();
            return (expired ? Status.DEADLINE_EXCEEDED.withDescription("deadline passed while solving: " + e.getMessage())
                    : Status.CANCELLED.withDescription("cancelled by the client")).asRuntimeException();
        }
        return UnaryCalls.internal(e);
    }
}
