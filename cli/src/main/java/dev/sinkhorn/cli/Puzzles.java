package dev.sinkhorn.cli;

import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.v1.ModelInfo;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Puzzles for a model: scrambled images, Predict(hard) requests, and the reconstructions they give. */
final class Puzzles {
    private Puzzles() {
    }

    /** Predict(hard) for a batch: pieces [B, P, C, h, w] for a jigsaw model, numbers [B, N] for a sorting model. */
    static PredictRequest request(ModelInfo model, ScrambledBatch b) {
        boolean sorting = model.getSpec().getTask().equals(dev.sinkhorn.core.model.ModelSpec.SORTING);
        Tensor.Builder t = Tensor.newBuilder().addShape(b.batch()).addShape(b.pieces());
        if (!sorting) {
            t.addShape(b.channels()).addShape(b.pieceHeight()).addShape(b.pieceWidth());
        }
        for (float v : b.scrambledPieces()) {
            t.addValues(v);
        }
        // The serving version; the newest while none has been promoted yet (it is served by number).
        long version = model.getVersion() != 0 ? model.getVersion() : model.getNewestVersion();
        PredictRequest.Builder r = PredictRequest.newBuilder().setModel(model.getName()).setVersion(version).setHard(true);
        return (sorting ? r.setNumbers(t) : r.setPieces(t)).build();
    }

    /** The hard assignments of a Predict response, [batch][pieces]. */
    static int[][] assignments(PredictResponse r) {
        int[][] a = new int[r.getAssignmentsCount()][];
        for (int k = 0; k < a.length; k++) {
            a[k] = r.getAssignments(k).getIndexList().stream().mapToInt(Integer::intValue).toArray();
        }
        return a;
    }

    /** [scrambled image, reconstructed image] per puzzle, each [C, grid*ph, grid*pw]. */
    static List<float[][]> pictures(Jigsaw jigsaw, ScrambledBatch b, int[][] assignments) {
        float[] scrambled = jigsaw.assemble(b.scrambledPieces(), b.batch(), b.channels(), b.pieceHeight(), b.pieceWidth());
        float[] ordered = Jigsaw.reorder(b.scrambledPieces(), b.batch(), b.pieces(), b.pieceSize(), assignments);
        float[] restored = jigsaw.assemble(ordered, b.batch(), b.channels(), b.pieceHeight(), b.pieceWidth());
        int size = b.channels() * jigsaw.grid() * b.pieceHeight() * jigsaw.grid() * b.pieceWidth();
        List<float[][]> out = new ArrayList<>();
        for (int k = 0; k < b.batch(); k++) {
            out.add(new float[][] {java.util.Arrays.copyOfRange(scrambled, k * size, (k + 1) * size),
                    java.util.Arrays.copyOfRange(restored, k * size, (k + 1) * size)});
        }
        return out;
    }

    /** Images [n, C, H, W] in [0, 1] from a set. */
    static float[] images(ImageSet set, int[] indices) {
        float[] out = new float[indices.length * set.imageSize()];
        set.copyUnitPixels(indices, indices.length, out);
        return out;
    }
}
