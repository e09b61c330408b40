package dev.sinkhorn.bench;

import dev.sinkhorn.core.training.JigsawEvaluation;

/**
 * What a model's positional errors are made of: for every misplaced piece, how far its content is
 * from the piece whose place it took (mean absolute pixel difference, pixels in [0, 1]), against
 * the same distance over every pair of distinct places in the same puzzles. Errors among pieces
 * that are nearly alike are ambiguity a picture barely shows; errors among unlike pieces are
 * mistakes.
 */
final class MisplacedPieces implements JigsawEvaluation.PuzzleListener {
    /** Upper edges of the distance buckets; the last bucket is everything above. */
    private static final double[] EDGES = {0, 0.005, 0.01, 0.02, 0.05, 0.1};
    private final long[] misplaced = new long[EDGES.length + 1];
    private final long[] allPairs = new long[EDGES.length + 1];

    @Override
    public void scored(int[] truth, int[] predicted, float[] pieces, int offset, int d) {
        int n = truth.length;
        int[] truthInverse = new int[n];
        for (int i = 0; i < n; i++) {
            truthInverse[truth[i]] = i;
        }
        for (int i = 0; i < n; i++) {
            if (predicted[i] != truth[i]) {
                misplaced[bucket(distance(pieces, offset, d, i, truthInverse[predicted[i]]))]++;
            }
            for (int j = i + 1; j < n; j++) {
                allPairs[bucket(distance(pieces, offset, d, i, j))]++;
            }
        }
    }

    private static double distance(float[] pieces, int offset, int d, int i, int j) {
        double sum = 0;
        for (int k = 0; k < d; k++) {
            sum += Math.abs(pieces[offset + i * d + k] - pieces[offset + j * d + k]);
        }
        return sum / d;
    }

    private static int bucket(double distance) {
        for (int b = 0; b < EDGES.length; b++) {
            if (distance <= EDGES[b]) {
                return b;
            }
        }
        return EDGES.length;
    }

    /** A markdown table: per bucket, the share of misplaced pieces and of all piece pairs. */
    String table() {
        long m = 0;
        long a = 0;
        for (int b = 0; b <= EDGES.length; b++) {
            m += misplaced[b];
            a += allPairs[b];
        }
        StringBuilder out = new StringBuilder("| content distance to the piece whose place it took | misplaced pieces | all piece pairs |\n|---|---:|---:|\n");
        double mCum = 0;
        double aCum = 0;
        for (int b = 0; b <= EDGES.length; b++) {
            String label = b == 0 ? "0 (identical)" : b == EDGES.length ? "> " + EDGES[b - 1] : "(" + EDGES[b - 1] + ", " + EDGES[b] + "]";
            mCum += misplaced[b];
            aCum += allPairs[b];
            out.append(String.format("| %s | %.1f%% (cumulative %.1f%%) | %.1f%% (cumulative %.1f%%) |%n", label, 100.0 * misplaced[b] / m,
                    100.0 * mCum / m, 100.0 * allPairs[b] / a, 100.0 * aCum / a));
        }
        out.append(String.format("| misplaced pieces / pairs | %,d | %,d |%n", m, a));
        return out.toString();
    }
}
