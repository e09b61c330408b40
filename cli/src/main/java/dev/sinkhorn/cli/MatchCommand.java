package dev.sinkhorn.cli;

import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatchResponse;
import dev.sinkhorn.v1.MatrixBatch;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn match`: exact linear assignment of every matrix in a file (MatcherService.Match). */
@Command(name = "match", mixinStandardHelpOptions = true, description = "Exact assignment (hard matching) of each matrix: maximise sum X[i, index[i]].")
final class MatchCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", defaultValue = "-", description = "matrices as CSV or JSON; - (default) reads stdin")
    String file;

    @Option(names = "--minimize", description = "minimise instead (costs)")
    boolean minimize;

    @Option(names = "--potentials", description = "also return the dual potentials (optimality certificate)")
    boolean potentials;

    @Override
    public Integer call() throws Exception {
        MatrixBatch m = MatrixFiles.parseBatch(MatrixFiles.read(file), file);
        MatchResponse r = root.endpoints().matcher().match(MatchRequest.newBuilder().setMatrices(m).setMinimize(minimize)
                .setIncludePotentials(potentials).build());
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(r));
            return 0;
        }
        for (int b = 0; b < r.getAssignmentsCount(); b++) {
            out.printf("matrix %d: assignment %s objective %s%n", b,
                    r.getAssignments(b).getIndexList().stream().map(Integer::toUnsignedString).toList(), r.getObjective(b));
        }
        return 0;
    }
}
