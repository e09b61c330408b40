package dev.sinkhorn.service.grpc;

import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * gRPC's maximum connection age (gRFC A9) on the services' gRPC servers: after
 * {@code sinkhorn.grpc.max-connection-age} a server sends GOAWAY on each connection, lets calls
 * under way finish for {@code sinkhorn.grpc.max-connection-age-grace}, then closes it. Clients
 * connect again and re-resolve DNS, so behind a headless Service they reach replicas that were
 * added since (grpc-java re-resolves only when a connection drops). 0 (the default) leaves
 * connections open for good; the Kubernetes base sets it for the autoscaled matcher and inference.
 * Quarkus has no property for it; its separate gRPC server is built on Netty underneath.
 */
@Singleton
public class MaxConnectionAge implements ServerBuilderCustomizer<VertxServerBuilder> {
    @ConfigProperty(name = "sinkhorn.grpc.max-connection-age", defaultValue = "0S")
    Duration age;
    @ConfigProperty(name = "sinkhorn.grpc.max-connection-age-grace", defaultValue = "30S")
    Duration grace;

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        if (age.isZero() || age.isNegative()) {
            return;
        }
        builder.nettyBuilder().maxConnectionAge(age.toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionAgeGrace(grace.toMillis(), TimeUnit.MILLISECONDS);
    }
}
