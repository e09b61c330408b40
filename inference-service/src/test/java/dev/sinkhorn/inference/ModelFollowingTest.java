package dev.sinkhorn.inference;

import static dev.sinkhorn.inference.GrpcClients.INFERENCE;
import static dev.sinkhorn.inference.GrpcClients.assertStatus;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.data.TestData;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.matching.AssignmentProblem;
import dev.sinkhorn.core.matching.LinearAssignmentSolver;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.ModelInfo;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.Tensor;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Models followed from the real broker: load, hot swap, bad records, predictions, evaluations. */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MatcherProcessResource.class)
class ModelFollowingTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    static ScrambledBatch puzzles(int n, long seed) {
        ImageSet test = TestData.mnist().test();
        float[] images = new float[n * test.imageSize()];
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> 100 + i);
        test.copyUnitPixels(idx, n, images);
        return new Jigsaw(2).scramble(images, n, 1, 28, 28, new SplittableRandom(seed));
    }

    static PredictRequest request(String model, ScrambledBatch b, boolean hard) {
        Tensor.Builder t = Tensor.newBuilder().addShape(b.batch()).addShape(b.pieces()).addShape(b.channels())
                .addShape(b.pieceHeight()).addShape(b.pieceWidth());
        for (float v : b.scrambledPieces()) {
            t.addValues(v);
        }
        return PredictRequest.newBuilder().setModel(model).setPieces(t).setHard(hard).build();
    }

    static float[] logAlpha(PredictResponse r) {
        float[] x = new float[r.getLogAlpha().getValuesCount()];
        for (int k = 0; k < x.length; k++) {
            x[k] = r.getLogAlpha().getValues(k);
        }
        return x;
    }

    /** The serving version (Predict with version 0), once promoted after its evaluation. */
    private static long servedVersion(String model) {
        return INFERENCE.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                .filter(m -> m.getName().equals(model)).mapToLong(ModelInfo::getVersion).findFirst().orElse(-1);
    }

    /** The newest loaded version (Predict names it at once). */
    private static long newestVersion(String model) {
        return INFERENCE.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                .filter(m -> m.getName().equals(model)).mapToLong(ModelInfo::getNewestVersion).findFirst().orElse(-1);
    }

    @Test
    void predictsWithTheServingVersionAndSwitchesWhenANewerOneIsPromoted() {
        ScrambledBatch b = puzzles(6, 1);
        try (SinkhornModel v1 = Fixtures.newModel(Fixtures.SEED_SPEC); SinkhornModel v2 = Fixtures.newModel(Fixtures.SEED_SPEC)) {
            Fixtures.publish(Fixtures.checkpoint("follow", 1, v1));
            await().atMost(WAIT).until(() -> servedVersion("follow") == 1);
            PredictResponse r1 = INFERENCE.predict(request("follow", b, false));
            assertEquals(1, r1.getVersion());
            assertArrayEquals(v1.logAlpha(b.scrambledPieces(), 6), logAlpha(r1), 1e-5f);
            // Soft permutations are doubly stochastic (the model's 20 iterations at tau 0.1).
            for (int k = 0; k < 6; k++) {
                for (int i = 0; i < 4; i++) {
                    double col = 0;
                    for (int j = 0; j < 4; j++) {
                        col += r1.getSoftPermutation().getValues(k * 16 + j * 4 + i);
                    }
                    assertEquals(1.0, col, 1e-3);
                }
            }

            Fixtures.publish(Fixtures.checkpoint("follow", 2, v2));
            await().atMost(WAIT).until(() -> servedVersion("follow") == 2);
            PredictResponse r2 = INFERENCE.predict(request("follow", b, false));
            assertEquals(2, r2.getVersion());
            assertArrayEquals(v2.logAlpha(b.scrambledPieces(), 6), logAlpha(r2), 1e-5f);
            // Version 1 is kept and still answers by number; a version never published is NOT_FOUND.
            PredictResponse old = INFERENCE.predict(request("follow", b, false).toBuilder().setVersion(1).build());
            assertEquals(1, old.getVersion());
            assertArrayEquals(v1.logAlpha(b.scrambledPieces(), 6), logAlpha(old), 1e-5f);
            assertStatus(Status.Code.NOT_FOUND, () -> INFERENCE.predict(request("follow", b, false).toBuilder().setVersion(7).build()),
                    "model 'follow' version 7 is not loaded on this replica; the kept versions are [1, 2]");

            // The automatic evaluation of version 2 arrives on sinkhorn.evaluations, scored by the real matcher.
            Evaluation e = Fixtures.awaitEvaluation(x -> x.getModel().equals("follow") && x.getVersion() == 2, WAIT);
            assertEquals(1000, e.getCount());
            assertEquals("mnist", e.getDataset());
            assertEquals(2, e.getGrid());
            assertTrue(e.getMeanKendallTau() >= -1 && e.getMeanKendallTau() <= 1);
            assertTrue(e.getPropWrong() > 0 && e.getPropWrong() <= 1, "an untrained model misplaces pieces");
            assertTrue(e.getL1() > 0 && e.getL2() > 0 && e.getL2() <= e.getL1(), "pixel errors in [0, 1]: l2 <= l1");
            // With identical pieces interchangeable no puzzle is worse (blank pieces make some better).
            assertTrue(e.hasInterchangeable());
            assertTrue(e.getInterchangeable().getPropAnyWrong() <= e.getPropAnyWrong(), e.toString());
            assertTrue(e.getInterchangeable().getPropWrong() <= e.getPropWrong(), e.toString());
            await().atMost(WAIT).until(() -> INFERENCE.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                    .anyMatch(m -> m.getName().equals("follow") && m.getLastEvaluation().getVersion() == 2));
        }
    }

    @Test
    void skipsBadRecordsAndKeepsServingTheLastGoodModel() {
        ScrambledBatch b = puzzles(3, 2);
        try (SinkhornModel good = Fixtures.newModel(Fixtures.SEED_SPEC);
             SinkhornModel wider = Fixtures.newModel(ModelSpec.jigsaw(1, 28, 2, 16, 5, 0.1f, 20));
             SinkhornModel sentinel = Fixtures.newModel(Fixtures.SEED_SPEC)) {
            Fixtures.publish(Fixtures.checkpoint("robust", 1, good));
            await().atMost(WAIT).until(() -> servedVersion("robust") == 1);

            Fixtures.publishRaw("robust", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
            Checkpoint wrongDigest = Fixtures.checkpoint("robust", 2, good).toBuilder().setSha256("00".repeat(32)).build();
            Fixtures.publish(wrongDigest);
            // Parameters of a 16-channel network under a spec that says 32 channels.
            Checkpoint mismatched = Fixtures.checkpoint("robust", 3, wider).toBuilder()
                    .setSpec(dev.sinkhorn.service.grpc.ModelSpecs.toProto(Fixtures.SEED_SPEC)).build();
            Fixtures.publish(mismatched);
            // A good record after the bad ones: once it is served, the bad ones were handled.
            Fixtures.publish(Fixtures.checkpoint("robust-sentinel", 1, sentinel));
            await().atMost(WAIT).until(() -> servedVersion("robust-sentinel") == 1);

            assertEquals(1, servedVersion("robust"));
            assertArrayEquals(good.logAlpha(b.scrambledPieces(), 3), logAlpha(INFERENCE.predict(request("robust", b, false))), 1e-5f);
            given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
            String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
            for (String reason : new String[] {"unparseable", "sha256", "parameters"}) {
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith("sinkhorn_checkpoints_rejected_total")
                        && l.contains("reason=\"" + reason + "\"")), "metric for " + reason);
            }
        }
    }

    @Test
    void hardPredictionsComeFromTheMatcherAndItsAbsenceIsUnavailable() {
        ScrambledBatch b = puzzles(5, 3);
        try (SinkhornModel m = Fixtures.newModel(Fixtures.SEED_SPEC)) {
            Fixtures.publish(Fixtures.checkpoint("hard", 1, m));
            await().atMost(WAIT).until(() -> servedVersion("hard") == 1);
            PredictResponse r = INFERENCE.predict(request("hard", b, true));
            float[] la = logAlpha(r);
            LinearAssignmentSolver solver = new LinearAssignmentSolver();
            for (int k = 0; k < 5; k++) {
                int[] expected = solver.solve(new AssignmentProblem(la, k * 16, 4, 4, false)).rowToCol();
                assertArrayEquals(expected, r.getAssignments(k).getIndexList().stream().mapToInt(Integer::intValue).toArray());
            }

            MatcherProcessResource.MATCHER.stop();
            try {
                assertStatus(Status.Code.UNAVAILABLE, () -> INFERENCE.predict(request("hard", b, true)),
                        "hard = true needs the matcher at 127.0.0.1:" + MatcherProcessResource.MATCHER.grpcPort());
                assertEquals(1, INFERENCE.predict(request("hard", b, false)).getVersion(), "soft predictions go on");
                // A checkpoint arriving while the matcher is away is evaluated once it is back.
                try (SinkhornModel m2 = Fixtures.newModel(Fixtures.SEED_SPEC)) {
                    Fixtures.publish(Fixtures.checkpoint("hard", 2, m2));
                    await().atMost(WAIT).until(() -> newestVersion("hard") == 2);
                    assertEquals(1, servedVersion("hard"), "not promoted before its evaluation");
                }
            } finally {
                MatcherProcessResource.MATCHER.start();
            }
            Evaluation e = Fixtures.awaitEvaluation(x -> x.getModel().equals("hard") && x.getVersion() == 2, Duration.ofSeconds(120));
            assertEquals(1000, e.getCount());
        }
    }

    @Test
    void rejectsUnknownModelsAndMisshapenPieces() {
        ScrambledBatch b = puzzles(2, 4);
        assertStatus(Status.Code.NOT_FOUND, () -> INFERENCE.predict(request("no-such-model", b, false)), "no model named 'no-such-model'");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> INFERENCE.predict(request("", b, false)), "model is required");
        try (SinkhornModel m = Fixtures.newModel(Fixtures.SEED_SPEC)) {
            Fixtures.publish(Fixtures.checkpoint("shapes", 1, m));
            await().atMost(WAIT).until(() -> servedVersion("shapes") == 1);
        }
        PredictRequest wrongShape = request("shapes", b, false).toBuilder()
                .setPieces(request("shapes", b, false).getPieces().toBuilder().setShape(2, 3)).build();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> INFERENCE.predict(wrongShape), "pieces.shape must be [B >= 1, 4, 1, 14, 14]");
        PredictRequest nan = request("shapes", b, false).toBuilder()
                .setPieces(request("shapes", b, false).getPieces().toBuilder().setValues(1000, Float.NaN)).build();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> INFERENCE.predict(nan), "pieces.values[1000] (B=1, P=1, C=0, h=1, w=6) is NaN");
    }
}
