package dev.sinkhorn.cli;

import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn train`: start a training job and follow it with a progress bar. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a Sinkhorn network (jigsaw, or --task sorting) and follow the job (Ctrl-C asks whether to cancel).")
final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "model name (Kafka key of its checkpoints)")
    String model;
    @Mixin
    SpecOptions options;
    @Option(names = "--resume", description = "start from the newest checkpoint of the model")
    boolean resume;
    @Option(names = "--detach", description = "print the job id and return at once")
    boolean detach;
    @Option(names = "--loss-png", description = "write the loss curve to this PNG when the job ends")
    Path lossPng;

    TrainingSpec toSpec() {
        return options.toSpec().setModel(model).setResume(resume).build();
    }

    @Override
    public Integer call() throws Exception {
        TrainingJob job = root.endpoints().trainer().startTraining(toSpec());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (detach) {
            out.println(root.json ? Output.json(job) : job.getJobId());
            return 0;
        }
        err.println("job " + job.getJobId() + " (" + job.getModel() + ") " + job.getState());
        JobWatcher.Result r = new JobWatcher(root.endpoints(), err).watch(job.getJobId());
        if (lossPng != null) {
            writeLossCurve(r.events(), job.getModel(), lossPng);
            err.println("loss curve: " + lossPng);
        }
        return report(root, out, r);
    }

    /** Prints how the job ended; exit code 0 only when it succeeded. */
    static int report(SinkhornCli root, PrintWriter out, JobWatcher.Result r) {
        if (r.finished() == null) {
            return 0; // detached on purpose
        }
        if (root.json) {
            out.println(Output.json(r.finished()));
        } else {
            out.println("job " + r.finished().getJobId() + ": " + r.finished().getState()
                    + (r.finished().getLatestVersion() > 0 ? ", latest checkpoint v" + r.finished().getLatestVersion() : ""));
        }
        return r.finished().getState() == JobState.SUCCEEDED || r.finished().getState() == JobState.CANCELLED ? 0 : Errors.FAILED;
    }

    static void writeLossCurve(List<TrainingEvent> events, String model, Path file) throws java.io.IOException {
        List<double[]> progress = new ArrayList<>();
        List<double[]> epochs = new ArrayList<>();
        for (TrainingEvent e : events) {
            if (e.hasProgress() && e.getProgress().getStepsPerEpoch() > 0) {
                double x = e.getProgress().getEpoch() - 1 + (double) e.getProgress().getStep() / e.getProgress().getStepsPerEpoch();
                progress.add(new double[] {x, e.getProgress().getLoss()});
            } else if (e.hasEpochEnd()) {
                epochs.add(new double[] {e.getEpochEnd().getEpoch(), e.getEpochEnd().getMeanLoss()});
            }
        }
        Pictures.lossCurve(progress, epochs, "training loss of " + model, file);
    }
}
