package dev.sinkhorn.integration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.cli.Services;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.testing.ServiceProcess;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.ListJobsRequest;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.SinkhornResponse;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import dev.sinkhorn.v1.TrainingSpec;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * At least 1,000 malformed requests for every RPC of the three services (MalformedRequests), from
 * four concurrent clients, against the real processes. Every answer must be a clean status from
 * the set its mutation expects (never UNKNOWN, INTERNAL or UNAVAILABLE; OK only for a valid request
 * whose 1 ms deadline sufficed), and afterwards the services are ready, answer correctly,
 * and hold no job or model they did not hold before. The counts per RPC and status code go to
 * target/malformed-requests.md (docs/reliability.md shows a run).
 */
@RequiresKafka
class MalformedRequestsTest {
    static final int PER_RPC = Integer.getInteger("sinkhorn.malformed.per-rpc", 1000);
    private static final String MODEL = "malformed-target";

    private static ManagedChannel matcher;
    private static ManagedChannel inference;
    private static ManagedChannel trainer;

    @BeforeAll
    static void start() {
        Services.start();
        matcher = channel(Services.MATCHER);
        inference = channel(Services.INFERENCE);
        trainer = channel(Services.TRAINER);
        // A model for Predict's pieces to be wrong against: one quick epoch, then served.
        TrainingRuns.trainToEnd(trainer, TrainingSpec.newBuilder().setModel(MODEL).setEpochs(1).setTrainLimit(640)
                .setLearningRate(1e-3f).build());
        await().atMost(Duration.ofMinutes(1)).until(() -> InferenceServiceGrpc.newBlockingStub(inference)
                .listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream().anyMatch(m -> m.getName().equals(MODEL)));
    }

    @AfterAll
    static void close() {
        for (ManagedChannel c : List.of(matcher, inference, trainer)) {
            c.shutdownNow();
        }
    }

    private static ManagedChannel channel(ServiceProcess s) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", s.grpcPort()).usePlaintext().maxInboundMessageSize(64 << 20).build();
    }

    @Test
    void everyMalformedRequestGetsACleanStatusAndTheServicesKeepServing() throws Exception {
        int jobsBefore = TrainerServiceGrpc.newBlockingStub(trainer).listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount();
        int modelsBefore = InferenceServiceGrpc.newBlockingStub(inference).listModels(ListModelsRequest.getDefaultInstance())
                .getModelsCount();

        Map<String, Map<Status.Code, Integer>> counts = new LinkedHashMap<>();
        Map<String, String> wrong = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            for (MalformedRequests.Rpc rpc : new MalformedRequests(matcher, inference, trainer, MODEL).rpcs()) {
                List<Future<Status.Code>> answers = new ArrayList<>();
                for (int i = 0; i < PER_RPC; i++) {
                    MalformedRequests.Mutation m = rpc.mutations().get(i % rpc.mutations().size());
                    SplittableRandom r = new SplittableRandom(31L * i + rpc.name().hashCode());
                    answers.add(clients.submit(() -> {
                        Status.Code code = m.call().apply(r);
                        if (!m.expected().contains(code)) {
                            wrong.putIfAbsent(rpc.name() + " / " + m.name() + " -> " + code, "expected one of " + m.expected());
                        }
                        return code;
                    }));
                }
                Map<Status.Code, Integer> byCode = new EnumMap<>(Status.Code.class);
                for (Future<Status.Code> a : answers) {
                    byCode.merge(a.get(2, TimeUnit.MINUTES), 1, Integer::sum);
                }
                counts.put(rpc.name(), byCode);
            }
        } finally {
            clients.shutdownNow();
        }
        String table = table(counts);
        System.out.println(table);
        Files.writeString(Files.createDirectories(Path.of("target")).resolve("malformed-requests.md"), table);

        assertTrue(wrong.isEmpty(), "answers that are not what the mutation deserves: " + wrong);
        counts.forEach((rpc, byCode) -> assertTrue(byCode.values().stream().mapToInt(Integer::intValue).sum() >= PER_RPC, rpc));

        // Still alive, ready, correct, and nothing changed.
        for (ServiceProcess s : List.of(Services.MATCHER, Services.INFERENCE, Services.TRAINER)) {
            assertTrue(s.isAlive(), s.log().toString());
            assertEquals(200, s.readiness(), s.log().toString());
        }
        assertTheServicesStillAnswerCorrectly();
        assertEquals(jobsBefore, TrainerServiceGrpc.newBlockingStub(trainer).listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount(),
                "no malformed StartTraining started a job");
        assertEquals(modelsBefore, InferenceServiceGrpc.newBlockingStub(inference).listModels(ListModelsRequest.getDefaultInstance())
                .getModelsCount());
    }

    private static void assertTheServicesStillAnswerCorrectly() {
        // The best assignment of [[1,9,1],[9,1,1],[1,1,9]] is row 0 -> 1, 1 -> 0, 2 -> 2.
        float[] x = {1, 9, 1, 9, 1, 1, 1, 1, 9};
        MatchRequest match = MatchRequest.newBuilder().setMatrices(ProtoArrays.matrixBatch(1, 3, 3, x)).build();
        assertEquals(List.of(1, 0, 2), MatcherServiceGrpc.newBlockingStub(matcher).match(match).getAssignments(0).getIndexList());
        ScoreRequest score = ScoreRequest.newBuilder().addTruth(MalformedRequests.permutation(new SplittableRandom(1), 6))
                .addPredicted(MalformedRequests.permutation(new SplittableRandom(1), 6)).build();
        assertEquals(1.0, MatcherServiceGrpc.newBlockingStub(matcher).score(score).getMeanKendallTau(), 1e-12);
        SinkhornResponse s = InferenceServiceGrpc.newBlockingStub(inference).sinkhorn(SinkhornRequest.newBuilder()
                .setLogAlpha(ProtoArrays.matrixBatch(1, 3, 3, x)).setNIter(200).build());
        float[] p = ProtoArrays.values(s.getMatrices());
        float[] ones = {1, 1, 1};
        float[] rows = new float[3];
        float[] cols = new float[3];
        IntStream.range(0, 9).forEach(k -> {
            rows[k / 3] += p[k];
            cols[k % 3] += p[k];
        });
        assertArrayEquals(ones, rows, 1e-3f);
        assertArrayEquals(ones, cols, 1e-3f);
    }

    /** A markdown table: one row per RPC, one column per status code seen. */
    static String table(Map<String, Map<Status.Code, Integer>> counts) {
        List<Status.Code> seen = counts.values().stream().flatMap(m -> m.keySet().stream()).distinct().sorted().toList();
        StringBuilder t = new StringBuilder("| RPC | requests |");
        seen.forEach(c -> t.append(' ').append(c).append(" |"));
        t.append("\n|---|---:|");
        seen.forEach(c -> t.append("---:|"));
        counts.forEach((rpc, byCode) -> {
            t.append("\n| ").append(rpc).append(" | ").append(byCode.values().stream().mapToInt(Integer::intValue).sum()).append(" |");
            seen.forEach(c -> t.append(' ').append(byCode.getOrDefault(c, 0)).append(" |"));
        });
        return t.append('\n').toString();
    }
}
