package dev.sinkhorn.inference;

import dev.sinkhorn.testing.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** The real matcher-service, run from its jar as its own JVM, for Predict(hard) and the evaluations. */
public class MatcherProcessResource implements QuarkusTestResourceLifecycleManager {
    static final ServiceProcess MATCHER = new ServiceProcess("matcher-service");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(MATCHER::stop));
    }

    @Override
    public Map<String, String> start() {
        MATCHER.start();
        // In test mode Quarkus dials a client's test-port (default: this app's own gRPC test port).
        return Map.of("quarkus.grpc.clients.matcher.host", "127.0.0.1",
                "quarkus.grpc.clients.matcher.port", String.valueOf(MATCHER.grpcPort()),
                "quarkus.grpc.clients.matcher.test-port", String.valueOf(MATCHER.grpcPort()));
    }

    @Override
    public void stop() {
        // Shared by every test class of the JVM; stops with it.
    }
}
