package dev.sinkhorn.integration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.sinkhorn.cli.Services;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.ListVersionsRequest;
import dev.sinkhorn.v1.ListVersionsResponse;
import dev.sinkhorn.v1.ModelVersion;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PromoteRequest;
import dev.sinkhorn.v1.RollbackRequest;
import dev.sinkhorn.v1.Tensor;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.VersionState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Operator decisions are records, not replica memory: after a real training job publishes v1 and
 * v2 and the policy has decided, Promote v1, Promote v2 and Rollback leave v1 serving and v2 rolled
 * back; the inference process is then stopped and started again, and it serves exactly that.
 */
@RequiresKafka
class LifecycleRestartTest {
    private static final String MODEL = "restarted";

    private static ManagedChannel channel(int port) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    private static ListVersionsResponse versions(InferenceServiceGrpc.InferenceServiceBlockingStub inference) {
        return inference.listVersions(ListVersionsRequest.newBuilder().setModel(MODEL).build());
    }

    private static ModelVersion version(ListVersionsResponse r, long v) {
        return r.getVersionsList().stream().filter(x -> x.getVersion() == v).findFirst().orElseThrow();
    }

    @Test
    void promoteAndRollbackSurviveAnInferenceRestart() throws Exception {
        Services.start();
        ManagedChannel trainer = channel(Services.TRAINER.grpcPort());
        try {
            TrainingJob end = TrainingRuns.trainToEnd(trainer, TrainingSpec.newBuilder().setModel(MODEL).setEpochs(2).setTrainLimit(640)
                    .setLearningRate(1e-3f).build());
            assertEquals(2, end.getLatestVersion());
        } finally {
            trainer.shutdownNow();
        }

        ManagedChannel before = channel(Services.INFERENCE.grpcPort());
        try {
            InferenceServiceGrpc.InferenceServiceBlockingStub inference = InferenceServiceGrpc.newBlockingStub(before);
            // The policy first: v2 (the newest) is evaluated and decided, so nothing automatic comes after the operator.
            await().atMost(Duration.ofMinutes(2)).until(() -> version(versions(inference), 2).getState() != VersionState.CANDIDATE);
            inference.promote(PromoteRequest.newBuilder().setModel(MODEL).setVersion(1).setReason("pin").build());
            inference.promote(PromoteRequest.newBuilder().setModel(MODEL).setVersion(2).setReason("try v2").build());
            assertEquals(1, inference.rollback(RollbackRequest.newBuilder().setModel(MODEL).setReason("v2 misbehaves").build())
                    .getServingVersion());
        } finally {
            before.shutdownNow();
        }

        Services.INFERENCE.stop();
        Services.INFERENCE.start(); // returns once ready: the topics were read to their end
        ManagedChannel after = channel(Services.INFERENCE.grpcPort());
        try {
            InferenceServiceGrpc.InferenceServiceBlockingStub inference = InferenceServiceGrpc.newBlockingStub(after);
            ListVersionsResponse r = versions(inference);
            assertEquals(1, r.getServingVersion());
            assertEquals(VersionState.SERVING, version(r, 1).getState());
            assertEquals(VersionState.REJECTED, version(r, 2).getState());
            assertTrue(version(r, 2).getReason().contains("rolled back to v1") && version(r, 2).getReason().endsWith("v2 misbehaves"),
                    version(r, 2).getReason());
            ByteBuffer pixels = ByteBuffer.allocate(4 * 196 * 4).order(ByteOrder.LITTLE_ENDIAN);
            Tensor pieces = Tensor.newBuilder().addShape(1).addShape(4).addShape(1).addShape(14).addShape(14)
                    .setValuesF32Le(ByteString.copyFrom(pixels.array())).build();
            assertEquals(1, inference.predict(PredictRequest.newBuilder().setModel(MODEL).setPieces(pieces).build()).getVersion());
        } finally {
            after.shutdownNow();
        }
    }
}
