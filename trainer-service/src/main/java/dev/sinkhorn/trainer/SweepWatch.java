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
    /**
     * Each job's row as known from its events: the table is built from these alone, never from the
     * jobs (a job's events arrive under its lock; taking another job's lock here could deadlock).
     */
    private final Map<String, SweepRow.Builder> rows = new HashMap<>();
    private boolean closed;

    SweepWatch(List<Job> jobs, ServerCallStreamObserver<SweepEvent> out) {
        this.jobs = jobs;
        this.out = out;
    }

    void start() {
        for (Job job : jobs) {
            dev.sinkhorn.v1.TrainingJob s = job.snapshot();
            rows.put(job.id(), SweepRow.newBuilder().setModel(s.getModel()).setJobId(s.getJobId()).setState(s.getState())
                    .setPoint(s.getSweepPoint()));
        }
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
            if (e.hasStarted()) {
                rows.get(job.id()).setState(e.getStarted().getState());
            }
            if (e.hasFinished()) {
                ended.add(job.id());
                rows.get(job.id()).setState(e.getFinished().getState());
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
        // Called under the job's own lock (its stream ends): asking it is safe.
        boolean over = job.finished();
        if (over) {
            ended.add(job.id());
        }
        if (ended.size() == jobs.size() || !over) {
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
            SweepRow.Builder row = rows.get(job.id()).clone();
            Evaluation e = newest.get(job.id());
            if (e != null) {
                row.setVersion(e.getVersion()).setEvaluation(e);
                if (e.getMeanKendallTau() > best) {
                    best = e.getMeanKendallTau();
                    t.setBestModel(row.getModel());
                }
            }
            t.addRows(row);
        }
        return t.build();
    }
}
