package dev.sinkhorn.cli;

import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.PromoteRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn promote MODEL VERSION`: makes a kept version the serving one (operator). */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Make a kept version the serving one on every inference replica, whatever its evaluation (role operator).")
final class PromoteCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", paramLabel = "MODEL", description = "model name")
    String model;
    @Parameters(index = "1", paramLabel = "VERSION", description = "a kept version (sinkhorn versions MODEL)")
    long version;
    @Option(names = "--reason", defaultValue = "", description = "why, recorded with the decision")
    String reason;

    @Override
    public Integer call() {
        Decision d = root.endpoints().inference().promote(PromoteRequest.newBuilder().setModel(model).setVersion(version)
                .setReason(reason).build());
        DecisionOutput.print(spec.commandLine().getOut(), d, root.json);
        return 0;
    }
}
