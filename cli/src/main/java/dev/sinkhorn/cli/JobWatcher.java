package dev.sinkhorn.cli;

import dev.sinkhorn.v1.JobRef;
import dev.sinkhorn.v1.Progress;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.Context;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Follows a job's WatchTraining stream with a progress bar (epoch, step, loss, images/s, ETA) and
 * a line per epoch, checkpoint and evaluation. Ctrl-C asks whether to cancel the job (on a
 * terminal); without one it leaves the job running and says how to get back to it.
 */
final class JobWatcher {
    /** Everything the stream said, and how the job ended (null if the watch was left early). */
    record Result(List<TrainingEvent> events, TrainingJob finished) {
    }

    private final Endpoints endpoints;
    private final PrintWriter err;

    JobWatcher(Endpoints endpoints, PrintWriter err) {
        this.endpoints = endpoints;
        this.err = err;
    }

    Result watch(String jobId) {
        ProgressLine bar = new ProgressLine(err);
        List<TrainingEvent> events = new ArrayList<>();
        Context.CancellableContext watch = Context.current().withCancellation();
        SignalHandler previous = interruptHandler(jobId, bar, watch);
        try {
            TrainingJob[] finished = {null};
            watch.run(() -> {
                Iterator<TrainingEvent> it = endpoints.trainer().watchTraining(WatchRequest.newBuilder().setJobId(jobId).build());
                while (it.hasNext()) {
                    TrainingEvent e = it.next();
                    events.add(e);
                    show(e, bar);
                    if (e.hasFinished()) {
                        finished[0] = e.getFinished();
                    }
                }
            });
            bar.done();
            return new Result(events, finished[0]);
        } catch (io.grpc.StatusRuntimeException e) {
            bar.done();
            if (e.getStatus().getCode() == io.grpc.Status.Code.CANCELLED) {
                return new Result(events, null);
            }
            throw e;
        } finally {
            if (previous != null) {
                Signal.handle(new Signal("INT"), previous);
            }
            watch.cancel(null);
        }
    }

    private void show(TrainingEvent e, ProgressLine bar) {
        switch (e.getKindCase()) {
            case PROGRESS -> {
                Progress p = e.getProgress();
                bar.update((double) p.getStep() / Math.max(1, p.getStepsPerEpoch()),
                        String.format("epoch %d step %d/%d loss %.2f %,.0f img/s ETA %s", p.getEpoch(), p.getStep(),
                                p.getStepsPerEpoch(), p.getLoss(), p.getImagesPerSecond(), ProgressLine.duration(p.getEtaSeconds())));
            }
            case EPOCH_END -> bar.message(String.format("epoch %d: mean loss %.3f per image, %.1f s", e.getEpochEnd().getEpoch(),
                    e.getEpochEnd().getMeanLoss(), e.getEpochEnd().getSeconds()));
            case CHECKPOINT -> bar.message(String.format("checkpoint %s v%d published (epoch %d, %,d bytes)",
                    e.getCheckpoint().getModel(), e.getCheckpoint().getVersion(), e.getCheckpoint().getEpoch(),
                    e.getCheckpoint().getSizeBytes()));
            case EVALUATION -> bar.message(String.format("evaluation of v%d on %d %s test images: mean Kendall tau %.4f, "
                            + "prop_wrong %.4f, prop_any_wrong %.4f", e.getEvaluation().getVersion(), e.getEvaluation().getCount(),
                    e.getEvaluation().getDataset(), e.getEvaluation().getMeanKendallTau(), e.getEvaluation().getPropWrong(),
                    e.getEvaluation().getPropAnyWrong()));
            case DECISION -> bar.message(String.format("v%d %s: %s (serving v%d)", e.getDecision().getVersion(),
                    e.getDecision().getKind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), e.getDecision().getReason(),
                    e.getDecision().getServingVersion()));
            case FINISHED -> bar.message("job " + e.getJobId() + " " + e.getFinished().getState()
                    + (e.getFinished().getError().isEmpty() ? "" : ": " + e.getFinished().getError()));
            default -> {
            }
        }
    }

    /** Ctrl-C: ask whether to cancel (terminal) or detach with a hint. Returns the previous handler. */
    private SignalHandler interruptHandler(String jobId, ProgressLine bar, Context.CancellableContext watch) {
        try {
            return Signal.handle(new Signal("INT"), sig -> {
                if (System.console() == null) {
                    bar.message("leaving job " + jobId + " running; follow it with: sinkhorn watch " + jobId);
                    watch.cancel(null);
                    return;
                }
                bar.message("");
                err.print("Cancel job " + jobId + " on the trainer? [y/N] ");
                err.flush();
                try {
                    String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                    if (answer != null && answer.trim().toLowerCase().startsWith("y")) {
                        TrainingJob j = endpoints.trainer().cancelTraining(JobRef.newBuilder().setJobId(jobId).build());
                        bar.message("cancel requested: job is " + j.getState());
                    } else {
                        bar.message("leaving job " + jobId + " running; follow it with: sinkhorn watch " + jobId);
                        watch.cancel(null);
                    }
                } catch (Exception ex) {
                    watch.cancel(ex);
                }
            });
        } catch (IllegalArgumentException unsupported) {
            return null;
        }
    }
}
