package dev.sinkhorn.cli;

import dev.sinkhorn.v1.ListVersionsRequest;
import dev.sinkhorn.v1.ListVersionsResponse;
import dev.sinkhorn.v1.ModelVersion;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn versions MODEL`: every kept version of a model, its state, evaluation and why. */
@Command(name = "versions", mixinStandardHelpOptions = true,
        description = "Kept versions of a model: state (serving, candidate, rejected, retired), evaluation, decision reason.")
final class VersionsCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", paramLabel = "MODEL", description = "model name")
    String model;

    @Override
    public Integer call() {
        ListVersionsResponse r = root.endpoints().inference().listVersions(ListVersionsRequest.newBuilder().setModel(model).build());
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(r));
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (ModelVersion v : r.getVersionsList()) {
            boolean evaluated = v.hasEvaluation();
            rows.add(List.of("v" + v.getVersion(), v.getState().name().toLowerCase(Locale.ROOT), Integer.toString(v.getEpoch()),
                    evaluated ? Output.fmt(v.getEvaluation().getMeanKendallTau()) : "-",
                    evaluated ? Output.fmt(v.getEvaluation().getPropAnyWrong()) : "-", v.getReason().isEmpty() ? "-" : v.getReason()));
        }
        out.printf("%s: serving %s%n", model, r.getServingVersion() == 0 ? "none yet" : "v" + r.getServingVersion());
        Output.table(out, List.of("version", "state", "epoch", "kendall_tau", "prop_any_wrong", "reason"), rows);
        return 0;
    }
}
