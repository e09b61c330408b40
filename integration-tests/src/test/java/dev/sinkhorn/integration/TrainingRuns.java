package dev.sinkhorn.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.ManagedChannel;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/** Runs a training job on a real trainer and follows it to its end. */
final class TrainingRuns {
    private TrainingRuns() {
    }

    /** Starts the job, watches it (3 minutes at most) and asserts it SUCCEEDED; returns its final state. */
    static TrainingJob trainToEnd(ManagedChannel trainer, TrainingSpec spec) {
        TrainingJob job = TrainerServiceGrpc.newBlockingStub(trainer).startTraining(spec);
        Iterator<TrainingEvent> events = TrainerServiceGrpc.newBlockingStub(trainer).withDeadlineAfter(3, TimeUnit.MINUTES)
                .watchTraining(WatchRequest.newBuilder().setJobId(job.getJobId()).build());
        TrainingJob end = null;
        while (events.hasNext()) {
            TrainingEvent e = events.next();
            end = e.hasFinished() ? e.getFinished() : end;
        }
        assertEquals(JobState.SUCCEEDED, end.getState(), end.getError());
        return end;
    }
}
