package dev.sinkhorn.cli;

import dev.sinkhorn.v1.ListJobsRequest;
import dev.sinkhorn.v1.ListJobsResponse;
import dev.sinkhorn.v1.TrainingJob;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn jobs`: the trainers' jobs, oldest first. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "Training jobs of every trainer replica, with the replica that runs each.")
final class JobsCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ListJobsResponse r = root.endpoints().trainer().listJobs(ListJobsRequest.getDefaultInstance());
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(r));
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (TrainingJob j : r.getJobsList()) {
            rows.add(List.of(j.getJobId(), j.getModel(), j.getState().name(), Integer.toString(j.getSpec().getEpochs()),
                    j.getLatestVersion() == 0 ? "-" : "v" + j.getLatestVersion(), j.getRunner().isEmpty() ? "-" : j.getRunner()
                            + (j.getAttempt() > 1 ? " (attempt " + j.getAttempt() + ")" : ""),
                    Instant.ofEpochMilli(j.getCreatedAtMs()).toString(), j.getError()));
        }
        Output.table(out, List.of("job", "model", "state", "epochs", "latest", "runner", "created", "error"), rows);
        return 0;
    }
}
