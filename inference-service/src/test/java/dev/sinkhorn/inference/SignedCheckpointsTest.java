package dev.sinkhorn.inference;

import static dev.sinkhorn.inference.GrpcClients.INFERENCE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.service.kafka.CheckpointSignatures;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.PrometheusText;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.testing.TestKeys;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.ModelInfo;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * With trusted checkpoint keys configured, the inference service loads only checkpoints signed by
 * one of them: a forged record (correct sha256, signed by another key under the trusted key's name)
 * and an unsigned one are skipped and counted under reason "signature"; the signed one is served.
 */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MatcherProcessResource.class)
@TestProfile(SignedCheckpointsTest.TrustedKeys.class)
class SignedCheckpointsTest {
    /** Keys made for this run (trainer.key / trainer.pub trusted, intruder.key not). */
    static final Path KEYS = Path.of("target", "test-keys", "signed-checkpoints");

    public static class TrustedKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            TestKeys.ed25519(KEYS.resolve("trusted"), "trainer");
            TestKeys.ed25519(KEYS.resolve("untrusted"), "intruder");
            return Map.of("inference.trusted-checkpoint-keys", KEYS.resolve("trusted").toAbsolutePath().toString());
        }
    }

    private static Optional<ModelInfo> served(String model) {
        return INFERENCE.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                .filter(m -> m.getName().equals(model)).findFirst();
    }

    private static double rejectedForSignature() {
        return PrometheusText.sum(given().get("/q/metrics").asString(), "sinkhorn_checkpoints_rejected_total",
                "reason=\"signature\"");
    }

    @Test
    void onlyCheckpointsSignedByATrustedKeyAreServed() {
        PrivateKey trusted = CheckpointSignatures.readPrivateKey(KEYS.resolve("trusted/trainer.key"));
        PrivateKey intruder = CheckpointSignatures.readPrivateKey(KEYS.resolve("untrusted/intruder.key"));
        double before = rejectedForSignature();
        try (SinkhornModel model = Fixtures.newModel(Fixtures.SEED_SPEC)) {
            Checkpoint plain = Fixtures.checkpoint("signed", 1, model);
            // Forged: a valid sha256, but signed by a key the service does not trust, under the trusted key's name.
            Fixtures.publish(CheckpointSignatures.sign(plain, "trainer", intruder));
            // Unsigned.
            Fixtures.publish(plain);
            // Tampered after signing: the parameters (and their sha256) changed under a real signature.
            Checkpoint signed = CheckpointSignatures.sign(plain, "trainer", trusted);
            Fixtures.publish(signed.toBuilder().setDataset("fashion-mnist").build());
            // Then the genuine one: once it is served, the three before it were read (one partition, in order).
            Fixtures.publish(CheckpointSignatures.sign(Fixtures.checkpoint("signed", 2, model), "trainer", trusted));
            await().atMost(Duration.ofSeconds(60)).until(() -> served("signed").map(ModelInfo::getVersion).orElse(-1L) == 2);
            assertEquals(2, served("signed").get().getVersion());
            assertEquals(3.0, rejectedForSignature() - before, "forged, unsigned and tampered records are counted");
        }
    }
}
