package dev.sinkhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.testing.RequiresKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** match, score and sinkhorn against the real services, with files in both formats. */
@RequiresKafka
class OperatorCommandsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void services() {
        Services.start();
    }

    @Test
    void matchReadsCsvAndJsonAndPrintsAssignments() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), "4,1,3\n2,0,5\n3,2,2\n\n1 0 0\n0 1 0\n0 0 1\n");
        Services.Run r = Services.cli("match", csv.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("matrix 0: assignment [0, 2, 1] objective 11.0"), r.out());
        assertTrue(r.out().contains("matrix 1: assignment [0, 1, 2] objective 3.0"), r.out());
        Path json = Files.writeString(dir.resolve("m.json"), "[[4, 1, 3], [2, 0, 5], [3, 2, 2]]");
        Services.Run min = Services.cli("--json", "match", "--minimize", json.toString());
        assertEquals(0, min.exitCode(), min.err());
        assertEquals("{\"assignments\":[{\"index\":[1,0,2]}],\"objective\":[5.0]}", min.out().strip());
    }

    @Test
    void scoreComparesPermutationFiles() throws IOException {
        Path truth = Files.writeString(dir.resolve("t.csv"), "0,1,2,3\n0,1,2,3\n");
        Path predicted = Files.writeString(dir.resolve("p.json"), "[[0,1,2,3],[1,0,2,3]]");
        Services.Run r = Services.cli("--json", "score", "--truth", truth.toString(), "--predicted", predicted.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("\"count\":\"2\""), r.out());
        assertTrue(r.out().contains("\"mean_kendall_tau\":0.8333333333333335"), r.out()); // as SciPy: (1 + 4/sqrt(6)/sqrt(6)) / 2
        assertTrue(r.out().contains("\"prop_any_wrong\":0.5"), r.out());
    }

    @Test
    void sinkhornPrintsDoublyStochasticMatrices() throws IOException {
        Path m = Files.writeString(dir.resolve("s.json"), "{\"batch\":1,\"rows\":2,\"cols\":2,\"values\":[2,0,0,2]}");
        Services.Run r = Services.cli("sinkhorn", "--tau", "0.5", "--n-iter", "50", m.toString());
        assertEquals(0, r.exitCode(), r.err());
        // exp(4) / (exp(4) + 1) = 0.9820 on the diagonal.
        assertTrue(r.out().contains("0.9820 0.0180"), r.out());
        assertTrue(r.out().contains("iterations: 50"), r.out());
        Services.Run samples = Services.cli("--json", "sinkhorn", "--samples", "3", "--seed", "4", m.toString());
        assertEquals(0, samples.exitCode(), samples.err());
        assertTrue(samples.out().contains("\"batch\":3"), samples.out());
    }

    @Test
    void errorsSayWhatToDoWithMeaningfulExitCodes() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "1,2\n3,x\n");
        Services.Run r = Services.cli("match", bad.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("line 2: 'x' is not a number"), r.err());
        assertEquals(2, Services.cli("match", dir.resolve("missing.csv").toString()).exitCode());
        Path nan = Files.writeString(dir.resolve("nan.csv"), "1,NaN\n3,4\n");
        Services.Run rejected = Services.cli("match", nan.toString());
        assertEquals(4, rejected.exitCode());
        assertTrue(rejected.err().contains("INVALID_ARGUMENT") && rejected.err().contains("row 0, column 1"), rejected.err());
        StringWriterRun unreachable = StringWriterRun.of("--matcher=127.0.0.1:1", "match", dir.resolve("m2.csv").toString());
        assertEquals(3, unreachable.code(), unreachable.err());
        assertTrue(unreachable.err().contains("deploy/local/sinkhorn-local up"), unreachable.err());
        assertEquals(2, Services.cli("no-such-command").exitCode());
    }

    /** The CLI with only the given arguments (no service addresses added). */
    record StringWriterRun(int code, String err) {
        static StringWriterRun of(String... args) throws IOException {
            Files.writeString(dir.resolve("m2.csv"), "1,0\n0,1\n");
            java.io.StringWriter err = new java.io.StringWriter();
            int code = SinkhornCli.run(args, new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true));
            return new StringWriterRun(code, err.toString());
        }
    }
}
