package dev.sinkhorn.cli;

import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.ListModelsResponse;
import dev.sinkhorn.v1.ModelInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn models`: the models the inference service serves, with their last evaluations. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "Models served by the inference service: serving and newest versions, last evaluations.")
final class ModelsCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The served model of that name, or an error that lists what there is. */
    static ModelInfo find(Endpoints endpoints, String name) {
        ListModelsResponse all = endpoints.inference().listModels(ListModelsRequest.getDefaultInstance());
        return all.getModelsList().stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new Errors.CliException(Errors.REJECTED, "no model '" + name + "' is served; models: "
                        + all.getModelsList().stream().map(ModelInfo::getName).toList() + " (train one with: sinkhorn train --model "
                        + name + ")"));
    }

    @Override
    public Integer call() {
        ListModelsResponse r = root.endpoints().inference().listModels(ListModelsRequest.getDefaultInstance());
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(r));
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (ModelInfo m : r.getModelsList()) {
            boolean evaluated = m.hasLastEvaluation();
            rows.add(List.of(m.getName(), m.getVersion() == 0 ? "-" : Long.toString(m.getVersion()), Long.toString(m.getNewestVersion()),
                    m.getDataset(), m.getSpec().getTask().equals(dev.sinkhorn.core.model.ModelSpec.SORTING) ? "sort " + m.getSpec().getItems()
                            : m.getSpec().getGrid() + "x" + m.getSpec().getGrid(),
                    Integer.toString(m.getEpoch()), evaluated ? "v" + m.getLastEvaluation().getVersion() : "-",
                    evaluated ? Output.fmt(m.getLastEvaluation().getMeanKendallTau()) : "-",
                    evaluated ? Output.fmt(m.getLastEvaluation().getPropAnyWrong()) : "-",
                    Instant.ofEpochMilli(m.getLoadedAtMs()).toString()));
        }
        Output.table(out, List.of("model", "serving", "newest", "dataset", "task", "epoch", "evaluated", "kendall_tau", "prop_any_wrong", "loaded_at"), rows);
        return 0;
    }
}
