package dev.sinkhorn.cli;

import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.jigsaw.JigsawBatch;
import dev.sinkhorn.v1.ModelInfo;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import java.io.PrintWriter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * `sinkhorn eval MODEL`: scores a served model now, on puzzles from a test split: Predict(hard)
 * on the inference service, Kendall tau and the paper's metrics from the matcher.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a served model on scrambled test images (Predict with hard assignments, then Score).")
final class EvalCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL")
    String model;
    @Option(names = "--limit", defaultValue = "1000", description = "test images (default ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--dataset", description = "data set (default: the model's)")
    String dataset;
    @Option(names = "--seed", defaultValue = "2018", description = "scramble seed (default ${DEFAULT-VALUE}, as the automatic evaluation)")
    long seed;

    @Override
    public Integer call() {
        ModelInfo info = ModelsCommand.find(root.endpoints(), model);
        String name = dataset != null ? dataset : info.getDataset().isEmpty() ? "mnist" : info.getDataset();
        PrintWriter err = spec.commandLine().getErr();
        ImageSet test = DatasetResolver.fromEnvironment(err::println).load(name).test();
        int n = Math.min(limit, test.count());
        Jigsaw jigsaw = new Jigsaw(info.getSpec().getGrid());
        SplittableRandom rng = new SplittableRandom(seed);
        ScoreRequest.Builder score = ScoreRequest.newBuilder();
        // The pieces go along, so that the matcher also scores with identical pieces interchangeable.
        dev.sinkhorn.v1.Tensor.Builder items = dev.sinkhorn.v1.Tensor.newBuilder().addShape(n).addShape(jigsaw.pieces()).addShape(0);
        ProgressLine bar = new ProgressLine(err);
        long start = System.nanoTime();
        for (int from = 0; from < n; from += 500) {
            int b = Math.min(500, n - from);
            int[] idx = new int[b];
            for (int k = 0; k < b; k++) {
                idx[k] = from + k;
            }
            JigsawBatch puzzles = jigsaw.scramble(Puzzles.images(test, idx), b, test.channels(), test.height(), test.width(), rng);
            PredictResponse r = root.endpoints().inference().predict(Puzzles.request(info, puzzles));
            for (int k = 0; k < b; k++) {
                Permutation.Builder t = Permutation.newBuilder();
                for (int v : puzzles.permutations()[k]) {
                    t.addIndex(v);
                }
                score.addTruth(t).addPredicted(r.getAssignments(k));
            }
            for (float v : puzzles.scrambledPieces()) {
                items.addValues(v);
            }
            items.setShape(2, puzzles.scrambledPieces().length / (b * jigsaw.pieces()));
            bar.update((double) (from + b) / n, (from + b) + "/" + n + " puzzles");
        }
        bar.done();
        ScoreResponse s = root.endpoints().matcher().score(score.setItems(items).build());
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(s.toBuilder().clearKendallTau()));
            return 0;
        }
        out.printf("%s v%d on %d %s test images (grid %d, seed %d), %.1f s:%n", info.getName(), info.getVersion(), s.getCount(), name,
                info.getSpec().getGrid(), seed, (System.nanoTime() - start) / 1e9);
        Output.table(out, List.of("metrics", "mean_kendall_tau", "prop_wrong", "prop_any_wrong"),
                List.of(List.of("positional", Output.fmt(s.getMeanKendallTau()), Output.fmt(s.getPropWrong()), Output.fmt(s.getPropAnyWrong())),
                        List.of("interchangeable", Output.fmt(s.getInterchangeable().getMeanKendallTau()),
                                Output.fmt(s.getInterchangeable().getPropWrong()), Output.fmt(s.getInterchangeable().getPropAnyWrong()))));
        return 0;
    }
}
