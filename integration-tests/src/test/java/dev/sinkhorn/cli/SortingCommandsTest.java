package dev.sinkhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.Tensor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sorting task through the whole pipeline on the real services and broker: `sinkhorn train
 * --task sorting` trains a network on lists of 5 numbers (checkpoints on sinkhorn.checkpoints, an
 * automatic evaluation on fresh lists), the inference service serves it, `sinkhorn sort` sorts a
 * list, and bad input is answered INVALID_ARGUMENT naming the problem.
 */
@RequiresKafka
class SortingCommandsTest {
    private static final String MODEL = "sorter5";
    private static ManagedChannel channel;
    private static InferenceServiceGrpc.InferenceServiceBlockingStub inference;

    @BeforeAll
    static void trainASorter() {
        Services.start();
        Services.Run r = Services.cli("train", "--model", MODEL, "--task", "sorting", "--items", "5", "--steps", "600",
                "--epochs", "2", "--seed", "3");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("SUCCEEDED, latest checkpoint v2"), r.out());
        Matcher m = Pattern.compile("evaluation of v2 on 1000 uniform test lists: mean Kendall tau ([0-9.]+)").matcher(r.err());
        assertTrue(m.find(), r.err());
        assertTrue(Double.parseDouble(m.group(1)) > 0.9, "Kendall tau of the trained sorter: " + m.group(1));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", Services.INFERENCE.grpcPort()).usePlaintext().build();
        inference = InferenceServiceGrpc.newBlockingStub(channel).withWaitForReady(); // across the restart test
    }

    @AfterAll
    static void close() {
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    private static Tensor lists(int batch, float... values) {
        return Tensor.newBuilder().addShape(batch).addShape(values.length / batch)
                .addAllValues(java.util.stream.IntStream.range(0, values.length).mapToObj(i -> values[i]).toList()).build();
    }

    @Test
    void theSortCommandSortsAList() {
        Services.Run r = Services.cli("sort", "--model", MODEL, "0.3", "0.1", "0.7", "0.95", "0.5");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains(MODEL + " v") && r.out().contains(": 0.1 0.3 0.5 0.7 0.95"), r.out());
        assertTrue(r.out().contains("positions [1, 0, 3, 4, 2] (sorted right)"), r.out());
        Services.Run eval = Services.cli("eval", MODEL, "--limit", "300");
        assertEquals(0, eval.exitCode(), eval.err());
        assertTrue(eval.out().contains("on 300 uniform test lists of 5 numbers"), eval.out());
        double tau = Double.parseDouble(eval.out().lines().filter(l -> l.startsWith("positional")).findFirst().orElseThrow()
                .trim().split("\\s+")[1]);
        assertTrue(tau > 0.9, eval.out());
        Services.Run wide = Services.cli("eval", MODEL, "--limit", "300", "--dataset", "uniform:0:10");
        assertEquals(0, wide.exitCode(), wide.err());
        assertTrue(wide.out().contains("on 300 uniform:0:10 test lists of 5 numbers"), wide.out());
        Services.Run unscramble = Services.cli("unscramble", "--model", MODEL, "--index", "0");
        assertEquals(Errors.USAGE, unscramble.exitCode(), unscramble.out());
        assertTrue(unscramble.err().contains("sorts lists of 5 numbers; use sinkhorn sort"), unscramble.err());
        Services.Run models = Services.cli("models");
        assertTrue(models.out().lines().anyMatch(l -> l.startsWith(MODEL + " ") && l.contains("uniform") && l.contains("sort 5")),
                models.out());
    }

    @Test
    void predictTakesABatchOfListsAndAnswersLogAlphaSoftAndHardPermutations() {
        PredictResponse r = inference.predict(PredictRequest.newBuilder().setModel(MODEL).setHard(true)
                .setNumbers(lists(2, 0.9f, 0.1f, 0.5f, 0.3f, 0.7f, 0.05f, 0.25f, 0.45f, 0.65f, 0.85f)).build());
        assertEquals(2, r.getLogAlpha().getBatch());
        assertEquals(5, r.getLogAlpha().getRows());
        assertEquals(5, r.getSoftPermutation().getCols());
        assertEquals(java.util.List.of(4, 0, 2, 1, 3), r.getAssignments(0).getIndexList());
        assertEquals(java.util.List.of(0, 1, 2, 3, 4), r.getAssignments(1).getIndexList());
        // The same input in `pieces` gets the same answer.
        PredictResponse same = inference.predict(PredictRequest.newBuilder().setModel(MODEL)
                .setPieces(lists(2, 0.9f, 0.1f, 0.5f, 0.3f, 0.7f, 0.05f, 0.25f, 0.45f, 0.65f, 0.85f)).build());
        assertEquals(r.getLogAlpha(), same.getLogAlpha());
    }

    @Test
    void aRestartedInferenceServiceServesTheSorterAgain() {
        Services.INFERENCE.stop();
        Services.INFERENCE.start(); // ready once it has read the checkpoints back and warmed up every model
        ManagedChannel after = ManagedChannelBuilder.forAddress("127.0.0.1", Services.INFERENCE.grpcPort()).usePlaintext().build();
        try {
            PredictResponse r = InferenceServiceGrpc.newBlockingStub(after).predict(PredictRequest.newBuilder().setModel(MODEL)
                    .setHard(true).setNumbers(lists(1, 0.9f, 0.1f, 0.5f, 0.3f, 0.7f)).build());
            assertEquals(java.util.List.of(4, 0, 2, 1, 3), r.getAssignments(0).getIndexList());
        } finally {
            after.shutdownNow();
        }
    }

    @Test
    void badInputIsRejectedNamingTheProblem() {
        StatusRuntimeException wrongLength = assertThrows(StatusRuntimeException.class, () -> inference.predict(
                PredictRequest.newBuilder().setModel(MODEL).setNumbers(lists(1, 0.3f, 0.1f, 0.7f)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, wrongLength.getStatus().getCode());
        assertTrue(wrongLength.getStatus().getDescription().contains("numbers.shape must be [B >= 1, 5] for sorting model sorter5"),
                wrongLength.getStatus().getDescription());
        StatusRuntimeException nan = assertThrows(StatusRuntimeException.class, () -> inference.predict(
                PredictRequest.newBuilder().setModel(MODEL).setNumbers(lists(1, 0.3f, Float.NaN, 0.7f, 0.2f, 0.4f)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, nan.getStatus().getCode());
        assertTrue(nan.getStatus().getDescription().startsWith("numbers.values[1]"), nan.getStatus().getDescription());
        Services.Run cli = Services.cli("sort", "--model", MODEL, "0.3", "0.1");
        assertEquals(Errors.REJECTED, cli.exitCode(), cli.out());
        assertTrue(cli.err().contains("numbers.shape must be [B >= 1, 5]"), cli.err());

        // A list sent to a jigsaw model, and a bad sorting spec, are named as such.
        Services.Run jigsaw = Services.cli("train", "--model", "sortnot", "--epochs", "1", "--train-limit", "128");
        assertEquals(0, jigsaw.exitCode(), jigsaw.err());
        StatusRuntimeException wrongTask = assertThrows(StatusRuntimeException.class, () -> inference.predict(
                PredictRequest.newBuilder().setModel("sortnot").setNumbers(lists(1, 0.3f, 0.1f, 0.7f, 0.2f)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, wrongTask.getStatus().getCode());
        assertTrue(wrongTask.getStatus().getDescription().contains("is a jigsaw model"), wrongTask.getStatus().getDescription());
        Services.Run badSpec = Services.cli("train", "--model", "x", "--task", "sorting", "--dataset", "mnist", "--items", "1");
        assertEquals(Errors.REJECTED, badSpec.exitCode(), badSpec.out());
        assertTrue(badSpec.err().contains("dataset: 'mnist' is not a data set of task \"sorting\"")
                && badSpec.err().contains("spec.items: must be 2 to 1000"), badSpec.err());
        Services.Run stepsForJigsaw = Services.cli("train", "--model", "x", "--steps", "10");
        assertEquals(Errors.REJECTED, stepsForJigsaw.exitCode(), stepsForJigsaw.out());
        assertTrue(stepsForJigsaw.err().contains("steps: only for task \"sorting\""), stepsForJigsaw.err());
        // The service kept serving.
        assertEquals(5, inference.predict(PredictRequest.newBuilder().setModel(MODEL).setNumbers(lists(1, 1, 2, 3, 4, 5)).build())
                .getLogAlpha().getRows());
    }
}
