package dev.sinkhorn.cli;

import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.ModelInfo;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * `sinkhorn demo`: the whole pipeline in one command. Starts what is not running (Kafka and the
 * three services, through the local launcher), trains the seed setting on 2x2 MNIST, waits for the
 * inference service's automatic evaluation (scored by the matcher), prints the results and writes
 * pictures, then stops what it started.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the whole pipeline: start what is missing, train 2x2 MNIST, evaluate, print results, write pictures.")
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", defaultValue = "demo", description = "model name (default ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--epochs", defaultValue = "2", description = "epochs (default ${DEFAULT-VALUE}: mean Kendall tau >= 0.98 in about half a minute of training)")
    int epochs;
    @Option(names = "--preset", defaultValue = "seed", description = "seed (the notebook's settings, default), fast, "
            + "context or fashion (docs/training.md)")
    String preset;
    @Option(names = "--train-limit", defaultValue = "0", description = "train on the first N images only (0: all 60,000)")
    int trainLimit;
    @Option(names = "--seed", defaultValue = "0")
    long seed;
    @Option(names = "--out", defaultValue = "demo-output", description = "folder for the pictures (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--eval-wait", defaultValue = "300", description = "seconds to wait for the automatic evaluation (default ${DEFAULT-VALUE})")
    int evalWait;
    @Option(names = "--keep-running", description = "leave the services the demo started running")
    boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        Endpoints endpoints = root.endpoints();
        LocalStack stack = new LocalStack(err);
        List<String> started = stack.startMissing(endpoints);
        try {
            TrainingJob job = endpoints.trainer().startTraining(TrainingSpec.newBuilder().setModel(model).setEpochs(epochs)
                    .setPreset(preset).setTrainLimit(trainLimit).setSeed(seed).build());
            err.printf("training %s: %d epoch(s), preset %s, job %s%n", model, epochs, preset, job.getJobId());
            JobWatcher.Result r = new JobWatcher(endpoints, err).watch(job.getJobId());
            if (r.finished() == null || r.finished().getState() != JobState.SUCCEEDED) {
                throw new Errors.CliException(Errors.FAILED, "training did not succeed: "
                        + (r.finished() == null ? "the watch was left" : r.finished().getState() + " " + r.finished().getError()));
            }
            Evaluation e = evaluation(endpoints, r, err);
            double seconds = r.events().stream().filter(TrainingEvent::hasEpochEnd).mapToDouble(x -> x.getEpochEnd().getSeconds()).sum();
            long images = r.events().stream().filter(TrainingEvent::hasEpochEnd).count() * stepsPerEpoch(r)
                    * r.finished().getSpec().getBatchSize();
            Path lossPng = out.resolve("loss.png");
            Path reconstructions = out.resolve("reconstructions.png");
            TrainCommand.writeLossCurve(r.events(), model, lossPng);
            writeReconstructions(endpoints, e, reconstructions, err);
            if (root.json) {
                stdout.println(Output.json(e));
            } else {
                stdout.printf("%n%s v%d, %s test split, %d puzzles (2x2), trained %d epoch(s):%n", e.getModel(), e.getVersion(),
                        e.getDataset(), e.getCount(), epochs);
                Output.table(stdout, List.of("mean_kendall_tau", "prop_wrong", "prop_any_wrong", "l1", "l2", "train_seconds", "images_per_second"),
                        List.of(List.of(Output.fmt(e.getMeanKendallTau()), Output.fmt(e.getPropWrong()), Output.fmt(e.getPropAnyWrong()),
                                Output.fmt(e.getL1()), Output.fmt(e.getL2()), String.format("%.1f", seconds),
                                String.format("%,.0f", images / seconds))));
                stdout.println("pictures: " + reconstructions + " (scrambled | reconstructed), " + lossPng);
                stdout.println("mean_kendall_tau=" + e.getMeanKendallTau());
            }
            return 0;
        } finally {
            if (!keepRunning) {
                stack.stop(started);
            }
        }
    }

    private static long stepsPerEpoch(JobWatcher.Result r) {
        return r.events().stream().filter(TrainingEvent::hasProgress).mapToLong(x -> x.getProgress().getStepsPerEpoch())
                .max().orElse(0);
    }

    /** The evaluation of the job's last checkpoint: streamed by the trainer, else from the inference service. */
    private Evaluation evaluation(Endpoints endpoints, JobWatcher.Result r, PrintWriter err) throws InterruptedException {
        long version = r.finished().getLatestVersion();
        Optional<Evaluation> streamed = r.events().stream().filter(TrainingEvent::hasEvaluation).map(TrainingEvent::getEvaluation)
                .filter(x -> x.getVersion() == version).findFirst();
        if (streamed.isPresent()) {
            return streamed.get();
        }
        err.println("waiting for the automatic evaluation of " + model + " v" + version + "...");
        long deadline = System.nanoTime() + evalWait * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (ModelInfo m : endpoints.inference().listModels(ListModelsRequest.getDefaultInstance()).getModelsList()) {
                if (m.getName().equals(model) && m.getLastEvaluation().getVersion() >= version) {
                    return m.getLastEvaluation();
                }
            }
            Thread.sleep(1000); // polling a remote service for a result, not synchronising threads
        }
        throw new Errors.CliException(Errors.FAILED, "no evaluation of " + model + " v" + version + " within " + evalWait
                + " s: is the inference service reaching the matcher? (sinkhorn-local logs inference)");
    }

    /** Eight test digits, scrambled and put back by the model, as one PNG. */
    private void writeReconstructions(Endpoints endpoints, Evaluation e, Path file, PrintWriter err) throws java.io.IOException {
        ModelInfo info = ModelsCommand.find(endpoints, model);
        ImageSet test = DatasetResolver.fromEnvironment(err::println).load(e.getDataset()).test();
        Jigsaw jigsaw = new Jigsaw(info.getSpec().getGrid());
        int[] idx = {0, 1, 2, 3, 4, 5, 6, 7};
        ScrambledBatch puzzles = jigsaw.scramble(Puzzles.images(test, idx), idx.length, test.channels(), test.height(), test.width(),
                new SplittableRandom(1));
        // The version whose evaluation the table shows (the serving one may be older if the policy rejected it).
        PredictResponse p = endpoints.inference().predict(Puzzles.request(info, puzzles).toBuilder().setVersion(e.getVersion()).build());
        int side = jigsaw.grid() * puzzles.pieceHeight();
        Pictures.write(Pictures.pairs(Puzzles.pictures(jigsaw, puzzles, Puzzles.assignments(p)), test.channels(), side, side), file);
    }
}
