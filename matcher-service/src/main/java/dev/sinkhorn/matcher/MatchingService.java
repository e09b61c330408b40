package dev.sinkhorn.matcher;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.core.matching.AssignmentResult;
import dev.sinkhorn.core.matching.BatchMatcher;
import dev.sinkhorn.core.matching.MatchOptions;
import dev.sinkhorn.core.matching.Matrices;
import dev.sinkhorn.core.matching.PairScores;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.random.GumbelSampling;
import dev.sinkhorn.service.grpc.MatrixBatchValidator;
import dev.sinkhorn.service.grpc.SamplingFields;
import dev.sinkhorn.service.grpc.TensorValidator;
import dev.sinkhorn.service.grpc.TensorValidator.Dim;
import dev.sinkhorn.v1.DualPotentials;
import dev.sinkhorn.v1.InterchangeableScores;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatchResponse;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.SampleMatchingRequest;
import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * The matcher's work behind its RPCs: validates requests against the caps, solves with core's
 * {@link BatchMatcher} (one solver per worker thread) and scores with {@link PermutationScores}.
 * Failures are domain exceptions; the adapter maps them to statuses.
 */
@ApplicationScoped
public class MatchingService {
    @Inject
    MatcherConfig config;

    private BatchMatcher matcher;
    private MatrixBatchValidator validator;
    private TensorValidator itemsValidator;

    @PostConstruct
    void init() {
        int threads = config.parallelism() > 0 ? config.parallelism() : Runtime.getRuntime().availableProcessors();
        matcher = new BatchMatcher(threads);
        validator = new MatrixBatchValidator(config.maxRows(), config.maxCols(), config.maxElements());
        itemsValidator = new TensorValidator(config.maxElements());
    }

    @PreDestroy
    void close() {
        matcher.close();
    }

    MatrixBatchValidator validator() {
        return validator;
    }

    BatchMatcher matcher() {
        return matcher;
    }

    /** Exact assignment of every matrix (forbidden pairs marked with the infinity that never wins). */
    MatchResponse match(MatchRequest request, BooleanSupplier cancelled) {
        float forbidden = request.getMinimize() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        Matrices m = validator.validate("matrices", request.getMatrices(), false, forbidden).matrices();
        MatchOptions options = new MatchOptions(request.getMinimize(), request.getIncludePotentials());
        return response(matcher.solve(m, options, cancelled), options.withPotentials());
    }

    /** Exact samples of the Gumbel-Matching distribution M(X + noise). */
    MatchResponse sampleMatching(SampleMatchingRequest request, BooleanSupplier cancelled) {
        Matrices m = validator.validate("log_alpha", request.getLogAlpha(), false).matrices();
        GumbelSampling sampling = SamplingFields.parse(request.getNSamples(), request.getNoiseFactor(), m.elements(),
                Long.MAX_VALUE, config.maxElements());
        long seed = request.hasSeed() ? request.getSeed() : ThreadLocalRandom.current().nextLong();
        return response(matcher.sample(m, sampling, seed, cancelled), false);
    }

    /** Kendall tau per pair and the paper's batch metrics. */
    ScoreResponse score(ScoreRequest request) {
        if (request.getTruthCount() != request.getPredictedCount()) {
            throw new InvalidInputException("truth has " + request.getTruthCount() + " permutations but predicted has "
                    + request.getPredictedCount());
        }
        if (request.getTruthCount() == 0) {
            throw new InvalidInputException("truth is empty: nothing to score");
        }
        int[][] truth = PermutationValidator.toArrays("truth", request.getTruthList(), -1);
        int[][] predicted = PermutationValidator.toArrays("predicted", request.getPredictedList(), truth[0].length);
        long elements = (long) truth.length * truth[0].length;
        if (elements > config.maxElements()) {
            throw new LimitExceededException("truth holds " + elements + " entries, above the cap of " + config.maxElements());
        }
        int n = truth[0].length;
        float[] items = request.hasItems() ? itemsValidator.validate("items", request.getItems(),
                List.of(Dim.of("count", truth.length), Dim.of("N", n), Dim.any("D")), "") : null;
        int d = items == null ? 0 : items.length / (truth.length * n);
        PairScores scores = new PairScores();
        ScoreResponse.Builder b = ScoreResponse.newBuilder();
        for (int k = 0; k < truth.length; k++) {
            b.addKendallTau(items == null ? scores.add(truth[k], predicted[k]) : scores.add(truth[k], predicted[k], items, k * n * d, d));
        }
        return summary(b, scores).build();
    }

    /** A new streamed MatchAndScore. */
    MatchAndScoreSession session(BooleanSupplier cancelled) {
        return new MatchAndScoreSession(this, config.maxElements(), cancelled);
    }

    /** The batch metrics of a score response: positional, l1 and l2 when the items were sent, and interchangeable. */
    static ScoreResponse.Builder summary(ScoreResponse.Builder b, PairScores scores) {
        PermutationScores p = scores.positional();
        PermutationScores i = scores.interchangeable();
        b.setCount(p.count()).setMeanKendallTau(p.meanKendallTau()).setPropWrong(p.propWrong()).setPropAnyWrong(p.propAnyWrong())
                .setInterchangeable(InterchangeableScores.newBuilder().setMeanKendallTau(i.meanKendallTau())
                        .setPropWrong(i.propWrong()).setPropAnyWrong(i.propAnyWrong()));
        if (p.hasContent()) {
            b.setL1(p.l1()).setL2(p.l2());
        }
        return b;
    }

    private static MatchResponse response(AssignmentResult[] results, boolean potentials) {
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
}
