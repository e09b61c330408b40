package dev.sinkhorn.bench;

import ai.djl.Device;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;

/**
 * What one forward pass of Predict costs in-process by batch size (the seed's 2x2 network, its
 * Sinkhorn included), against one puzzle: the fixed cost that dynamic batching shares out.
 *
 * <pre>java -cp ... dev.sinkhorn.bench.PredictPass</pre>
 */
public final class PredictPass {
    private PredictPass() {
    }

    public static void main(String[] args) throws Exception {
        try (SinkhornModel m = SinkhornModel.initialize(ModelSpec.seed(1, 28), 0.1307f, 0.3081f, Device.cpu())) {
            System.out.println("| puzzles per pass | ms per pass | puzzles/s | pass time vs 1 puzzle |");
            System.out.println("|---:|---:|---:|---:|");
            double single = 0;
            for (int b : new int[] {1, 4, 16, 64}) {
                float[] x = new float[b * 4 * 196];
                double s = Timing.median(300, 301, () -> m.predict(x, b));
                single = b == 1 ? s : single;
                System.out.printf("| %d | %.2f | %,.0f | %.2f |%n", b, s * 1e3, b / s, s / single);
            }
        }
    }
}
