package dev.sinkhorn.core.data;

/**
 * A batch of scrambled inputs with their truth: jigsaw puzzles, or for the sorting task lists of
 * numbers (items of 1 x 1 x 1: scrambled = the list as drawn, true = the list sorted).
 *
 * <p>Shapes (row-major float arrays): truePieces and scrambledPieces [batch, pieces, channels,
 * pieceHeight, pieceWidth]; permutations [batch][pieces]. Semantics, as in the seed notebook:
 * {@code scrambled[b][i] = true[b][permutations[b][i]]}, so permutations[b][i] is the original
 * position of scrambled piece i: the assignment a perfect model predicts for row i.
 */
public record ScrambledBatch(int batch, int pieces, int channels, int pieceHeight, int pieceWidth,
                          float[] truePieces, float[] scrambledPieces, int[][] permutations) {

    /** Floats per piece (channels * pieceHeight * pieceWidth). */
    public int pieceSize() {
        return channels * pieceHeight * pieceWidth;
    }
}
