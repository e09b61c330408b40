package dev.sinkhorn.cli;

import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.RollbackRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `sinkhorn rollback MODEL`: back to the version that served before the current one (operator). */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Serve again the version that served before the current one, on every inference replica (role operator).")
final class RollbackCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", paramLabel = "MODEL", description = "model name")
    String model;
    @Option(names = "--reason", defaultValue = "", description = "why, recorded with the decision")
    String reason;

    @Override
    public Integer call() {
        Decision d = root.endpoints().inference().rollback(RollbackRequest.newBuilder().setModel(model).setReason(reason).build());
        DecisionOutput.print(spec.commandLine().getOut(), d, root.json);
        return 0;
    }
}
