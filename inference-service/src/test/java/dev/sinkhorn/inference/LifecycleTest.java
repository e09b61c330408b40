package dev.sinkhorn.inference;

import static dev.sinkhorn.inference.GrpcClients.INFERENCE;
import static dev.sinkhorn.inference.GrpcClients.assertStatus;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.data.TestData;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.training.JigsawTrainer;
import dev.sinkhorn.core.training.TrainingSettings;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.DecisionKind;
import dev.sinkhorn.v1.ListVersionsRequest;
import dev.sinkhorn.v1.ListVersionsResponse;
import dev.sinkhorn.v1.ModelVersion;
import dev.sinkhorn.v1.PromoteRequest;
import dev.sinkhorn.v1.RollbackRequest;
import dev.sinkhorn.v1.VersionState;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle with the default policy (at most 0.002 worse in mean Kendall tau and in
 * prop_any_wrong), real evaluations by the real matcher: a trained first version is promoted, an
 * untrained candidate is rejected while the serving version keeps answering, a better-trained one
 * is promoted; Rollback and Promote change the serving version; versions stay servable by number;
 * records written before 0.3.0 (keyed by the model name) are kept beside the new ones.
 */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MatcherProcessResource.class)
@TestProfile(LifecycleTest.DefaultPolicy.class)
class LifecycleTest {
    static final Duration WAIT = Duration.ofSeconds(90);

