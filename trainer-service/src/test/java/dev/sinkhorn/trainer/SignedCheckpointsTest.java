package dev.sinkhorn.trainer;

import static dev.sinkhorn.trainer.TrainerClient.TRAINER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.service.kafka.CheckpointSignatures;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.testing.TestKeys;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Given a signing key, the trainer signs every checkpoint it publishes, under the configured key id. */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(SignedCheckpointsTest.SigningKey.class)
class SignedCheckpointsTest {
    static final Path KEYS = Path.of("target", "test-keys", "trainer-signing");

    public static class SigningKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            TestKeys.ed25519(KEYS, "2026-12");
            return Map.of("trainer.signing-key", KEYS.resolve("2026-12.key").toAbsolutePath().toString(),
                    "trainer.signing-key-id", "2026-12");
        }
    }

    @Test
    void everyPublishedCheckpointCarriesAValidSignature() {
        TrainingJob job = TRAINER.startTraining(TrainerClient.quick("signed-by-trainer").setEpochs(2).setTrainLimit(640).build());
        List<TrainingEvent> events = TrainerClient.watchToEnd(job.getJobId(), Duration.ofMinutes(3));
        assertEquals(JobState.SUCCEEDED, events.get(events.size() - 1).getFinished().getState());
        List<Checkpoint> onTopic = TrainerClient.checkpoints("signed-by-trainer");
        assertEquals(2, onTopic.size());
        PublicKey key = CheckpointSignatures.readPublicKey(KEYS.resolve("2026-12.pub"));
        for (Checkpoint c : onTopic) {
            assertEquals("2026-12", c.getSigningKeyId());
            assertFalse(c.getSignature().isEmpty());
            assertTrue(CheckpointSignatures.problem(c, Map.of("2026-12", key)).isEmpty(), "v" + c.getVersion() + " verifies");
        }
        Checkpoint altered = onTopic.get(0).toBuilder().setEpoch(7).build();
        assertTrue(CheckpointSignatures.problem(altered, Map.of("2026-12", key)).isPresent(), "a changed field breaks it");
    }
}
