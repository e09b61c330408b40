package dev.sinkhorn.cli;

import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn score`: Kendall tau and the paper's metrics of predicted permutations (MatcherService.Score). */
@Command(name = "score", mixinStandardHelpOptions = true, description = "Kendall tau-b, prop_wrong and prop_any_wrong of predicted against true permutations.")
final class ScoreCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--truth", required = true, paramLabel = "FILE", description = "true permutations, one per line (CSV) or a JSON array of arrays")
    String truth;

    @Option(names = "--predicted", required = true, paramLabel = "FILE", description = "predicted permutations, same format; - reads stdin")
    String predicted;

    @Override
    public Integer call() throws Exception {
        ScoreResponse r = root.endpoints().matcher().score(ScoreRequest.newBuilder()
                .addAllTruth(MatrixFiles.parsePermutations(MatrixFiles.read(truth), truth))
                .addAllPredicted(MatrixFiles.parsePermutations(MatrixFiles.read(predicted), predicted)).build());
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(r));
            return 0;
        }
        Output.table(out, List.of("count", "mean_kendall_tau", "prop_wrong", "prop_any_wrong"),
                List.of(List.of(Long.toString(r.getCount()), Output.fmt(r.getMeanKendallTau()), Output.fmt(r.getPropWrong()),
                        Output.fmt(r.getPropAnyWrong()))));
        out.println("kendall_tau per pair: " + r.getKendallTauList());
        return 0;
    }
}