    public static class DefaultPolicy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inference.promotion.max-kendall-tau-drop", "0.002", "inference.promotion.max-prop-any-wrong-rise", "0.002");
        }
    }

    private static ListVersionsResponse versions(String model) {
        return INFERENCE.listVersions(ListVersionsRequest.newBuilder().setModel(model).build());
    }

    private static ModelVersion version(String model, long v) {
        return versions(model).getVersionsList().stream().filter(x -> x.getVersion() == v).findFirst().orElseThrow();
    }

    private static boolean decided(String model, long v) {
        return versions(model).getVersionsList().stream().anyMatch(x -> x.getVersion() == v && x.getState() != VersionState.CANDIDATE);
    }

    @Test
    void promotesOnlyWhatIsNotWorseAndOperatorsPromoteAndRollBack() {
        String model = "life";
        ScrambledBatch b = ModelFollowingTest.puzzles(4, 21);
        try (SinkhornModel trained = Fixtures.newModel(Fixtures.SEED_SPEC); SinkhornModel untrained = Fixtures.newModel(Fixtures.SEED_SPEC)) {
            JigsawTrainer trainer = new JigsawTrainer(trained, new TrainingSettings(64, 1e-3f, 1, 1f, 3));
            trainer.epoch(TestData.mnist().train(), 1920, 1, (e, s, n, l, i) -> { }, () -> false);
            Fixtures.publish(Fixtures.checkpoint(model, 1, trained));
            await().atMost(WAIT).until(() -> versions(model).getServingVersion() == 1);
            assertTrue(version(model, 1).getReason().startsWith("promoted: first version of the model"), version(model, 1).getReason());

            // An untrained network is far worse: rejected, kept, and v1 goes on answering version 0.
            Fixtures.publish(Fixtures.checkpoint(model, 2, untrained));
            await().atMost(WAIT).until(() -> decided(model, 2));
            ModelVersion rejected = version(model, 2);
            assertEquals(VersionState.REJECTED, rejected.getState());
            assertTrue(rejected.getReason().startsWith("rejected: worse mean Kendall tau"), rejected.getReason());
            assertTrue(rejected.getEvaluation().getMeanKendallTau() < version(model, 1).getEvaluation().getMeanKendallTau() - 0.002);
            assertEquals(1, versions(model).getServingVersion());
            assertEquals(1, INFERENCE.predict(ModelFollowingTest.request(model, b, false)).getVersion());
            var byNumber = INFERENCE.predict(ModelFollowingTest.request(model, b, false).toBuilder().setVersion(2).build());
            assertEquals(2, byNumber.getVersion());
            assertArrayEquals(untrained.logAlpha(b.scrambledPieces(), 4), ModelFollowingTest.logAlpha(byNumber), 1e-5f);

            // Trained further: better, promoted.
            trainer.epoch(TestData.mnist().train(), 1920, 2, (e, s, n, l, i) -> { }, () -> false);
            Fixtures.publish(Fixtures.checkpoint(model, 3, trained));
            await().atMost(WAIT).until(() -> versions(model).getServingVersion() == 3);
            assertEquals(List.of(VersionState.RETIRED, VersionState.REJECTED, VersionState.SERVING),
                    versions(model).getVersionsList().stream().map(ModelVersion::getState).toList());
            assertArrayEquals(trained.logAlpha(b.scrambledPieces(), 4),
                    ModelFollowingTest.logAlpha(INFERENCE.predict(ModelFollowingTest.request(model, b, false))), 1e-5f);

            // Rollback: back to v1; v3 is marked rolled back.
            Decision back = INFERENCE.rollback(RollbackRequest.newBuilder().setModel(model).setReason("bad in production").build());
            assertEquals(DecisionKind.ROLLED_BACK, back.getKind());
            assertEquals(1, back.getServingVersion());
            assertEquals(List.of(1L), back.getServingHistoryList());
            assertEquals(1, INFERENCE.predict(ModelFollowingTest.request(model, b, false)).getVersion());
            assertEquals(VersionState.REJECTED, version(model, 3).getState());
            assertTrue(version(model, 3).getReason().contains("rolled back to v1 by anonymous (security off): bad in production"));
            assertStatus(Status.Code.FAILED_PRECONDITION, () -> INFERENCE.rollback(RollbackRequest.newBuilder().setModel(model).build()),
                    "model 'life' has no version that served before v1");

            // Promote: the operator's override, whatever the evaluation.
            Decision promoted = INFERENCE.promote(PromoteRequest.newBuilder().setModel(model).setVersion(2).setReason("A/B").build());
            assertEquals(DecisionKind.PROMOTED_BY_OPERATOR, promoted.getKind());
            assertEquals(2, INFERENCE.predict(ModelFollowingTest.request(model, b, false)).getVersion());
            assertEquals(List.of(1L, 3L, 2L), promoted.getEverServedList());

            // The decision is on sinkhorn.decisions, as every replica reads it.
            Decision onTopic = Fixtures.awaitDecision(d -> d.getModel().equals(model) && d.getKind() == DecisionKind.PROMOTED_BY_OPERATOR,
                    WAIT);
            assertEquals(2, onTopic.getServingVersion());

            assertStatus(Status.Code.NOT_FOUND, () -> INFERENCE.promote(PromoteRequest.newBuilder().setModel(model).setVersion(9).build()),
                    "model 'life' version 9 is not kept; the kept versions are [1, 2, 3]");
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> INFERENCE.promote(PromoteRequest.newBuilder().setModel(model).setVersion(1)
                    .setReason("x".repeat(501)).build()), "reason: 501 characters; at most 500");
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> INFERENCE.rollback(RollbackRequest.newBuilder().setModel("a b").build()),
                    "model: 'a b' is not a model name");
            assertStatus(Status.Code.NOT_FOUND, () -> versions("no-such-model"), "no version of a model named 'no-such-model' is kept");
        }
    }

    @Test
    void recordsKeyedByTheModelNameBefore030AreKeptBesideNewOnes() {
        try (SinkhornModel v1 = Fixtures.newModel(Fixtures.SEED_SPEC); SinkhornModel v2 = Fixtures.newModel(Fixtures.SEED_SPEC)) {
            Fixtures.publishUnderModelKey(Fixtures.checkpoint("legacy", 1, v1));
            Fixtures.publish(Fixtures.checkpoint("legacy", 2, v2));
            await().atMost(WAIT).until(() -> INFERENCE.listModels(dev.sinkhorn.v1.ListModelsRequest.getDefaultInstance()).getModelsList()
                    .stream().anyMatch(m -> m.getName().equals("legacy") && m.getNewestVersion() == 2));
            assertEquals(List.of(1L, 2L), versions("legacy").getVersionsList().stream().map(ModelVersion::getVersion).toList());
        }
    }
}
