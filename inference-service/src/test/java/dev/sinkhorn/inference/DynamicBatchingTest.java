package dev.sinkhorn.inference;

import static dev.sinkhorn.inference.GrpcClients.INFERENCE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.jigsaw.JigsawBatch;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.PrometheusText;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.PredictResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching of Predict (on by default): 16 concurrent clients, each sending its own
 * puzzles one call at a time, each get exactly their own answer (the network run on their puzzles
 * alone, within 1e-5), while the service computes them in shared batches; a caller whose deadline
 * passes while it waits gets DEADLINE_EXCEEDED, and the service goes on.
 */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MatcherProcessResource.class)
class DynamicBatchingTest {
    @Test
    void everyCallerGetsItsOwnAnswerFromSharedBatches() throws Exception {
        try (SinkhornModel model = Fixtures.newModel(Fixtures.SEED_SPEC)) {
            Fixtures.publish(Fixtures.checkpoint("batched", 1, model));
            await().atMost(Duration.ofSeconds(90)).until(() -> INFERENCE.listModels(ListModelsRequest.getDefaultInstance())
                    .getModelsList().stream().anyMatch(m -> m.getName().equals("batched") && m.getVersion() == 1));
            double passesBefore = metric("sinkhorn_batching_batch_puzzles_count");
            double puzzlesBefore = metric("sinkhorn_batching_batch_puzzles_sum");
            int clients = 16;
            int calls = 25;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    for (int k = 0; k < calls; k++) {
                        // Puzzles of their own: 1 to 3 per call, a scramble seeded by client and call.
                        JigsawBatch b = ModelFollowingTest.puzzles(1 + (client + k) % 3, 1000L * client + k);
                        PredictResponse r = INFERENCE.predict(ModelFollowingTest.request("batched", b, false));
                        assertEquals(1, r.getVersion());
                        assertArrayEquals(model.logAlpha(b.scrambledPieces(), b.batch()), ModelFollowingTest.logAlpha(r), 1e-5f,
                                "client " + client + " call " + k);
                    }
                    return calls;
                }));
            }
            int answered = 0;
            for (Future<Integer> f : done) {
                answered += f.get(3, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertEquals(clients * calls, answered);
            double passes = metric("sinkhorn_batching_batch_puzzles_count") - passesBefore;
            double puzzles = metric("sinkhorn_batching_batch_puzzles_sum") - puzzlesBefore;
            assertTrue(passes < clients * calls, "requests shared forward passes: " + passes + " passes for " + clients * calls);
            assertTrue(puzzles / passes > 2, "puzzles per pass: " + puzzles / passes);

            // A deadline that passes while the call waits for its batch: DEADLINE_EXCEEDED, and the service goes on.
            JigsawBatch one = ModelFollowingTest.puzzles(1, 5);
            StatusRuntimeException late = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () -> INFERENCE
                    .withDeadlineAfter(1, TimeUnit.MICROSECONDS).predict(ModelFollowingTest.request("batched", one, false)));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
            assertArrayEquals(model.logAlpha(one.scrambledPieces(), 1),
                    ModelFollowingTest.logAlpha(INFERENCE.predict(ModelFollowingTest.request("batched", one, false))), 1e-5f);
        }
    }

    private static double metric(String name) {
        return PrometheusText.sum(given().get("/q/metrics").asString(), name);
    }
}
