package dev.sinkhorn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.data.TestData;
import dev.sinkhorn.testing.RequiresKafka;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, models, eval and unscramble against the real services. */
@RequiresKafka
class TrainingCommandsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void trainAModel() {
        Services.start();
        Services.Run r = Services.cli("train", "--model", "cli", "--epochs", "1", "--learning-rate", "1e-3", "--seed", "5",
                "--loss-png", dir.resolve("loss.png").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("SUCCEEDED, latest checkpoint v1"), r.out());
        assertTrue(r.err().contains("checkpoint cli v1 published"), r.err());
        assertTrue(r.err().contains("evaluation of v1 on 1000 mnist test images"), r.err());
        assertTrue(r.err().contains("v1 promoted by policy: first version of the model"), r.err());
    }

    @Test
    void trainingWroteALossCurveAndTheModelIsServedAndEvaluated() throws Exception {
        BufferedImage chart = ImageIO.read(dir.resolve("loss.png").toFile());
        assertEquals(900, chart.getWidth());
        Services.Run models = Services.cli("models");
        assertTrue(models.out().lines().anyMatch(l -> l.startsWith("cli ") && l.contains("mnist") && l.contains("2x2")), models.out());
        Services.Run eval = Services.cli("--json", "eval", "cli", "--limit", "500");
        assertEquals(0, eval.exitCode(), eval.err());
        assertTrue(eval.out().contains("\"count\":\"500\""), eval.out());
        double tau = Double.parseDouble(eval.out().replaceAll(".*\"mean_kendall_tau\":([0-9.]+).*\\s*", "$1"));
        assertTrue(tau > 0.9, "one epoch at 1e-3: " + tau);
        Services.Run jobs = Services.cli("jobs");
        assertTrue(jobs.out().contains("SUCCEEDED"), jobs.out());
    }

    @Test
    void aContextModelGoesThroughTheSamePaths() throws Exception {
        Services.Run r = Services.cli("train", "--model", "ctx", "--preset", "context", "--epochs", "1", "--train-limit", "1280");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("evaluation of v1 on 1000 mnist test images"), r.err());
        Services.Run models = Services.cli("--json", "models");
        assertTrue(models.out().contains("\"architecture\":\"context\""), models.out());
        Services.Run eval = Services.cli("eval", "ctx", "--limit", "200");
        assertEquals(0, eval.exitCode(), eval.err());
        assertTrue(eval.out().contains("on 200 mnist test images (grid 3"), eval.out());
        Path png = dir.resolve("ctx.png");
        Services.Run u = Services.cli("unscramble", "--model", "ctx", "--index", "3", "--out", png.toString());
        assertEquals(0, u.exitCode(), u.err());
        BufferedImage pair = ImageIO.read(png.toFile());
        assertTrue(pair.getWidth() > pair.getHeight() && pair.getHeight() >= 27, "scrambled | reconstructed, 3x3 pieces of 9 px");
    }

    @Test
    void versionsPromoteAndRollback() {
        // v1 was the model's first evaluated version: the policy promoted it, and the watch showed the decision.
        Services.Run versions = Services.cli("versions", "cli");
        assertEquals(0, versions.exitCode(), versions.err());
        assertTrue(versions.out().startsWith("cli: serving v1"), versions.out());
        assertTrue(versions.out().lines().anyMatch(l -> l.startsWith("v1 ") && l.contains("serving")
                && l.contains("promoted: first version of the model")), versions.out());
        Services.Run promote = Services.cli("promote", "cli", "1", "--reason", "pinned");
        assertEquals(0, promote.exitCode(), promote.err());
        assertTrue(promote.out().contains("cli: serving v1 (promoted by anonymous (security off): pinned)"), promote.out());
        Services.Run rollback = Services.cli("rollback", "cli");
        assertEquals(4, rollback.exitCode(), "nothing served before v1: rejected");
        assertTrue(rollback.err().contains("has no version that served before v1"), rollback.err());
        Services.Run missing = Services.cli("promote", "cli", "99");
        assertEquals(4, missing.exitCode());
        assertTrue(missing.err().contains("version 99 is not kept"), missing.err());
    }

    @Test
    void unscrambleWritesScrambledAndReconstructedSideBySide() throws Exception {
        Path png = dir.resolve("u.png");
        int[] perm = {3, 0, 2, 1};
        Services.Run r = Services.cli("--json", "unscramble", "--model", "cli", "--index", "0", "--permutation", "3,0,2,1",
                "--out", png.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("\"correct\":true"), "the trained model solves test digit 0: " + r.out());
        BufferedImage img = ImageIO.read(png.toFile());
        int side = 28 * Pictures.SCALE;
        assertEquals(2 * side + 3 * Pictures.GAP, img.getWidth());
        assertEquals(side + 2 * Pictures.GAP, img.getHeight());
        // The reconstructed half is the original digit, pixel for pixel.
        ImageSet test = TestData.mnist().test();
        int x0 = 2 * Pictures.GAP + side;
        for (int y = 0; y < 28; y++) {
            int[] expected = new int[28];
            int[] actual = new int[28];
            for (int x = 0; x < 28; x++) {
                expected[x] = test.pixels()[y * 28 + x] & 0xff;
                actual[x] = img.getRGB(x0 + x * Pictures.SCALE, Pictures.GAP + y * Pictures.SCALE) & 0xff;
            }
            assertArrayEquals(expected, actual, "row " + y);
        }
        // And the left half is the scramble: its top-left piece is original piece perm[0] = 3 (bottom right).
        int leftTopLeft = img.getRGB(Pictures.GAP + 7 * Pictures.SCALE, Pictures.GAP + 7 * Pictures.SCALE) & 0xff;
        assertEquals(test.pixels()[(14 + 7) * 28 + 14 + 7] & 0xff, leftTopLeft);
        assertEquals(4, perm.length);
        Services.Run wrongGrid = Services.cli("unscramble", "--model", "cli", "--index", "0", "--grid", "3");
        assertEquals(2, wrongGrid.exitCode());
        assertTrue(wrongGrid.err().contains("solves 2x2 puzzles"), wrongGrid.err());
    }
}
