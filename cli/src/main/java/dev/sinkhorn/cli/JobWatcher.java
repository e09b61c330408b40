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
 * a line per epoch, checkpoint and evaluation. When the trainer running the job stops (the stream
 * ends with `suspended`) it watches again, through the same address, until a trainer resumes the
 * job (up to 5 minutes). Ctrl-C asks whether to cancel the job (on a
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
            long giveUp = 0;
            while (finished[0] == null) {
                int seen = events.size();
                try {
                    watch.run(() -> follow(jobId, seen, events, finished, bar));
                } catch (io.grpc.StatusRuntimeException e) {
                    // The replica went away: another one (or this one, restarted) follows the job too.
                    if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE || giveUp == 0) {
                        throw e;
                    }
                    if (System.nanoTime() > giveUp) {
                        throw e;
                    }
                    Thread.sleep(1000); // the trainer is restarting: ask again in a second
                    continue;
                }
                if (finished[0] == null) {
                    if (events.isEmpty() || !events.get(events.size() - 1).hasSuspended()) {
                        break; // the stream ended without `finished`: left early
                    }
                    bar.message("watching job " + jobId + " again: its next trainer resumes it");
                    giveUp = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
                }
            }
            bar.done();
            return new Result(events, finished[0]);
        } catch (io.grpc.StatusRuntimeException e) {
            bar.done();
            if (e.getStatus().getCode() == io.grpc.Status.Code.CANCELLED) {
                return new Result(events, null);
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            bar.done();
            return new Result(events, null);
        } finally {
            if (previous != null) {
                Signal.handle(new Signal("INT"), previous);
            }
            watch.cancel(null);
        }
    }

    /** One WatchTraining stream; its first {@code seen} events (a replay of what an earlier stream showed) are skipped. */
    private void follow(String jobId, int seen, List<TrainingEvent> events, TrainingJob[] finished, ProgressLine bar) {
        Iterator<TrainingEvent> it = endpoints.trainer().watchTraining(WatchRequest.newBuilder().setJobId(jobId).build());
        int index = 0;
        while (it.hasNext()) {
            TrainingEvent e = it.next();
            if (index++ < seen) {
                continue;
            }
            events.add(e);
            show(e, bar);
            if (e.hasFinished()) {
                finished[0] = e.getFinished();
            }
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
            case EVALUATION -> bar.message(String.format("evaluation of v%d on %d %s test %s: mean Kendall tau %.4f, "
                            + "prop_wrong %.4f, prop_any_wrong %.4f (identical items interchangeable: %.4f, %.4f, %.4f)",
                    e.getEvaluation().getVersion(), e.getEvaluation().getCount(), e.getEvaluation().getDataset(),
                    e.getEvaluation().getGrid() == 0 && e.getEvaluation().getItems() > 0 ? "lists" : "images",
                    e.getEvaluation().getMeanKendallTau(), e.getEvaluation().getPropWrong(), e.getEvaluation().getPropAnyWrong(),
                    e.getEvaluation().getInterchangeable().getMeanKendallTau(), e.getEvaluation().getInterchangeable().getPropWrong(),
                    e.getEvaluation().getInterchangeable().getPropAnyWrong()));
            case DECISION -> bar.message(String.format("v%d %s: %s (serving v%d)", e.getDecision().getVersion(),
                    e.getDecision().getKind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), e.getDecision().getReason(),
                    e.getDecision().getServingVersion()));
            case STARTED -> bar.message(e.getStarted().getAttempt() > 1
                    ? String.format("resumed on %s from v%d (attempt %d, epochs up to %d)", e.getStarted().getRunner(),
                            e.getStarted().getResumedFromVersion(), e.getStarted().getAttempt(), e.getStarted().getLastEpoch())
                    : "running on " + e.getStarted().getRunner());
            case SUSPENDED -> bar.message("suspended: " + e.getSuspended().getReason());
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
