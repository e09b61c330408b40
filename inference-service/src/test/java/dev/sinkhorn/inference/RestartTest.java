package dev.sinkhorn.inference;

import static dev.sinkhorn.inference.GrpcClients.INFERENCE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.service.grpc.ModelSpecs;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.DecisionKind;
import dev.sinkhorn.v1.ModelVersion;
import dev.sinkhorn.v1.PromotionPolicy;
import dev.sinkhorn.v1.VersionState;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.ModelInfo;
import dev.sinkhorn.v1.PredictResponse;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A (re)start with checkpoints and a decision already on the topics: the service reads them to
 * their end before it is ready and at once serves the version the newest decision names (what it
 * served before), with every kept version loaded.
 */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MatcherProcessResource.class)
@TestProfile(RestartTest.Prepublished.class)
class RestartTest {
    static final String MODEL = "restart";

    /** A separate profile, so the application starts anew after the records below are on the broker. */
    public static class Prepublished implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Publisher.class));
        }
    }

    /**
     * Publishes versions 1-3, two bad records and a decision (v2 serving after v1; manual-only policy,
     * so v3 stays a candidate), before the application starts.
     */
    public static class Publisher implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            for (int v = 1; v <= 3; v++) {
                try (SinkhornModel m = Fixtures.newModel(Fixtures.SEED_SPEC)) {
                    Fixtures.publish(Fixtures.checkpoint(MODEL, v, m));
                }
            }
            try (SinkhornModel m = Fixtures.newModel(Fixtures.SEED_SPEC)) {
                Fixtures.publish(Fixtures.checkpoint(MODEL, 4, m).toBuilder().setSha256("ff".repeat(32)).build());
            }
            Fixtures.publishRaw(MODEL, new byte[] {42});
            Fixtures.publishDecision(Decision.newBuilder().setModel(MODEL).setVersion(2).setKind(DecisionKind.PROMOTED_BY_OPERATOR)
                    .setReason("test").setServingVersion(2).addServingHistory(1).addServingHistory(2).addEverServed(1)
                    .addEverServed(2).setPolicy(PromotionPolicy.newBuilder().setManualOnly(true)).build());
            return Map.of();
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void servesTheDecidedVersionRightAfterStart() throws Exception {
        // Ready means caught up: once readiness says UP, the decided version must be served.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
        ModelInfo info = INFERENCE.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                .filter(m -> m.getName().equals(MODEL)).findFirst().orElseThrow();
        assertEquals(2, info.getVersion());
        assertEquals(3, info.getNewestVersion());
        assertEquals(List.of(VersionState.RETIRED, VersionState.SERVING, VersionState.CANDIDATE),
                info.getVersionsList().stream().map(ModelVersion::getState).toList());
        ScrambledBatch b = ModelFollowingTest.puzzles(4, 9);
        for (long version : new long[] {2, 3}) {
            Checkpoint c = Fixtures.readCheckpoint(MODEL, version);
            try (SinkhornModel expected = SinkhornModel.fromParameters(ModelSpecs.toCore(c.getSpec()), c.getPixelMean(),
                    c.getPixelStd(), c.getParameters().toByteArray(), Device.cpu())) {
                // Version 0 is the serving v2; v3 answers by number.
                PredictResponse r = INFERENCE.predict(ModelFollowingTest.request(MODEL, b, false).toBuilder()
                        .setVersion(version == 2 ? 0 : 3).build());
                assertEquals(version, r.getVersion());
                assertArrayEquals(expected.logAlpha(b.scrambledPieces(), 4), ModelFollowingTest.logAlpha(r), 1e-5f);
            }
        }
    }
}
