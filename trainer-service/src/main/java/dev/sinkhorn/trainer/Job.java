package dev.sinkhorn.trainer;

import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.DecisionKind;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One training job: its spec, state and the log of its events. Watchers get the log so far, then
 * every new event, then the end of the stream after the `finished` event. Thread-safe; events are
 * sent to watchers under the job's lock, so each watcher sees them in order, one call at a time.
 */
final class Job {
    private final String id;
    private final long createdAtMs = System.currentTimeMillis();
    private final List<TrainingEvent> events = new ArrayList<>();
    private final List<ServerCallStreamObserver<TrainingEvent>> watchers = new ArrayList<>();
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
    private volatile boolean cancelRequested;
    private volatile boolean interruptRequested;

    Job(String id, TrainingSpec spec) {
        this.id = id;
        this.spec = spec;
    }

    String id() {
        return id;
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

    /** Whether the trainer is shutting down: the job stops at its next step, keeps its progress and ends INTERRUPTED. */
    boolean interruptRequested() {
        return interruptRequested;
    }

    void requestInterrupt() {
        interruptRequested = true;
    }

    /** Whether the job should stop at its next step (cancelled, or interrupted by a shutdown). */
    boolean stopRequested() {
        return cancelRequested || interruptRequested;
    }

    synchronized boolean finished() {
        return state == JobState.SUCCEEDED || state == JobState.FAILED || state == JobState.CANCELLED
                || state == JobState.INTERRUPTED;
    }

    synchronized void running() {
        state = JobState.RUNNING;
    }

    synchronized void published(long version) {
        versions.add(version);
        latestVersion = Math.max(latestVersion, version);
    }

    synchronized boolean owns(long version) {
        return versions.contains(version);
    }

    synchronized TrainingJob snapshot() {
        return TrainingJob.newBuilder().setJobId(id).setModel(spec.getModel()).setState(state).setSpec(spec)
                .setError(error).setCreatedAtMs(createdAtMs).setFinishedAtMs(finishedAtMs).setLatestVersion(latestVersion)
                .build();
    }

    /** Appends an event and sends it to every watcher. */
    synchronized void emit(TrainingEvent.Builder event) {
        TrainingEvent e = event.setJobId(id).build();
        events.add(e);
        for (ServerCallStreamObserver<TrainingEvent> w : List.copyOf(watchers)) {
            send(w, e);
        }
    }

    /** Streams an evaluation of one of this job's versions (once per version). */
    synchronized void evaluation(Evaluation e) {
        if (evaluated.add(e.getVersion())) {
            emit(TrainingEvent.newBuilder().setEvaluation(e));
            notifyAll();
        }
    }

    /** Streams a lifecycle decision about one of this job's versions (each kind once per version). */
    synchronized void decision(Decision d) {
        if (decided.add(new Decided(d.getVersion(), d.getKind()))) {
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

    synchronized boolean isRunning() {
        return state == JobState.RUNNING;
    }

    /** Ends the job: emits `finished` and closes every watcher's stream. */
    synchronized void finish(JobState end, String why) {
        if (finished()) {
            return;
        }
        state = end;
        error = why == null ? "" : why;
        finishedAtMs = System.currentTimeMillis();
        emit(TrainingEvent.newBuilder().setFinished(snapshot()));
        notifyAll();
        for (ServerCallStreamObserver<TrainingEvent> w : watchers) {
            try {
                w.onCompleted();
            } catch (RuntimeException gone) {
                // the watcher went away meanwhile
            }
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

    /** Replays the events so far to a new watcher, then keeps it informed (or ends its stream if the job is over). */
    synchronized void watch(ServerCallStreamObserver<TrainingEvent> watcher) {
        for (TrainingEvent e : events) {
            send(watcher, e);
        }
        if (finished()) {
            watcher.onCompleted();
            return;
        }
        watchers.add(watcher);
        watcher.setOnCancelHandler(() -> unwatch(watcher));
    }

    private synchronized void unwatch(ServerCallStreamObserver<TrainingEvent> watcher) {
        watchers.remove(watcher);
    }

    private void send(ServerCallStreamObserver<TrainingEvent> w, TrainingEvent e) {
        if (w.isCancelled()) {
            watchers.remove(w);
            return;
        }
        try {
            w.onNext(e);
        } catch (RuntimeException gone) {
            watchers.remove(w);
        }
    }
}
