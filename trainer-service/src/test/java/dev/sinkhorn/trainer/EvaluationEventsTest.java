package dev.sinkhorn.trainer;

import static dev.sinkhorn.trainer.TrainerClient.TRAINER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.testing.ServiceProcess;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole pipeline: the trainer streams the inference service's evaluation of its checkpoint. */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(EvaluationEventsTest.WithEvaluation.class)
class EvaluationEventsTest {

    public static class WithEvaluation implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trainer.final-evaluation-wait", "90S");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(MatcherAndInference.class));
        }
    }

    /** The real matcher and inference services, each from its jar in its own JVM. */
    public static class MatcherAndInference implements QuarkusTestResourceLifecycleManager {
        private ServiceProcess matcher;
        private ServiceProcess inference;

        @Override
        public Map<String, String> start() {
            matcher = new ServiceProcess("matcher-service").start();
            inference = new ServiceProcess("inference-service")
                    .with("kafka.bootstrap.servers", KafkaTestBroker.bootstrapServers())
                    .with("quarkus.grpc.clients.matcher.port", String.valueOf(matcher.grpcPort()))
                    .with("inference.eval-limit", "1000")
                    .start();
            return Map.of();
        }

        @Override
        public void stop() {
            inference.stop();
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
    }
}
