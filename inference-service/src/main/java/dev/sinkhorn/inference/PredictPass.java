package dev.sinkhorn.inference;

import dev.sinkhorn.core.model.SinkhornModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Predict's pass for the {@link DynamicBatcher}: one forward pass of one model version over the
 * puzzles of every caller in the batch (by the version's identity: a reloaded version is another
 * kind), each caller's log-assignment scores and soft permutations sliced back out.
 */
record PredictPass(LoadedModel model) implements DynamicBatcher.Kind<PredictPass.Puzzles, SinkhornModel.Prediction> {
    /** One caller's puzzles: {@code puzzles} x P x C x h x w values. */
    record Puzzles(float[] pieces, int puzzles) {
    }

    @Override
    public String rpc() {
        return "Predict";
    }

    @Override
    public String unit() {
        return "puzzles";
    }

    @Override
    public boolean batchable() {
        return true;
    }

    @Override
    public int items(Puzzles input) {
        return input.puzzles();
    }

    @Override
    public List<SinkhornModel.Prediction> run(List<Puzzles> inputs, BooleanSupplier allGone) {
        int total = inputs.stream().mapToInt(Puzzles::puzzles).sum();
        float[] all = new float[inputs.stream().mapToInt(p -> p.pieces().length).sum()];
        int offset = 0;
        for (Puzzles p : inputs) {
            System.arraycopy(p.pieces(), 0, all, offset, p.pieces().length);
            offset += p.pieces().length;
        }
        SinkhornModel.Prediction out = model.model().predict(all, total);
        int n = out.logAlpha().length / total; // P*P values per puzzle
        List<SinkhornModel.Prediction> slices = new ArrayList<>(inputs.size());
        int from = 0;
        for (Puzzles p : inputs) {
            int to = from + p.puzzles() * n;
            slices.add(new SinkhornModel.Prediction(Arrays.copyOfRange(out.logAlpha(), from, to),
                    Arrays.copyOfRange(out.softPermutation(), from, to)));
            from = to;
        }
        return slices;
    }
}
