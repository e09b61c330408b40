package dev.sinkhorn.matcher;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.core.matching.AssignmentResult;
import dev.sinkhorn.core.matching.MatchOptions;
import dev.sinkhorn.core.matching.Matrices;
import dev.sinkhorn.core.matching.PairScores;
import dev.sinkhorn.service.grpc.TensorValidator;
import dev.sinkhorn.service.grpc.TensorValidator.Dim;
import dev.sinkhorn.v1.MatchAndScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One streamed MatchAndScore: each message's matrices are validated, solved and scored against
 * its truth as it arrives; only running sums are kept, so memory does not grow with the stream.
 * Every message must use the same matrix size N, and send items in every message or in none.
 * A message is solved only once all of it is valid. Not thread-safe: gRPC delivers a stream's
 * messages one at a time.
 */
final class MatchAndScoreSession {
    private final MatchingService matching;
    private final TensorValidator itemsValidator;
    private final BooleanSupplier cancelled;
    private final PairScores scores = new PairScores();
    private int n = -1;
    private long message;
    private Boolean withItems;

    MatchAndScoreSession(MatchingService matching, long maxElements, BooleanSupplier cancelled) {
        this.matching = matching;
        this.itemsValidator = new TensorValidator(maxElements);
        this.cancelled = cancelled;
    }

    /** Validates, solves and scores one message; failures name the message. */
    void add(MatchAndScoreRequest request) {
        String at = "message " + message++ + ": ";
        try {
            Matrices m = matrices(request);
            int[][] truth = PermutationValidator.toArrays("truth", request.getTruthList(), n);
            float[] items = items(request, m);
            AssignmentResult[] results = matching.matcher().solve(m, MatchOptions.MAXIMIZE, cancelled);
            int d = items == null ? 0 : items.length / (m.batch() * n);
            for (int k = 0; k < results.length; k++) {
                if (items == null) {
                    scores.add(truth[k], results[k].rowToCol());
                } else {
                    scores.add(truth[k], results[k].rowToCol(), items, k * n * d, d);
                }
            }
        } catch (InvalidInputException e) {
            throw new InvalidInputException(at + e.getMessage());
        } catch (LimitExceededException e) {
            throw new LimitExceededException(at + e.getMessage());
        }
    }

    /** The scores of the whole stream. */
    ScoreResponse finish() {
        if (scores.positional().count() == 0) {
            throw new InvalidInputException("the stream carried no matrices: nothing to score");
        }
        return MatchingService.summary(ScoreResponse.newBuilder(), scores).build();
    }

    private Matrices matrices(MatchAndScoreRequest request) {
        Matrices m = matching.validator().validate("matrices", request.getMatrices(), true).matrices();
        if (n >= 0 && m.rows() != n) {
            throw new InvalidInputException("matrices are " + m.rows() + " x " + m.rows() + " but earlier messages had " + n + " x " + n);
        }
        n = m.rows();
        if (request.getTruthCount() != m.batch()) {
            throw new InvalidInputException("truth has " + request.getTruthCount() + " permutations for " + m.batch() + " matrices");
        }
        return m;
    }

    /** The optional items [B, N, D] of the message, or null without items. */
    private float[] items(MatchAndScoreRequest request, Matrices m) {
        boolean has = request.hasItems();
        if (withItems != null && withItems != has) {
            throw new InvalidInputException("items " + (has ? "sent" : "missing") + ": send items in every message or in none");
        }
        withItems = has;
        if (!has) {
            return null;
        }
        return itemsValidator.validate("items", request.getItems(),
                List.of(Dim.of("B", m.batch()), Dim.of("N", m.rows()), Dim.any("D")), "");
    }
}
