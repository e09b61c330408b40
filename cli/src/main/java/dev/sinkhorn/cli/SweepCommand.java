package dev.sinkhorn.cli;

import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.Sweep;
import dev.sinkhorn.v1.SweepAxis;
import dev.sinkhorn.v1.SweepEvent;
import dev.sinkhorn.v1.SweepRef;
import dev.sinkhorn.v1.SweepRow;
import dev.sinkhorn.v1.SweepSpec;
import dev.sinkhorn.v1.SweepTable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn sweep`: start a hyper-parameter sweep and print its table live; name the best model. */
@Command(name = "sweep", mixinStandardHelpOptions = true, description = {
        "Train one model per point of a grid (--vary, repeatable) over a base spec (the train options), print the table of their "
                + "evaluations as they arrive and name the best model (highest mean Kendall tau).",
        "Example: sinkhorn sweep --name lr-tau --epochs 2 --vary learning_rate=1e-3,3e-3 --vary tau=0.1,1"})
final class SweepCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--name", description = "the sweep's name; its models are <name>-0, <name>-1, ... (required to start one)")
    String name;
    @Option(names = "--vary", paramLabel = "FIELD=V1,V2,...", description = "an axis of the grid: learning_rate, batch_size, "
            + "n_samples, noise_factor, epochs, seed, train_limit, grid, hidden_channels, kernel_size, tau or n_iter")
    List<String> vary = new ArrayList<>();
    @Option(names = "--watch", paramLabel = "SWEEP_ID", description = "follow a sweep that was started before instead")
    String watch;
    @Option(names = "--detach", description = "print the sweep id and return at once")
    boolean detach;
    @Mixin
    SpecOptions options;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String id = watch;
        if (id == null) {
            if (name == null || vary.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--name and at least one --vary start a sweep (or --watch follows one)");
            }
            Sweep sweep = root.endpoints().trainer().startSweep(SweepSpec.newBuilder().setName(name)
                    .setBase(options.toSpec()).addAllGrid(axes()).build());
            id = sweep.getSweepId();
            if (detach) {
                out.println(root.json ? Output.json(sweep) : id);
                return 0;
            }
            err.println("sweep " + id + ": " + sweep.getJobsCount() + " jobs (" + name + "-0 .. " + name + "-" + (sweep.getJobsCount() - 1) + ")");
        }
        SweepTable last = null;
        Iterator<SweepEvent> events = root.endpoints().trainer().watchSweep(SweepRef.newBuilder().setSweepId(id).build());
        while (events.hasNext()) {
            SweepEvent e = events.next();
            if (e.hasTable()) {
                last = e.getTable();
                if (!root.json) {
                    print(err, last);
                }
            }
        }
        if (last == null) {
            return Errors.FAILED;
        }
        if (root.json) {
            out.println(Output.json(last));
        } else {
            print(out, last);
            out.println(last.getBestModel().isEmpty() ? "no model of the sweep was evaluated" : "best: " + last.getBestModel());
        }
        return last.getRowsList().stream().allMatch(r -> r.getState() == JobState.SUCCEEDED) ? 0 : Errors.FAILED;
    }

    private List<SweepAxis> axes() {
        List<SweepAxis> axes = new ArrayList<>();
        for (String v : vary) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--vary takes FIELD=V1,V2,..., got " + v);
            }
            SweepAxis.Builder a = SweepAxis.newBuilder().setField(v.substring(0, eq).replace('-', '_'));
            for (String value : v.substring(eq + 1).split(",")) {
                try {
                    a.addValues(Double.parseDouble(value.trim()));
                } catch (NumberFormatException e) {
                    throw new ParameterException(spec.commandLine(), "--vary " + a.getField() + ": not a number: " + value);
                }
            }
            axes.add(a.build());
        }
        return axes;
    }

    private static void print(PrintWriter w, SweepTable t) {
        List<List<String>> rows = new ArrayList<>();
        for (SweepRow r : t.getRowsList()) {
            boolean evaluated = r.hasEvaluation();
            rows.add(List.of((r.getModel().equals(t.getBestModel()) ? "* " : "") + r.getModel(), r.getPoint(), r.getState().name(),
                    evaluated ? "v" + r.getVersion() : "-",
                    evaluated ? String.format(Locale.ROOT, "%.4f", r.getEvaluation().getMeanKendallTau()) : "-",
                    evaluated ? String.format(Locale.ROOT, "%.4f", r.getEvaluation().getPropAnyWrong()) : "-"));
        }
        Output.table(w, List.of("model", "point", "state", "version", "mean Kendall tau", "prop_any_wrong"), rows);
    }
}
