package dev.sinkhorn.bench;

import ai.djl.Device;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.training.EpochResult;
import dev.sinkhorn.core.training.JigsawEvaluation;
import dev.sinkhorn.core.training.JigsawTrainer;
import dev.sinkhorn.core.training.TrainingSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Our results in the layout of the paper's jigsaw table (Mena et al. 2018, Table 2: puzzle sizes as
 * columns; prop wrong, prop any wrong, l1, l2, Kendall tau as rows), for both architectures and both
 * metric flavours. Every model trains for the same wall-clock budget (whole epochs while time is
 * left, the last one cut at the deadline), then is scored on the whole test split with exact matching.
 *
 * <p>Recipes: per-piece (the seed's network) with tau 1.0 and learning rate 1e-3 (docs/training.md;
 * for 2x2 the preset fast: tau 0.1, 3e-3, batch 128); context (2 layers, 4 heads, width 64) with tau
 * 1.0 and learning rate 1e-3, batch 64. Arguments: minutesPerModel dataset grid...
 */
public final class PaperTables {
    private record Cell(double seconds, long images, PermutationScores positional, PermutationScores interchangeable) {
    }

    public static void main(String[] a) {
        System.setProperty("ai.djl.offline", "true");
        double minutes = Double.parseDouble(a[0]);
        String datasetName = a[1];
        Dataset data = DatasetResolver.fromEnvironment(System.err::println).load(datasetName);
        List<Integer> grids = new ArrayList<>();
        for (int k = 2; k < a.length; k++) {
            grids.add(Integer.parseInt(a[k]));
        }
        Map<String, List<Cell>> rows = new LinkedHashMap<>();
        for (String architecture : List.of(ModelSpec.PER_PIECE, ModelSpec.CONTEXT)) {
            List<Cell> cells = new ArrayList<>();
            for (int grid : grids) {
                cells.add(run(data, grid, architecture, minutes));
            }
            rows.put(architecture, cells);
        }
        System.out.printf(Locale.ROOT, "%s test split (%,d images), %s minutes of training per model on this machine%n%n", datasetName,
                data.test().count(), a[0]);
        for (var e : rows.entrySet()) {
            table(e.getKey() + ", positional (the paper's metrics)", grids, e.getValue(), Cell::positional);
            table(e.getKey() + ", identical pieces interchangeable", grids, e.getValue(), Cell::interchangeable);
        }
    }

    private static Cell run(Dataset data, int grid, String architecture, double minutes) {
        boolean context = architecture.equals(ModelSpec.CONTEXT);
        boolean small = grid == 2 && !context;
        ModelSpec spec = ModelSpec.jigsaw(data.train().channels(), data.train().height(), grid, 32, 5, small ? 0.1f : 1f, 20);
        if (context) {
            spec = spec.withContext(2, 4, 64);
        }
        TrainingSettings settings = new TrainingSettings(small ? 128 : 64, small ? 3e-3f : 1e-3f, 1, 1f, 0);
        try (SinkhornModel model = SinkhornModel.initialize(spec, data.pixelMean(), data.pixelStd(), Device.cpu(), 0)) {
            JigsawTrainer trainer = new JigsawTrainer(model, settings);
            long deadline = System.nanoTime() + (long) (minutes * 60e9);
            double seconds = 0;
            long images = 0;
            for (int e = 1; System.nanoTime() < deadline; e++) {
                EpochResult r = trainer.epoch(data.train(), 0, e, (ep, s, n, loss, i) -> { }, () -> System.nanoTime() > deadline);
                seconds += r.seconds();
                images += r.images();
                System.err.printf(Locale.ROOT, "[paper-tables] %dx%d %s epoch %d: %,d images, %.0f s%n", grid, grid, architecture, e,
                        r.images(), seconds);
            }
            JigsawEvaluation.Result res = JigsawEvaluation.evaluate(model, data.test(), 0, 2018);
            System.err.printf(Locale.ROOT, "[paper-tables] %dx%d %s: tau %.4f, interchangeable %.4f%n", grid, grid, architecture,
                    res.positional().meanKendallTau(), res.interchangeable().meanKendallTau());
            return new Cell(seconds, images, res.positional(), res.interchangeable());
        }
    }

    private static void table(String title, List<Integer> grids, List<Cell> cells, java.util.function.Function<Cell, PermutationScores> view) {
        System.out.println("**" + title + "**");
        System.out.println();
        StringBuilder head = new StringBuilder("| |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int g : grids) {
            head.append(' ').append(g).append('x').append(g).append(" |");
            rule.append("---:|");
        }
        System.out.println(head);
        System.out.println(rule);
        row("prop wrong", cells, c -> view.apply(c).propWrong());
        row("prop any wrong", cells, c -> view.apply(c).propAnyWrong());
        row("l1", cells, c -> c.positional().l1()); // identical pieces swapped change no pixel: l1 and l2 are one flavour
        row("l2", cells, c -> c.positional().l2());
        row("Kendall tau", cells, c -> view.apply(c).meanKendallTau());
        row("training images (epochs)", cells, c -> c.images() / 60000.0);
        System.out.println();
    }

    private static void row(String name, List<Cell> cells, ToDoubleFunction<Cell> value) {
        StringBuilder s = new StringBuilder("| ").append(name).append(" |");
        for (Cell c : cells) {
            s.append(String.format(Locale.ROOT, " %.3f |", value.applyAsDouble(c)));
        }
        System.out.println(s);
    }
}
