package dev.sinkhorn.trainer;

import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every job the trainers know, whichever replica runs it: the ones started here, the ones this
 * replica runs ({@link JobScheduler}) and the mirrors of the others ({@link JobMirror}). What the
 * RPCs ask of jobs goes through here, so they work on any replica.
 */
@ApplicationScoped
public class Jobs {
    @Inject
    JobLog log;
    @Inject
    JobMirror mirror;

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    /** Events of jobs whose record has not arrived yet (the two topics are read side by side). */
    private final Map<String, List<TrainingEvent>> early = new java.util.HashMap<>();

    /** Queues a validated spec (defaults filled) on sinkhorn.jobs; returns once Kafka has it. */
    Job start(TrainingSpec spec) {
        return start(spec, "", "");
    }

    /** {@link #start(TrainingSpec)} for a point of a sweep. */
    Job start(TrainingSpec spec, String sweepId, String sweepPoint) {
        Job job = new Job(UUID.randomUUID().toString(), spec, sweepId, sweepPoint);
        jobs.put(job.id(), job);
        try {
            log.submit(job.snapshot());
        } catch (RuntimeException e) {
            jobs.remove(job.id());
            throw e;
        }
        return job;
    }

    /** The job with this id; one started on another replica a moment ago is waited for (up to 5 s). */
    Job get(String id) {
        Job job = jobs.get(id);
        if (job == null) {
            mirror.awaitCaughtUp(Duration.ofSeconds(5));
            job = jobs.get(id);
        }
        if (job == null) {
            throw new NoSuchJobException(id);
        }
        return job;
    }

    /** The job of a record (sinkhorn.jobs or sinkhorn.job-states): the one known, or a new one from the record. */
    Job adopt(TrainingJob record) {
        synchronized (early) { // with mirrorEvent: an event is either buffered here or applied to the job, never lost
            Job job = jobs.computeIfAbsent(record.getJobId(), k -> new Job(record));
            List<TrainingEvent> before = early.remove(record.getJobId());
            if (before != null) {
                before.forEach(job::mirrorEvent);
            }
            return job;
        }
    }

    /**
     * Asks a job to stop at its next step and waits up to {@code waitMs} for it to end, so the
     * answer can say CANCELLED: at once when it runs here, else through sinkhorn.jobs to the
     * replica that owns it (the job's records are in order there: it is waiting or running).
     */
    Job cancel(String id, long waitMs) throws InterruptedException {
        Job job = get(id);
        if (job.finished()) {
            return job;
        }
        if (job.local()) {
            job.requestCancel();
        } else {
            log.cancel(job.model(), id);
        }
        job.awaitFinished(waitMs);
        return job;
    }

    /** The jobs of a sweep, in point order (their models are named <sweep>-<index>); a sweep started on another replica a moment ago is waited for. */
    List<Job> ofSweep(String sweepId) {
        List<Job> of = sweep(sweepId);
        if (of.isEmpty()) {
            mirror.awaitCaughtUp(Duration.ofSeconds(5));
            of = sweep(sweepId);
        }
        return of;
    }

    private List<Job> sweep(String sweepId) {
        return jobs.values().stream().filter(j -> !sweepId.isEmpty() && j.sweepId().equals(sweepId))
                .sorted(Comparator.comparingInt(j -> pointIndex(j.model()))).toList();
    }

    private static int pointIndex(String model) {
        return Integer.parseInt(model.substring(model.lastIndexOf('-') + 1));
    }

    /** Every job known, oldest first. */
    List<Job> all() {
        return jobs.values().stream().sorted(Comparator.comparingLong(Job::createdAtMs).thenComparing(Job::id)).toList();
    }

    boolean anyPublished() {
        return all().stream().anyMatch(j -> j.local() && j.snapshot().getLatestVersion() > 0);
    }

    void mirrorState(TrainingJob record) {
        adopt(record).mirrorState(record);
    }

    void mirrorEvent(TrainingEvent event) {
        Job job;
        synchronized (early) {
            job = jobs.get(event.getJobId());
            if (job == null && (event.hasStarted() || event.hasFinished())) {
                job = adopt(event.hasStarted() ? event.getStarted() : event.getFinished());
            }
            if (job == null) {
                early.computeIfAbsent(event.getJobId(), k -> new java.util.ArrayList<>()).add(event);
                return;
            }
        }
        job.mirrorEvent(event);
    }

    /** A decision about a version one of the jobs running here published: streamed by that job. */
    void onDecision(Decision d) {
        for (Job job : all()) {
            if (job.local() && job.model().equals(d.getModel()) && job.owns(d.getVersion())) {
                job.decision(d);
            }
        }
    }

    void onEvaluation(Evaluation e) {
        for (Job job : all()) {
            if (job.local() && job.model().equals(e.getModel()) && job.owns(e.getVersion())) {
                job.evaluation(e);
            }
        }
    }
}
