package dev.sinkhorn.cli;

import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.Tensor;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * `sinkhorn sort`: sorts a list of numbers with a served sorting model (Predict with hard = true):
 * the model scores every number for every position and the matcher's exact assignment puts each
 * number at its place. The list must be as long as the model's lists (its spec's items).
 */
@Command(name = "sort", mixinStandardHelpOptions = true,
        description = "Sort a list of numbers with a served sorting model (sinkhorn train --task sorting).",
        footer = {"", "Example: sinkhorn sort --model sorter5 0.3 0.1 0.7 0.9 0.5"})
final class SortCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "a sorting model")
    String model;
    @Option(names = "--model-version", description = "a kept version of the model (default: the serving one)")
    long version;
    @Parameters(arity = "1..*", paramLabel = "NUMBER", description = "the list to sort, as many numbers as the model's items")
    float[] numbers;

    @Override
    public Integer call() {
        Tensor.Builder t = Tensor.newBuilder().addShape(1).addShape(numbers.length);
        for (float v : numbers) {
            t.addValues(v);
        }
        PredictResponse r = root.endpoints().inference().predict(PredictRequest.newBuilder().setModel(model).setVersion(version)
                .setNumbers(t).setHard(true).build());
        int[] position = Puzzles.assignments(r)[0];
        float[] sorted = new float[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            sorted[position[i]] = numbers[i];
        }
        float[] truth = numbers.clone();
        Arrays.sort(truth);
        boolean right = Arrays.equals(sorted, truth);
        PrintWriter o = spec.commandLine().getOut();
        if (root.json) {
            o.printf(Locale.ROOT, "{\"model\":\"%s\",\"version\":%d,\"sorted\":%s,\"positions\":%s,\"correct\":%s}%n", r.getModel(),
                    r.getVersion(), Arrays.toString(sorted), Arrays.toString(position), right);
        } else {
            o.printf(Locale.ROOT, "%s v%d: %s%n", r.getModel(), r.getVersion(), join(sorted));
            o.printf(Locale.ROOT, "positions %s (%s)%n", Arrays.toString(position),
                    right ? "sorted right" : "not sorted; sorted would be " + join(truth));
        }
        return 0;
    }

    private static String join(float[] v) {
        StringBuilder s = new StringBuilder();
        for (float x : v) {
            s.append(s.isEmpty() ? "" : " ").append(x);
        }
        return s.toString();
    }
}
