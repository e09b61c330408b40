package dev.sinkhorn.trainer;

import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.DecisionKind;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.JobSuspended;
import dev.sinkhorn.v1.Progress;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One training job as this replica knows it: its spec, state and the log of its events. A job runs
 * on one replica at a time; there it has a {@link Sink} that records its events and states on Kafka
 * as they happen. On every other replica it is a mirror, fed by {@link #mirrorState} and
 * {@link #mirrorEvent} from those records. Watchers get the log so far, then every new event, then
 * the end of the stream after `finished`. Thread-safe; events are sent to watchers under the job's
 * lock, so each watcher sees them in order, one call at a time.
 */
final class Job {
    /** Someone following the job's events: a WatchTraining stream, or a sweep's watch. */
    interface Watcher {
        /** Takes the next event; false once the watcher has gone (it is then dropped). */
        boolean send(TrainingEvent event);

        /** The job ended (after `finished`), or its stream ends here (after `suspended` on a shutdown). */
        void end();
    }

    /** A WatchTraining stream as a watcher. */
    static Watcher stream(ServerCallStreamObserver<TrainingEvent> out) {
        return new Watcher() {
            @Override
            public boolean send(TrainingEvent event) {
                if (out.isCancelled()) {
                    return false;
                }
                try {
                    out.onNext(event);
                    return true;
                } catch (RuntimeException gone) {
                    return false;
                }
            }

            @Override
            public void end() {
                try {
                    out.onCompleted();
                } catch (RuntimeException gone) {
                    // the watcher went away meanwhile
                }
            }
        };
    }

    /** Where a running job's events and states go (Kafka, for the other replicas). */
    interface Sink {
        void event(TrainingEvent event);

        void state(TrainingJob job);
    }

    private final String id;
    private final long createdAtMs;
    private final List<TrainingEvent> events = new ArrayList<>();
    private final List<Watcher> watchers = new ArrayList<>();
    private final Set<Long> versions = new HashSet<>();
    private final Set<Long> evaluated = new HashSet<>();
    /** The decisions streamed so far: each kind once per version. */
    private record Decided(long version, DecisionKind kind) {
    }

    private final Set<Decided> decided = new HashSet<>();
    private TrainingSpec spec;
    private JobState state = JobState.QUEUED;
    private String error = "";
    private long finishedAtMs;
    private long latestVersion;
    private String runner = "";
    private int attempt;
    private long resumedFromVersion;
    private int lastEpoch;
    private Progress progress;
    private String sweepId = "";
    private String sweepPoint = "";
    private Sink sink;
    private volatile boolean cancelRequested;
    private volatile boolean suspendRequested;
    private volatile boolean suspendEndsStreams;

    Job(String id, TrainingSpec spec) {
        this(id, spec, "", "");
    }

    /** A job of a sweep: its id and the point it trains. */
    Job(String id, TrainingSpec spec, String sweepId, String sweepPoint) {
        this.id = id;
        this.spec = spec;
        this.createdAtMs = System.currentTimeMillis();
        this.sweepId = sweepId;
        this.sweepPoint = sweepPoint;
    }

    /** A job known from its record (sinkhorn.jobs or sinkhorn.job-states). */
    Job(TrainingJob record) {
        this.id = record.getJobId();
        this.spec = record.getSpec();
        this.createdAtMs = record.getCreatedAtMs();
        apply(record);
    }

    String id() {
        return id;
    }

    long createdAtMs() {
        return createdAtMs;
    }

    synchronized TrainingSpec spec() {
        return spec;
    }

    String model() {
        return spec().getModel();
    }

    /** The spec once the data set filled in in_channels and image_size (or a resumed checkpoint its spec). */
    synchronized void resolveSpec(TrainingSpec resolved) {
        this.spec = resolved;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    synchronized void requestCancel() {
        cancelRequested = true;
    }

    /** Whether this replica is handing the job over (shutdown, or its partition moved): it stops at its next step and is suspended. */
    boolean suspendRequested() {
        return suspendRequested;
    }

    /** @param endStreams whether the watchers' streams end with the suspension (this replica shuts down) */
    void requestSuspend(boolean endStreams) {
        suspendEndsStreams = endStreams;
        suspendRequested = true;
    }

    boolean suspendEndsStreams() {
        return suspendEndsStreams;
    }

    /** The job is (again) this replica's to run: an earlier hand-over request no longer holds. */
    void clearSuspend() {
        suspendRequested = false;
    }

    /** Whether the job should stop at its next step (cancelled, or handed over). */
    boolean stopRequested() {
        return cancelRequested || suspendRequested;
    }

    synchronized boolean finished() {
        return state == JobState.SUCCEEDED || state == JobState.FAILED || state == JobState.CANCELLED
                || state == JobState.INTERRUPTED;
    }

    /** Whether the job runs on this replica. */
    synchronized boolean local() {
        return sink != null;
    }

    synchronized String sweepId() {
        return sweepId;
    }

    synchronized String sweepPoint() {
        return sweepPoint;
    }

    synchronized int attempt() {
        return attempt;
    }

    synchronized int lastEpoch() {
        return lastEpoch;
    }

    /**
     * The job starts (or resumes) running here: its events and states go to {@code to} from now on,
     * and `started` says where and from which checkpoint.
     */
    synchronized void runHere(Sink to, String replica) {
        sink = to;
        runner = replica;
        attempt++;
        state = JobState.RUNNING;
    }

    /** The epochs this attempt trains, known once its model is built: `started` is emitted. */
    synchronized void started(long resumedFrom, int endEpoch) {
        resumedFromVersion = resumedFrom;
        lastEpoch = endEpoch;
        emit(TrainingEvent.newBuilder().setStarted(snapshot()));
        sink.state(snapshot());
    }

    synchronized void published(long version) {
        versions.add(version);
        latestVersion = Math.max(latestVersion, version);
        if (sink != null) {
            sink.state(snapshot());
        }
    }

    synchronized boolean owns(long version) {
        return versions.contains(version);
    }

    synchronized TrainingJob snapshot() {
        TrainingJob.Builder b = TrainingJob.newBuilder().setJobId(id).setModel(spec.getModel()).setState(state).setSpec(spec)
                .setError(error).setCreatedAtMs(createdAtMs).setFinishedAtMs(finishedAtMs).setLatestVersion(latestVersion)
                .setRunner(runner).setAttempt(attempt).setResumedFromVersion(resumedFromVersion).setLastEpoch(lastEpoch)
                .setSweepId(sweepId).setSweepPoint(sweepPoint);
        if (progress != null && state == JobState.RUNNING) {
            b.setProgress(progress);
        }
        return b.build();
    }

    /** Appends an event of the job running here, sends it to every watcher and records it. */
    synchronized void emit(TrainingEvent.Builder event) {
        TrainingEvent e = event.setJobId(id).build();
        append(e);
        if (sink != null) {
            sink.event(e);
            if (e.hasProgress()) {
                sink.state(snapshot());
            }
        }
    }

    private void append(TrainingEvent e) {
        if (e.hasProgress() && !events.isEmpty() && events.get(events.size() - 1).hasProgress()) {
            events.set(events.size() - 1, e); // a late watcher needs the newest progress, not every one: memory stays bounded
        } else {
            events.add(e);
        }
        if (e.hasProgress()) {
            progress = e.getProgress();
        } else if (e.hasCheckpoint()) {
            versions.add(e.getCheckpoint().getVersion());
            latestVersion = Math.max(latestVersion, e.getCheckpoint().getVersion());
        } else if (e.hasEvaluation()) {
            evaluated.add(e.getEvaluation().getVersion());
        } else if (e.hasDecision()) {
            decided.add(new Decided(e.getDecision().getVersion(), e.getDecision().getKind()));
        }
        for (Watcher w : List.copyOf(watchers)) {
            if (!w.send(e)) {
                watchers.remove(w);
            }
        }
    }

    /** An event of a job another replica runs (sinkhorn.job-events). */
    synchronized void mirrorEvent(TrainingEvent e) {
        if (sink != null) {
            return; // runs here: its events are ours
        }
        append(e);
        if (e.hasStarted()) {
            apply(e.getStarted());
        } else if (e.hasFinished()) {
            apply(e.getFinished());
            endStreams(); // `finished` is the last event a watcher gets
        }
        notifyAll();
    }

    /** The newest state of a job another replica runs (sinkhorn.job-states). */
    synchronized void mirrorState(TrainingJob record) {
        if (sink == null) {
            apply(record);
            notifyAll();
        }
    }

    private void apply(TrainingJob r) {
        if (finished()) {
            return; // an end is final; a late record of an earlier state does not undo it
        }
        spec = r.getSpec();
        sweepId = r.getSweepId();
        sweepPoint = r.getSweepPoint();
        state = r.getState();
        error = r.getError();
        finishedAtMs = r.getFinishedAtMs();
        latestVersion = Math.max(latestVersion, r.getLatestVersion());
        runner = r.getRunner();
        attempt = Math.max(attempt, r.getAttempt());
        resumedFromVersion = r.getResumedFromVersion();
        lastEpoch = r.getLastEpoch();
        if (r.hasProgress()) {
            progress = r.getProgress();
        }
        // Streams end with the `finished` event (mirrorEvent), not with a state record, which may
        // arrive before the job's last events (they travel on another topic).
    }

    /** Streams an evaluation of one of this job's versions (once per version). */
    synchronized void evaluation(Evaluation e) {
        if (!evaluated.contains(e.getVersion())) {
            emit(TrainingEvent.newBuilder().setEvaluation(e));
            notifyAll();
        }
    }

    /** Streams a lifecycle decision about one of this job's versions (each kind once per version). */
    synchronized void decision(Decision d) {
        if (!decided.contains(new Decided(d.getVersion(), d.getKind()))) {
            emit(TrainingEvent.newBuilder().setDecision(d));
            notifyAll();
        }
    }

    /**
     * Waits up to timeoutMs until this job's newest version has been evaluated and the policy has
     * decided on it (a manual-only policy never does: then the whole time); true if evaluated.
     */
    synchronized boolean awaitEvaluation(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (latestVersion > 0 && !(evaluated.contains(latestVersion) && policyDecided(latestVersion))) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return evaluated.contains(latestVersion);
            }
            wait(left);
        }
        return true;
    }

    private boolean policyDecided(long version) {
        return decided.contains(new Decided(version, DecisionKind.PROMOTED_BY_POLICY))
                || decided.contains(new Decided(version, DecisionKind.REJECTED_BY_POLICY));
    }

    /** Ends a job that waits here to run (cancelled before it started), recording the end through {@code to}. */
    synchronized void finishQueued(Sink to, JobState end, String why) {
        sink = to;
        finish(end, why);
        sink = null;
    }

    /** Ends the job: emits `finished`, records the end and closes every watcher's stream. */
    synchronized void finish(JobState end, String why) {
        if (finished()) {
            return;
        }
        state = end;
        error = why == null ? "" : why;
        finishedAtMs = System.currentTimeMillis();
        emit(TrainingEvent.newBuilder().setFinished(snapshot()));
        if (sink != null) {
            sink.state(snapshot());
        }
        notifyAll();
        endStreams();
    }

    /**
     * This replica stops running the job without ending it: `suspended` names the checkpoint with
     * its progress, and the next owner of its partition resumes it. With {@code endStreams} (this
     * replica shuts down) the watchers' streams end here; otherwise they go on following the job
     * as a mirror.
     */
    synchronized void suspend(long version, String reason, boolean endStreams) {
        emit(TrainingEvent.newBuilder().setSuspended(JobSuspended.newBuilder().setRunner(runner).setVersion(version)
                .setReason(reason)));
        sink.state(snapshot());
        sink = null;
        notifyAll();
        if (endStreams) {
            endStreams();
        }
    }

    private void endStreams() {
        for (Watcher w : watchers) {
            w.end();
        }
        watchers.clear();
    }

    /** Waits up to timeoutMs for the job to end. */
    synchronized void awaitFinished(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!finished() && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
    }

    /** Replays the events so far to a new WatchTraining stream, then keeps it informed (or ends it if the job is over). */
    synchronized void watch(ServerCallStreamObserver<TrainingEvent> out) {
        Watcher w = stream(out);
        if (watch(w)) {
            out.setOnCancelHandler(() -> unwatch(w));
        }
    }

    /** Replays the events so far to a watcher, then keeps it informed; false if the job was over (the watcher has ended). */
    synchronized boolean watch(Watcher watcher) {
        for (TrainingEvent e : events) {
            if (!watcher.send(e)) {
                return false;
            }
        }
        if (finished()) {
            watcher.end();
            return false;
        }
        watchers.add(watcher);
        return true;
    }

    synchronized void unwatch(Watcher watcher) {
        watchers.remove(watcher);
    }
}
