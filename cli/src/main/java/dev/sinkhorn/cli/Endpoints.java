package dev.sinkhorn.cli;

import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Channels to the three services, opened on first use, with the caller's TLS settings and token. */
final class Endpoints implements AutoCloseable {
    private final String trainer;
    private final String inference;
    private final String matcher;
    private final Credentials credentials;
    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

    Endpoints(String trainer, String inference, String matcher, Credentials credentials) {
        this.trainer = trainer;
        this.inference = inference;
        this.matcher = matcher;
        this.credentials = credentials;
    }

    String trainerAddress() {
        return trainer;
    }

    String inferenceAddress() {
        return inference;
    }

    String matcherAddress() {
        return matcher;
    }

    synchronized ManagedChannel channel(String address) {
        return channels.computeIfAbsent(address, credentials::channel);
    }

    TrainerServiceGrpc.TrainerServiceBlockingStub trainer() {
        return TrainerServiceGrpc.newBlockingStub(channel(trainer)).withCallCredentials(credentials.callCredentials());
    }

    InferenceServiceGrpc.InferenceServiceBlockingStub inference() {
        return InferenceServiceGrpc.newBlockingStub(channel(inference)).withMaxOutboundMessageSize(64 << 20)
                .withCallCredentials(credentials.callCredentials());
    }

    MatcherServiceGrpc.MatcherServiceBlockingStub matcher() {
        return MatcherServiceGrpc.newBlockingStub(channel(matcher)).withMaxOutboundMessageSize(64 << 20)
                .withCallCredentials(credentials.callCredentials());
    }

    /** True when the standard gRPC health service at the address answers SERVING. */
    boolean serving(String address) {
        try {
            return HealthGrpc.newBlockingStub(channel(address)).withDeadlineAfter(3, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Drops every channel: the next call opens a new one. After services were started, channels that
     * failed to connect before would otherwise wait out gRPC's reconnect backoff.
     */
    void reconnect() {
        close();
    }

    @Override
    public synchronized void close() {
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow();
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        channels.clear();
    }
}
