package dev.sinkhorn.inference;

import static dev.sinkhorn.inference.GrpcClients.INFERENCE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.service.grpc.ModelSpecs;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.DecisionKind;
import dev.sinkhorn.v1.ListVersionsRequest;
import dev.sinkhorn.v1.ListVersionsResponse;
import dev.sinkhorn.v1.ModelVersion;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.PromotionPolicy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * Every kept version survives the log cleaner: versions 1-3 of a model, a version 4 that was
 * retired (its tombstone), and the log cleaner made to run on sinkhorn.checkpoints (segments of
 * 100 ms, any dirty ratio) until v4's checkpoint is gone from the log. An inference service started
 * afterwards serves v1 (the decided version, older than two others) and answers v2 and v3 by
 * number with their own parameters; v4 is not kept.
 */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MatcherProcessResource.class)
@TestProfile(CompactionTest.Compacted.class)
class CompactionTest {
    static final String MODEL = "compacted";

    /** A separate profile, so the application starts after the log has been compacted. */
    public static class Compacted implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Compactor.class));
        }
    }

    /** Publishes v1-v4, v4's tombstone and a decision (v1 serving, manual-only), then has the cleaner compact the topic. */
    public static class Compactor implements QuarkusTestResourceLifecycleManager {
        private static final Map<String, String> AGGRESSIVE = Map.of("segment.ms", "100", "min.cleanable.dirty.ratio", "0.01",
                "min.compaction.lag.ms", "0");

        @Override
        public Map<String, String> start() {
            for (int v = 1; v <= 4; v++) {
                try (SinkhornModel m = Fixtures.newModel(Fixtures.SEED_SPEC)) {
                    Fixtures.publish(Fixtures.checkpoint(MODEL, v, m));
                }
            }
            Fixtures.publishRaw(MODEL + "/4", null); // v4 retired, as the trainer's retention does
            Fixtures.publishDecision(Decision.newBuilder().setModel(MODEL).setVersion(1).setKind(DecisionKind.PROMOTED_BY_OPERATOR)
                    .setReason("test").setServingVersion(1).addServingHistory(1).addEverServed(1)
                    .setPolicy(PromotionPolicy.newBuilder().setManualOnly(true)).build());
            Checkpoint v3 = Fixtures.readCheckpoint(MODEL, 3);
            try (Admin admin = Fixtures.kafka().admin()) {
                alter(admin, AlterConfigOp.OpType.SET);
                try {
                    // A segment rolls, and so becomes cleanable, when a record arrives after segment.ms:
                    // v3 is published again (the same record, harmless) until the cleaner has run.
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                        Fixtures.publish(v3);
                        return !checkpointValues().containsKey(MODEL + "/4");
                    });
                } finally {
                    alter(admin, AlterConfigOp.OpType.DELETE); // the other tests' topic as it was
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            Map<String, Integer> left = checkpointValues();
            assertEquals(1, left.get(MODEL + "/1"), "v1 on the compacted log");
            assertEquals(1, left.get(MODEL + "/2"), "v2 on the compacted log");
            assertTrue(left.get(MODEL + "/3") >= 1, "v3 on the compacted log (its copies in the active segment are not cleaned yet)");
            return Map.of();
        }

        private static void alter(Admin admin, AlterConfigOp.OpType op) throws Exception {
            Collection<AlterConfigOp> ops = new ArrayList<>();
            AGGRESSIVE.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), op)));
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, PipelineTopics.CHECKPOINTS), ops))
                    .all().get(30, TimeUnit.SECONDS);
        }

        /** Records with a value (not tombstones) per key on sinkhorn.checkpoints, read from the log's start. */
        private static Map<String, Integer> checkpointValues() {
            Map<String, Integer> counts = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> c = Fixtures.kafka().consumer(Map.of())) {
                List<TopicPartition> parts = c.partitionsFor(PipelineTopics.CHECKPOINTS, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                Map<TopicPartition, Long> end = c.endOffsets(parts);
                while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                        if (r.value() != null) {
                            counts.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
                        }
                    }
                }
            }
            return counts;
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void everyKeptVersionIsServedAfterCompaction() throws Exception {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
        ListVersionsResponse versions = INFERENCE.listVersions(ListVersionsRequest.newBuilder().setModel(MODEL).build());
        assertEquals(1, versions.getServingVersion());
        assertEquals(List.of(1L, 2L, 3L), versions.getVersionsList().stream().map(ModelVersion::getVersion).toList());
        ScrambledBatch b = ModelFollowingTest.puzzles(4, 21);
        for (long version = 1; version <= 3; version++) {
            Checkpoint c = Fixtures.readCheckpoint(MODEL, version);
            try (SinkhornModel expected = SinkhornModel.fromParameters(ModelSpecs.toCore(c.getSpec()), c.getPixelMean(),
                    c.getPixelStd(), c.getParameters().toByteArray(), Device.cpu())) {
                PredictResponse r = INFERENCE.predict(ModelFollowingTest.request(MODEL, b, false).toBuilder()
                        .setVersion(version == 1 ? 0 : version).build()); // version 0: the serving v1
                assertEquals(version, r.getVersion());
                assertArrayEquals(expected.logAlpha(b.scrambledPieces(), 4), ModelFollowingTest.logAlpha(r), 1e-5f);
            }
        }
    }
}
