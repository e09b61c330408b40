package dev.sinkhorn.bench;

import ai.djl.Device;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.sorting.TestLists;
import dev.sinkhorn.core.sorting.UniformRange;
import dev.sinkhorn.core.training.SortingEvaluation;
import dev.sinkhorn.core.training.SortingTrainer;
import dev.sinkhorn.core.training.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The paper's sorting table (Mena et al. 2018, Table 1): for each N, trains a sorting network
 * in-process with the sorting defaults (google/gumbel_sinkhorn's: lr 0.1, tau 1, batch 10, 5
 * samples, 10 Sinkhorn iterations, 32 units, noise 1) for a number of steps, then scores fresh
 * test lists of N numbers from [0, 1], and the generalisation checks: numbers from [0, 10], and
 * lists of half and twice the length. Prints markdown.
 *
 * <p>Arguments: steps testLists N...
 */
public final class SortingTable {
    private record Row(int n, double seconds, PermutationScores same, PermutationScores wide, PermutationScores half,
                       PermutationScores twice) {
    }

    public static void main(String[] a) {
        System.setProperty("ai.djl.offline", "true");
        long steps = Long.parseLong(a[0]);
        int testLists = Integer.parseInt(a[1]);
        List<Row> rows = new ArrayList<>();
        for (int k = 2; k < a.length; k++) {
            int n = Integer.parseInt(a[k]);
            ModelSpec spec = ModelSpec.sorting(n, 32, 1f, 10);
            try (SinkhornModel model = SinkhornModel.initialize(spec, 0f, 1f, Device.cpu(), 1)) {
                SortingTrainer trainer = new SortingTrainer(model, new TrainingSettings(10, 0.1f, 5, 1f, 1),
                        UniformRange.UNIT, steps);
                long start = System.nanoTime();
                trainer.epoch(1, (e, s, total, loss, lists) -> {
                    if (s % Math.max(1, total / 10) == 0) {
                        System.err.printf(Locale.ROOT, "[sorting] N=%d step %d/%d loss %.4f%n", n, s, total, loss / lists);
                    }
                }, () -> false);
                double seconds = (System.nanoTime() - start) / 1e9;
                Row r = new Row(n, seconds,
                        SortingEvaluation.evaluate(model, new TestLists(testLists, n, UniformRange.UNIT, 2018)),
                        SortingEvaluation.evaluate(model, new TestLists(testLists, n, new UniformRange(0, 10), 2018)),
                        SortingEvaluation.evaluate(model, new TestLists(testLists, Math.max(2, n / 2), UniformRange.UNIT, 2018)),
                        SortingEvaluation.evaluate(model, new TestLists(testLists, 2 * n, UniformRange.UNIT, 2018)));
                System.err.printf(Locale.ROOT, "[sorting] N=%d: %.1f s, tau %.4f%n", n, seconds, r.same().meanKendallTau());
                rows.add(r);
            }
        }
        StringBuilder head = new StringBuilder("| | ");
        StringBuilder rule = new StringBuilder("|---|");
        for (Row r : rows) {
            head.append("N = ").append(r.n()).append(" | ");
            rule.append("---:|");
        }
        System.out.println(head.toString().trim());
        System.out.println(rule);
        line(rows, "prop any wrong", r -> r.same().propAnyWrong());
        line(rows, "prop wrong", r -> r.same().propWrong());
        line(rows, "Kendall tau", r -> r.same().meanKendallTau());
        line(rows, "Kendall tau, numbers from [0, 10]", r -> r.wide().meanKendallTau());
        line(rows, "Kendall tau, lists of N/2", r -> r.half().meanKendallTau());
        line(rows, "Kendall tau, lists of 2N", r -> r.twice().meanKendallTau());
        line(rows, "training seconds (" + steps + " steps)", Row::seconds);
    }

    private static void line(List<Row> rows, String name, java.util.function.ToDoubleFunction<Row> value) {
        StringBuilder s = new StringBuilder("| ").append(name).append(" | ");
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "%.3f", value.applyAsDouble(r))).append(" | ");
        }
        System.out.println(s.toString().trim());
    }
}
