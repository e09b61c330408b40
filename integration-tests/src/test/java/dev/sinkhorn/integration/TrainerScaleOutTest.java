package dev.sinkhorn.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.cli.Services;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.WholeTopicReader;
import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.testing.ServiceProcess;
import dev.sinkhorn.testing.TrainerGroup;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.JobRef;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.ListJobsRequest;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * Training scaled out over two real trainer processes in one consumer group on a real broker:
 * four jobs of different models (two on each replica's partitions of sinkhorn.jobs) run on both
 * replicas at the same time and are watched through the replica that does not run them;
 * CancelTraining works from either replica; a replica SIGKILLed mid-job has its job resumed by the
 * other from its newest checkpoint, every epoch's checkpoint on the topic exactly once, versions
 * monotonic.
 */
@RequiresKafka
class TrainerScaleOutTest {
    /** The trainers' group (the default). */
    private static final String GROUP = "sinkhorn-trainers";

    /** One watched job: its events with the time each arrived. */
    private record Watched(List<TrainingEvent> events, List<Long> arrivedNanos) {
        TrainingJob finished() {
            return events.get(events.size() - 1).getFinished();
        }

        long first(java.util.function.Predicate<TrainingEvent> which) {
            for (int i = 0; i < events.size(); i++) {
                if (which.test(events.get(i))) {
                    return arrivedNanos.get(i);
                }
            }
            throw new AssertionError("no such event in " + events);
        }
    }

    @Test
    void twoReplicasShareJobsAndOneTakesOverALostOnesJob() throws Exception {
        Services.stop(); // every trainer on the broker runs jobs: only these two here
        String bootstrap = KafkaTestBroker.bootstrapServers();
        ServiceProcess a = trainer(bootstrap).start();
        ServiceProcess b = trainer(bootstrap).start();
        ManagedChannel toA = channel(a);
        ManagedChannel toB = channel(b);
        ExecutorService watchers = Executors.newFixedThreadPool(4);
        try (Admin admin = KafkaClients.of(bootstrap).admin()) {
            Map<Integer, Set<Integer>> owned = TrainerGroup.awaitOwners(admin, GROUP, PipelineTopics.DEFAULT_JOB_PARTITIONS,
                    Duration.ofSeconds(60), a.grpcPort(), b.grpcPort());
            TrainerServiceGrpc.TrainerServiceBlockingStub stubA = TrainerServiceGrpc.newBlockingStub(toA);
            TrainerServiceGrpc.TrainerServiceBlockingStub stubB = TrainerServiceGrpc.newBlockingStub(toB);
            String run = Long.toString(System.currentTimeMillis(), 36);
            List<String> onA = TrainerGroup.modelsOn("a" + run, owned.get(a.grpcPort()), PipelineTopics.DEFAULT_JOB_PARTITIONS, 3);
            List<String> onB = TrainerGroup.modelsOn("b" + run, owned.get(b.grpcPort()), PipelineTopics.DEFAULT_JOB_PARTITIONS, 3);

            // Four jobs, all started and watched through A: two run on A, two on B, at the same time.
            List<String> four = List.of(onA.get(0), onA.get(1), onB.get(0), onB.get(1));
            List<CompletableFuture<Watched>> runs = new ArrayList<>();
            for (String model : four) {
                TrainingJob job = stubA.startTraining(spec(model, 2, 6_400));
                runs.add(CompletableFuture.supplyAsync(() -> watch(stubA, job.getJobId()), watchers));
            }
            List<Watched> done = new ArrayList<>();
            for (CompletableFuture<Watched> r : runs) {
                done.add(r.get(5, TimeUnit.MINUTES));
            }
            for (int i = 0; i < 4; i++) {
                TrainingJob end = done.get(i).finished();
                assertEquals(JobState.SUCCEEDED, end.getState(), end.getError());
                int expected = i < 2 ? a.grpcPort() : b.grpcPort();
                assertTrue(end.getRunner().endsWith(":" + expected), four.get(i) + " ran on " + end.getRunner());
                assertEquals(2, end.getLatestVersion());
            }
            boolean overlapped = false;
            for (Watched x : done.subList(0, 2)) {
                for (Watched y : done.subList(2, 4)) {
                    overlapped |= x.first(TrainingEvent::hasStarted) < y.first(TrainingEvent::hasFinished)
                            && y.first(TrainingEvent::hasStarted) < x.first(TrainingEvent::hasFinished);
                }
            }
            assertTrue(overlapped, "a job on A and a job on B ran at the same time");
            Set<String> listedByB = new HashSet<>();
            stubB.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
                    .filter(j -> j.getState() == JobState.SUCCEEDED).forEach(j -> listedByB.add(j.getModel()));
            assertTrue(listedByB.containsAll(four), "B lists every job as SUCCEEDED: " + listedByB);

            // CancelTraining from either replica, whichever runs the job.
            for (boolean cancelThroughA : new boolean[] {true, false}) {
                String model = cancelThroughA ? onB.get(2) : onA.get(2);
                TrainingJob job = stubA.startTraining(spec(model, 50, 0));
                awaitEvent(cancelThroughA ? stubA : stubB, job.getJobId(), TrainingEvent::hasProgress);
                TrainingJob cancelled = (cancelThroughA ? stubA : stubB).cancelTraining(JobRef.newBuilder().setJobId(job.getJobId()).build());
                assertEquals(JobState.CANCELLED, cancelled.getState(), model + ": " + cancelled);
                assertTrue(cancelled.getRunner().endsWith(":" + (cancelThroughA ? b.grpcPort() : a.grpcPort())), cancelled.getRunner());
            }

            // A is lost mid-job (SIGKILL): B resumes the job from its newest checkpoint.
            String lost = TrainerGroup.modelsOn("lost" + run, owned.get(a.grpcPort()), PipelineTopics.DEFAULT_JOB_PARTITIONS, 1).get(0);
            TrainingJob job = stubB.startTraining(spec(lost, 3, 9_600));
            Iterator<TrainingEvent> events = stubB.withDeadlineAfter(5, TimeUnit.MINUTES)
                    .watchTraining(WatchRequest.newBuilder().setJobId(job.getJobId()).build());
            List<TrainingEvent> seen = new ArrayList<>();
            while (events.hasNext()) {
                TrainingEvent e = events.next();
                seen.add(e);
                if (e.hasCheckpoint() && e.getCheckpoint().getEpoch() == 1) {
                    break;
                }
            }
            a.kill();
            long killed = System.nanoTime();
            long resumedAt = 0;
            while (events.hasNext()) {
                TrainingEvent e = events.next();
                seen.add(e);
                if (e.hasStarted() && e.getStarted().getAttempt() == 2 && resumedAt == 0) {
                    resumedAt = System.nanoTime();
                }
            }
            TrainingEvent last = seen.get(seen.size() - 1);
            assertTrue(last.hasFinished(), "the stream ends with `finished`: " + last);
            assertEquals(JobState.SUCCEEDED, last.getFinished().getState(), last.getFinished().getError());
            assertTrue(last.getFinished().getRunner().endsWith(":" + b.grpcPort()), last.getFinished().getRunner());
            assertEquals(2, last.getFinished().getAttempt());
            TrainingJob resumed = seen.stream().filter(e -> e.hasStarted() && e.getStarted().getAttempt() == 2).findFirst()
                    .orElseThrow().getStarted();
            long checkpointedBefore = 0;
            for (TrainingEvent e : seen) {
                if (e.hasStarted() && e.getStarted().getAttempt() == 2) {
                    break;
                }
                if (e.hasCheckpoint()) {
                    checkpointedBefore = e.getCheckpoint().getVersion();
                }
            }
            assertEquals(checkpointedBefore, resumed.getResumedFromVersion(), "resumed from the newest checkpoint");
            List<Checkpoint> checkpoints = checkpoints(bootstrap, lost);
            assertEquals(List.of(1, 2, 3), checkpoints.stream().map(Checkpoint::getEpoch).toList(), "every epoch exactly once");
            assertEquals(List.of(1L, 2L, 3L), checkpoints.stream().map(Checkpoint::getVersion).toList(), "versions monotonic");
            assertTrue(checkpoints.stream().allMatch(c -> c.getJobId().equals(job.getJobId())));
            System.out.printf("[scale-out] a SIGKILLed trainer's job ran again on the other replica %.1f s after the kill%n",
                    (resumedAt - killed) / 1e9);
        } finally {
            watchers.shutdownNow();
            toA.shutdownNow();
            toB.shutdownNow();
            a.stop();
            b.stop();
        }
    }

    private static ServiceProcess trainer(String bootstrap) {
        return new ServiceProcess("trainer-service").with("kafka.bootstrap.servers", bootstrap)
                .with("trainer.final-evaluation-wait", "0S")
                .with("trainer.jobs-session-timeout", "6S").with("trainer.progress-interval", "0.5S");
    }

    private static ManagedChannel channel(ServiceProcess p) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", p.grpcPort()).usePlaintext().build();
    }

    private static TrainingSpec spec(String model, int epochs, int trainLimit) {
        return TrainingSpec.newBuilder().setModel(model).setEpochs(epochs).setTrainLimit(trainLimit).setLearningRate(1e-3f)
                .setSeed(3).build();
    }

    private static Watched watch(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String jobId) {
        Iterator<TrainingEvent> it = stub.withDeadlineAfter(5, TimeUnit.MINUTES).watchTraining(WatchRequest.newBuilder().setJobId(jobId).build());
        Watched w = new Watched(new ArrayList<>(), new ArrayList<>());
        while (it.hasNext()) {
            w.events().add(it.next());
            w.arrivedNanos().add(System.nanoTime());
        }
        return w;
    }

    private static void awaitEvent(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String jobId,
                                   java.util.function.Predicate<TrainingEvent> which) {
        Iterator<TrainingEvent> it = stub.withDeadlineAfter(2, TimeUnit.MINUTES).watchTraining(WatchRequest.newBuilder().setJobId(jobId).build());
        while (it.hasNext()) {
            if (which.test(it.next())) {
                return;
            }
        }
        throw new AssertionError("job " + jobId + " ended before the awaited event");
    }

    /** The model's checkpoints on the topic, in offset order. */
    private static List<Checkpoint> checkpoints(String bootstrap, String model) {
        List<Checkpoint> out = new ArrayList<>();
        WholeTopicReader.readToEnd(KafkaClients.of(bootstrap), PipelineTopics.CHECKPOINTS, Duration.ofSeconds(30), r -> {
            CheckpointRecords.Decoded d = CheckpointRecords.decode(r.key(), r.value());
            if (d.ok() && d.checkpoint().getModel().equals(model)) {
                out.add(d.checkpoint());
            }
        });
        return out;
    }
}
