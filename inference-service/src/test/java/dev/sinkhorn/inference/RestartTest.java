package dev.sinkhorn.inference;

import static dev.sinkhorn.inference.GrpcClients.INFERENCE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import dev.sinkhorn.core.jigsaw.JigsawBatch;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.service.grpc.ModelSpecs;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Checkpoint;
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
 * A (re)start with checkpoints already on the topic: the service reads it to its end before it is
 * ready and serves the newest valid version of each model at once.
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

    /** Publishes versions 1-3 and then two bad records, before the application starts. */
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
            return Map.of();
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void servesTheNewestValidVersionRightAfterStart() throws Exception {
        // Ready means caught up: once readiness says UP, the newest version must be served.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
        ModelInfo info = INFERENCE.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                .filter(m -> m.getName().equals(MODEL)).findFirst().orElseThrow();
        assertEquals(3, info.getVersion());
        Checkpoint v3 = Fixtures.readCheckpoint(MODEL, 3);
        JigsawBatch b = ModelFollowingTest.puzzles(4, 9);
        try (SinkhornModel expected = SinkhornModel.fromParameters(ModelSpecs.toCore(v3.getSpec()), v3.getPixelMean(),
                v3.getPixelStd(), v3.getParameters().toByteArray(), Device.cpu())) {
            PredictResponse r = INFERENCE.predict(ModelFollowingTest.request(MODEL, b, false));
            assertEquals(3, r.getVersion());
            assertArrayEquals(expected.logAlpha(b.scrambledPieces(), 4), ModelFollowingTest.logAlpha(r), 1e-5f);
        }
    }
}
