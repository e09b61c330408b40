package dev.sinkhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.localkafka.FreePorts;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, shortened by flags: ./sinkhorn demo starts Kafka and the three
 * services with the local launcher, trains, waits for the evaluation, prints the results, writes
 * the pictures and stops what it started. On a stack of its own (home folder and ports from the
 * environment), so it never touches a stack the user runs from the same checkout.
 */
class DemoIT {

    @Test
    void theDemoRunsToItsResultsAndPictures(@TempDir Path out) throws IOException, InterruptedException {
        Path root = LocalStack.repositoryRoot();
        Path log = out.resolve("demo.log");
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("sinkhorn").toString(), "demo", "--epochs", "1",
                "--train-limit", "6400", "--seed", "3", "--out", out.resolve("pictures").toString())
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SINKHORN_HOME", out.resolve("home").toString());
        env.put("KAFKA_PORT", String.valueOf(FreePorts.pick()));
        env.put("KAFKA_CONTROLLER_PORT", String.valueOf(FreePorts.pick()));
        for (String s : List.of("TRAINER", "INFERENCE", "MATCHER")) {
            env.put("SINKHORN_" + s, "127.0.0.1:" + FreePorts.pick());
            env.put("SINKHORN_" + s + "_HTTP_PORT", String.valueOf(FreePorts.pick()));
        }
        Process p = pb.start();
        boolean done = p.waitFor(15, TimeUnit.MINUTES);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "the demo did not finish in 15 minutes:\n" + output);
        assertEquals(0, p.exitValue(), output);
        Matcher m = Pattern.compile("(?m)^mean_kendall_tau=([-0-9.eE]+)$").matcher(output);
        assertTrue(m.find(), "no mean_kendall_tau line:\n" + output);
        assertTrue(Double.parseDouble(m.group(1)) > 0.5, "6,400 images of training: " + m.group(1));
        BufferedImage reconstructions = ImageIO.read(out.resolve("pictures/reconstructions.png").toFile());
        assertEquals(8 * (28 * Pictures.SCALE + Pictures.GAP) + Pictures.GAP, reconstructions.getHeight());
        assertTrue(Files.size(out.resolve("pictures/loss.png")) > 1000);
        assertTrue(output.contains("stopped"), "it stops what it started:\n" + output);
        assertTrue(Files.isDirectory(out.resolve("home/kafka")), "the stack lived in the home it was given");
    }
}
