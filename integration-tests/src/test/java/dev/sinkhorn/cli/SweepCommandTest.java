package dev.sinkhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.testing.RequiresKafka;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `sinkhorn sweep` against the real services: a 2 x 2 grid, four jobs, a complete evaluation table and the best model named. */
@RequiresKafka
class SweepCommandTest {
    @Test
    void aSweepOfFourPointsPrintsItsCompleteTableAndNamesTheBest() {
        Services.start();
        String name = "sweep" + Long.toString(System.currentTimeMillis(), 36);
        Services.Run r = Services.cli("sweep", "--name", name, "--epochs", "1", "--train-limit", "1600", "--seed", "4",
                "--vary", "learning_rate=1e-3,3e-3", "--vary", "n_samples=1,2");
        assertEquals(0, r.exitCode(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.contains(name + "-") && !l.startsWith("best: ")).toList();
        assertEquals(4, rows.size(), r.out());
        String[] points = {"learning_rate=0.001 n_samples=1", "learning_rate=0.001 n_samples=2", "learning_rate=0.003 n_samples=1",
                "learning_rate=0.003 n_samples=2"};
        for (int k = 0; k < 4; k++) {
            String row = rows.get(k);
            assertTrue(row.contains(name + "-" + k) && row.contains(points[k]) && row.contains("SUCCEEDED") && row.contains("v1"), row);
            double tau = Double.parseDouble(row.trim().split("\\s+")[row.startsWith("*") ? 6 : 5]);
            assertTrue(tau > 0.5 && tau <= 1, "an evaluated model: " + row);
        }
        String best = r.out().lines().filter(l -> l.startsWith("best: ")).findFirst().orElseThrow().substring(6);
        String starred = rows.stream().filter(l -> l.startsWith("* ")).findFirst().orElseThrow();
        assertTrue(starred.startsWith("* " + best + " "), starred + " vs best " + best);
        double bestTau = Double.parseDouble(starred.trim().split("\\s+")[6]);
        for (String row : rows) {
            double tau = Double.parseDouble(row.trim().split("\\s+")[row.startsWith("*") ? 6 : 5]);
            assertTrue(tau <= bestTau, "the best has the highest mean Kendall tau: " + row);
        }
        Services.Run jobs = Services.cli("jobs");
        assertEquals(4, jobs.out().lines().filter(l -> l.contains(name + "-") && l.contains("SUCCEEDED")).count(), jobs.out());
    }
}
