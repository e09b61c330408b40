package dev.sinkhorn.matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With sinkhorn.grpc.max-connection-age set, the server ends every connection after that age
 * (GOAWAY): a connected client channel falls back to IDLE by itself, and its next call connects
 * anew (where a client behind a headless Service re-resolves DNS). Without the setting the channel
 * would stay READY, and this test would time out.
 */
@QuarkusTest
@TestProfile(MaxConnectionAgeTest.ShortConnections.class)
class MaxConnectionAgeTest {

    public static class ShortConnections implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sinkhorn.grpc.max-connection-age", "1S", "sinkhorn.grpc.max-connection-age-grace", "1S");
        }
    }

    @Test
    void theServerEndsOldConnectionsAndClientsComeBack() throws InterruptedException {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", 19093).usePlaintext().build();
        try {
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, check(channel));
            assertEquals(ConnectivityState.READY, channel.getState(false));
            CountDownLatch left = new CountDownLatch(1);
            watchUntilNotReady(channel, left);
            assertTrue(left.await(30, TimeUnit.SECONDS), "the connection outlived the maximum age of 1 s (+1 s grace)");
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, check(channel), "the next call connects again");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void watchUntilNotReady(ManagedChannel channel, CountDownLatch left) {
        ConnectivityState now = channel.getState(false);
        if (now != ConnectivityState.READY) {
            left.countDown();
            return;
        }
        channel.notifyWhenStateChanged(now, () -> watchUntilNotReady(channel, left));
    }

    private static HealthCheckResponse.ServingStatus check(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().build()).getStatus();
    }
}
