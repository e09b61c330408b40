package dev.sinkhorn.cli;

import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.data.TestSet;
import dev.sinkhorn.core.jigsaw.TestPuzzles;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.sorting.TestLists;
import dev.sinkhorn.core.sorting.UniformRange;
import dev.sinkhorn.v1.ModelInfo;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import java.io.PrintWriter;
import java.util.List;
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
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a served model on scrambled test images, or a sorting "
        + "model on fresh lists (Predict with hard assignments, then Score).")
final class EvalCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL")
    String model;
    @Option(names = "--limit", defaultValue = "1000", description = "test images or lists (default ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--dataset", description = "data set (default: the model's); for a sorting model the range of the test "
            + "lists, e.g. uniform:0:10 to check generalisation")
    String dataset;
    @Option(names = "--seed", defaultValue = "2018", description = "scramble seed (default ${DEFAULT-VALUE}, as the automatic evaluation)")
    long seed;

    @Override
    public Integer call() {
        ModelInfo info = ModelsCommand.find(root.endpoints(), model);
        String name = dataset != null ? dataset : info.getDataset().isEmpty() ? "mnist" : info.getDataset();
        PrintWriter err = spec.commandLine().getErr();
        boolean sorting = info.getSpec().getTask().equals(ModelSpec.SORTING);
        TestSet tests = sorting ? testLists(info, name) : testPuzzles(info, name, err);
        int items = sorting ? info.getSpec().getItems() : info.getSpec().getGrid() * info.getSpec().getGrid();
        ScoreRequest.Builder score = ScoreRequest.newBuilder();
        // The items go along, so that the matcher also scores with identical ones interchangeable.
        dev.sinkhorn.v1.Tensor.Builder content = dev.sinkhorn.v1.Tensor.newBuilder().addShape(tests.count()).addShape(items).addShape(0);
        ProgressLine bar = new ProgressLine(err);
        long start = System.nanoTime();
        int[] done = {0};
        tests.forEachBatch(500, batch -> {
            PredictResponse r = root.endpoints().inference().predict(Puzzles.request(info, batch));
            for (int k = 0; k < batch.batch(); k++) {
                Permutation.Builder t = Permutation.newBuilder();
                for (int v : batch.permutations()[k]) {
                    t.addIndex(v);
                }
                score.addTruth(t).addPredicted(r.getAssignments(k));
            }
            for (float v : batch.scrambledPieces()) {
                content.addValues(v);
            }
            content.setShape(2, batch.pieceSize());
            done[0] += batch.batch();
            bar.update((double) done[0] / tests.count(), done[0] + "/" + tests.count() + (sorting ? " lists" : " puzzles"));
        }, () -> false);
        ScoreResponse s = finish(score, content, bar);
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(s.toBuilder().clearKendallTau()));
            return 0;
        }
        if (sorting) {
            out.printf("%s v%d on %d %s test lists of %d numbers (seed %d), %.1f s:%n", info.getName(), info.getVersion(), s.getCount(),
                    name, items, seed, (System.nanoTime() - start) / 1e9);
        } else {
            out.printf("%s v%d on %d %s test images (grid %d, seed %d), %.1f s:%n", info.getName(), info.getVersion(), s.getCount(), name,
                    info.getSpec().getGrid(), seed, (System.nanoTime() - start) / 1e9);
        }
        Output.table(out, List.of("metrics", "mean_kendall_tau", "prop_wrong", "prop_any_wrong"),
                List.of(List.of("positional", Output.fmt(s.getMeanKendallTau()), Output.fmt(s.getPropWrong()), Output.fmt(s.getPropAnyWrong())),
                        List.of("interchangeable", Output.fmt(s.getInterchangeable().getMeanKendallTau()),
                                Output.fmt(s.getInterchangeable().getPropWrong()), Output.fmt(s.getInterchangeable().getPropAnyWrong()))));
        return 0;
    }

    private TestSet testPuzzles(ModelInfo info, String name, PrintWriter err) {
        ImageSet test = DatasetResolver.fromEnvironment(err::println).load(name).test();
        return new TestPuzzles(test, info.getSpec().getGrid(), limit, seed);
    }

    /** Sorting: fresh lists of the model's length from its range, or from --dataset uniform:<low>:<high> (generalisation). */
    private TestSet testLists(ModelInfo info, String name) {
        UniformRange range;
        try {
            range = UniformRange.parse(name);
        } catch (dev.sinkhorn.core.errors.InvalidInputException e) {
            throw new Errors.CliException(Errors.USAGE, "--dataset for a sorting model: " + e.getMessage());
        }
        return new TestLists(limit, info.getSpec().getItems(), range, seed);
    }

    private ScoreResponse finish(ScoreRequest.Builder score, dev.sinkhorn.v1.Tensor.Builder content, ProgressLine bar) {
        bar.done();
        return root.endpoints().matcher().score(score.setItems(content).build());
    }
}
