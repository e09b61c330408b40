package dev.sinkhorn.cli;

import dev.sinkhorn.v1.GumbelSinkhornRequest;
import dev.sinkhorn.v1.MatrixBatch;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.SinkhornResponse;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn sinkhorn`: the Sinkhorn operator (or Gumbel-Sinkhorn samples) on matrices from a file. */
@Command(name = "sinkhorn", mixinStandardHelpOptions = true, description = "S(X / tau): the Sinkhorn operator; with --samples, Gumbel-Sinkhorn samples.")
final class SinkhornOpCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", defaultValue = "-", description = "square log-score matrices as CSV or JSON; - (default) reads stdin")
    String file;

    @Option(names = "--tau", defaultValue = "1", description = "temperature > 0 (default ${DEFAULT-VALUE})")
    float tau;

    @Option(names = "--n-iter", defaultValue = "20", description = "iterations (default ${DEFAULT-VALUE})")
    int nIter;

    @Option(names = "--tolerance", defaultValue = "0", description = "stop once every marginal is within this of 1")
    float tolerance;

    @Option(names = "--samples", description = "draw this many Gumbel-Sinkhorn samples per matrix")
    Integer samples;

    @Option(names = "--noise-factor", defaultValue = "1", description = "Gumbel noise scale for --samples")
    float noiseFactor;

    @Option(names = "--seed", description = "noise seed for --samples (reproducible)")
    Long seed;

    @Override
    public Integer call() throws Exception {
        MatrixBatch m = MatrixFiles.parseBatch(MatrixFiles.read(file), file);
        SinkhornResponse r;
        if (samples != null) {
            GumbelSinkhornRequest.Builder b = GumbelSinkhornRequest.newBuilder().setLogAlpha(m).setTau(tau).setNIter(nIter)
                    .setNSamples(samples).setNoiseFactor(noiseFactor);
            if (seed != null) {
                b.setSeed(seed);
            }
            r = root.endpoints().inference().gumbelSinkhorn(b.build());
        } else {
            r = root.endpoints().inference().sinkhorn(SinkhornRequest.newBuilder().setLogAlpha(m).setTau(tau).setNIter(nIter)
                    .setTolerance(tolerance).build());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(r));
            return 0;
        }
        int n = r.getMatrices().getRows();
        for (int b = 0; b < r.getMatrices().getBatch(); b++) {
            out.printf("matrix %d (max marginal error %.2e):%n", b, r.getMaxMarginalError(b));
            for (int i = 0; i < n; i++) {
                StringBuilder row = new StringBuilder("  ");
                for (int j = 0; j < n; j++) {
                    row.append(String.format("%.4f ", r.getMatrices().getValues(b * n * n + i * n + j)));
                }
                out.println(row.toString().stripTrailing());
            }
        }
        out.println("iterations: " + r.getIterations());
        return 0;
    }
}
