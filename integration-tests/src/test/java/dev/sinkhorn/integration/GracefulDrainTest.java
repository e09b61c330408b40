package dev.sinkhorn.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.cli.Services;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.testing.ServiceProcess;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM as Kubernetes sends it in a rolling update, to real processes: readiness goes down
 * first, calls under way finish (new ones are UNAVAILABLE), and a trainer keeps a running job's
 * progress in a checkpoint and suspends it, and the next trainer of the group resumes it.
 */
@RequiresKafka
class GracefulDrainTest {

    @Test
    void theMatcherTurnsUnreadyAndFinishesTheCallsUnderWay() throws Exception {
        ServiceProcess matcher = new ServiceProcess("matcher-service").with("quarkus.shutdown.delay", "2S").start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", matcher.grpcPort()).usePlaintext().build();
        try {
            MatcherServiceGrpc.MatcherServiceBlockingStub stub = MatcherServiceGrpc.newBlockingStub(channel)
                    .withMaxOutboundMessageSize(64 << 20);
            // Dense 2,500 x 2,500 problems: each takes a good part of a second on one core.
            int n = 2500;
            float[] x = new float[n * n];
            SplittableRandom rng = new SplittableRandom(4);
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) rng.nextDouble();
            }
            MatchRequest slow = MatchRequest.newBuilder().setMatrices(ProtoArrays.matrixBatch(1, n, n, x, true)).build();
            List<CompletableFuture<Status.Code>> calls = new ArrayList<>();
            ExecutorService callers = Executors.newFixedThreadPool(3);
            for (int i = 0; i < 3; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> outcome(() -> stub.withDeadlineAfter(120, TimeUnit.SECONDS).match(slow)),
                        callers));
            }
            callers.shutdown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (matcher.metric("sinkhorn_grpc_calls_in_flight") < 3 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20); // polling the service's own gauge until the calls are inside
            }
            assertEquals(3.0, matcher.metric("sinkhorn_grpc_calls_in_flight"), "three calls under way");

            matcher.terminate();
            boolean sawUnready = false;
            while (matcher.isAlive() && !sawUnready) {
                sawUnready = matcher.readiness() == 503; // polling the health endpoint while the process drains
            }
            assertTrue(sawUnready, "readiness went DOWN before the process exited");
            Status.Code afterSigterm = outcome(() -> stub.withDeadlineAfter(10, TimeUnit.SECONDS).match(
                    MatchRequest.newBuilder().setMatrices(ProtoArrays.matrixBatch(1, 2, 2, new float[] {1, 0, 0, 1}, false)).build()));
            assertEquals(Status.Code.UNAVAILABLE, afterSigterm, "a new call while draining");
            for (CompletableFuture<Status.Code> c : calls) {
                assertEquals(Status.Code.OK, c.get(120, TimeUnit.SECONDS), "a call under way finished");
            }
            // 143 = 128 + SIGTERM: how a JVM that ran its shutdown to the end reports the signal that stopped it.
            assertEquals(143, matcher.awaitExit(Duration.ofSeconds(60)), "exits after its shutdown");
            assertTrue(matcher.tail().contains("every gRPC call under way finished"), matcher.tail());
        } finally {
            channel.shutdownNow();
            matcher.stop();
        }
    }

    @Test
    void aTrainerSuspendsARunningJobAndTheNextTrainerResumesIt() throws Exception {
        Services.stop(); // every trainer on the broker runs jobs: only this one here
        String kafka = KafkaTestBroker.bootstrapServers();
        ServiceProcess trainer = new ServiceProcess("trainer-service").with("kafka.bootstrap.servers", kafka)
                .with("trainer.final-evaluation-wait", "0S");
        trainer.start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", trainer.grpcPort()).usePlaintext().build();
        try {
            TrainerServiceGrpc.TrainerServiceBlockingStub stub = TrainerServiceGrpc.newBlockingStub(channel);
            TrainingJob job = stub.startTraining(TrainingSpec.newBuilder().setModel("drained-" + System.currentTimeMillis())
                    .setEpochs(3).setTrainLimit(32000).setLearningRate(1e-3f).setSeed(2).build());
            Iterator<TrainingEvent> events = stub.withDeadlineAfter(5, TimeUnit.MINUTES)
                    .watchTraining(WatchRequest.newBuilder().setJobId(job.getJobId()).build());
            List<TrainingEvent> seen = new ArrayList<>();
            while (events.hasNext()) {
                TrainingEvent e = events.next();
                seen.add(e);
                if (e.hasProgress() && e.getProgress().getEpoch() == 2) {
                    break; // epoch 1 is checkpointed; epoch 2 runs
                }
            }
            trainer.terminate();
            TrainingEvent last = null;
            while (events.hasNext()) { // the stream ends cleanly, with `suspended`, not cut
                last = events.next();
            }
            assertTrue(last != null && last.hasSuspended(), "the last event is `suspended`: " + last);
            assertTrue(last.getSuspended().getReason().contains("resumes"), last.getSuspended().getReason());
            assertEquals(143, trainer.awaitExit(Duration.ofSeconds(60)), "exits after its shutdown");
            assertEquals(2, last.getSuspended().getVersion(), "v1 at the end of epoch 1, v2 part-way through epoch 2");

            // The next trainer (here the same one, started again) resumes the job by itself.
            trainer.start();
            channel.shutdownNow();
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", trainer.grpcPort()).usePlaintext().build();
            stub = TrainerServiceGrpc.newBlockingStub(channel);
            List<TrainingEvent> after = new ArrayList<>();
            stub.withDeadlineAfter(5, TimeUnit.MINUTES).watchTraining(WatchRequest.newBuilder().setJobId(job.getJobId()).build())
                    .forEachRemaining(after::add);
            TrainingEvent end = after.get(after.size() - 1);
            assertEquals(JobState.SUCCEEDED, end.getFinished().getState(), end.getFinished().getError());
            TrainingJob resumed = after.stream().filter(e -> e.hasStarted() && e.getStarted().getAttempt() == 2).findFirst()
                    .orElseThrow().getStarted();
            assertEquals(2, resumed.getResumedFromVersion());
            List<Integer> epochsAfter = after.stream().dropWhile(e -> !(e.hasStarted() && e.getStarted().getAttempt() == 2))
                    .filter(TrainingEvent::hasEpochEnd).map(e -> e.getEpochEnd().getEpoch()).toList();
            assertEquals(List.of(2, 3), epochsAfter, "the interrupted epoch 2 is trained again from the checkpoint, then epoch 3");
            assertEquals(4, end.getFinished().getLatestVersion(), "versions go on: v3 and v4 after v1 and the mid-epoch v2");
            assertFalse(seen.isEmpty());
        } finally {
            channel.shutdownNow();
            trainer.stop();
        }
    }

    private static Status.Code outcome(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
