package dev.sinkhorn.inference;

import static dev.sinkhorn.inference.GrpcClients.INFERENCE;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.random.GumbelSampling;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import dev.sinkhorn.core.sinkhorn.SinkhornResult;
import dev.sinkhorn.core.sinkhorn.SinkhornSettings;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.PrometheusText;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.GumbelSinkhornRequest;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.SinkhornResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching of Predict, Sinkhorn and GumbelSinkhorn (on by default). Predict: 16 concurrent
 * clients, each sending its own puzzles one call at a time, each get exactly their own answer (the network run on their puzzles
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
            int clients = 16;
            int calls = 25;
            assertCallsSharedPasses("puzzles", clients, calls, (client, k) -> {
                // Puzzles of their own: 1 to 3 per call, a scramble seeded by client and call.
                ScrambledBatch b = ModelFollowingTest.puzzles(1 + (client + k) % 3, 1000L * client + k);
                PredictResponse r = INFERENCE.predict(ModelFollowingTest.request("batched", b, false));
                assertEquals(1, r.getVersion());
                assertArrayEquals(model.logAlpha(b.scrambledPieces(), b.batch()), ModelFollowingTest.logAlpha(r), 1e-5f,
                        "client " + client + " call " + k);
            });

            // A deadline that passes while the call waits for its batch: DEADLINE_EXCEEDED, and the service goes on.
            ScrambledBatch one = ModelFollowingTest.puzzles(1, 5);
            StatusRuntimeException late = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () -> INFERENCE
                    .withDeadlineAfter(1, TimeUnit.MICROSECONDS).predict(ModelFollowingTest.request("batched", one, false)));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
            assertArrayEquals(model.logAlpha(one.scrambledPieces(), 1),
                    ModelFollowingTest.logAlpha(INFERENCE.predict(ModelFollowingTest.request("batched", one, false))), 1e-5f);
        }
    }

    /**
     * Sinkhorn and GumbelSinkhorn requests of one size and settings share passes: each of 16
     * concurrent clients gets exactly what the operator gives its matrices alone (computed here,
     * in-process, before the clients start), seeded samples included; requests with early stopping
     * run alone, so their iteration count is their own.
     */
    @Test
    void sinkhornCallersGetTheirOwnMatricesFromSharedPasses() throws Exception {
        int clients = 16;
        int calls = 20;
        int n = 5;
        SinkhornSettings settings = SinkhornSettings.of(0.5f, 20);
        List<List<Call>> plan = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int c = 0; c < clients; c++) {
                List<Call> mine = new ArrayList<>();
                for (int k = 0; k < calls; k++) {
                    int b = 1 + (c + k) % 2;
                    float[] x = random(b * n * n, 100L * c + k);
                    NDArray in = m.create(x, new Shape(b, n, n));
                    if (k % 4 == 3) { // early stopping: not batchable
                        SinkhornResult alone = SinkhornOps.sinkhorn(in, new SinkhornSettings(1f, 5000, 1e-3f));
                        mine.add(new Call(SinkhornRequest.newBuilder().setLogAlpha(GrpcClients.batch(b, n, x)).setNIter(5000)
                                .setTolerance(1e-3f).build(), null, alone.matrices().toFloatArray(), alone.iterations()));
                    } else if (k % 2 == 0) {
                        mine.add(new Call(SinkhornRequest.newBuilder().setLogAlpha(GrpcClients.batch(b, n, x)).setTau(0.5f).build(), null,
                                SinkhornOps.sinkhorn(in, settings).matrices().toFloatArray(), 20));
                    } else {
                        long seed = k % 3; // clients share seeds: equal seeds, equal samples, whatever the pass
                        GumbelSampling sampling = new GumbelSampling(2, 1f);
                        mine.add(new Call(null, GumbelSinkhornRequest.newBuilder().setLogAlpha(GrpcClients.batch(b, n, x)).setTau(0.5f)
                                .setNSamples(2).setSeed(seed).build(),
                                SinkhornOps.gumbelSinkhorn(in, settings, sampling, seed).matrices().toFloatArray(), 20));
                    }
                }
                plan.add(mine);
            }
        }
        assertCallsSharedPasses("matrices", clients, calls, (client, k) -> {
            Call call = plan.get(client).get(k);
            SinkhornResponse r = call.sinkhorn() != null ? INFERENCE.sinkhorn(call.sinkhorn()) : INFERENCE.gumbelSinkhorn(call.gumbel());
            assertEquals(call.iterations(), r.getIterations(), "client " + client + " call " + k);
            assertArrayEquals(call.expected(), ProtoArrays.values(r.getMatrices()), 1e-6f, "client " + client + " call " + k);
        });
    }

    /** One call of a client: makes it and checks its answer. */
    private interface ClientCall {
        void run(int client, int call) throws Exception;
    }

    /**
     * Runs {@code clients} concurrent clients, each making {@code calls} calls one after another, and
     * asserts that they all answered and that their requests shared passes (fewer passes than
     * calls, more than two items per pass on average; {@code unit}: the batch-size metric's).
     */
    private static void assertCallsSharedPasses(String unit, int clients, int calls, ClientCall call) throws Exception {
        double passesBefore = metric("sinkhorn_batching_batch_" + unit + "_count");
        double itemsBefore = metric("sinkhorn_batching_batch_" + unit + "_sum");
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Integer>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                for (int k = 0; k < calls; k++) {
                    call.run(client, k);
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
        double passes = metric("sinkhorn_batching_batch_" + unit + "_count") - passesBefore;
        double items = metric("sinkhorn_batching_batch_" + unit + "_sum") - itemsBefore;
        assertTrue(passes < clients * calls, "requests shared passes: " + passes + " passes for " + clients * calls);
        assertTrue(items / passes > 2, unit + " per pass: " + items / passes);
    }

    /** One planned call (Sinkhorn or GumbelSinkhorn) and what the operator gives its matrices alone. */
    private record Call(SinkhornRequest sinkhorn, GumbelSinkhornRequest gumbel, float[] expected, int iterations) {
    }

    private static float[] random(int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int k = 0; k < size; k++) {
            x[k] = (float) (3 * rng.nextGaussian());
        }
        return x;
    }

    private static double metric(String name) {
        return PrometheusText.sum(given().get("/q/metrics").asString(), name);
    }
}
