package dev.sinkhorn.cli;

import dev.sinkhorn.v1.JobState;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn watch JOB`: follow a job to its end. */
@Command(name = "watch", mixinStandardHelpOptions = true, description = "Follow a training job: progress bar, epochs, checkpoints, evaluations.")
final class WatchCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "JOB", description = "job id (see: sinkhorn jobs)")
    String jobId;

    @Override
    public Integer call() {
        JobWatcher.Result r = new JobWatcher(root.endpoints(), spec.commandLine().getErr()).watch(jobId);
        return TrainCommand.report(root, spec.commandLine().getOut(), r);
    }

    static boolean succeeded(JobWatcher.Result r) {
        return r.finished() != null && r.finished().getState() == JobState.SUCCEEDED;
    }
}
