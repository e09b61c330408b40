package dev.sinkhorn.trainer;

import static dev.sinkhorn.trainer.TrainerClient.TRAINER;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sinkhorn.localkafka.FreePorts;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.WholeTopicReader;
import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.testing.ServiceProcess;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.DecisionKind;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.ListVersionsRequest;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline: the trainer streams the inference service's evaluation of its checkpoint,
 * and two inference replicas share out the evaluations (one per version); one trace runs through it.
 */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(EvaluationEventsTest.WithEvaluation.class)
class EvaluationEventsTest {

    public static class WithEvaluation implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trainer.final-evaluation-wait", "90S",
                    // Traces on, into InMemorySpans.
                    "quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.bsp.schedule.delay", "50ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(MatcherAndInference.class));
        }
    }

    /** The real matcher and two inference replicas, each from its jar in its own JVM. */
    public static class MatcherAndInference implements QuarkusTestResourceLifecycleManager {
        static final List<ServiceProcess> INFERENCE = new ArrayList<>();
        private ServiceProcess matcher;

        @Override
        public Map<String, String> start() {
            matcher = new ServiceProcess("matcher-service").start();
            for (int replica = 0; replica < 2; replica++) {
                INFERENCE.add(new ServiceProcess("inference-service")
                        .with("kafka.bootstrap.servers", KafkaTestBroker.bootstrapServers())
                        .with("quarkus.grpc.clients.matcher.port", String.valueOf(matcher.grpcPort()))
                        .with("inference.eval-limit", "1000")
                        // Traces on: the replicas propagate the trace context (their own spans go
                        // nowhere: no collector listens there).
                        .with("quarkus.otel.sdk.disabled", "false")
                        .with("quarkus.otel.exporter.otlp.endpoint", "http://127.0.0.1:" + FreePorts.pick())
                        .start());
            }
            return Map.of();
        }

        @Override
        public void stop() {
            INFERENCE.forEach(ServiceProcess::stop);
            matcher.stop();
        }
    }

    @Test
    void watchersSeeTheEvaluationOfTheLastCheckpointBeforeTheEnd() {
        TrainingJob job = TRAINER.startTraining(TrainerClient.quick("evaluated").build());
        List<TrainingEvent> events = TrainerClient.watchToEnd(job.getJobId(), Duration.ofMinutes(3));
        TrainingJob end = events.get(events.size() - 1).getFinished();
        assertEquals(JobState.SUCCEEDED, end.getState(), end.getError());
        Evaluation e = events.stream().filter(TrainingEvent::hasEvaluation).map(TrainingEvent::getEvaluation)
                .filter(x -> x.getVersion() == end.getLatestVersion()).findFirst().orElseThrow();
        assertEquals("evaluated", e.getModel());
        assertEquals(1000, e.getCount());
        assertTrue(e.getMeanKendallTau() > 0.5, "a trained model: " + e.getMeanKendallTau());
        // The policy promoted it (the model's first evaluated version), the watchers saw the decision,
        // and every running replica (another test stops one) switched at that record.
        Decision d = events.stream().filter(TrainingEvent::hasDecision).map(TrainingEvent::getDecision)
                .filter(x -> x.getVersion() == end.getLatestVersion()).findFirst().orElseThrow();
        assertEquals(DecisionKind.PROMOTED_BY_POLICY, d.getKind());
        assertEquals(end.getLatestVersion(), d.getServingVersion());
        assertEquals(job.getJobId(), d.getJobId());
        List<ServiceProcess> running = MatcherAndInference.INFERENCE.stream().filter(ServiceProcess::running).toList();
        assertTrue(!running.isEmpty());
        for (ServiceProcess replica : running) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", replica.grpcPort()).usePlaintext().build();
            try {
                InferenceServiceGrpc.InferenceServiceBlockingStub stub = InferenceServiceGrpc.newBlockingStub(channel);
                await().atMost(Duration.ofSeconds(30)).until(() -> stub.listVersions(ListVersionsRequest.newBuilder()
                        .setModel("evaluated").build()).getServingVersion() == end.getLatestVersion());
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Inject
    InMemorySpanExporter spans;

    /**
     * StartTraining (a gRPC server span) starts a trace that runs through the checkpoint record, its
     * loading and evaluation in an inference replica, and the Evaluation record back to the trainer.
     */
    @Test
    void oneTraceRunsFromStartTrainingToTheEvaluationEvent() {
        TrainingJob job = TRAINER.startTraining(TrainerClient.quick("traced").build());
        List<TrainingEvent> events = TrainerClient.watchToEnd(job.getJobId(), Duration.ofMinutes(3));
        TrainingJob end = events.get(events.size() - 1).getFinished();
        assertEquals(JobState.SUCCEEDED, end.getState(), end.getError());
        assertTrue(events.stream().anyMatch(e -> e.hasEvaluation() && e.getEvaluation().getVersion() == end.getLatestVersion()));

        SpanData start = await().atMost(Duration.ofSeconds(30)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER && s.getName().endsWith("/StartTraining")).findFirst(), Optional::isPresent)
                .orElseThrow();
        String trace = start.getTraceId();
        List<SpanData> inTrace = await().atMost(Duration.ofSeconds(30)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(trace)).toList(), l -> l.stream().anyMatch(s -> s.getKind() == SpanKind.CONSUMER));
        SpanData publish = inTrace.stream().filter(s -> s.getName().equals("sinkhorn.checkpoints publish")).findFirst()
                .orElseThrow(() -> new AssertionError("no checkpoint publish span in " + names(inTrace)));
        assertEquals(SpanKind.PRODUCER, publish.getKind());
        SpanData evaluation = inTrace.stream().filter(s -> s.getName().equals("sinkhorn.evaluations process")).findFirst()
                .orElseThrow(() -> new AssertionError("no evaluation span in " + names(inTrace)));
        Set<String> trainerSpans = inTrace.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        assertTrue(evaluation.getParentSpanContext().isRemote() && !trainerSpans.contains(evaluation.getParentSpanId()),
                "the evaluation's parent is the inference replica's publish span");

        // The Evaluation record itself carries the trace (W3C traceparent header).
        List<String> traceparents = new ArrayList<>();
        WholeTopicReader.readToEnd(KafkaClients.of(KafkaTestBroker.bootstrapServers()), PipelineTopics.EVALUATIONS, Duration.ofSeconds(30), r -> {
            Header h = r.headers().lastHeader("traceparent");
            if (h != null) {
                traceparents.add(new String(h.value(), StandardCharsets.UTF_8));
            }
        });
        assertTrue(traceparents.stream().anyMatch(t -> t.split("-")[1].equals(trace)), "traceparents " + traceparents + " include " + trace);
    }

    private static List<String> names(List<SpanData> spans) {
        return spans.stream().map(s -> s.getKind() + " " + s.getName()).toList();
    }

    @Test
    void twoInferenceReplicasEvaluateEachVersionOnce() throws Exception {
        awaitBothReplicasInTheEvaluationGroup();
        TrainingJob job = TRAINER.startTraining(TrainerClient.quick("shared").setEpochs(2).build());
        List<TrainingEvent> events = TrainerClient.watchToEnd(job.getJobId(), Duration.ofMinutes(3));
        TrainingJob end = events.get(events.size() - 1).getFinished();
        assertEquals(JobState.SUCCEEDED, end.getState(), end.getError());
        assertTrue(events.stream().anyMatch(e -> e.hasEvaluation() && e.getEvaluation().getVersion() == end.getLatestVersion()),
                "the last version was evaluated");
        // Once neither replica has an evaluation queued or running, the topic holds all there will be.
        await().atMost(Duration.ofMinutes(2)).until(() -> MatcherAndInference.INFERENCE.stream().allMatch(r ->
                r.metric("sinkhorn_evaluations_queued_total")
                        == r.metric("sinkhorn_evaluations_published_total") + r.metric("sinkhorn_evaluations_failed_total")));
        Map<Long, Integer> perVersion = new TreeMap<>();
        WholeTopicReader.readToEnd(KafkaClients.of(KafkaTestBroker.bootstrapServers()), PipelineTopics.EVALUATIONS, Duration.ofSeconds(30), r -> {
            try {
                Evaluation e = Evaluation.parseFrom(r.value());
                if (e.getModel().equals("shared")) {
                    perVersion.merge(e.getVersion(), 1, Integer::sum);
                }
            } catch (InvalidProtocolBufferException notAnEvaluation) {
                throw new AssertionError(notAnEvaluation);
            }
        });
        assertTrue(perVersion.containsKey(end.getLatestVersion()), "evaluations per version: " + perVersion);
        perVersion.forEach((version, count) -> assertEquals(1, count, "evaluations of v" + version + ": " + perVersion));

        // The replica that evaluates stops: the other takes its partition over and evaluates the next version.
        ServiceProcess owner = MatcherAndInference.INFERENCE.stream()
                .filter(r -> r.metric("sinkhorn_evaluation_partitions_owned") == 1).findFirst().orElseThrow();
        owner.stop();
        TrainingJob next = TRAINER.startTraining(TrainerClient.quick("shared").build());
        List<TrainingEvent> nextEvents = TrainerClient.watchToEnd(next.getJobId(), Duration.ofMinutes(3));
        TrainingJob nextEnd = nextEvents.get(nextEvents.size() - 1).getFinished();
        assertEquals(JobState.SUCCEEDED, nextEnd.getState(), nextEnd.getError());
        assertTrue(nextEvents.stream().anyMatch(e -> e.hasEvaluation() && e.getEvaluation().getVersion() == nextEnd.getLatestVersion()),
                "v" + nextEnd.getLatestVersion() + " was evaluated by the remaining replica");
    }

    /** Both replicas are members of the settled evaluation group, so no partition moves during the test. */
    private static void awaitBothReplicasInTheEvaluationGroup() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()))) {
            await().atMost(Duration.ofMinutes(1)).until(() -> {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of("sinkhorn-inference-evaluations")).all()
                        .get().get("sinkhorn-inference-evaluations");
                return g.groupState() == GroupState.STABLE && g.members().size() == 2;
            });
        }
    }
}
