package dev.sinkhorn.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs a reference benchmark (SciPy, PyTorch) that prints "name seconds" lines, and collects them. */
final class ReferenceTimings {
    private ReferenceTimings() {
    }

    static Map<String, Double> run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + p.exitValue());
        }
        Map<String, Double> times = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                times.put(parts[0], Double.parseDouble(parts[1]));
            }
        }
        return times;
    }
}
