package dev.sinkhorn.trainer;

import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.SweepEvent;
import dev.sinkhorn.v1.SweepRow;
import dev.sinkhorn.v1.SweepTable;
import dev.sinkhorn.v1.TrainingEvent;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One WatchSweep stream: watches each of the sweep's jobs, forwards their events, and after each
 * evaluation or end sends the sweep's table (each job's newest evaluation, the best model by mean
 * Kendall tau). Ends once every job has ended, or when a job's stream ends early (this replica
 * shuts down: watch again).
 */
final class SweepWatch {
    private final List<Job> jobs;
    private final ServerCallStreamObserver<SweepEvent> out;
    private final Map<String, Evaluation> newest = new HashMap<>();
    private final Set<String> ended = new HashSet<>();
    private boolean closed;

    SweepWatch(List<Job> jobs, ServerCallStreamObserver<SweepEvent> out) {
        this.jobs = jobs;
        this.out = out;
    }

    void start() {
        for (Job job : jobs) {
            Job.Watcher w = new Job.Watcher() {
                @Override
                public boolean send(TrainingEvent event) {
                    return onEvent(job, event);
                }

                @Override
                public void end() {
                    onEnd(job);
                }
            };
            if (job.watch(w)) {
                out.setOnCancelHandler(() -> jobs.forEach(j -> j.unwatch(w)));
            }
        }
    }

    private synchronized boolean onEvent(Job job, TrainingEvent e) {
        if (closed || out.isCancelled()) {
            return false;
        }
        try {
            out.onNext(SweepEvent.newBuilder().setJobEvent(e).build());
            if (e.hasEvaluation()) {
                Evaluation before = newest.get(job.id());
                if (before == null || e.getEvaluation().getVersion() >= before.getVersion()) {
                    newest.put(job.id(), e.getEvaluation());
                }
            }
            if (e.hasFinished()) {
                ended.add(job.id());
            }
            if (e.hasEvaluation() || e.hasFinished()) {
                out.onNext(SweepEvent.newBuilder().setTable(table()).build());
            }
            return true;
        } catch (RuntimeException gone) {
            closed = true;
            return false;
        }
    }

    private synchronized void onEnd(Job job) {
        if (closed) {
            return;
        }
        if (job.finished()) {
            ended.add(job.id());
        }
        if (ended.size() == jobs.size() || !job.finished()) {
            closed = true;
            try {
                out.onCompleted();
            } catch (RuntimeException gone) {
                // the watcher went away meanwhile
            }
        }
    }

    private SweepTable table() {
        SweepTable.Builder t = SweepTable.newBuilder();
        double best = Double.NEGATIVE_INFINITY;
        for (Job job : jobs) {
            SweepRow.Builder row = SweepRow.newBuilder().setModel(job.model()).setJobId(job.id()).setState(job.snapshot().getState())
                    .setPoint(job.sweepPoint());
            Evaluation e = newest.get(job.id());
            if (e != null) {
                row.setVersion(e.getVersion()).setEvaluation(e);
                if (e.getMeanKendallTau() > best) {
                    best = e.getMeanKendallTau();
                    t.setBestModel(job.model());
                }
            }
            t.addRows(row);
        }
        return t.build();
    }
}
